"""Bounds, defaults and choices of powerplan's settings, and the checks that hold them.

The library checks its settings against these values and the command line
states them in its help, so both read them from this one module. It is pure
Python (no numpy, scipy or pandas), so any layer can import it without a cycle.

Each check takes a setting's name and a value, and returns the value cleaned
or raises :class:`~powerplan.errors.InvalidInputError` naming the setting, so
an option and the library refuse a value with the same words:

>>> proportion("base_rate", 0.35), month("start", "2024-01")
(0.35, datetime.date(2024, 1, 1))
>>> integer("cohort", 0, 1, MAX_COHORT)
Traceback (most recent call last):
...
powerplan.errors.InvalidInputError: cohort must be a whole number in [1, 10,000,000]; got 0
"""

from __future__ import annotations

import datetime as dt
import re

from .errors import InvalidInputError
# The library's checks of numbers, public here (their module is private to the library).
from ._validate import (between, integer, non_negative, positive, proportion,  # noqa: F401
                        real, share, up_to)

# The planned study ------------------------------------------------------------

#: Largest cohort powerplan will consider (people submitted).
MAX_COHORT = 10_000_000
#: Largest fixed comparison size: more than a national pool (published analyses had ~100,000).
MAX_N_COMPARISON = MAX_COHORT
#: Largest comparison ratio (records per analysed treated person), as large as a fixed size.
MAX_COMPARISON_RATIO = float(MAX_N_COMPARISON)
#: Smallest comparison ratio: one record for the largest cohort (less overflows the variance).
MIN_COMPARISON_RATIO = 1 / MAX_COHORT
#: The z-tests of two rates: unpooled (the large-sample form of real analyses), pooled, and two more.
Z_TESTS = ("wald", "pooled", "arcsine", "fleiss-cc")
#: The analytic engine's methods for a rate: the Welch test as real analyses run it, exact for
#: small studies (the default); the z-tests' normal approximations; and the z-tests, exact.
METHODS = ("welch",) + Z_TESTS + tuple(f"{test}-exact" for test in Z_TESTS)
#: Smallest significance level: a test this strict has a confidence level of
#: 99.99999999%, still apart from 100% in floating point (1e-17 gave an infinite interval).
MIN_ALPHA = 1e-10
#: Largest significance level, excluded.
MAX_ALPHA = 0.5
#: Differences a test looks for: either way, only a reduction, only an increase.
ALTERNATIVES = ("two-sided", "less", "greater")

# The other headline measures ---------------------------------------------------

#: The headline measures a planned study can be about, as ``--measure`` spells them.
MEASURES = ("rate", "frequency", "time")
#: ``powerplan power --measure`` also takes all three together.
MEASURE_CHOICES = MEASURES + ("all",)
#: Tests of the frequency: the Welch t-test on offences per person (as real analyses), and
#: the negative binomial rate-ratio tests of Zhu and Lakkis (2014), approaches 1, 2 and 3.
FREQUENCY_METHODS = ("welch", "negbin-alt", "negbin-control", "negbin-pooled")
#: Tests of the time to first reoffence: the Welch t-test on days among reoffenders (as real
#: analyses), and what a survival analysis of the same people would have (log-rank/Cox,
#: events formulas of Schoenfeld 1981 and Freedman 1982).
TIME_METHODS = ("welch", "logrank-schoenfeld", "logrank-freedman")
#: Days of follow-up in which a first reoffence counts.
FOLLOW_UP_DAYS = 365.0
#: Treated reoffenders needed before time to first reoffence (and every secondary measure)
#: is reported by the data service.
MIN_TREATED_REOFFENDERS = 30
#: Largest mean number of proven reoffences among reoffenders in a year.
MAX_OFFENCES_PER_REOFFENDER = 100.0
#: Largest negative binomial dispersion of the reoffences after the first.
MAX_DISPERSION = 100.0

# The simulated study ----------------------------------------------------------

