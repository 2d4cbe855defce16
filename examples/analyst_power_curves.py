"""An analyst's power curves: how power, and the smallest detectable effect,
depend on the cohort, the base rate and the funnel; and whether simulating
the whole matched study agrees with the analytic curve.

    python examples/analyst_power_curves.py OUTDIR

writes five figures into OUTDIR and prints what it wrote.
"""

import functools
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # this script only writes files; it needs no window

import matplotlib.pyplot as plt  # noqa: E402

import powerplan  # noqa: E402
from powerplan.plotting import OKABE_ITO  # noqa: E402

TARGET = 0.8
STUDY = powerplan.Scenario(funnel={"found": 0.85, "in window": 0.6, "matched": 0.8},
                           effect=-0.05)
# The default pool of 50,000 records and a few hundred studies per cohort
# keep the simulation to seconds; the fixed seed makes the figures the same
# every run.
SIMULATED = STUDY
SIMULATED_COHORTS = [250, 750, 1250, 1750, 2250, 2750]
SIMS, SEED = 300, 2026


def power_by_base_rate(path):
    """Power against cohort at three base rates, with each minimum cohort marked."""
    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    colours = [OKABE_ITO["blue"], OKABE_ITO["reddish purple"], OKABE_ITO["bluish green"]]
    for base_rate, colour in zip([0.2, 0.35, 0.5], colours):
        scenario = STUDY.replace(base_rate=base_rate)
        curve = powerplan.sweep(scenario, "cohort", range(100, 4001, 50))
        answer = curve.solve(TARGET)
        curve.plot(ax=ax, color=colour, solution=answer,
                   label=f"Base rate {base_rate:.0%}")
        print(f"base rate {base_rate:.0%}: minimum cohort {answer.value:,}")
    ax.set_title(f"Power of a 5-point reduction, {STUDY.retention:.0%} of people analysed")
    fig.savefig(path)
    plt.close(fig)


def power_by_effect(path):
    """Power against effect for 1,000 people submitted, the MDE marked."""
    curve = powerplan.sweep(STUDY.replace(cohort=1000), "effect",
                            [e / 1000 for e in range(-150, 1, 5)])
    ax = curve.plot(solution=curve.solve(TARGET))
    ax.figure.savefig(path)
    plt.close(ax.figure)


def mde_by_cohort(path):
    """The smallest detectable reduction against cohort, for three retentions."""
    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    cohorts = [100, 200, 400, 700, 1000, 1500, 2000, 3000]
    for retention, colour in zip([0.2, 0.4, 0.7], [OKABE_ITO["vermillion"], OKABE_ITO["blue"],
                                                   OKABE_ITO["bluish green"]]):
        curve = powerplan.mde_curve(STUDY.replace(funnel=retention), cohorts,
                                    target_power=TARGET)
        curve.plot(ax=ax, color=colour, label=f"{retention:.0%} analysed")
    ax.set_title(f"Minimum detectable reduction with {TARGET:.0%} power, base rate "
                 f"{STUDY.base_rate:.0%}")
    fig.savefig(path)
    plt.close(fig)


@functools.cache
def simulated_curve():
    """Simulated power at six cohorts, one seed for them all (common random numbers)."""
    return powerplan.sweep(SIMULATED, "cohort", SIMULATED_COHORTS, engine="simulate",
                           n_sims=SIMS, seed=SEED)


def simulated_power_by_cohort(path):
    """Simulated power with its 95% intervals over the analytic line."""
    line = powerplan.sweep(SIMULATED, "cohort", range(100, 3001, 50))
    simulated = simulated_curve()
    ax = line.plot(target_power=TARGET)
    simulated.plot(ax=ax)
    for cohort, result in zip(simulated.values, simulated.results):
        ratio = result.n_comparison / result.mean_n_treated
        print(f"{cohort:,} submitted: simulated power {result.power:.1%} "
              f"({result.ci_low:.1%} to {result.ci_high:.1%}), "
              f"analytic {powerplan.analytic(SIMULATED.replace(cohort=cohort)).power:.1%}; "
              f"effective comparison records per person {ratio:.1f}")
    ax.figure.savefig(path)
    plt.close(ax.figure)


def simulated_estimates(path):
    """What the studies simulated at 1,250 people submitted estimated, by verdict."""
    result = simulated_curve().results[SIMULATED_COHORTS.index(1250)]
    ax = result.plot_estimates()
    ax.figure.savefig(path)
    plt.close(ax.figure)


def main(outdir):
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    for draw, name in [(power_by_base_rate, "power_by_base_rate.png"),
                       (power_by_effect, "power_by_effect.png"),
                       (mde_by_cohort, "mde_by_cohort.png"),
                       (simulated_power_by_cohort, "simulated_power_by_cohort.png"),
                       (simulated_estimates, "simulated_estimates.png")]:
        draw(outdir / name)
        print(f"wrote {outdir / name}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python examples/analyst_power_curves.py OUTDIR")
    main(sys.argv[1])
