"""Benchmark: the minimum cohort by simulation for the default scenario.

Times ``powerplan.solve(Scenario(), "cohort", engine="simulate",
precision=0.05)`` (80% power, the answer's 95% interval within +/-5%) for a
few seeds, with one and with two worker processes, side by side in one run,
and prints for each run the wall seconds taken, the CPU seconds (this process
and its worker processes: on a shared machine the wall clock also counts the
time other work held the cores), the answer, its interval, the replicates
used and whether the precision was reached; then the analytic answer for
comparison. Target: under 10 seconds on a 2-core machine.

Run from the repository root:

    python benchmarks/bench_solve_simulate.py [--seeds 1 2 3] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import os
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
    print(f"{'workers':>7} {'seed':>4} {'seconds':>8} {'CPU s':>6} {'cohort':>7} "
          f"{'95% interval':>17} {'sims':>6} reached")
    times = []
    for workers in args.workers:
        for seed in args.seeds:
            start, cpu = time.perf_counter(), _cpu()
            answer = powerplan.solve(scenario, "cohort", target_power=0.8, engine="simulate",
                                     precision=0.05, seed=seed, workers=workers)
            seconds, cpu = time.perf_counter() - start, _cpu() - cpu
            times.append(seconds)
            low, high = answer.interval
            print(f"{workers:>7} {seed:>4} {seconds:>8.1f} {cpu:>6.1f} {answer.value:>7,} "
                  f"{low:>8,.0f}-{high:<8,.0f} {answer.n_sims:>6,} {answer.reached}")
    print(f"slowest run {max(times):.1f} s (target < 10 s); load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


if __name__ == "__main__":
    main()
