"""Benchmark: where a simulated replicate's time goes, and the physical floor.

Runs replicates of the issue's setting (pool 20,000, 200 treated people
reaching matching, k = 5, nobody lost in the funnel, an 8-point reduction
from 35%) on one BLAS thread, timing each step of every block with the
process's CPU time (less disturbed by other work on a shared machine than
the wall clock): the population draw (funnel counts and the treated
covariates), the propensity fit, the caliper, matching, the bookkeeping
(weights, effective sizes, reasons), the outcomes, the test and balance.
Then the floor: per replicate, only what any simulation of the study must
do, namely seed its generator, draw the outcomes of the analysed treated and
of their matched records (as many as the simulation matched) and a few
vector operations to summarise them (a comparison, two weighted bincounts).

Run from the repository root:

    python benchmarks/bench_profile.py [--sims 2000] [--pool 20000] [--cohort 200] [--k 5]
"""

from __future__ import annotations

import argparse
import collections
import time

import numpy as np

from powerplan import Scenario, SimulationSettings
from threadpoolctl import threadpool_limits

from powerplan.simulator import matching, propensity, rate, replicate
from powerplan.simulator.engine import _run_chunk

STEPS = (("population draw", replicate, "_draw_cohorts"), ("propensity fit", propensity, "fit"),
         ("caliper", matching, "caliper_width"), ("matching", matching, "nearest"),
         ("outcomes", rate, "measure"), ("test", rate, "analyse"),
         ("balance", replicate, "_max_std_difference"))


def timed(spent, label, function):
    def wrapper(*args, **kwargs):
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] += time.process_time() - start
    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=2000)
    parser.add_argument("--pool", type=int, default=20_000)
    parser.add_argument("--cohort", type=int, default=200)
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args()
    scenario = Scenario(cohort=args.cohort, funnel=1.0, effect=-0.08,
                        simulation=SimulationSettings(pool=args.pool, k=args.k))
    spent = collections.Counter()
    originals = [(module, name, getattr(module, name)) for _, module, name in STEPS]
    with threadpool_limits(limits=1, user_api="blas"):
        start = time.process_time()
        study = replicate.prepare(scenario, 2024)
        prepare = time.process_time() - start
        _run_chunk(study, 0, replicate.BLOCK)  # warm
        for label, module, name in STEPS:
            setattr(module, name, timed(spent, label, getattr(module, name)))
        try:
            start = time.process_time()
            columns = _run_chunk(study, 0, args.sims)
            total = time.process_time() - start
        finally:
            for module, name, function in originals:
                setattr(module, name, function)
        # The floor: seed, draw the matched outcomes, a few vector operations.
        n_records = columns["n_comparison_records"]
        n_treated = columns["n_treated"]
        start = time.process_time()
        for i in range(args.sims):
            rng = replicate.replicate_rng(study.entropy, i)
            treated = rng.random(n_treated[i]) < 0.3
            records = rng.random(n_records[i]) < 0.35
            weights = np.ones(n_records[i])
            np.bincount(np.zeros(n_records[i], dtype=int), weights=weights * records)
            np.bincount(np.zeros(n_records[i], dtype=int), weights=weights)
            treated.mean()
        floor = time.process_time() - start
    per = 1e3 / args.sims
    print(f"pool {args.pool:,}, cohort {args.cohort:,} (all reach matching), k = {args.k}, "
          f"{args.sims:,} replicates, one BLAS thread, CPU time")
    print(f"preparing the simulation (pool, patterns, pilot): {prepare:.3f} s")
    print(f"per replicate: {total * per:.3f} ms")
    inside = sum(spent.values())
    for label, _, _ in STEPS:
        print(f"  {label:<16} {spent[label] * per:.3f} ms  {100 * spent[label] / total:4.0f}%")
    rest = total - inside
    print(f"  {'bookkeeping':<16} {rest * per:.3f} ms  {100 * rest / total:4.0f}%  "
          f"(weights, effective sizes, reasons, joining blocks)")
    print(f"floor (seed, draw {n_treated.mean():,.0f} treated and {n_records.mean():,.0f} "
          f"record outcomes, a few vector operations): {floor * per:.3f} ms per replicate, "
          f"{total / floor:.1f}x below the simulator")


if __name__ == "__main__":
    main()
