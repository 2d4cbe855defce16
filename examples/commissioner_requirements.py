"""A commissioner's requirements: how many people a programme needs before
an evaluation is worth requiring, and what it could detect.

    python examples/commissioner_requirements.py OUTDIR

Prints the minimum cohort for 80% power over base rates, effects and two
retentions, and the smallest detectable reductions over cohorts; writes
both as heatmaps into OUTDIR, and the number of significant reductions to
expect if five funded services were each evaluated.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # this script only writes files; it needs no window

import matplotlib.pyplot as plt  # noqa: E402

import powerplan  # noqa: E402

STUDY = powerplan.Scenario(comparison_ratio=10)
#: The services funded, by the people each could submit.
SERVICES = {"mentoring": 120, "housing": 300, "employment": 650, "family": 900,
            "education": 1500}


def save(ax, path):
    ax.figure.savefig(path)
    plt.close(ax.figure)
    print(f"wrote {path}")


def main(outdir):
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    cohorts = powerplan.requirements_table(STUDY, retentions=(0.25, 0.5))
    print(cohorts, end="\n\n")
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8), layout="constrained")
    for ax, retention in zip(axes, cohorts.retentions):
        cohorts.plot(ax=ax, retention=retention)
    save(axes[0], outdir / "requirements_heatmap.png")

    mdes = powerplan.requirements_table(STUDY, quantity="effect", retentions=(0.4,))
    print(mdes, end="\n\n")
    save(mdes.plot(), outdir / "mde_heatmap.png")

    funded = powerplan.portfolio({name: STUDY.replace(cohort=cohort, funnel=0.4, effect=-0.05)
                                  for name, cohort in SERVICES.items()})
    print(funded.summary())
    save(funded.plot(), outdir / "portfolio.png")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python examples/commissioner_requirements.py OUTDIR")
    main(sys.argv[1])
