"""Simulated studies, a block at a time: funnel, propensity score, matching, outcomes, test.

:func:`prepare` fixes what one simulation shares: the comparison pool (drawn
once: it stands for the national records, so every replicate is conditional
on the same records; see ``docs/simulation.md``), and the outcome model with
its calibrated intercepts. :func:`run_block` runs up to :data:`BLOCK`
replicates together. Replicate ``i`` draws everything from its own
generator, seeded by ``SeedSequence(entropy, spawn_key=(1, i))`` (what
``SeedSequence(entropy).spawn`` hands out); the pool uses ``spawn_key=(0,)``.
A block always computes :data:`BLOCK` studies, so every matrix product has
the same shape, and a replicate's result never depends on how replicates are
grouped into chunks or worker processes.
"""

from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass, replace

import numpy as np

from . import matching, propensity, threads
from ._segments import column_segment_sums
from .population import SELECTION_WEIGHTS, Population
from ..design.scenario import Scenario
# Studies computed together (fixed: part of what makes results reproducible); the
# Simulator rounds its chunks to it.
from ..limits import BLOCK
from . import frequency, rate, time
from .rate import INCONCLUSIVE

#: Each outcome's simulated side (calibration, draws, test), by the outcome's name.
OUTCOME_MODELS = {"rate": rate, "frequency": frequency, "time": time}


def outcome_model(scenario: Scenario):
    """The module simulating ``scenario``'s outcome (``simulator/<outcome name>.py``)."""
    return OUTCOME_MODELS[scenario.outcome.name]


#: Why a replicate could not be analysed, by code (0: analysed).
REASONS = {
    1: "too few people after the funnel",
    2: "no treated person matched within the caliper",
    3: "too few treated people matched",
    4: "comparison effective size of 1 or less",
    5: "propensity model could not be fitted",
}


@dataclass(frozen=True)
class Study:
    """What every replicate of one simulation shares."""

    scenario: Scenario
    entropy: int
    population: Population
    pool: np.ndarray             # (n_pool, 4) covariates of each record
    patterns: matching.Patterns  # records grouped by identical covariates
    pattern_covariates: np.ndarray  # (n_patterns, 4) each pattern's covariates
    pool_design: propensity.PoolDesign  # the patterns' side of the propensity fit
    pool_var: np.ndarray         # (4,) covariate variances in the pool
    outcome_model: object = None  # the outcome's calibrated model, set by prepare()
    #: The module simulating the outcome, when it is not the scenario's outcome's own
    #: (the three headline measures together: :mod:`.headline`).
    outcome_module: object = None
    #: Whether replicates measure balance after matching (a search that reads only
    #: verdicts goes without: :func:`verdicts_only`).
    balance: bool = True
    #: (4, n_pool) the pool's covariates column by column (for the balance's gathers)
    pool_columns: np.ndarray = None
    #: The pool's side of the propensity fit's first step at each start met so far.
    first_steps: propensity.FirstSteps = None


#: The calibration pilot matches studies (seeds of their own, ``spawn_key=(2, i)``)
#: until about this many treated people have reached matching: its noise
#: falls with people, not studies. At least one block, at most 256 studies.
PILOT_PEOPLE = 30_000
MAX_PILOT = 256


def pilot_size(scenario: Scenario) -> int:
    """Studies in the calibration pilot: a whole number of blocks.

    >>> from powerplan import Scenario
    >>> pilot_size(Scenario(cohort=300)), pilot_size(Scenario(cohort=10_000))
    (256, 16)
    """
    wanted = PILOT_PEOPLE / max(scenario.expected_n_treated, 1.0)
    return int(min(MAX_PILOT, BLOCK * max(1, round(wanted / BLOCK))))


