"""How long the command line takes to start: --help and --version against a bare Python.

Runs each command several times in fresh processes, side by side in one run
(the machine is shared, so compare the ratios), and prints the median wall
time and what it adds to starting Python itself. Target: ``powerplan --help``
under 0.3 s.

    python benchmarks/bench_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "powerplan --version": [sys.executable, "-m", "powerplan", "--version"],
    "powerplan --help": [sys.executable, "-m", "powerplan", "--help"],
    "powerplan power --help": [sys.executable, "-m", "powerplan", "power", "--help"],
    "powerplan power (answers)": [sys.executable, "-m", "powerplan", "power"],
}


def wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    times = {name: [] for name in COMMANDS}
    for _ in range(args.runs):  # interleaved, so load on the machine hits every command alike
        for name, command in COMMANDS.items():
            times[name].append(wall(command))
    base = statistics.median(times["python -c pass"])
    print(f"median of {args.runs} runs each, in fresh processes")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:<28} {median:6.3f} s   (+{median - base:.3f} s over python)")
    helped = statistics.median(times["powerplan --help"])
    print(f"powerplan --help: {helped:.3f} s, {'within' if helped < 0.3 else 'OVER'} the 0.3 s target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
