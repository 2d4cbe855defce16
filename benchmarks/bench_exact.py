"""Time the default method's exact small-sample sums, this code against another checkout
(the code of before a change), side by side in one run.

    python benchmarks/bench_exact.py [--against /tmp/exact-base] [--scenarios 100]
                                     [--solve-scenarios 20] [--skip-cli]

Each code is timed in a child process of its own (``PYTHONPATH`` at the checkout;
the CLI's own package is this one's for both), with the caches of exact tables,
funnel weights and solver chances cleared before each timed call; figures are
CPU seconds of the process (``time.process_time``), which the other work on a
shared machine disturbs least, and the ratio old / new. Timed: ``analytic`` on
the default scenario; on the random scenarios of bench_analytic.py (seed 16, the
default method, mean, median and 99th percentile); ``solve(scenario, "cohort")``
on the default scenario and on the first ``--solve-scenarios`` random ones;
``solve`` for the effect at 75 submitted and 10%; ``powerplan table`` (its 100
default cells) and a 1,000-cell ``--method wald`` table (CPU of the command,
start-up included).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent


def cpu(call) -> float:
    start = time.process_time()
    call()
    return time.process_time() - start


def child(scenarios: int, solve_scenarios: int) -> dict:
    """The figures of the code on ``sys.path`` (run in a child process)."""
    import numpy as np
    from bench_analytic import clear_caches, random_scenarios

    from powerplan import Scenario, analytic, solve

    def fresh(call):
        def run():
            clear_caches()
            return cpu(call)
        return run

    def quietly(scenario, unknown):
        try:
            solve(scenario, unknown)
        except Exception:  # noqa: BLE001 - a scenario without an answer still costs its time
            pass

    analytic(Scenario())  # imports and tabulated critical values
    out = {"analytic, default scenario (median of 20)":
           statistics.median(fresh(lambda: analytic(Scenario()))() for _ in range(20))}
    sample = [s.replace(method="welch") for s in random_scenarios(scenarios)]
    times = np.array([fresh(lambda s=s: analytic(s))() for s in sample])
    out[f"analytic, {scenarios} random scenarios: mean"] = times.mean()
    out[f"analytic, {scenarios} random scenarios: median"] = float(np.median(times))
    out[f"analytic, {scenarios} random scenarios: p99"] = float(np.percentile(times, 99))
    out["solve cohort, default scenario (median of 5)"] = statistics.median(
        fresh(lambda: solve(Scenario(), "cohort"))() for _ in range(5))
    times = np.array([fresh(lambda s=s: quietly(s, "cohort"))() for s in sample[:solve_scenarios]])
    out[f"solve cohort, {solve_scenarios} random scenarios: mean"] = times.mean()
    out[f"solve cohort, {solve_scenarios} random scenarios: median"] = float(np.median(times))
    out["solve effect, cohort 75 at 10% (median of 5)"] = statistics.median(
        fresh(lambda: solve(Scenario(cohort=75, base_rate=0.1), "effect"))() for _ in range(5))
    return out


def command_cpu(command: list[str], env: dict) -> float:
    before = os.times()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
    after = os.times()
    return (after.children_user - before.children_user
            + after.children_system - before.children_system)


def figures(path: pathlib.Path, args) -> dict:
    env = dict(os.environ, PYTHONPATH=f"{path}{os.pathsep}{HERE}")
    run = subprocess.run([sys.executable, __file__, "--child", "--scenarios", str(args.scenarios),
                          "--solve-scenarios", str(args.solve_scenarios)],
                         check=True, capture_output=True, text=True, env=env)
    out = json.loads(run.stdout)
    if not args.skip_cli:
        out["powerplan table (100 cells, the default)"] = command_cpu(["powerplan", "table"], env)
        rates = ",".join(f"{r:.3f}" for r in (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45))
        effects = ",".join(f"-{e}pp" for e in range(1, 32))
        out["powerplan table --method wald (992 cells)"] = command_cpu(
            ["powerplan", "table", "--base-rates", rates, f"--effects={effects}",
             "--retentions", "0.2,0.4,0.6,1", "--method", "wald"], env)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="/tmp/exact-base",
                        help="checkout of the code to compare with (its root directory)")
    parser.add_argument("--scenarios", type=int, default=100)
    parser.add_argument("--solve-scenarios", type=int, default=20)
    parser.add_argument("--skip-cli", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.scenarios, args.solve_scenarios)))
        return
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}; CPU milliseconds")
    old = figures(pathlib.Path(args.against).resolve(), args)
    new = figures(HERE.parent, args)
    print(f"{'':52} {'before':>10} {'after':>10} {'ratio':>7}")
    for name, value in new.items():
        print(f"{name:52} {1e3 * old[name]:10.1f} {1e3 * value:10.1f} {old[name] / value:6.1f}x")


if __name__ == "__main__":
    main()