@threads.on_one_blas_thread
def prepare(scenario: Scenario, entropy: int) -> Study:
    """Draw the pool and calibrate the outcome model of one simulation.

    The outcome's model (for the rate, :func:`powerplan.simulator.rate.calibrate`)
    sets its intercepts so that, on average over studies, the analysed
    treated reoffend at ``treated_rate + bias`` and their matched records at
    ``base_rate``. Matching does not reproduce the treated covariates exactly
    (neighbours of people in sparse regions, such as many prior offences, lie
    towards the crowd), and the caliper may drop people, so a pilot of
    :func:`pilot_size` studies, matched but without outcomes (seeds of their
    own), measures both. Each intercept solves "exact expectation over the treated
    covariate distribution + pilot correction = target rate", where the
    correction is the pilot's mean paired difference from everyone who
    reached matching in the same study (whose covariates follow the treated
    distribution): of the matched records (comparison) and of the analysed
    treated (treated; zero when the caliper drops nobody). Paired
    differences are far less noisy than the rates themselves, so a small
    pilot suffices.
    """
    settings = scenario.simulation
    parts = _pool(settings, entropy)
    study = Study(scenario, entropy, *parts, balance=not _VERDICTS_ONLY.get(),
                  pool_columns=np.ascontiguousarray(parts[1].T),
                  first_steps=propensity.FirstSteps())
    # Without covariates that matter, matching changes nobody's chances: no pilot.
    pilot = _pilot(study) if settings.outcome_strength > 0 else None
    return replace(study, outcome_model=outcome_model(scenario).calibrate(
        scenario, study.population, study.pool, pilot))


#: The last pool drawn, while :func:`sharing_pools` is in force: ``(key, parts)``.
_SHARED_POOL: contextvars.ContextVar[list | None] = contextvars.ContextVar("shared_pool",
                                                                          default=None)


@contextlib.contextmanager
def sharing_pools():
    """Inside the block, simulations with the same simulation settings and seed use
    one drawn pool instead of drawing it again.

    The pool depends only on those two (``SeedSequence(entropy, spawn_key=(0,))``),
    so sharing it changes no draw: a simulated search, whose values in a round
    share their seed, prepares the pool once a round. Only the last pool is kept,
    and none after the block.
    """
    if _SHARED_POOL.get() is not None:
        yield
        return
    token = _SHARED_POOL.set([None, None])
    try:
        yield
    finally:
        _SHARED_POOL.reset(token)


_VERDICTS_ONLY = contextvars.ContextVar("verdicts_only", default=False)


@contextlib.contextmanager
def verdicts_only():
    """Inside the block, simulated replicates skip the balance diagnostic
    (``max_abs_std_diff`` is NaN): for a search that reads only their verdicts.
    Nothing drawn depends on it."""
    token = _VERDICTS_ONLY.set(True)
    try:
        yield
    finally:
        _VERDICTS_ONLY.reset(token)


def _pool(settings, entropy: int) -> tuple:
    """The pool's side of a simulation: its population, records, patterns and their
    covariates, the patterns' design and the pool's covariate variances."""
    shared, key = _SHARED_POOL.get(), (settings, entropy)
    if shared is not None and shared[0] == key:
        return shared[1]
    population = Population.from_settings(settings)
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=(0,))))
    pool = population.pool.draw(rng, settings.pool)
    distinct, pattern = _distinct_rows(pool)
    patterns = matching.Patterns.of(pattern)
    design = propensity.design(population.standardise(distinct))
    parts = (population, pool, patterns, distinct,
             propensity.PoolDesign.of(design, patterns.counts), pool.var(axis=0, ddof=1))
    if shared is not None:
        shared[:] = [key, parts]
    return parts


