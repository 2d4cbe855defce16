"""``powerplan simulate``: power by simulating the whole matched-cohort study."""

from __future__ import annotations

import click

import powerplan

from .. import figures
from ..engine import run_simulation
from ..options import json_option, prior_option, scenario_options, simulation_options


@click.command("simulate", short_help="Power by simulating the whole study.  "
                                    "e.g. powerplan simulate --cohort 300 --sims 2000")
@scenario_options
@prior_option
@simulation_options
@figures.plot_option("Draw the funnel and the chances of each verdict.")
@json_option
def simulate_command(as_json, prior, plot_path, **options):
    """The chance of a significant result, by simulating the matched-cohort
    study many times: the funnel, a comparison pool, a fitted propensity
    score, k-nearest caliper matching and the weighted Welch t-test. Power
    comes with its Monte Carlo error; the seed printed with the result
    repeats it exactly.

    \b
    Example:
      powerplan simulate --cohort 300 --retention 0.4 --effect -5pp --sims 2000 --seed 1
    """
    run_simulation(options, as_json=as_json, prior=prior, plot_path=plot_path)


# The help shows only what the simulator uses; the analytic engine's options stay
# accepted, to be refused with the reason (its comparison group comes from matching).
for _param in simulate_command.params:
    if _param.name in powerplan.Simulator.unused_settings:
        _param.hidden = True


def register(group: click.Group) -> None:
    group.add_command(simulate_command)
