"""Time and peak memory of a portfolio's distribution: scipy's pmf against powerplan's.

The number of significant reductions across ``n`` services is Poisson-binomial.
scipy's ``poisson_binom(chances).pmf(range(n + 1))`` evaluates every count at once
through an ``(n + 1) x n`` array; :func:`powerplan.decisions.portfolio.poisson_binomial`
builds the distribution one service at a time in memory linear in ``n``. Both are
timed side by side on the same chances (peak memory by tracemalloc), and their largest
difference is printed.

Run from the repository root:

    python benchmarks/bench_portfolio.py                 # 1,000, 3,000 and 10,000 services
    python benchmarks/bench_portfolio.py --services 500 2000

Exits with status 1 if the two distributions differ by more than 1e-12.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc

import numpy as np
from scipy import stats

from powerplan.decisions.portfolio import poisson_binomial


def measure(function):
    tracemalloc.start()
    started = time.perf_counter()
    value = function()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return value, seconds, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, nargs="+", default=[1000, 3000, 10000])
    args = parser.parse_args()
    print(f"{'services':>9}  {'scipy s':>8}  {'scipy MB':>9}  {'powerplan s':>11}  "
          f"{'powerplan MB':>12}  {'max difference':>14}")
    worst = 0.0
    for n in args.services:
        chances = np.random.default_rng(n).random(n) * 0.3
        counts = np.arange(n + 1)
        reference, scipy_s, scipy_peak = measure(lambda: stats.poisson_binom(chances).pmf(counts))
        ours, ours_s, ours_peak = measure(lambda: poisson_binomial(chances))
        difference = float(np.max(np.abs(reference - ours)))
        worst = max(worst, difference)
        print(f"{n:>9,}  {scipy_s:>8.2f}  {scipy_peak / 1e6:>9.1f}  {ours_s:>11.3f}  "
              f"{ours_peak / 1e6:>12.2f}  {difference:>14.2e}")
    return 0 if worst <= 1e-12 else 1


if __name__ == "__main__":
    sys.exit(main())
