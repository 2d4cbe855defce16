"""Benchmark: how the simulator's cost and memory grow with the cohort, the pool and k.

For each setting, prepares the simulation (pool, patterns, calibration pilot)
and runs replicates, on one BLAS thread as the simulator does, and prints the
seconds to prepare, the milliseconds per replicate (the process's CPU time,
which other work on a shared machine disturbs less than the wall clock), and
the peak memory of each (Python's tracemalloc, which sees numpy's
allocations), then, for each series, the fitted exponent of cost and of
memory against the size (the slope of log cost on log size: 1 is linear)
over the whole series and over its last step (where fixed costs matter
least: a super-linear step shows there).

Series (the others held at pool 20,000, 200 treated people reaching matching,
k = 5, nobody lost in the funnel, an 8-point reduction from 35%):
treated n 50 to 20,000; pool 2,000 to 2,000,000; k 1 to 20.

Run from the repository root:

    python benchmarks/bench_scaling.py [--sims 32] [--quick]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np

from powerplan import Scenario, SimulationSettings
from powerplan.simulator import replicate, threads
from powerplan.simulator.engine import _run_chunk

BASE = dict(n=200, pool=20_000, k=5)
SERIES = {
    "treated n": ("n", [50, 200, 2_000, 20_000]),
    "pool": ("pool", [2_000, 20_000, 200_000, 2_000_000]),
    "k": ("k", [1, 5, 20]),
}


def scenario(n: int, pool: int, k: int) -> Scenario:
    return Scenario(cohort=n, funnel=1.0, effect=-0.08,
                    simulation=SimulationSettings(pool=pool, k=k))


def measure(n: int, pool: int, k: int, n_sims: int, seed: int = 7) -> dict:
    s = scenario(n, pool, k)
    with threads.one_blas_thread():
        start = time.process_time()
        study = replicate.prepare(s, seed)
        prepare_s = time.process_time() - start
        _run_chunk(study, 0, replicate.BLOCK)  # warm
        start = time.process_time()
        _run_chunk(study, 0, n_sims)
        per_replicate_ms = (time.process_time() - start) / n_sims * 1e3
        tracemalloc.start()
        replicate.prepare(s, seed)
        prepare_peak = tracemalloc.get_traced_memory()[1] / 2 ** 20
        tracemalloc.reset_peak()
        _run_chunk(study, 0, replicate.BLOCK)
        block_peak = tracemalloc.get_traced_memory()[1] / 2 ** 20
        tracemalloc.stop()
    return dict(prepare_s=prepare_s, ms=per_replicate_ms, prepare_mib=prepare_peak,
                block_mib=block_peak)


def exponent(sizes, values) -> float:
    return float(np.polyfit(np.log(sizes), np.log(values), 1)[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=32,
                        help="replicates timed at each setting (a multiple of 16)")
    parser.add_argument("--quick", action="store_true", help="leave out the largest sizes")
    args = parser.parse_args()
    print(f"{'series':>9} {'value':>10} {'prepare s':>10} {'ms/replicate':>13} "
          f"{'prepare MiB':>12} {'block MiB':>10}")
    for name, (field, values) in SERIES.items():
        values = values[:-1] if args.quick and name != "k" else values
        rows = []
        for value in values:
            settings = BASE | {field: value}
            if settings["pool"] < settings["n"]:
                settings["pool"] = settings["n"]
            row = measure(settings["n"], settings["pool"], settings["k"], args.sims)
            rows.append(row)
            print(f"{name:>9} {value:>10,} {row['prepare_s']:>10.3f} {row['ms']:>13.3f} "
                  f"{row['prepare_mib']:>12.1f} {row['block_mib']:>10.1f}", flush=True)
        for label, part in (("whole series", slice(None)), ("last step", slice(-2, None))):
            def fitted(key):
                return exponent(values[part], [r[key] for r in rows][part])
            print(f"{name:>9} exponent, {label}: per replicate {fitted('ms'):.2f}, block "
                  f"memory {fitted('block_mib'):.2f}; prepare {fitted('prepare_s'):.2f}, "
                  f"its memory {fitted('prepare_mib'):.2f}")


if __name__ == "__main__":
    main()