def _distinct_rows(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(x, axis=0, return_inverse=True)`` for rows of non-negative whole
    numbers: each row read as one number in a mixed radix (its columns' digits in
    order, so numbers sort as the rows do), made distinct in one dimension, which
    is many times faster than numpy's sort of rows (6.6 s for 2,000,000 records).

    >>> rows, which = _distinct_rows(np.array([[3.0, 1], [0, 2], [3, 1]]))
    >>> rows.tolist(), which.tolist()
    ([[0.0, 2.0], [3.0, 1.0]], [1, 0, 1])
    """
    top = x.max(axis=0, initial=0) if len(x) else np.zeros(x.shape[1])
    radix = top + 1
    if (len(x) and (x.min() < 0 or not np.array_equal(x, np.round(x))
                    or float(np.prod(radix)) >= 2.0 ** 62)):
        distinct, which = np.unique(x, axis=0, return_inverse=True)
        return distinct, which.ravel()
    key = np.zeros(len(x), dtype=np.int64)
    for column, base in enumerate(radix.astype(np.int64)):
        key *= base
        key += x[:, column].astype(np.int64)
    distinct, which = _distinct(key)
    first = np.empty(len(distinct), dtype=np.int64)
    first[which[::-1]] = np.arange(len(x))[::-1]  # any row of each will do: they are equal
    return x[first], which


def _pilot(study: Study):
    """What matching does in the pilot's analysable studies (None if there are none).

    Returns each pool record's mean weight in the comparison group; the
    covariates of everyone who reached matching in those studies; and each
    person's weight among the analysed treated and among all who reached
    matching (studies weighted equally, weights summing to 1).
    """
    records = np.zeros(len(study.pool))
    people, analysed, reached = [np.empty((0, 4))], [np.empty(0)], [np.empty(0)]
    for first in range(0, pilot_size(study.scenario), BLOCK):
        m = _matched(study, 2, first, BLOCK)
        ok = m.reason[m.record_row] == 0
        records += np.bincount(m.record[ok], minlength=len(study.pool),
                               weights=m.record_weight[ok] / m.weight_sum[m.record_row[ok]])
        mine = m.reason[m.row] == 0
        people.append(m.x[mine])
        analysed.append(((m.n_matches > 0) / np.maximum(m.n_treated, 1)[m.row])[mine])
        reached.append(1.0 / np.bincount(m.row, minlength=BLOCK)[m.row][mine])
    studies = records.sum()
    if not studies:
        return None
    return (records / studies, np.concatenate(people), np.concatenate(analysed) / studies,
            np.concatenate(reached) / studies)


def replicate_rng(entropy: int, index: int, stream: int = 1) -> np.random.Generator:
    """Replicate ``index``'s own generator (stream 2: the calibration pilot)."""
    return np.random.Generator(np.random.PCG64(
        np.random.SeedSequence(entropy, spawn_key=(stream, index))))


def _draw_cohorts(study: Study, stream: int, first: int, count: int):
    """Steps 1-2: funnel counts, then covariates and outcome draws of those left."""
    scenario = study.scenario
    shares = [stage.share for stage in scenario.funnel.stages]
    funnel = np.zeros((BLOCK, len(shares) + 1), dtype=np.int64)
    rngs, covariates, uniforms, rows = [], [np.empty((0, 4))], [np.empty(0)], [np.empty(0, int)]
    for r in range(count):
        rng = replicate_rng(study.entropy, first + r, stream)
        n = funnel[r, 0] = scenario.cohort
        for s, share in enumerate(shares, start=1):
            n = funnel[r, s] = rng.binomial(n, share)
        if n >= scenario.min_n_treated:
            covariates.append(study.population.treated.draw(rng, n))
            uniforms.append(outcome_model(scenario).draw_people(rng, n))
            rows.append(np.full(n, r))
        rngs.append(rng)
    return funnel, rngs, np.concatenate(covariates), np.concatenate(uniforms), \
        np.concatenate(rows)


@dataclass
class _Matched:
    """A block of studies after step 3, before outcomes (one entry per study,
    per treated person left after the funnel, or per distinct matched record)."""

    funnel: np.ndarray
    rngs: list
    reason: np.ndarray
    converged: np.ndarray
    x: np.ndarray
    uniforms: np.ndarray
    row: np.ndarray
    matches: np.ndarray
    n_matches: np.ndarray
    n_treated: np.ndarray
    record: np.ndarray
    record_row: np.ndarray
    record_weight: np.ndarray
    weight_sum: np.ndarray
    ess: np.ndarray


def _matched(study: Study, stream: int, first: int, count: int) -> _Matched:
    """Steps 1-3 for replicates ``first .. first + count - 1`` of a stream."""
    scenario, settings = study.scenario, study.scenario.simulation
    population, patterns = study.population, study.patterns
    funnel, rngs, x, uniforms, row = _draw_cohorts(study, stream, first, count)
    reason = np.zeros(BLOCK, dtype=np.int64)
    reason[funnel[:, -1] < scenario.min_n_treated] = 1
    reason[count:] = -1  # padding: computed, never reported

    # Propensity score, caliper, matching. The design is standardised column by
    # column: numpy's operations along the people are several times faster than
    # across four columns.
    treated_design = propensity.design_columns(np.ascontiguousarray(x.T), population.means,
                                               population.sds).T
    start = np.zeros((BLOCK, 5))  # near the true model, to save Newton steps
    start[:, 1:] = settings.selection * SELECTION_WEIGHTS
    start[:, 0] = np.log(np.maximum(np.bincount(row, minlength=BLOCK), 1) / settings.pool)
    coefficients, converged = propensity.fit(study.pool_design, treated_design, row, start,
                                             fitted=reason == 0, first_steps=study.first_steps)
    reason[(reason == 0) & ~np.isfinite(coefficients).all(axis=1)] = 5
    coefficients[reason != 0] = 0.0
    keep = reason[row] == 0
    x, uniforms, row = x[keep], uniforms[keep], row[keep]
    # Scores on the raw (whole-number) covariates, exact; the intercept is
    # the same for everyone and matching ignores it.
    slopes = matching.exact_slopes(coefficients[:, 1:] / population.sds)
    scores = slopes @ study.pattern_covariates.T
    treated_scores = propensity.linear_predictor(slopes, row, x.T)  # exact: any order
    width = matching.caliper_width(scores, patterns, treated_scores, row, settings.caliper)
    matches = matching.nearest(scores, patterns, treated_scores, row, width, settings.k,
                               replacement=settings.replacement)

    # Comparison weights: each matched treated person's records share weight 1.
    # A person's matches fill their first slots, so the filled slots, in order, are
    # each person's row and share repeated for their number of matches.
    slot = matches >= 0
    n_matches = slot.sum(axis=1) if settings.k > 32 else _row_counts(slot)
    n_treated = np.bincount(row[n_matches > 0], minlength=BLOCK)
    reason[(reason == 0) & (n_treated == 0)] = 2
    reason[(reason == 0) & (n_treated < scenario.min_n_treated)] = 3
    slot_row = np.repeat(row, n_matches)
    slot_weight = np.repeat(1.0 / np.maximum(n_matches, 1), n_matches)
    keys, which = _distinct(slot_row * settings.pool + matches[slot])
    record_weight = np.bincount(which, weights=slot_weight)
    record_row, record = np.divmod(keys, settings.pool)
    weight_sum = np.bincount(record_row, weights=record_weight, minlength=BLOCK)
    with np.errstate(invalid="ignore", divide="ignore"):
        ess = weight_sum ** 2 / np.bincount(record_row, weights=record_weight ** 2,
                                            minlength=BLOCK)
    reason[(reason == 0) & ~(ess > 1.0)] = 4
    return _Matched(funnel, rngs, reason, converged, x, uniforms, row, matches, n_matches,
                    n_treated, record, record_row, record_weight, weight_sum, ess)


def _row_counts(flags: np.ndarray) -> np.ndarray:
    """``flags.sum(axis=1)`` of a few columns, column by column (faster so).

    >>> _row_counts(np.array([[True, True, False], [False, False, False]]))
    array([2, 0])
    """
    counts = flags[:, 0].astype(np.int64)
    for column in flags.T[1:]:
        counts += column
    return counts


def _distinct(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_inverse=True)`` of non-negative whole numbers, by one
    plain sort of the keys packed with their places (numpy's own argsorts them).

    >>> _distinct(np.array([7, 3, 7, 0]))
    (array([0, 3, 7]), array([2, 1, 2, 0]))
    """
    n = len(keys)
    bits = max(1, int(n - 1).bit_length())
    if not n or int(keys.max()) >= 2 ** (62 - bits):
        return np.unique(keys, return_inverse=True)
    packed = (keys << bits) | np.arange(n)
    packed.sort()
    place = packed & ((1 << bits) - 1)
    packed >>= bits
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.not_equal(packed[1:], packed[:-1], out=new[1:])
    which = np.empty(n, dtype=np.int64)
    which[place] = np.cumsum(new) - 1
    return packed[new], which


def run_block(study: Study, first: int, count: int) -> dict[str, np.ndarray]:
    """Replicates ``first .. first + count - 1`` (``count <= BLOCK``): one value each."""
    scenario, settings = study.scenario, study.scenario.simulation
    m = _matched(study, 1, first, count)
    reason, n_treated = m.reason, m.n_treated

    # Step 4: outcomes of the analysed treated and of their matched records.
    n_records = np.bincount(m.record_row, minlength=BLOCK)  # matched records per replicate
    model = study.outcome_module or outcome_model(scenario)
    measured = model.measure(study.outcome_model, study.population, settings.outcome_strength,
                             m, n_records)

    # Step 5: the test, and balance after matching.
    ok = reason == 0
    result = model.analyse(measured, n_treated, m.ess, ok, test=settings.test,
                           alpha=scenario.alpha, alternative=scenario.alternative)
    when_ok = np.where(ok, 1.0, np.nan)
    matched = n_treated > 0
    out = {
        "funnel": m.funnel, "n_treated": n_treated,
        "n_comparison_records": n_records,
        "comparison_ess": np.where(matched, m.ess, np.nan),
        **{name: value * when_ok for name, value in zip(model.COLUMNS, measured)},
        "estimate": result.estimate * when_ok, "standard_error": result.standard_error * when_ok,
        "ci_low": result.ci_low * when_ok, "ci_high": result.ci_high * when_ok,
        "p_value": result.p_value * when_ok, "verdict": np.where(ok, result.verdict, INCONCLUSIVE),
        "reason": reason,
        "max_abs_std_diff": (np.where(matched, _max_std_difference(study, m), np.nan)
                             if study.balance else np.full(BLOCK, np.nan)),
        "converged": m.converged,
    }
    return {key: value[:count] for key, value in out.items()}


def _max_std_difference(study: Study, m: _Matched) -> np.ndarray:
    """Largest |standardised difference| of the covariates after matching, per study.

    Analysed treated mean minus the weighted mean of their matches, over
    ``sqrt((s_t**2 + s_p**2) / 2)``: the treated variance before matching and
    the pool's (Austin 2009).
    """
    def sums(rows, columns):  # (4, n) covariate columns
        return column_segment_sums(columns, rows, BLOCK)

    # (np.take, np.compress and np.repeat gather what indexing would, several times
    # faster; people are stacked study after study, so a study's mean is repeated)
    x, row = np.ascontiguousarray(m.x.T), m.row
    analysed = m.n_matches > 0
    treated_mean = sums(row[analysed], np.compress(analysed, x, axis=1))
    weighted = np.take(study.pool_columns, m.record, axis=1)
    weighted *= m.record_weight
    matched_mean = sums(m.record_row, weighted)
    count = np.bincount(row, minlength=BLOCK)
    before = sums(row, x) / np.maximum(count, 1)[:, None]
    spread = x - np.repeat(np.ascontiguousarray(before.T), count, axis=1)
    count = count[:, None]
    spread **= 2
    treated_var = sums(row, spread) / np.maximum(count - 1, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        d = (treated_mean - matched_mean) / np.maximum(m.n_treated, 1)[:, None]
        d /= np.sqrt((treated_var + study.pool_var) / 2.0)
    return np.abs(d).max(axis=1)