#: Largest comparison pool powerplan will simulate (records).
MAX_POOL = 5_000_000
#: Smallest pool: below it a propensity model has too little to fit.
MIN_POOL = 100
#: Most records matched to a treated person (k = 1,000 took 2.3 GB); at most MIN_POOL.
MAX_K = 100
#: Largest outcome strength: exp(5), ~150 times the odds per pool SD of risk, still calibrates.
MAX_OUTCOME_STRENGTH = 5.0
#: Largest selection, in pool SDs of the selection index (1.5 is already extreme) ...
MAX_SELECTION = 1.5
#: ... and at most this share of the selection at which the treated have no finite mean.
SELECTION_SHARE_OF_LIMIT = 0.75
#: Widest caliper, in SDs of the logit propensity score (0.2 is usual; 10 accepts any match).
MAX_CALIPER = 10.0
#: The pool's covariates: largest mean age (above 18, the youngest in the records) ...
MAX_AGE_MEAN = 80.0
#: ... and standard deviation of age, in years ...
MAX_AGE_SD = 30.0
#: ... mean prior proven offences, in (0, MAX_PRIOR_OFFENCES_MEAN] ...
MAX_PRIOR_OFFENCES_MEAN = 100.0
#: ... and their negative binomial shape, from this (a smaller shape, a longer tail) ...
MIN_PRIOR_OFFENCES_DISPERSION = 0.1
#: ... to this.
MAX_PRIOR_OFFENCES_DISPERSION = 1000.0
#: Tests a simulated study runs: the weighted Welch t-test of real analyses, or a z-test.
TESTS = ("welch",) + Z_TESTS
#: Effects a normal prior is simulated at (Gauss-Legendre on its quantiles): assurance by
#: simulation needs at least one replicate at each.
SIMULATION_NODES = 12
#: Replicates a simulation runs when not told otherwise.
DEFAULT_SIMS = 1000
#: Most replicates one call will run.
MAX_SIMS = 10_000_000
#: Most worker processes.
MAX_WORKERS = 256
#: Replicates computed together, vectorised (fixed: part of what makes results reproducible).
BLOCK = 16
#: Replicates handed out at a time by default (four blocks).
DEFAULT_CHUNK = 4 * BLOCK

# Solving and sweeping ---------------------------------------------------------

#: Settings :func:`powerplan.solve` can solve for.
UNKNOWNS = ("cohort", "effect", "retention")
#: Sides a minimum detectable effect can lie on.
DIRECTIONS = ("reduction", "increase")
#: Engines by name: the closed forms, or simulating the whole study.
ENGINES = ("analytic", "simulate")
#: Relative half-width of a simulated answer's 95% interval to reach, by default.
DEFAULT_PRECISION = 0.05
#: Replicates a simulated search may use, by default ...
DEFAULT_MAX_SIMS = 20_000
#: ... and at the least.
MIN_MAX_SIMS = 2000
#: Settings a power curve can vary, as :class:`~powerplan.Scenario` spells them.
FIELDS = ("cohort", "effect", "retention", "base_rate", "comparison_ratio", "alpha")

#: A requirements table's frequency effects (offences per person) when none are given.
DEFAULT_FREQUENCY_EFFECTS = (-0.05, -0.1, -0.15, -0.2, -0.3)
#: A requirements table's time effects (days) when none are given.
DEFAULT_TIME_EFFECTS = (5.0, 10.0, 15.0, 20.0, 30.0)

# Decisions --------------------------------------------------------------------

#: A requirements table's base rates when none are given.
DEFAULT_BASE_RATES = (0.15, 0.25, 0.35, 0.45, 0.55)
#: A requirements table's effects (differences) when none are given.
DEFAULT_EFFECTS = (-0.02, -0.04, -0.06, -0.08, -0.10)
#: A requirements table's retentions when none are given.
DEFAULT_RETENTIONS = (0.2, 0.4, 0.6, 0.8)
#: A table of MDEs' cohorts when none are given.
DEFAULT_COHORTS = (100, 250, 500, 1000, 2500)
#: Most values in one list of a table's grid: a table is for reading, and each cell is a solve.
MAX_VALUES = 100
#: Most cells of a table's grid (each is a solve): 100 x 100 values, already past reading.
MAX_TABLE_CELLS = 10_000
#: Most services in a portfolio (a national programme has hundreds).
MAX_SERVICES = 100_000
#: Largest scenario file (--config) or CSV of services (--services) read, in bytes: a file a
#: person wrote is a few kilobytes; a file of people (--people) may be far larger.
MAX_CONFIG_BYTES = 4 * 1024 ** 2
#: Most characters of a bad value echoed in an error message.
MAX_ECHO = 60
#: Most people a month an intake may have.
MAX_PER_MONTH = 100_000
#: Months between the end of the data loaded and a submission, by default.
DEFAULT_LAG_MONTHS = 8
#: Longest lag between the end of the data loaded and a submission (months).
MAX_LAG_MONTHS = 120
#: Furthest ahead a submission plan looks (months).
MAX_HORIZON_MONTHS = 120
#: Dates outside the years FIRST_YEAR to LAST_YEAR are taken for typing mistakes.
FIRST_YEAR, LAST_YEAR = 1900, 2199

# An organisation's file of people ---------------------------------------------

