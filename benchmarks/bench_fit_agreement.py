"""Check: the propensity fit's shortcuts against plain block-wide Newton steps.

The simulator's fit keeps the pool's side of the first Newton step from one
block to the next (``propensity.FirstSteps``) and computes the late steps of
studies close to their maximum study by study (``propensity.ONE_BY_ONE_FROM``).
This script runs seeded simulations of several settings (those of
``tests/test_replicate_tables.py`` and a cohort of 25) twice, with the fit as
it is and with every step computed block-wide (no kept first steps, no
study-by-study steps: the fit before these shortcuts), and prints, per
setting, how many fitted studies have coefficients differing in any bit, the
largest difference, how many differ in the slopes matching uses (rounded to
2**-24), and how many replicates differ in any column of the replicate table.

Run from the repository root:

    python benchmarks/bench_fit_agreement.py [--sims 320] [--seed 11]
"""

from __future__ import annotations

import argparse
import collections
import pathlib
import sys

import numpy as np

from powerplan import Scenario, SimulationSettings, Simulator
from powerplan.simulator import matching, propensity

# The settings of the pinned replicate tables (not their three measures together,
# which are the same studies), and a cohort small enough for separation.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tests"))
from test_replicate_tables import CASES  # noqa: E402

SETTINGS = {**{name: case for name, case in CASES.items() if name != "headline"},
            "small-cohort": Scenario(cohort=25, funnel=1.0,
                                     simulation=SimulationSettings(pool=2_000))}


def plain_fit(*args, first_steps=None, **kwargs):
    """The fit with every Newton step's pool side computed block-wide."""
    saved = propensity.ONE_BY_ONE_FROM
    propensity.ONE_BY_ONE_FROM = 10 ** 9
    try:
        return FIT(*args, **kwargs)
    finally:
        propensity.ONE_BY_ONE_FROM = saved


FIT = propensity.fit


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=320)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    print(f"{args.sims:,} replicates a setting, seed {args.seed}; fitted studies include the "
          f"calibration pilot's")
    print(f"{'setting':<20} {'studies':>8} {'bits differ':>12} {'largest':>9} "
          f"{'slopes differ':>14} {'replicates differ':>18}")
    total = collections.Counter()
    for name, scenario in SETTINGS.items():
        seen = collections.Counter(largest=0.0)

        def both(pool, design, row, start, *, fitted, first_steps=None, **kwargs):
            ours = FIT(pool, design, row, start, fitted=fitted, first_steps=first_steps,
                       **kwargs)
            plain = plain_fit(pool, design, row, start, fitted=fitted, **kwargs)
            f = np.asarray(fitted)
            a, b = ours[0][f], plain[0][f]
            seen["studies"] += int(f.sum())
            seen["bits"] += int((~(a == b).all(axis=1)).sum())
            if f.any():
                seen["largest"] = max(seen["largest"], float(np.abs(a - b).max()))
            seen["slopes"] += int((~(matching.exact_slopes(a[:, 1:])
                                     == matching.exact_slopes(b[:, 1:])).all(axis=1)).sum())
            assert np.array_equal(ours[1], plain[1])  # the same studies converge
            return ours

        simulator = Simulator(n_sims=args.sims, seed=args.seed)
        try:
            propensity.fit = both
            table = simulator.power(scenario).replicates
            propensity.fit = plain_fit
            reference = simulator.power(scenario).replicates
        finally:
            propensity.fit = FIT
        same = ((table == reference) | (table.isna() & reference.isna())).all(axis=1)
        seen["replicates"] = int((~same).sum())
        print(f"{name:<20} {seen['studies']:>8,} {seen['bits']:>12,} {seen['largest']:>9.1e} "
              f"{seen['slopes']:>14,} {seen['replicates']:>18,}")
        total.update({k: v for k, v in seen.items() if k != "largest"})
    print(f"{'all':<20} {total['studies']:>8,} {total['bits']:>12,} {'':>9} "
          f"{total['slopes']:>14,} {total['replicates']:>18,}")
    return 0 if total["replicates"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
