"""Benchmark: a 24-cell simulated requirement table, in this process and on a local
Dask cluster of two worker processes.

Each cell is a simulated solve for the minimum cohort (``powerplan.solve`` with a
Simulator), 3 base rates x 4 effects x 2 retentions. The script prints the wall time
of the table in this process, the cluster's start-up time, the wall time of the same
table on the cluster, the speed-up, and the overhead per cell:

    overhead per cell = (workers x cluster wall time - serial wall time) / cells

that is, the worker-seconds each cell cost on the cluster beyond what it cost here
(shipping the task and its answer, scheduling, and a worker's share of waiting).
A second grid, 24 values of a sweep of 16 replicates each (milliseconds of work per
cell), shows the fixed cost of a task on its own. Both grids are checked to be
equal wherever they ran; the script exits with status 1 if not.

Run from the repository root (with ``pip install -e '.[dask]'``):

    python benchmarks/bench_grid.py
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

import pandas as pd

import powerplan as pp
from powerplan import Scenario, SimulationSettings, Simulator

SCENARIO = Scenario(simulation=SimulationSettings(pool=2000))
GRID = {"base_rates": [0.35, 0.45, 0.55], "effects": [-0.10, -0.15, -0.20, -0.25],
        "retentions": [0.5, 0.8]}


def timed(function):
    start = time.perf_counter()
    value = function()
    return value, time.perf_counter() - start


def machine() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            model = next(line.split(":", 1)[1].strip() for line in info
                         if line.startswith("model name"))
    except (OSError, StopIteration):
        model = platform.processor() or "unknown CPU"
    import dask
    import numpy as np

    return (f"{os.cpu_count()} cores ({model}), load average "
            f"{', '.join(f'{v:.1f}' for v in os.getloadavg())}; Python "
            f"{platform.python_version()}, numpy {np.__version__}, dask {dask.__version__}, "
            f"powerplan {pp.__version__}")


def dumped(result) -> str:
    return json.dumps(result.to_dict(), sort_keys=True, default=str)


def report(name: str, cells: int, workers: int, serial: float, cluster: float) -> None:
    overhead = (workers * cluster - serial) / cells
    print(f"{name}: {cells} cells; serial {serial:.1f} s ({serial / cells:.2f} s a cell); "
          f"{workers}-worker cluster {cluster:.1f} s; speed-up {serial / cluster:.2f}x; "
          f"overhead {overhead:+.3f} worker-s a cell")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--precision", type=float, default=0.2,
                        help="each cell's precision (default 0.2: one round of the search)")
    parser.add_argument("--max-sims", type=int, default=2000)
    arguments = parser.parse_args(argv)
    engine = Simulator(seed=1, precision=arguments.precision, max_sims=arguments.max_sims)
    sweep_engine = Simulator(n_sims=16, seed=1)
    cohorts = list(range(100, 100 + 24 * 25, 25))
    print(machine())
    print(f"table: {engine}; {SCENARIO.simulation.pool:,}-record pool")

    serial, serial_time = timed(lambda: pp.requirements_table(SCENARIO, **GRID, engine=engine))
    small, small_time = timed(lambda: pp.sweep(SCENARIO, "cohort", cohorts, engine=sweep_engine))
    started = time.perf_counter()
    with pp.dask_client(workers=arguments.workers) as client:
        start_time = time.perf_counter() - started
        table, table_time = timed(lambda: pp.requirements_table(SCENARIO, **GRID, engine=engine,
                                                                client=client))
        curve, curve_time = timed(lambda: pp.sweep(SCENARIO, "cohort", cohorts,
                                                   engine=sweep_engine, client=client))
    print(f"cluster start-up: {start_time:.1f} s (not in the times below)")
    report("table", len(serial.cells), arguments.workers, serial_time, table_time)
    report("sweep of 16 replicates a value", len(cohorts), arguments.workers, small_time,
           curve_time)
    print(f"load average after: {', '.join(f'{v:.1f}' for v in os.getloadavg())}")
    equal = serial.cells.equals(table.cells) and all(
        dumped(a) == dumped(b) and a.replicates.equals(b.replicates)
        for a, b in zip(small.results, curve.results))
    print("answers equal to the serial run's:", "yes" if equal else "NO")
    with pd.option_context("display.width", 120):
        print(serial.cells[["base_rate", "retention", "effect", "value", "status"]]
              .to_string(index=False))
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())