#: The fields of a person the data service asks for, in the order of its request, and
#: the index date; each with its name in words.
PERSON_FIELDS = {
    "forename": "forename",
    "surname": "surname",
    "date_of_birth": "date of birth",
    "gender": "gender",
    "pnc_number": "PNC number",
    "prison_number": "prison number",
    "intervention_start": "intervention start",
    "intervention_end": "intervention end",
    "custody_or_community": "custody or community",
    "index_date": "index date",
}
#: Fields the data service requires of every person (identifiers are asked for, not required).
REQUIRED_PERSON_FIELDS = ("forename", "surname", "date_of_birth", "gender",
                          "intervention_start", "intervention_end", "custody_or_community")
#: Months a check of a file looks ahead unless told otherwise: a year of waiting.
DEFAULT_CHECK_HORIZON = 12


# Checks -----------------------------------------------------------------------

_MONTH = re.compile(r"\d{4}-\d{2}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def check_alpha(field: str, value) -> float:
    """A significance level in [MIN_ALPHA, MAX_ALPHA).

    >>> check_alpha("alpha", 1e-17)
    Traceback (most recent call last):
    ...
    powerplan.errors.InvalidInputError: alpha must be a significance level in [1e-10, 0.5); got 1e-17
    """
    alpha = proportion(field, value)
    if not MIN_ALPHA <= alpha < MAX_ALPHA:
        raise InvalidInputError(field, f"must be a significance level in [{MIN_ALPHA:g}, "
                                       f"{MAX_ALPHA:g}); got {alpha:g}")
    return alpha


def check_n_comparison(field: str, value) -> float:
    """An effective comparison size: a number (weighted, so not whole) in [2, 10,000,000]."""
    return between(field, value, 2, MAX_N_COMPARISON)


def check_count(name: str, count: int) -> None:
    """A list of a table's grid holds between 1 and ``MAX_VALUES`` values."""
    if count < 1:
        raise InvalidInputError(name, "must list at least one value")
    if count > MAX_VALUES:
        raise InvalidInputError(name, f"must list at most {MAX_VALUES} values; got {count:,}")


def check_distinct(name: str, values: tuple) -> None:
    """No value of a list of a table's grid is given twice (its row or column would be
    ambiguous).

    Values are the same as a table's cells are looked up, by ``numpy.isclose`` with
    ``rtol=1e-9, atol=1e-12``: 0.1 + 0.2 is 0.3; 0.3 and 0.3001 differ.
    """
    for i, value in enumerate(values):
        if any(abs(value - earlier) <= 1e-12 + 1e-9 * abs(earlier) for earlier in values[:i]):
            raise InvalidInputError(name, f"must be distinct; got {value:g} twice")


def month(field: str, value) -> dt.date:
    """A calendar month: text ``YYYY-MM``, or a ``datetime.date`` in it; returns its first day.

    (The library's functions also take datetimes and numpy or pandas dates.)

    >>> month("now", "2026-03"), month("now", dt.date(2024, 2, 29))
    (datetime.date(2026, 3, 1), datetime.date(2024, 2, 1))
    """
    found = _date_or_text(field, value, _MONTH, "a month YYYY-MM",
                          lambda text: dt.date.fromisoformat(text + "-01")).replace(day=1)
    return _in_years(field, found, found.isoformat()[:7])


def date(field: str, value) -> dt.date:
    """A calendar date: text ``YYYY-MM-DD``, or a ``datetime.date``.

    >>> date("index_date", "2024-02-29")
    datetime.date(2024, 2, 29)
    >>> date("index_date", "2023-02-29")
    Traceback (most recent call last):
    ...
    powerplan.errors.InvalidInputError: index_date must be a date YYYY-MM-DD; got '2023-02-29'
    """
    found = _date_or_text(field, value, _DATE, "a date YYYY-MM-DD", dt.date.fromisoformat)
    return _in_years(field, found, found.isoformat())


def _date_or_text(field: str, value, pattern: re.Pattern, form: str, build) -> dt.date:
    """``value`` if it is a date, else ``build(text)`` for text matching ``pattern`` that
    is a real date, else an error saying the value must be ``form``.

    A datetime is not taken for a date here: pandas' missing date, NaT, is a datetime,
    so the library reads datetimes where it knows pandas (``powerplan._dates``).
    """
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    text = value.strip() if isinstance(value, str) else None
    if text is not None and pattern.fullmatch(text):
        try:
            return build(text)
        except ValueError:  # 2023-02-29, month 13
            pass
    raise InvalidInputError(field, f"must be {form}; got {value!r}")


def _in_years(field: str, value: dt.date, text: str) -> dt.date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise InvalidInputError(field, f"must be in the years {FIRST_YEAR} to {LAST_YEAR}; "
                                       f"got {text}")
    return value
