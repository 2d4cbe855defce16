"""Power of tests comparing the time to first reoffence, and the 30-reoffender gate.

The data service compares the mean days to the first proven reoffence among
reoffenders (a Welch t-test) and reports it only when the treated group has
at least 30 reoffenders. With ``k`` treated people analysed, the number of
treated reoffenders ``R`` is ``Binomial(k, p1)``; the comparison group's
reoffenders are its effective size times the base rate (a large group, taken
at its expectation).

The chance of each verdict given ``k`` is

    P(R >= 30) x E[ P(verdict | R) | R >= 30 ],

and ``P(R < 30)`` is the fourth verdict, *not reported*. ``P(R >= 30)``
and the mean and variance of ``R`` given ``R >= 30`` are exact (regularised
incomplete beta functions, which also take a non-whole ``k``); the
expectation is a three-point Gauss-Hermite rule at that mean and variance
(exact for cubic polynomials in ``R``; within 2e-4 of the exact sum over
``R`` in the test suite). The methods:

``welch`` (the default; as real analyses run it)
    The Welch t-test on days among reoffenders (see
    :func:`powerplan.formulas.frequency.welch_rejection`), with the days'
    variances of :class:`~powerplan.outcomes.TimeToFirst`.
``logrank-schoenfeld``, ``logrank-freedman``
    What a survival analysis (log-rank test, or Cox model) of the same
    people would have: everyone followed for 365 days, non-reoffenders
    censored. Expected events ``D = R + p2 n2``; the hazard ratio is the
    ratio of events per person-day of follow-up (constant hazards over the
    year), which combines the rate and the timing. Schoenfeld (1981):
    ``Z ~ N(log HR sqrt(D pi1 pi2), 1)`` with ``pi`` the shares of people;
    Freedman (1982): ``Z ~ N(sqrt(r D) (HR - 1) / (r HR + 1), 1)`` with
    ``r = n1 / n2`` (lifelines ``power_under_cph``).

A survival analysis uses everyone, so a programme that prevents reoffending
lowers its hazard ratio even when the time among those who still reoffend is
shorter: its null hypothesis is not the data service's (``docs/measures.md``).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from ..limits import FOLLOW_UP_DAYS
from ._smooth import along_sizes
from .frequency import size_from_chances, welch_rejection
from .rate import critical_value, one_sided

#: Three-point Gauss-Hermite rule (probabilists'): nodes in standard deviations, weights.
_NODES = (-math.sqrt(3.0), 0.0, math.sqrt(3.0))
_WEIGHTS = (1.0 / 6.0, 2.0 / 3.0, 1.0 / 6.0)


def schoenfeld_events(hazard_ratio: float, *, alpha: float = 0.05, power: float = 0.8,
                      share: float = 0.5, alternative: str = "two-sided") -> float:
    """Events a log-rank test needs (Schoenfeld 1981): ``(z_a + z_b)**2 / (pi1 pi2 log(HR)**2)``.

    >>> round(schoenfeld_events(0.7, alpha=0.025, power=0.9, alternative="less"), 3)
    330.378
    >>> round(schoenfeld_events(0.7, alpha=0.025, power=0.9, share=0.75, alternative="less"), 3)
    440.504
    """
    z = critical_value(alpha, alternative) + special.ndtri(power)
    return float(z ** 2 / (share * (1 - share) * math.log(hazard_ratio) ** 2))


def freedman_power(n_exposed, n_control, p_exposed, p_control, hazard_ratio, *, alpha=0.05):
    """Power of the log-rank test by Freedman's formula, as lifelines ``power_under_cph``.

    lifelines.statistics.power_under_cph(12, 12, 0.8, 0.2, 0.139) gives 0.7449370:

    >>> round(freedman_power(12, 12, 0.8, 0.2, 0.139), 7)
    0.744937
    """
    events = n_exposed * p_exposed + n_control * p_control
    ratio = n_exposed / n_control
    shift = math.sqrt(ratio * events) * abs(hazard_ratio - 1) / (ratio * hazard_ratio + 1)
    return float(special.ndtr(shift - critical_value(alpha, "two-sided")))


def freedman_sample_size(power, ratio, p_exposed, p_control, hazard_ratio, *, alpha=0.05):
    """People in each group for the log-rank test by Freedman's formula, rounded up, as
    lifelines ``sample_size_necessary_under_cph``.

    lifelines.statistics.sample_size_necessary_under_cph(0.8, 1., 0.25, 0.35, 0.7)
    gives (421, 421):

    >>> freedman_sample_size(0.8, 1.0, 0.25, 0.35, 0.7)
    (421, 421)
    """
    z = critical_value(alpha, "two-sided") + special.ndtri(power)
    events = ((ratio * hazard_ratio + 1) / (hazard_ratio - 1)) ** 2 * z ** 2 / ratio
    share = ratio * p_exposed + p_control
    return math.ceil(events * ratio / share), math.ceil(events / share)


def hazard_ratio(rate1, days1, rate2, days2, follow_up=FOLLOW_UP_DAYS):
    """Treated over comparison events per person-day, everyone followed ``follow_up`` days."""
    def hazard(rate, days):
        return rate / (rate * days + (1 - rate) * follow_up)

    return hazard(rate1, days1) / hazard(rate2, days2)


def reported_moments(n_treated, rate, gate):
    """``P(R >= gate)`` for ``R ~ Binomial(n, rate)``, and the mean and variance of ``R``
    given ``R >= gate`` (``n`` need not be whole; 0 and NaN where the gate cannot be met)."""
    n = np.asarray(n_treated, dtype=float)
    possible = n >= gate
    safe = np.where(possible, n, gate)

    def at_least(count, trials):  # P(Binomial(trials, rate) >= count), count >= 1
        return special.betainc(count, np.maximum(trials - count + 1, 1e-300), rate)

    p = np.where(possible, at_least(gate, safe), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        first = safe * rate * at_least(gate - 1, safe - 1)
        second = safe * (safe - 1) * rate ** 2 * at_least(gate - 2, safe - 2)
        mean = first / p
        variance = np.maximum(second / p + mean - mean ** 2, 0.0)
    return p, np.where(p > 0, mean, np.nan), np.where(p > 0, variance, np.nan)


def _given_reoffenders(outcome, reoffenders, n_treated, n_comparison, *, alpha, alternative,
                       method, effects):
    """Chances of a significantly shorter and longer time with ``reoffenders`` treated
    reoffenders (not gated)."""
    mean1, mean2, var1, var2 = outcome.moments(effects)
    comparison_reoffenders = outcome.base_rate * np.asarray(n_comparison, dtype=float)
    if method == "welch":
        return welch_rejection(mean1, mean2, var1, var2, reoffenders, comparison_reoffenders,
                               alpha=alpha, alternative=alternative)
    ratio = hazard_ratio(outcome.treated_rate, mean1, outcome.base_rate, mean2)
    events = reoffenders + comparison_reoffenders
    z = critical_value(alpha, alternative)
    if method == "logrank-schoenfeld":
        share = n_treated / (n_treated + np.asarray(n_comparison, dtype=float))
        shift = np.log(ratio) * np.sqrt(events * share * (1 - share))
        shorter, longer = special.ndtr(shift - z), special.ndtr(-shift - z)
    else:
        r = n_treated / np.asarray(n_comparison, dtype=float)
        shift = np.sqrt(r * events) * (ratio - 1) / (r * ratio + 1)
        shorter, longer = special.ndtr(shift - z), special.ndtr(-shift - z)
    # A higher hazard ratio is a shorter time: the "lower" verdict of days.
    return one_sided(shorter, longer, alternative)


# The analytic engine's interface (see formulas/analytic.py) ---------------------

def reporting_chance(outcome, n_treated):
    """Chance that ``n_treated`` analysed people include the treated reoffenders the
    data service needs to report the measure (30): ``P(Binomial(n, rate) >= 30)``."""
    gate = max(outcome.min_treated_reoffenders, 2)
    n = np.asarray(n_treated, dtype=float)
    possible = n >= gate
    chance = special.betainc(gate, np.where(possible, n - gate + 1, 1.0), outcome.treated_rate)
    return np.where(possible, chance, 0.0)


def verdict_chances(outcome, n_treated, n_comparison, *, alpha, alternative, method,
                    effects=None):
    """Chances of a reported, significantly shorter and longer treated time to first
    reoffence: already multiplied by :func:`reporting_chance`, so that with it they
    and "inconclusive" make up every analysed study.

    ``effects`` (days, default the outcome's) may be an array broadcasting
    against the sizes.
    """
    gate = max(outcome.min_treated_reoffenders, 2)

    def chances(n1, n2):
        p, mean, variance = reported_moments(n1, outcome.treated_rate, gate)
        sd = np.sqrt(variance)
        lower = higher = 0.0
        for node, weight in zip(_NODES, _WEIGHTS):
            reoffenders = np.where(p > 0, np.maximum(mean + node * sd, 2.0), gate)
            low, high = _given_reoffenders(outcome, reoffenders, n1, n2, alpha=alpha,
                                           alternative=alternative, method=method,
                                           effects=effects)
            lower, higher = lower + weight * low, higher + weight * high
        return one_sided(p * lower, p * higher, alternative)

    return along_sizes(chances, n_treated, n_comparison)


def treated_size(outcome, *, ratio, alpha, target_power, alternative, method, max_n):
    """Treated people (not rounded) whose power reaches the target with ``ratio``
    comparison records each: the cohort solver's start. ValueError if none up to
    ``max_n`` does (the gate caps power at the chance of being reported)."""
    return size_from_chances(verdict_chances, outcome, ratio=ratio, alpha=alpha,
                             target_power=target_power, alternative=alternative,
                             method=method, max_n=max_n)


def null_standard_error(outcome, n_treated, n_comparison):
    """Standard error of the difference in mean days with no effect, at the expected
    numbers of reoffenders."""
    _, _, _, variance = outcome.moments(0.0)
    return np.sqrt(variance * (1 / (outcome.treated_rate * n_treated)
                               + 1 / (outcome.base_rate * n_comparison)))
