"""Benchmark: the minimum cohort by simulation for the default scenario.

Times ``powerplan.solve(Scenario(), "cohort", engine="simulate",
precision=0.05)`` (80% power, the answer's 95% interval within +/-5%) for a
few seeds, with one and with two worker processes, side by side in one run,
and prints for each run the seconds taken, the answer, its interval, the
replicates used and whether the precision was reached; then the analytic
answer for comparison. Target: under 30 seconds on a 2-core machine.

Run from the repository root:

    python benchmarks/bench_solve_simulate.py [--seeds 1 2 3] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import time

import powerplan
from powerplan import Scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    scenario = Scenario()
    analytic = powerplan.solve(scenario, "cohort", target_power=0.8)
    print(f"default scenario, 80% power, precision +/-5%; analytic answer "
          f"{analytic.value:,} people")
    print(f"{'workers':>7} {'seed':>4} {'seconds':>8} {'cohort':>7} {'95% interval':>17} "
          f"{'sims':>6} reached")
    times = []
    for workers in args.workers:
        for seed in args.seeds:
            start = time.perf_counter()
            answer = powerplan.solve(scenario, "cohort", target_power=0.8, engine="simulate",
                                     precision=0.05, seed=seed, workers=workers)
            seconds = time.perf_counter() - start
            times.append(seconds)
            low, high = answer.interval
            print(f"{workers:>7} {seed:>4} {seconds:>8.1f} {answer.value:>7,} "
                  f"{low:>8,.0f}-{high:<8,.0f} {answer.n_sims:>6,} {answer.reached}")
    print(f"slowest run {max(times):.1f} s (target < 30 s)")


if __name__ == "__main__":
    main()
