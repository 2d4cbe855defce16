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

from dataclasses import dataclass

import numpy as np

from . import matching, propensity
from .population import SELECTION_WEIGHTS, Population
from .propensity import expit
from .scenario import Scenario
from .weighted_test import INCONCLUSIVE, compare_rates

#: Studies computed together (fixed: part of what makes results reproducible).
BLOCK = 16

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
    pattern_design: np.ndarray   # (n_patterns, 5) propensity design
    pool_risk: np.ndarray        # (n_pool,) comparison reoffending probabilities
    pool_var: np.ndarray         # (4,) covariate variances in the pool
    treated_intercept: float


def prepare(scenario: Scenario, entropy: int) -> Study:
    """Draw the pool and calibrate the outcome model of one simulation."""
    settings = scenario.simulation
    population = Population.from_settings(settings)
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=(0,))))
    pool = population.pool.draw(rng, settings.pool)
    distinct, pattern = np.unique(pool, axis=0, return_inverse=True)
    strength = settings.outcome_strength
    comparison = population.intercept(scenario.base_rate, strength=strength)
    treated = population.intercept(scenario.treated_rate + settings.bias, strength=strength)
    return Study(
        scenario, entropy, population, pool, matching.Patterns.of(pattern.ravel()),
        propensity.design(population.standardise(distinct)),
        expit(comparison + strength * population.risk(pool)), pool.var(axis=0, ddof=1), treated)


def replicate_rng(entropy: int, index: int) -> np.random.Generator:
    """Replicate ``index``'s own generator."""
    return np.random.Generator(np.random.PCG64(
        np.random.SeedSequence(entropy, spawn_key=(1, index))))


def _draw_cohorts(study: Study, first: int, count: int):
    """Steps 1-2: funnel counts, then covariates and outcome draws of those left."""
    scenario = study.scenario
    shares = [stage.share for stage in scenario.funnel.stages]
    funnel = np.zeros((BLOCK, len(shares) + 1), dtype=np.int64)
    rngs, covariates, uniforms, rows = [], [np.empty((0, 4))], [np.empty(0)], [np.empty(0, int)]
    for r in range(count):
        rng = replicate_rng(study.entropy, first + r)
        n = funnel[r, 0] = scenario.cohort
        for s, share in enumerate(shares, start=1):
            n = funnel[r, s] = rng.binomial(n, share)
        if n >= scenario.min_n_treated:
            covariates.append(study.population.treated.draw(rng, n))
            uniforms.append(rng.random(n))
            rows.append(np.full(n, r))
        rngs.append(rng)
    return funnel, rngs, np.concatenate(covariates), np.concatenate(uniforms), \
        np.concatenate(rows)


