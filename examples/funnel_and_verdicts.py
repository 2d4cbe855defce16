"""Where the people go, and what the published verdict is likely to be.

    python examples/funnel_and_verdicts.py OUTDIR

writes three figures into OUTDIR and prints what it wrote: the funnel from
people submitted to people analysed, the chances of each verdict as the
cohort grows, and as the true effect ranges from a reduction to an increase.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # this script only writes files; it needs no window

import matplotlib.pyplot as plt  # noqa: E402

import powerplan  # noqa: E402
from powerplan.plotting import plot_funnel, plot_verdicts  # noqa: E402

STUDY = powerplan.Scenario(cohort=400, base_rate=0.3, effect=-0.04,
                           funnel={"found": 0.9, "in window": 0.55, "matched": 0.85})


def save(ax, path):
    ax.figure.savefig(path)
    plt.close(ax.figure)
    print(f"wrote {path}")


def main(outdir):
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    result = powerplan.analytic(STUDY)
    print(result.summary())
    save(plot_funnel(result), outdir / "funnel.png")

    by_cohort = powerplan.sweep(STUDY, "cohort", range(100, 3001, 100))
    save(plot_verdicts(by_cohort), outdir / "verdicts_by_cohort.png")

    by_effect = powerplan.sweep(STUDY, "effect", [e / 100 for e in range(-10, 5)])
    save(plot_verdicts(by_effect, kind="bars"), outdir / "verdicts_by_effect.png")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python examples/funnel_and_verdicts.py OUTDIR")
    main(sys.argv[1])
