"""An organisation deciding whether to submit its people now or wait.

    python examples/organisation_submit_or_wait.py OUTDIR

A service has worked with about 25 people a month since January 2024. It is
November 2026 (fixed here: powerplan never reads the clock). A person can be
analysed only once 18 months of data exist after their index date, so the
people the service could submit grow month by month. Should it submit now,
or wait? The script prints the recommendation and writes three figures into
OUTDIR: the chance of a significant reduction by submission month, the
chances of each verdict by month, and the funnel now and at the recommended
month.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # this script only writes files; it needs no window

import matplotlib.pyplot as plt  # noqa: E402

import powerplan  # noqa: E402
from powerplan.plotting import plot_plan_funnels, plot_verdicts  # noqa: E402

INTAKE = powerplan.Intake.monthly(25, "2024-01")
NOW = "2026-11"
# The data window is accounted for by the plan, so the funnel leaves it out.
STUDY = powerplan.Scenario(base_rate=0.26, effect=-0.07,
                           funnel={"found": 0.85, "matched": 0.75})


def save(ax, path):
    ax.figure.savefig(path)
    plt.close(ax.figure)
    print(f"wrote {path}")


def main(outdir):
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    plan = powerplan.submission_plan(STUDY, INTAKE, now=NOW, horizon_months=24)
    print(plan.summary())
    save(plan.plot(), outdir / "submit_or_wait.png")
    save(plot_verdicts(plan), outdir / "verdicts_by_month.png")

    # Now and at the recommended month, on one scale, each with its chance.
    save(plot_plan_funnels(plan)[0], outdir / "funnel_now_and_later.png")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python examples/organisation_submit_or_wait.py OUTDIR")
    main(sys.argv[1])
