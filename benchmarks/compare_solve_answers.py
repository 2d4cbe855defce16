"""Compare the default method's cohort answers and a requirements table between this
code and another checkout (the code of before a change).

    python benchmarks/compare_solve_answers.py --against /tmp/old [--scenarios 120]

Each code runs in a child process of its own (``PYTHONPATH`` at the checkout):
``solve(scenario, "cohort")`` for the first ``--scenarios`` random scenarios of
bench_analytic.py with ``method="welch"`` (answer and achieved power, or the error
when there is none), and the CSV of ``powerplan table --base-rates
0.100,0.200,0.300,0.400,0.500 --effects=-0.1500,-0.1200,-0.0900,-0.0600,-0.0300
--retentions 0.2,0.4,0.6,1 --format csv``. Prints how many answers differ (must
be none) and the largest difference of the achieved powers.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
TABLE = ["--base-rates", "0.100,0.200,0.300,0.400,0.500",
         "--effects=-0.1500,-0.1200,-0.0900,-0.0600,-0.0300", "--retentions", "0.2,0.4,0.6,1",
         "--format", "csv"]


def child(count: int) -> None:
    from bench_analytic import random_scenarios

    from powerplan import solve

    out = []
    for scenario in random_scenarios(count):
        try:
            answer = solve(scenario.replace(method="welch"), "cohort")
            out.append([answer.value, answer.achieved_power])
        except Exception as error:  # noqa: BLE001 - no answer is an answer too
            out.append([type(error).__name__, str(error)])
    import powerplan
    print(json.dumps({"code": powerplan.__file__, "answers": out}))


def run(path: str | None, count: int) -> tuple[list, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (path, str(HERE)) if p)
    answers = subprocess.run([sys.executable, __file__, "--child", str(count)], env=env,
                             check=True, capture_output=True, text=True).stdout
    code = (f"import sys; sys.argv = ['powerplan', 'table', *{TABLE!r}]; "
            "from powerplan_cli.main import main; main()")
    table = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                           capture_output=True, text=True).stdout
    found = json.loads(answers)
    print(f"code: {found['code']}")
    return found["answers"], table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", required=False)
    parser.add_argument("--scenarios", type=int, default=120)
    parser.add_argument("--child", type=int)
    args = parser.parse_args()
    if args.child is not None:
        return child(args.child)
    old, old_table = run(args.against, args.scenarios)
    new, new_table = run(None, args.scenarios)
    differing = sum(a[0] != b[0] for a, b in zip(old, new))
    gaps = [abs(a[1] - b[1]) for a, b in zip(old, new)
            if isinstance(a[1], float) and isinstance(b[1], float)]
    print(f"solve(scenario, 'cohort'), method welch: {len(new)} random scenarios, "
          f"{len(gaps)} with an answer; answers differing: {differing}; largest "
          f"difference of achieved power {max(gaps, default=0.0):.3g}")
    rows_old = list(csv.reader(io.StringIO(old_table)))
    rows_new = list(csv.reader(io.StringIO(new_table)))
    header = rows_new[0]
    cells, changed, worst = 0, 0, 0.0
    for a, b in zip(rows_old[1:], rows_new[1:]):
        for name, x, y in zip(header, a, b):
            cells += 1
            try:
                gap = abs(float(x) - float(y))
            except ValueError:
                gap = 0.0 if x == y else float("inf")
            if "power" in name:
                worst = max(worst, gap)
            elif x != y:
                changed += 1
    print(f"powerplan table (default method): {len(rows_new) - 1} rows, columns {header}; "
          f"same rows: {len(rows_old) == len(rows_new)}; fields differing other than "
          f"power: {changed}; largest power difference {worst:.3g}")


if __name__ == "__main__":
    main()
