"""Published results revisited: what each analysis found, and what it could
have found.

    python examples/published_result_revisited.py OUTDIR

Re-analyses three published results (treated people analysed, treated and
comparison reoffending rates), prints what each implies for design (the
smallest difference it could detect, the people needed to detect the
difference it saw; not "observed power"), and writes two figures into
OUTDIR: each difference with its interval against zero and the smallest
detectable difference, and the power a repeat of the inconclusive study
would have as more people are submitted.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # this script only writes files; it needs no window

import matplotlib.pyplot as plt  # noqa: E402

import powerplan  # noqa: E402
from powerplan.plotting import plot_published  # noqa: E402

#: Published results: treated people analysed, treated rate, comparison rate.
PUBLISHED = [(3085, 0.19, 0.26), (90, 0.13, 0.21), (114, 0.25, 0.28)]
RETENTION = 0.4


def save(ax, path):
    ax.figure.savefig(path)
    plt.close(ax.figure)
    print(f"wrote {path}")


def main(outdir):
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    reviews = [powerplan.review_published(*result, retention=RETENTION)
               for result in PUBLISHED]
    for review in reviews:
        print(review.summary())
    # One forest plot: every result a row on one shared axis, the legend once.
    save(plot_published(reviews), outdir / "published_results.png")

    # The inconclusive study, planned again for the difference it saw.
    review = reviews[-1]
    again = powerplan.Scenario(base_rate=review.comparison_rate, effect=review.difference,
                               funnel=RETENTION)
    curve = powerplan.sweep(again, "cohort", range(100, 2 * review.cohort_needed, 100))
    answer = curve.solve(review.target_power)
    print(f"Repeating the {review.n_treated}-person study for its "
          f"{100 * abs(review.difference):.0f}-point difference: {answer.summary()}")
    save(curve.plot(solution=answer), outdir / "repeat_inconclusive_study.png")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python examples/published_result_revisited.py OUTDIR")
    main(sys.argv[1])
