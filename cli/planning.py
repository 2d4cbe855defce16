"""Commands answering the three planning questions analytically: power, size, mde."""

from __future__ import annotations

import click

import powerplan

from . import figures
from .options import (RUN_OPTIONS, SIMULATION_OPTIONS, build_scenario, json_option,
                      option_name, prior_option, scenario_options, simulation_options,
                      target_power_option)
from .output import emit
from .simulate_command import run_simulation


@click.command("power", short_help="Chance of a significant result.  "
                                 "e.g. powerplan power --cohort 300 --effect -5pp")
@scenario_options
@prior_option
@click.option("--engine", type=click.Choice(["analytic", "simulate"]), default="analytic",
              show_default=True,
              help="analytic: closed-form, instant; simulate: simulate the whole study "
                   "(as powerplan simulate).")
@simulation_options
@figures.plot_option("Draw the funnel and the chances of each verdict.")
@json_option
def power_command(as_json, prior, engine, plot_path, **options):
    """The chance that the study reports a significant result, and the
    chances of each published verdict (significant reduction, inconclusive,
    significant increase), averaged over the random number analysed. With
    --prior, the chances are also averaged over the belief about the effect
    (assurance), and --effect is ignored.

    \b
    Examples:
      powerplan power --cohort 300 --retention 0.4 --base-rate 0.35 --effect -5pp
      powerplan power --cohort 300 --prior normal:-4,3
      powerplan power --cohort 300 --engine simulate --sims 2000 --seed 1
    """
    if engine == "simulate":
        return run_simulation(options, as_json=as_json)
    for key in (*SIMULATION_OPTIONS, *RUN_OPTIONS):
        if options.pop(key) not in (None, False):
            raise click.UsageError(f"{option_name(key)} applies to the simulator; "
                                   f"add --engine simulate")
    scenario = build_scenario(**options)
    figures.refuse_prior(plot_path, prior)
    if prior is None:
        result = powerplan.analytic(scenario)
    else:
        result = powerplan.assurance(scenario, prior)
    if plot_path is not None:
        figures.save(figures.power_figure(result), plot_path)
    payload = result.to_dict() | {"scenario": scenario.to_dict()}
    emit(as_json, payload, f"{result.summary()}\n\n{result}")


@click.command("size", short_help="Minimum cohort for a target power.  "
                                "e.g. powerplan size --effect -5pp --target-power 0.8")
@scenario_options
@target_power_option
@prior_option
@figures.plot_option("Draw power against cohort with the minimum cohort marked.")
@json_option
def size_command(as_json, target_power, prior, plot_path, **options):
    """The smallest number of people to submit for the study to reach the
    target power (--cohort, if given, is ignored). With --prior the target
    is assurance: the chance of a significant reduction averaged over the
    belief about the effect.

    \b
    Example:
      powerplan size --retention 0.4 --base-rate 0.35 --effect -5pp --target-power 0.8
      powerplan size --prior published --target-power 0.5
    """
    scenario = build_scenario(**options)
    figures.refuse_prior(plot_path, prior)
    solution = powerplan.solve(scenario, "cohort", target_power=target_power, prior=prior)
    if plot_path is not None:
        figures.save(figures.size_figure(scenario, solution), plot_path)
    payload = solution.to_dict() | {"scenario": solution.scenario.to_dict()}
    emit(as_json, payload, f"{solution.summary()}\n\n{solution}")


@click.command("mde", short_help="Minimum detectable effect for a cohort.  "
                               "e.g. powerplan mde --cohort 1000")
@scenario_options
@target_power_option
@click.option("--direction", type=click.Choice(["reduction", "increase"]), default="reduction",
              show_default=True, help="Solve for the smallest reduction or increase.")
@figures.plot_option("Draw power against effect with the minimum detectable effect marked.")
@json_option
def mde_command(as_json, target_power, direction, plot_path, **options):
    """The smallest effect the study detects with the target power
    (--effect, if given, is ignored).

    \b
    Example:
      powerplan mde --cohort 1000 --retention 0.4 --base-rate 0.35 --target-power 0.8
    """
    scenario = build_scenario(**options)
    solution = powerplan.solve(scenario, "effect", target_power=target_power,
                               direction=direction)
    if plot_path is not None:
        figures.save(figures.mde_figure(scenario, solution), plot_path)
    payload = solution.to_dict() | {"scenario": solution.scenario.to_dict()}
    emit(as_json, payload, f"{solution.summary()}\n\n{solution}")



def register(group: click.Group) -> None:
    for command in (power_command, size_command, mde_command):
        group.add_command(command)
