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

from dataclasses import dataclass, replace

import numpy as np

from . import matching, propensity
from ._segments import segment_sums
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
    population = Population.from_settings(settings)
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=(0,))))
    pool = population.pool.draw(rng, settings.pool)
    distinct, pattern = np.unique(pool, axis=0, return_inverse=True)
    patterns = matching.Patterns.of(pattern.ravel())
    design = propensity.design(population.standardise(distinct))
    study = Study(scenario, entropy, population, pool, patterns, distinct,
                  propensity.PoolDesign.of(design, patterns.counts), pool.var(axis=0, ddof=1))
    # Without covariates that matter, matching changes nobody's chances: no pilot.
    pilot = _pilot(study) if settings.outcome_strength > 0 else None
    return replace(study, outcome_model=outcome_model(scenario).calibrate(
        scenario, population, pool, pilot))


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

    # Propensity score, caliper, matching.
    treated_design = propensity.design(population.standardise(x))
    start = np.zeros((BLOCK, 5))  # near the true model, to save Newton steps
    start[:, 1:] = settings.selection * SELECTION_WEIGHTS
    start[:, 0] = np.log(np.maximum(np.bincount(row, minlength=BLOCK), 1) / settings.pool)
    coefficients, converged = propensity.fit(study.pool_design, treated_design, row, start,
                                             fitted=reason == 0)
    reason[(reason == 0) & ~np.isfinite(coefficients).all(axis=1)] = 5
    coefficients[reason != 0] = 0.0
    keep = reason[row] == 0
    x, uniforms, row = x[keep], uniforms[keep], row[keep]
    # Scores on the raw (whole-number) covariates, exact; the intercept is
    # the same for everyone and matching ignores it.
    slopes = matching.exact_slopes(coefficients[:, 1:] / population.sds)
    scores = slopes @ study.pattern_covariates.T
    treated_scores = (slopes[row] * x).sum(axis=1)
    width = matching.caliper_width(scores, patterns, treated_scores, row, settings.caliper)
    matches = matching.nearest(scores, patterns, treated_scores, row, width, settings.k,
                               replacement=settings.replacement)

    # Comparison weights: each matched treated person's records share weight 1.
    n_matches = (matches >= 0).sum(axis=1)
    n_treated = np.bincount(row[n_matches > 0], minlength=BLOCK)
    reason[(reason == 0) & (n_treated == 0)] = 2
    reason[(reason == 0) & (n_treated < scenario.min_n_treated)] = 3
    slot = matches >= 0
    slot_row = np.broadcast_to(row[:, None], matches.shape)[slot]
    slot_weight = np.broadcast_to(1.0 / np.maximum(n_matches, 1)[:, None], matches.shape)[slot]
    keys, which = np.unique(slot_row * settings.pool + matches[slot], return_inverse=True)
    record_weight = np.bincount(which, weights=slot_weight)
    record_row, record = np.divmod(keys, settings.pool)
    weight_sum = np.bincount(record_row, weights=record_weight, minlength=BLOCK)
    with np.errstate(invalid="ignore", divide="ignore"):
        ess = weight_sum ** 2 / np.bincount(record_row, weights=record_weight ** 2,
                                            minlength=BLOCK)
    reason[(reason == 0) & ~(ess > 1.0)] = 4
    return _Matched(funnel, rngs, reason, converged, x, uniforms, row, matches, n_matches,
                    n_treated, record, record_row, record_weight, weight_sum, ess)


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
        "p_value": result.p_value * when_ok, "verdict": np.where(ok, result.verdict, INCONCLUSIVE),
        "reason": reason, "max_abs_std_diff": np.where(matched, _max_std_difference(study, m),
                                                       np.nan),
        "converged": m.converged,
    }
    return {key: value[:count] for key, value in out.items()}


def _max_std_difference(study: Study, m: _Matched) -> np.ndarray:
    """Largest |standardised difference| of the covariates after matching, per study.

    Analysed treated mean minus the weighted mean of their matches, over
    ``sqrt((s_t**2 + s_p**2) / 2)``: the treated variance before matching and
    the pool's (Austin 2009).
    """
    def sums(rows, weights, values):
        return segment_sums(weights[:, None] * values, rows, BLOCK)

    x, row = m.x, m.row
    analysed = m.n_matches > 0
    ones = np.ones(len(row))
    treated_mean = sums(row[analysed], ones[analysed], x[analysed])
    matched_mean = sums(m.record_row, m.record_weight, study.pool[m.record])
    count = np.bincount(row, minlength=BLOCK)[:, None]
    before = sums(row, ones, x) / np.maximum(count, 1)
    treated_var = sums(row, ones, (x - before[row]) ** 2) / np.maximum(count - 1, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        d = (treated_mean - matched_mean) / np.maximum(m.n_treated, 1)[:, None]
        d /= np.sqrt((treated_var + study.pool_var) / 2.0)
    return np.abs(d).max(axis=1)
