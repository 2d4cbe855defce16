"""Time the analytic engine with the exact small-sample sums against the normal approximation.

Prints, for a few scenarios from a study of 30 people to one of 100,000, the
median wall time of ``analytic`` (power) and of ``solve`` (cohort and MDE) with
the default method (``welch``: exact sums up to 3,000 in the smaller group)
and with the ``wald`` formula, each the median of ``--repeats`` runs.

    python benchmarks/bench_exact.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

from powerplan import Scenario, analytic, solve

SCENARIOS = {
    "30 analysed, base rate 10%": Scenario(cohort=30, funnel=1.0, base_rate=0.1),
    "75 submitted, base rate 10%": Scenario(cohort=75, base_rate=0.1, effect=-0.083),
    "the default (300 submitted)": Scenario(),
    "2,500 submitted": Scenario(cohort=2500, effect=-0.03),
    "7,500 submitted (around the switch)": Scenario(cohort=7500, effect=-0.03),
    "100,000 submitted (beyond it)": Scenario(cohort=100_000, effect=-0.01),
    "8,000 against a fixed 500": Scenario(cohort=8000, effect=-0.03, n_comparison=500),
}


def median_time(call, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    repeats = parser.parse_args().repeats
    print(f"{'scenario':40} {'welch':>10} {'wald':>10}   (power, median of {repeats})")
    for name, scenario in SCENARIOS.items():
        exact = median_time(lambda: analytic(scenario), repeats)
        plain = median_time(lambda: analytic(scenario.replace(method="wald")), repeats)
        print(f"{name:40} {1000 * exact:8.1f}ms {1000 * plain:8.1f}ms")
    for name, unknown, scenario in (("size, the default", "cohort", Scenario()),
                                    ("mde --cohort 75 --base-rate 0.1", "effect",
                                     Scenario(cohort=75, base_rate=0.1)),
                                    ("mde --cohort 2500", "effect", Scenario(cohort=2500))):
        exact = median_time(lambda: solve(scenario, unknown), repeats)
        plain = median_time(lambda: solve(scenario.replace(method="wald"), unknown), repeats)
        print(f"{name:40} {1000 * exact:8.1f}ms {1000 * plain:8.1f}ms")


if __name__ == "__main__":
    main()
