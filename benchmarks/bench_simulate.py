"""Benchmark: powerplan.simulate against a naive reference written the obvious way.

The naive reference runs the same data-generating process from the same
seeds, one replicate at a time: it draws a fresh comparison pool every
replicate, fits statsmodels ``Logit`` on every record, finds neighbours with
``scipy.spatial.cKDTree`` and runs statsmodels' weighted Welch test. The
fast engine draws the pool once per simulation (conditioning on it) and
vectorises each block of replicates. The script prints replicates per
second for both, their ratio, peak memory of the naive reference and of the
fast engine at two values of n_sims (it should not grow), and checks that both powers agree within
Monte Carlo error, which also shows that holding the pool fixed leaves power
unchanged.

Run from the repository root:

    python benchmarks/bench_simulate.py

Setting (the issue's): a pool of 20,000, 200 treated people reaching
matching (cohort 200, nobody lost in the funnel), k = 5, the other
simulation settings at their defaults, an 8-point reduction from 35%.
"""

from __future__ import annotations

import argparse
import math
import time
import tracemalloc

import numpy as np
import statsmodels.api as sm
from scipy.spatial import cKDTree
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

import powerplan
from powerplan import Scenario, SimulationSettings
from powerplan.simulator import replicate
from powerplan.simulator.propensity import expit
from powerplan.simulator.rate import kish_effective_size

SCENARIO = Scenario(cohort=200, funnel=1.0, effect=-0.08,
                    simulation=SimulationSettings(pool=20_000, k=5))


def naive_replicate(study: replicate.Study, index: int) -> bool:
    """One replicate, the obvious way; True if significant."""
    scenario, settings = study.scenario, study.scenario.simulation
    population = study.population
    rng = replicate.replicate_rng(study.entropy, index)
    n = scenario.cohort
    for stage in scenario.funnel.stages:
        n = rng.binomial(n, stage.share)
    if n < scenario.min_n_treated:
        return False
    treated = population.treated.draw(rng, n)
    treated_u = rng.random(n)
    pool = population.pool.draw(rng, settings.pool)  # a fresh pool every replicate

    data = sm.add_constant(np.vstack([treated, pool]))
    group = np.r_[np.ones(n), np.zeros(len(pool))]
    score = data @ sm.Logit(group, data).fit(disp=0).params
    treated_score, pool_score = score[:n], score[n:]
    width = settings.caliper * math.sqrt((treated_score.var(ddof=1) + pool_score.var(ddof=1)) / 2)
    distance, neighbour = cKDTree(pool_score[:, None]).query(
        treated_score[:, None], k=settings.k, distance_upper_bound=width)
    found = np.isfinite(distance)
    matched = found.any(axis=1)
    if matched.sum() < scenario.min_n_treated:
        return False

    weights = {}
    for row, hits in zip(neighbour[matched], found[matched]):
        for record in row[hits]:
            weights[record] = weights.get(record, 0.0) + 1.0 / hits.sum()
    records = np.array(sorted(weights))
    w = np.array([weights[r] for r in records])
    strength = settings.outcome_strength
    comparison_p = expit(study.outcome_model.comparison_intercept + strength * population.risk(pool[records]))
    comparison_y = (rng.random(len(records)) < comparison_p).astype(float)
    treated_p = expit(study.outcome_model.treated_intercept + strength * population.risk(treated[matched]))
    treated_y = (treated_u[matched] < treated_p).astype(float)
    ess = kish_effective_size(w)
    _, p_value, _ = CompareMeans(DescrStatsW(treated_y),
                                 DescrStatsW(comparison_y, weights=w * ess / w.sum())
                                 ).ttest_ind(usevar="unequal")
    return p_value <= scenario.alpha


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--naive-sims", type=int, default=300)
    parser.add_argument("--fast-sims", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()

    study = replicate.prepare(SCENARIO, args.seed)  # the same outcome model
    start = time.perf_counter()
    naive = sum(naive_replicate(study, i) for i in range(args.naive_sims))
    naive_rate = args.naive_sims / (time.perf_counter() - start)

    start = time.perf_counter()
    fast = powerplan.simulate(SCENARIO, n_sims=args.fast_sims, seed=args.seed)
    fast_rate = args.fast_sims / (time.perf_counter() - start)

    tracemalloc.start()
    for i in range(20):
        naive_replicate(study, i)
    naive_peak = tracemalloc.get_traced_memory()[1] / 2 ** 20
    tracemalloc.stop()
    peaks = []
    for n_sims in (args.fast_sims // 4, args.fast_sims):
        tracemalloc.start()
        powerplan.simulate(SCENARIO, n_sims=n_sims, seed=args.seed)
        peaks.append((n_sims, tracemalloc.get_traced_memory()[1] / 2 ** 20))
        tracemalloc.stop()

    naive_power = naive / args.naive_sims
    se = math.sqrt(naive_power * (1 - naive_power) / args.naive_sims + fast.mc_se ** 2)
    gap = fast.power - naive_power
    print(f"naive reference: {args.naive_sims:,} replicates, {naive_rate:,.1f} replicates/s, "
          f"power {naive_power:.3f}")
    print(f"powerplan.simulate: {args.fast_sims:,} replicates, {fast_rate:,.1f} replicates/s, "
          f"power {fast.power:.3f}")
    print(f"speed-up: {fast_rate / naive_rate:.1f}x")
    print(f"peak memory (tracemalloc), naive reference: {naive_peak:,.1f} MiB")
    for n_sims, peak in peaks:
        print(f"peak memory (tracemalloc), simulate with n_sims={n_sims:,}: {peak:,.1f} MiB")
    verdict = "agree" if abs(gap) <= 3 * se else "DISAGREE"
    print(f"powers {verdict}: difference {gap:+.3f}, {abs(gap) / se:.1f} standard errors")
    return 0 if verdict == "agree" else 1


if __name__ == "__main__":
    raise SystemExit(main())
