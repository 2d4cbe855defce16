"""Bounds, defaults and choices of powerplan's settings.

The library checks its settings against these values and the command line
states them in its help, so both read them from this one module. It is pure
Python (no numpy, scipy or pandas), so any layer can import it without a cycle.
"""

from __future__ import annotations

# The planned study ------------------------------------------------------------

#: Largest cohort powerplan will consider (people submitted).
MAX_COHORT = 10_000_000
#: Largest fixed comparison size: more than a national pool (published analyses had ~100,000).
MAX_N_COMPARISON = MAX_COHORT
#: Largest comparison ratio (records per analysed treated person), as large as a fixed size.
MAX_COMPARISON_RATIO = float(MAX_N_COMPARISON)
#: Smallest comparison ratio: one record for the largest cohort (less overflows the variance).
MIN_COMPARISON_RATIO = 1 / MAX_COHORT
#: The analytic engine's tests of two rates: unpooled (as real analyses), pooled, and two more.
METHODS = ("wald", "pooled", "arcsine", "fleiss-cc")
#: Differences a test looks for: either way, only a reduction, only an increase.
ALTERNATIVES = ("two-sided", "less", "greater")

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
#: Tests a simulated study runs: the weighted Welch t-test of real analyses, or a method's twin.
TESTS = ("welch",) + METHODS
#: Replicates a simulation runs when not told otherwise.
DEFAULT_SIMS = 1000
#: Most replicates one call will run.
MAX_SIMS = 10_000_000
#: Most worker processes.
MAX_WORKERS = 256

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
