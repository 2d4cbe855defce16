"""The exact default's floor: how much work an exact evaluation of the default method
needs, counted in the code, times the least a term can cost.

    python benchmarks/exact_floor.py [--scenarios 100] [--solves 10]

For ``analytic`` on the default scenario and on the random scenarios of
bench_analytic.py (seed 16, ``method="welch"``), and for ``solve(scenario,
"cohort")`` on the default scenario and the first ``--solves`` random ones, every
cache cleared before each, it counts what the exact tables made for the call hold
(``_WholeTable``): pairs of sizes (one per number analysed that the funnel
average needs), band counts (treated counts whose comparison tail is neither 0
nor 1: one boundary, one tail and one binomial chance per treated rate each),
comparison-window counts (the binomial chances a tail by cumulative sums runs
over), and the test's evaluations (elements the tests' predicates were asked
for). Then it times the cheapest kernels per element on 100,000-element arrays
in cache (an elementwise multiply-add, exp, ndtr, a cumulative sum, Boost's
binomial chance, Cephes' incomplete beta ``bdtrc``, and one evaluation of the
Welch test's verdict as the band searches run it) and prints the floors:

- numpy floor: each window count one cumulative sum and 3 elementwise operations
  (its chance by the ratio of successive chances), each band count two test
  evaluations (the least that proves a boundary: significant on one side, not on
  the other), one exp and one multiply-add (its treated chance);
- compiled floor: each window and band count one cumulative-sum step (a
  dependent addition, the least a sum can cost per term) and nothing else.

It also prints how accurate the comparison tails are over whole windows, against
exact integer arithmetic: Cephes' ``bdtrc`` (the tails before), Boost's
``binom.sf`` and the cumulative sums over the window that replace ``bdtrc`` for
comparison groups up to ``exact.CUMULATIVE_TAILS_UP_TO``.

Both floors leave out everything but the terms (Python, numpy's per-call overhead, the
funnel weights, the solver's bookkeeping), so the time of a real evaluation can
only be above them.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import timeit

import numpy as np
from scipy import special

from bench_analytic import clear_caches, random_scenarios

from powerplan import Scenario, analytic, solve
from powerplan.formulas import exact


class Counts:
    """What the exact tables made during a call hold, and the test evaluations asked."""

    def __init__(self):
        self.pairs = self.band = self.window = self.evaluations = 0

    def add(self, other: "Counts") -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


current = Counts()


def instrument() -> None:
    made = exact._WholeTable.__init__

    def counted_table(self, n1, n2, p2, test, alpha, alternative):
        made(self, n1, n2, p2, test, alpha, alternative)
        current.pairs += n1.size
        current.band += self.lower_band[0].size + self.higher_band[0].size
        t = self.over_treated
        low, high = exact._window(n2[t], p2)
        current.window += int((high - low + 1).sum())
        current.band += self.comparison[0].size  # counts of the other way round's sums
        current.window += self.comparison[0].size

    exact._WholeTable.__init__ = counted_table
    verdicts = exact._verdicts

    def counted_verdicts(x1, n1, x2, n2, *args, **kwargs):
        current.evaluations += int(np.broadcast(x1, n1, x2, n2).size)
        return verdicts(x1, n1, x2, n2, *args, **kwargs)

    exact._verdicts = counted_verdicts
    predicate = exact._welch_comparison_predicate

    def counted_predicate(*args, **kwargs):
        holds = predicate(*args, **kwargs)

        def counted(b, i):
            current.evaluations += int(np.size(b))
            return holds(b, i)
        return counted

    exact._welch_comparison_predicate = counted_predicate


def measure(call) -> tuple[Counts, float]:
    """The counts and CPU seconds of ``call()``, caches cleared first."""
    global current
    current = Counts()
    clear_caches()
    start = time.thread_time()
    try:
        call()
    except Exception:  # noqa: BLE001 - a scenario without an answer still costs its time
        pass
    return current, time.thread_time() - start


def kernel_costs() -> dict[str, float]:
    """Nanoseconds per element of the cheapest kernels (best of 7, arrays in cache)."""
    rng = np.random.default_rng(16)
    size = 100_000
    a, b = rng.random(size), rng.random(size)
    n = np.full(size, 3000)
    k = rng.integers(850, 950, size)
    x1 = rng.integers(0, 300, size)
    n1 = np.full(size, 300)
    n2 = np.full(size, 3000)
    bound = exact._welch_bound(n1, n2, 0.05, "two-sided")
    side = rng.random(size) < 0.5
    holds = exact._welch_comparison_predicate(x1, n1, n2, 0.05, "two-sided", bound, side, ~side)
    b2 = np.round(x1 * 10.0 + rng.normal(0, 20, size)).clip(0, 3000).astype(np.int64)
    kernels = {
        "multiply-add (a * b + a)": lambda: a * b + a,
        "exp": lambda: np.exp(a),
        "ndtr": lambda: special.ndtr(a),
        "cumulative sum (np.cumsum)": lambda: np.cumsum(a),
        "binomial chance (Boost)": lambda: exact._binom_pmf(k * 1.0, n * 1.0, 0.3),
        "binomial tail (Cephes bdtrc)": lambda: special.bdtrc(k, n, 0.3),
        "Welch verdict (band search's predicate)": lambda: holds(b2, slice(None)),
    }
    return {name: 1e9 * min(timeit.repeat(call, number=5, repeat=7)) / 5 / size
            for name, call in kernels.items()}


def exact_upper_tails(n: int, p: float, top: int) -> np.ndarray:
    """P(X >= c), X ~ Binomial(n, p), for c in 0..top in exact integer arithmetic (p the
    binary fraction it is), each rounded once (as tests/test_exact.py computes them)."""
    from fractions import Fraction
    rate = Fraction(p)
    a, b = rate.numerator, rate.denominator - rate.numerator
    whole = rate.denominator ** n
    term, below, tails = b ** n, 0, []
    for k in range(top + 1):
        tails.append((whole - below) / whole)
        below += term
        term = term * (n - k) * a // ((k + 1) * b) if k < n else 0
    return np.array(tails)


def tail_accuracy() -> None:
    """The comparison tails' largest error over a whole window, against exact arithmetic:
    Cephes' incomplete beta function (bdtrc, what the tails were), Boost's tail
    (scipy.stats.binom.sf) and the window's cumulative sums (_window_tails)."""
    from scipy import stats
    print("\ncomparison tails P(X2 >= c) over every count of the window: largest error "
          "against exact arithmetic")
    print(f"  {'n':>7} {'p':>6} {'counts':>7} {'Cephes bdtrc':>13} {'Boost sf':>10} "
          f"{'window sums':>12}")
    for n, p in ((300, 0.1), (3000, 0.3), (10_000, 0.1), (60_000, 1e-4)):
        low, high = exact._window(np.array([n]), p)
        c = np.arange(low[0], high[0] + 2)
        want = exact_upper_tails(n, p, int(high[0]) + 1)[low[0]:]
        rows = np.zeros(c.size, dtype=np.int64)
        sums = exact._window_tails(np.array([n]), p, low, high, (rows, c), (rows, c - 1))[0]
        errors = [np.abs(got - want).max() for got in
                  (special.bdtrc(c - 1, n, p), stats.binom.sf(c - 1, n, p), sums)]
        print(f"  {n:>7,} {p:>6g} {c.size:>7} {errors[0]:>13.2g} {errors[1]:>10.2g} "
              f"{errors[2]:>12.2g}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=100)
    parser.add_argument("--solves", type=int, default=10)
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}")
    tail_accuracy()
    cost = kernel_costs()
    print("\nkernels, nanoseconds per element (100,000 elements, best of 7)")
    for name, ns in cost.items():
        print(f"  {name:<42} {ns:8.2f}")
    instrument()
    solve(Scenario(), "cohort")  # imports, tables of critical values
    randoms = [s.replace(method="welch") for s in random_scenarios(args.scenarios)]
    cases = [("analytic, default scenario", [lambda: analytic(Scenario())]),
             (f"analytic, {len(randoms)} random scenarios (mean)",
              [lambda s=s: analytic(s) for s in randoms]),
             ("solve cohort, default scenario", [lambda: solve(Scenario(), "cohort")]),
             (f"solve cohort, {args.solves} random scenarios (mean)",
              [lambda s=s: solve(s, "cohort") for s in randoms[:args.solves]])]
    numpy_band = 2 * cost["Welch verdict (band search's predicate)"] + cost["exp"] \
        + cost["multiply-add (a * b + a)"]
    numpy_window = cost["cumulative sum (np.cumsum)"] + 3 * cost["multiply-add (a * b + a)"] / 2
    step = cost["cumulative sum (np.cumsum)"]
    print("\nper call: pairs of sizes, band counts, comparison-window counts, test "
          "evaluations;\nthe time measured now and the floors (milliseconds)")
    print(f"  {'':<38} {'pairs':>7} {'band':>9} {'window':>10} {'tests':>10} "
          f"{'now':>8} {'numpy':>8} {'compiled':>9}")
    for name, calls in cases:
        total, seconds = Counts(), 0.0
        for call in calls:
            counts, spent = measure(call)
            total.add(counts)
            seconds += spent
        m = len(calls)
        band, window = total.band / m, total.window / m
        numpy_floor = (band * numpy_band + window * numpy_window) * 1e-6
        compiled_floor = (band + window) * step * 1e-6
        print(f"  {name:<38} {total.pairs / m:7.0f} {band:9.0f} {window:10.0f} "
              f"{total.evaluations / m:10.0f} {1e3 * seconds / m:8.2f} {numpy_floor:8.3f} "
              f"{compiled_floor:9.3f}")
    print("\ntargets (issue 16): analytic 0.050 ms a scenario, solve 1 ms, a 1,000-cell "
          "table in 1 s (1 ms a cell, each cell a solve)")


if __name__ == "__main__":
    main()
