"""What the other headline measures cost: analytic power per measure, and simulating all
three measures of a study against simulating the rate alone.

    python benchmarks/bench_measures.py [--sims N] [--repeats R]

Analytic: microseconds per call of ``powerplan.analytic`` for each measure at three
cohorts (the default scenario otherwise; the best of R timings of a loop, so that
other work on the machine inflates it least). Simulated: seconds for ``n_sims``
studies of the default scenario (cohort 300, pool 50,000), the rate alone
(``Simulator.power``) and the three measures together (``compare_measures``),
interleaved R times, and the ratio of the medians. docs/performance.md gives the
figures; the target is at most 1.3x.
"""

import argparse
import statistics
import time
import timeit

from powerplan import Frequency, Rate, Scenario, Simulator, TimeToFirst, analytic, \
    compare_measures


def analytic_microseconds(repeats: int) -> None:
    print("analytic power, microseconds per scenario (best of", repeats, "loops)")
    print(f"{'measure':<10} {'cohort 300':>11} {'cohort 2,000':>13} {'cohort 20,000':>14}")
    for outcome in (Rate(), Frequency(), TimeToFirst()):
        cells = []
        for cohort in (300, 2000, 20_000):
            scenario = Scenario(outcome=outcome, cohort=cohort)
            analytic(scenario)
            timer = timeit.Timer(lambda: analytic(scenario))
            number, _ = timer.autorange()
            best = min(timer.repeat(repeat=repeats, number=number)) / number
            cells.append(f"{1e6 * best:,.0f}")
        print(f"{outcome.name:<10} {cells[0]:>11} {cells[1]:>13} {cells[2]:>14}")


def simulated_ratio(n_sims: int, repeats: int) -> None:
    scenario = Scenario()
    alone, together = [], []
    for repeat in range(repeats):
        start = time.perf_counter()
        Simulator(n_sims=n_sims, seed=repeat).power(scenario)
        alone.append(time.perf_counter() - start)
        start = time.perf_counter()
        compare_measures(scenario, engine=Simulator(n_sims=n_sims, seed=repeat))
        together.append(time.perf_counter() - start)
    print(f"\nsimulating {n_sims:,} studies of the default scenario, {repeats} runs each, "
          f"interleaved")
    print("rate alone (s):      ", ", ".join(f"{t:.2f}" for t in alone))
    print("all three (s):       ", ", ".join(f"{t:.2f}" for t in together))
    ratio = statistics.median(together) / statistics.median(alone)
    print(f"ratio of medians:     {ratio:.3f}x (target at most 1.3x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    analytic_microseconds(args.repeats)
    simulated_ratio(args.sims, args.repeats)


if __name__ == "__main__":
    main()
