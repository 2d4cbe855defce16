"""False-positive rate in each direction at no effect, for each headline measure, simulated.

    python benchmarks/false_positive_rates.py [--sims N] [--seed S]

At no effect on any measure (no effect on the rate either), each simulated
study runs the weighted Welch t-test the analysis runs, two-sided at alpha
0.05, so each direction should be significant 2.5% of the time. With a small
treated group against a large comparison group and a skewed outcome (counts
of offences; days among reoffenders) the t-test is lopsided: this script
measures each tail and prints it with its Monte Carlo standard error, for
the default simulated study (selection 0.5, outcome strength 1, k = 10) at
three cohorts, everyone analysed. docs/measures.md shows its output.
"""

import argparse
import math
import time

from powerplan import Scenario, SimulationSettings, Simulator
from powerplan.outcomes import Frequency, Rate, TimeToFirst

MEASURES = {
    "rate": Rate(base_rate=0.35, effect=0.0),
    "frequency": Frequency(base_rate=0.35, rate_effect=0.0, effect=0.0),
    "time": TimeToFirst(base_rate=0.35, rate_effect=0.0, effect=0.0),
}
COHORTS = (90, 300, 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=20261201)
    args = parser.parse_args()
    print(f"{args.sims:,} simulated studies per row, seed {args.seed}; nominal 2.5% each way")
    print(f"{'measure':<10} {'treated':>7} {'comparison ESS':>14} {'lower tail':>14} "
          f"{'higher tail':>14} {'not reported':>12} {'seconds':>8}")
    for name, outcome in MEASURES.items():
        for cohort in COHORTS:
            scenario = Scenario(outcome=outcome, cohort=cohort, funnel=1.0,
                                simulation=SimulationSettings(pool=20_000))
            start = time.perf_counter()
            result = Simulator(n_sims=args.sims, seed=args.seed).power(scenario)
            seconds = time.perf_counter() - start

            def tail(p):
                return f"{100 * p:.2f}% ({100 * math.sqrt(p * (1 - p) / args.sims):.2f})"

            print(f"{name:<10} {result.mean_n_treated:>7.0f} {result.n_comparison:>14,.0f} "
                  f"{tail(result.p_significant_reduction):>14} "
                  f"{tail(result.p_significant_increase):>14} "
                  f"{100 * result.p_not_reported:>11.1f}% {seconds:>8.1f}")


if __name__ == "__main__":
    main()
