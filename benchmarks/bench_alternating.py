"""bench_analytic.py's figures for this code and another checkout, in alternating child
processes: on a shared machine whose speed drifts from minute to minute, a ratio is
only as good as the two sides' being timed under the same drift.

    python benchmarks/bench_alternating.py --against /tmp/head [--rounds 5]
                                           [--scenarios 2000] [--solve-scenarios 50]

Each round runs one child process with ``PYTHONPATH`` at the other checkout, then
one with this code (the order swapped every round); each child times, with
bench_analytic.py's functions and caches cleared as there: analytic power over
its random scenarios with ``method="wald"`` (mean CPU per scenario), two large
studies with the default method (beyond its exact sums), ``verdict_grid`` with
``wald`` at three sizes (per effect), and ``solve(scenario, "cohort")`` with
``wald`` (mean). Printed: each figure's median and best over the rounds, for
both, and the ratio of the medians (other / this).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent


def child(scenarios: int, solve_scenarios: int) -> dict:
    """The figures of the code on ``sys.path``, in microseconds (run in a child process)."""
    import bench_analytic as bench

    from powerplan import Scenario, analytic

    cases = bench.random_scenarios(scenarios)
    analytic(cases[0])  # imports
    out = {"analytic power, wald, mean a scenario (CPU)": 1e6 * float(bench.per_scenario(cases)[1].mean())}
    for cohort in (20_000, 200_000):
        out[f"large study, welch, cohort {cohort:,} (best of 20)"] = \
            1e6 * bench.large_study(Scenario(cohort=cohort))
    for name, cohort in (("default scenario", 300), ("cohort 2,000", 2000), ("cohort 20,000", 20_000)):
        out[f"verdict_grid, wald, {name}, an effect"] = \
            1e6 * bench.grid_per_cell(Scenario(cohort=cohort, method="wald"))
    out["solve cohort, wald, mean"] = 1e6 * float(bench.solve_times(cases[:solve_scenarios]).mean())
    return out


def run_child(path: pathlib.Path | None, args) -> dict:
    env = dict(os.environ)
    if path is not None:
        env["PYTHONPATH"] = str(path)
    else:
        env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [sys.executable, str(HERE / "bench_alternating.py"), "--child",
         "--scenarios", str(args.scenarios), "--solve-scenarios", str(args.solve_scenarios)],
        env=env, check=True, capture_output=True, text=True, cwd=HERE)
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", help="the other checkout (its folder holding powerplan/)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--scenarios", type=int, default=2000)
    parser.add_argument("--solve-scenarios", type=int, default=50)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(HERE))
        print(json.dumps(child(args.scenarios, args.solve_scenarios)))
        return
    if not args.against:
        parser.error("--against is required")
    other = pathlib.Path(args.against).resolve()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}; "
          f"{args.rounds} rounds, other = {other}")
    runs: dict[str, list[dict]] = {"other": [], "this": []}
    for round_ in range(args.rounds):
        order = ("other", "this") if round_ % 2 == 0 else ("this", "other")
        for side in order:
            runs[side].append(run_child(other if side == "other" else None, args))
    print(f"\nmicroseconds{'':41}other: median    best    this: median    best   ratio")
    for name in runs["this"][0]:
        figures = {side: [run[name] for run in runs[side]] for side in runs}
        medians = {side: statistics.median(values) for side, values in figures.items()}
        print(f"  {name:<50} {medians['other']:10.1f} {min(figures['other']):8.1f}"
              f"        {medians['this']:10.1f} {min(figures['this']):8.1f}"
              f"   {medians['other'] / medians['this']:5.2f}x")
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