def run_block(study: Study, first: int, count: int) -> dict[str, np.ndarray]:
    """Replicates ``first .. first + count - 1`` (``count <= BLOCK``): one value each."""
    scenario, settings = study.scenario, study.scenario.simulation
    population, patterns = study.population, study.patterns
    funnel, rngs, x, uniforms, row = _draw_cohorts(study, first, count)
    reason = np.zeros(BLOCK, dtype=np.int64)
    reason[funnel[:, -1] < scenario.min_n_treated] = 1
    reason[count:] = -1  # padding: computed, never reported

    # Step 3: propensity score, caliper, matching.
    treated_design = propensity.design(population.standardise(x))
    start = np.zeros((BLOCK, 5))  # near the true model, to save Newton steps
    start[:, 1:] = settings.selection * SELECTION_WEIGHTS
    start[:, 0] = np.log(np.maximum(np.bincount(row, minlength=BLOCK), 1) / settings.pool)
    coefficients, converged = propensity.fit(study.pattern_design, patterns.counts,
                                             treated_design, row, start, fitted=reason == 0)
    reason[(reason == 0) & ~np.isfinite(coefficients).all(axis=1)] = 5
    coefficients[reason != 0] = 0.0
    keep = reason[row] == 0
    x, uniforms, row, treated_design = x[keep], uniforms[keep], row[keep], treated_design[keep]
    scores = coefficients @ study.pattern_design.T
    treated_scores = (coefficients[row] * treated_design).sum(axis=1)
    width = matching.caliper_width(scores, patterns, treated_scores, row, settings.caliper)
    matches = matching.nearest(scores, patterns, treated_scores, row, width, settings.k,
                               replacement=settings.replacement)

    # Comparison weights: each matched treated person's records share weight 1.
    n_matches = (matches >= 0).sum(axis=1)
    analysed = n_matches > 0
    n_treated = np.bincount(row[analysed], minlength=BLOCK)
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
    n_records = np.bincount(record_row, minlength=BLOCK)

    # Step 4: outcomes of the analysed treated and of their matched records.
    strength = settings.outcome_strength
    treated_y = uniforms < expit(study.treated_intercept + strength * population.risk(x))
    record_u = np.concatenate([rng.random(n) for rng, n in zip(rngs, n_records)])
    record_y = record_u < study.pool_risk[record]
    with np.errstate(invalid="ignore", divide="ignore"):
        treated_rate = np.bincount(row[analysed], weights=treated_y[analysed],
                                   minlength=BLOCK) / n_treated
        comparison_rate = np.bincount(record_row, weights=record_weight * record_y,
                                      minlength=BLOCK) / weight_sum

    # Step 5: the test, and balance after matching.
    ok = reason == 0
    result = compare_rates(np.where(ok, treated_rate, 0.5), np.where(ok, n_treated, 2),
                           np.where(ok, comparison_rate, 0.5), np.where(ok, ess, 2.0),
                           test=settings.test, alpha=scenario.alpha,
                           alternative=scenario.alternative)
    balance = _max_std_difference(study, x, row, analysed, n_treated, matches, slot, slot_row,
                                  slot_weight)
    when_ok = np.where(ok, 1.0, np.nan)
    matched = n_treated > 0
    out = {
        "funnel": funnel, "n_treated": n_treated, "n_comparison_records": n_records,
        "comparison_ess": np.where(matched, ess, np.nan),
        "treated_rate": treated_rate * when_ok, "comparison_rate": comparison_rate * when_ok,
        "estimate": result.estimate * when_ok, "standard_error": result.standard_error * when_ok,
        "p_value": result.p_value * when_ok, "verdict": np.where(ok, result.verdict, INCONCLUSIVE),
        "reason": reason, "max_abs_std_diff": np.where(matched, balance, np.nan),
        "converged": converged,
    }
    return {key: value[:count] for key, value in out.items()}


def _max_std_difference(study, x, row, analysed, n_treated, matches, slot, slot_row,
                        slot_weight):
    """Largest |standardised difference| of the covariates after matching, per study.

    Analysed treated mean minus the weighted mean of their matches, over
    ``sqrt((s_t**2 + s_p**2) / 2)``: the treated variance before matching and
    the pool's (Austin 2009).
    """
    def sums(rows, weights, values):
        return np.stack([np.bincount(rows, weights=weights * values[:, j], minlength=BLOCK)
                         for j in range(values.shape[1])], axis=1)

    ones = np.ones(len(row))
    treated_mean = sums(row[analysed], ones[analysed], x[analysed])
    matched_mean = sums(slot_row, slot_weight, study.pool[matches[slot]])
    count = np.bincount(row, minlength=BLOCK)[:, None]
    before = sums(row, ones, x) / np.maximum(count, 1)
    treated_var = sums(row, ones, (x - before[row]) ** 2) / np.maximum(count - 1, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        d = (treated_mean - matched_mean) / np.maximum(n_treated, 1)[:, None]
        d /= np.sqrt((treated_var + study.pool_var) / 2.0)
    return np.abs(d).max(axis=1)
