"""What analytic power costs: per scenario over random scenarios, the vectorised path
for many values at once, the cohort solver, and a requirements table in the CLI.

    python benchmarks/bench_analytic.py [--scenarios 10000] [--exact-scenarios 300]
                                        [--table-cells 1000] [--exact-table-cells 100]
                                        [--skip-cli]

Random scenarios (seed 16, built before the clock starts, as a sweep or a table
has them): cohort log-uniform in [60, 20,000], retention uniform in [0.1, 1],
base rate uniform in [5%, 60%], effect uniform in [-10, -1] points, comparison
ratio a whole number in [1, 20]. Each is timed with the normal approximation of
the Wald test (``method="wald"``) and, for the first ``--exact-scenarios`` of
them, with the default method (``welch``, exact sums for small studies). The
figures are printed side by side: mean, median and 99th percentile in
microseconds per scenario, with the caches of the funnel weights and exact
tables cleared before each (nothing carried from one scenario to the next but
what the scenarios happen to share).

Then two large studies with the default method, beyond its exact sums (the
skewness-corrected approximation of the Welch test), the vectorised path
(:func:`powerplan.formulas.analytic.verdict_grid`, 201 effects of one scenario
in one call, as ``mde`` and ``curve --over effect`` use),
``solve(scenario, "cohort")`` for a sample of the scenarios, and the CLI's
``powerplan table`` with about ``--table-cells`` cells with ``--method wald``
and ``--exact-table-cells`` with the default (wall and CPU time of the command
in a child process, start-up included).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

from powerplan import Scenario, analytic, solve
from powerplan.formulas import analytic as engine
from powerplan.formulas import exact
from powerplan.solvers import solve as solve_module


def random_scenarios(count: int, seed: int = 16) -> list[Scenario]:
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < count:
        cohort = int(round(np.exp(rng.uniform(np.log(60), np.log(20_000)))))
        base = float(rng.uniform(0.05, 0.60))
        effect = float(rng.uniform(-0.10, -0.01))
        if base + effect <= 0.005:
            continue
        out.append(Scenario(cohort=cohort, funnel=float(rng.uniform(0.1, 1.0)), base_rate=base,
                            effect=effect, comparison_ratio=float(rng.integers(1, 21)),
                            method="wald"))
    return out


def clear_caches() -> None:
    """Forget the funnel weights, exact tables and solver chances kept between calls (the
    code of before these caches has none: run with PYTHONPATH at an older checkout to
    compare)."""
    for cached in ("_analysed_numbers", "_weighted_numbers"):
        if hasattr(engine, cached):
            getattr(engine, cached).cache_clear()
    if hasattr(exact, "clear_caches"):
        exact.clear_caches()
    else:
        getattr(exact, "_tables", {}).clear()
    getattr(solve_module, "_curves", {}).clear()


def per_scenario(scenarios: list[Scenario]) -> tuple[np.ndarray, np.ndarray]:
    """Wall and CPU seconds of each scenario's ``analytic`` call, caches cleared before
    each (CPU time is what other work on a shared machine disturbs least)."""
    wall, cpu = np.empty(len(scenarios)), np.empty(len(scenarios))
    for i, scenario in enumerate(scenarios):
        clear_caches()
        start, start_cpu = time.perf_counter(), time.thread_time()
        analytic(scenario)
        cpu[i] = time.thread_time() - start_cpu
        wall[i] = time.perf_counter() - start
    return wall, cpu


def describe(times: np.ndarray) -> str:
    us = 1e6 * times
    return (f"mean {us.mean():9,.1f}  median {np.median(us):9,.1f}  "
            f"p99 {np.percentile(us, 99):9,.1f}")


def large_study(scenario: Scenario, repeats: int = 20) -> float:
    """Seconds of ``analytic(scenario)``, the best of ``repeats``, caches cleared before each."""
    best = np.inf
    for _ in range(repeats):
        clear_caches()
        start = time.perf_counter()
        analytic(scenario)
        best = min(best, time.perf_counter() - start)
    return best


def grid_per_cell(scenario: Scenario, repeats: int = 5) -> float:
    effects = np.linspace(0.0, -0.10, 201)
    best = np.inf
    for _ in range(repeats):
        clear_caches()
        start = time.perf_counter()
        engine.verdict_grid(scenario, effects)
        best = min(best, time.perf_counter() - start)
    return best / effects.size


def solve_times(scenarios: list[Scenario]) -> np.ndarray:
    times = np.empty(len(scenarios))
    for i, scenario in enumerate(scenarios):
        clear_caches()
        start = time.perf_counter()
        try:
            solve(scenario, "cohort")
        except Exception:  # noqa: BLE001 - a scenario without an answer still costs its time
            pass
        times[i] = time.perf_counter() - start
    return times


def table_command(cells: int, method: str) -> list[str]:
    side = max(1, round((cells / 4) ** 0.5))
    rates = ",".join(f"{r:.3f}" for r in np.linspace(0.10, 0.50, side))
    effects = ",".join(f"{e:.4f}" for e in np.linspace(-0.15, -0.03, side))
    return ["powerplan", "table", "--base-rates", rates, f"--effects={effects}",
            "--retentions", "0.2,0.4,0.6,1", "--method", method], 4 * side * side


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=10_000)
    parser.add_argument("--exact-scenarios", type=int, default=300)
    parser.add_argument("--solve-scenarios", type=int, default=200)
    parser.add_argument("--table-cells", type=int, default=1000)
    parser.add_argument("--exact-table-cells", type=int, default=100)
    parser.add_argument("--skip-cli", action="store_true")
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    scenarios = random_scenarios(args.scenarios)
    exact_ones = [s.replace(method="welch") for s in scenarios[:args.exact_scenarios]]
    analytic(scenarios[0])  # imports
    print("\nanalytic power, microseconds per scenario (random scenarios)")
    for name, group in (("wald ", scenarios), ("welch", exact_ones)):
        wall, cpu = per_scenario(group)
        print(f"  {name} ({len(group):>6,}) wall: {describe(wall)}")
        print(f"  {name} ({len(group):>6,}) CPU:  {describe(cpu)}")
    print("\nlarge studies beyond the exact sums (welch's skewness-corrected approximation), "
          "microseconds (best of 20, caches cleared)")
    for cohort in (20_000, 200_000):
        print(f"  cohort {cohort:>7,}: {1e6 * large_study(Scenario(cohort=cohort)):9.1f}")
    print("\nvectorised: verdict_grid, 201 effects at once, microseconds per effect (best of 5)")
    for name, scenario in (("default scenario", Scenario()),
                           ("cohort 2,000", Scenario(cohort=2000)),
                           ("cohort 20,000", Scenario(cohort=20_000))):
        print(f"  {name:<17} wald {1e6 * grid_per_cell(scenario.replace(method='wald')):8.2f}"
              f"   welch {1e6 * grid_per_cell(scenario):9.2f}")
    sample = scenarios[:args.solve_scenarios]
    print(f"\nsolve(scenario, 'cohort'), milliseconds ({len(sample)} random scenarios)")
    wald = 1e3 * solve_times(sample)
    welch = 1e3 * solve_times([s.replace(method="welch") for s in sample[:max(1, len(sample) // 10)]])
    print(f"  wald : mean {wald.mean():8.2f}  median {np.median(wald):8.2f}")
    print(f"  welch: mean {welch.mean():8.2f}  median {np.median(welch):8.2f}  "
          f"({welch.size} of them)")
    if not args.skip_cli:
        print("\npowerplan table, wall seconds of the command")
        for method, wanted in (("wald", args.table_cells), ("welch", args.exact_table_cells)):
            command, cells = table_command(wanted, method)
            start = time.perf_counter()
            before = os.times()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            after = os.times()
            cpu = (after.children_user - before.children_user
                   + after.children_system - before.children_system)
            print(f"  {cells:,} cells, --method {method}: {time.perf_counter() - start:.2f} s "
                  f"wall, {cpu:.2f} s CPU")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
