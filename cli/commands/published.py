"""``powerplan published``: what a published result says, as design information."""

from __future__ import annotations

import click

import powerplan
from powerplan import limits
from powerplan.limits import MAX_COHORT, MAX_N_COMPARISON

from .. import figures
from ..options import json_option, target_power_option
from ..output import emit_result
from ..params import COMPARISON_RATIO, PROPORTION, RATE, SHARE, Checked, whole_number


@click.command("published", short_help="Revisit a published result.  "
                                     "e.g. powerplan published --n-treated 114 "
                                     "--treated-rate 25% --comparison-rate 28%")
@click.option("--n-treated", required=True,
              type=whole_number("n_treated", 2, MAX_COHORT),
              help=f"Treated people analysed in the published result (whole number in "
                   f"[2, {MAX_COHORT:,}]).")
@click.option("--treated-rate", required=True, type=RATE,
              help="Treated group's reoffending rate: 0.25 or 25%.")
@click.option("--comparison-rate", required=True, type=RATE,
              help="Comparison group's reoffending rate: 0.28 or 28%.")
@click.option("--n-comparison",
              type=Checked("number", "n_comparison", limits.check_n_comparison),
              help=f"Effective comparison size, in [2, {MAX_N_COMPARISON:,}]; if omitted, "
                   f"--comparison-ratio x n-treated.")
@click.option("--comparison-ratio", type=COMPARISON_RATIO, default=10.0, show_default=True,
              help="Comparison records per treated person when --n-comparison is not given.")
@click.option("--alpha", type=PROPORTION, default=0.05, show_default=True,
              help="Significance level of the published test.")
@click.option("--retention", type=SHARE, default=0.4, show_default=True,
              help="Share of people submitted who are analysed, to turn analysed people "
                   "needed into people to submit.")
@target_power_option
@figures.plot_option("Draw the difference with its confidence interval, against no difference "
                     "and the smallest difference detectable.")
@json_option
def published_command(as_json, plot_path, **options):
    """Re-run the test a published analysis ran (Welch t-test on the 0/1
    outcomes), and report design information: the smallest difference that
    study could detect with the target power, and the cohort that would be
    needed to detect the difference it observed. This is not "observed power".

    \b
    Example:
      powerplan published --n-treated 114 --treated-rate 25% --comparison-rate 28%
      powerplan published --n-treated 90 --treated-rate 13% --comparison-rate 21% --plot r.png
    """
    review = powerplan.review_published(**options)
    emit_result(as_json, review)
    if plot_path is not None:
        figures.draw(lambda: figures.published_figure(review), plot_path)


def register(group: click.Group) -> None:
    group.add_command(published_command)
