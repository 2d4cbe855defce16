"""The three headline measures of one study: which is likelier to be significant, and
the chance that at least one is.

    python examples/three_measures.py OUTDIR

writes two figures into OUTDIR and prints what it wrote.
"""

import functools
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # this script only writes files; it needs no window

import matplotlib.pyplot as plt  # noqa: E402

import powerplan  # noqa: E402
from powerplan.plotting import OKABE_ITO  # noqa: E402

#: A programme that prevents some reoffending and makes reoffenders offend a little less
#: often and a little later: the rate 35% to 32%, 1.05 to 0.85 offences per person,
#: 140 to 155 days to the first reoffence.
HEADLINE = powerplan.Headline(rate_effect=-0.03, frequency_effect=-0.2, time_effect=15.0)
STUDY = powerplan.Scenario(simulation=powerplan.SimulationSettings(pool=20_000))
COHORTS = range(100, 4001, 50)
SIMULATED_COHORTS = (500, 1500, 3000)
SIMS, SEED = 200, 2026
COLOURS = {"rate": OKABE_ITO["blue"], "frequency": OKABE_ITO["bluish green"],
           "time": OKABE_ITO["reddish purple"]}


@functools.cache
def together(cohort):
    """The three measures of the study at ``cohort``, simulated together."""
    return powerplan.compare_measures(STUDY.replace(cohort=cohort), HEADLINE,
                                      engine=powerplan.Simulator(n_sims=SIMS, seed=SEED))


def power_by_cohort(path):
    """Each measure's chance of a significant improvement against cohort, the time's
    chance of not being reported, and the simulated chance that at least one measure
    is significant (Holm's correction)."""
    fig, ax = plt.subplots(figsize=(7.5, 4.8), layout="constrained")
    for outcome in HEADLINE.measures:
        curve = powerplan.sweep(STUDY.replace(outcome=outcome, method=None), "cohort", COHORTS)
        better = [r.p_better for r in curve.results]
        ax.plot(curve.values, better, color=COLOURS[outcome.name],
                label=f"{outcome.measure.capitalize()} ({outcome.describe_effect()})")
        if outcome.min_treated_reoffenders:
            ax.plot(curve.values, [r.p_not_reported for r in curve.results],
                    color=COLOURS[outcome.name], linestyle=":",
                    label="Time to first reoffence not reported (< 30 treated reoffenders)")
    holm = [together(c).joint["any_better_holm"] for c in SIMULATED_COHORTS]
    ax.errorbar(SIMULATED_COHORTS, [h.value for h in holm],
                yerr=[[h.value - h.ci_low for h in holm], [h.ci_high - h.value for h in holm]],
                fmt="o", color=OKABE_ITO["black"], capsize=3,
                label=f"At least one significant (Holm), simulated ({SIMS} studies)")
    for cohort, h in zip(SIMULATED_COHORTS, holm):
        print(f"{cohort:,} submitted: at least one significant improvement {h.value:.1%} "
              f"with Holm's correction ({h.ci_low:.1%} to {h.ci_high:.1%})")
    ax.set_xlabel("People submitted")
    ax.set_ylabel("Chance of a significant improvement")
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(xmax=1))
    ax.set_title(f"The three headline measures, {STUDY.retention:.0%} of people analysed",
                 fontsize="medium")
    ax.legend(fontsize="small", loc="lower right")
    fig.savefig(path)
    plt.close(fig)


def side_by_side(path):
    """The simulated verdicts of each measure at 1,500 people submitted."""
    ax = together(1500).plot()
    ax.figure.savefig(path)
    plt.close(ax.figure)


def main(outdir):
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    for draw, name in [(power_by_cohort, "measures_power_by_cohort.png"),
                       (side_by_side, "measures_side_by_side.png")]:
        draw(outdir / name)
        print(f"wrote {outdir / name}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python examples/three_measures.py OUTDIR")
    main(sys.argv[1])
