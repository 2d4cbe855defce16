"""Commands answering the three planning questions analytically: power, size, mde."""

from __future__ import annotations

import click

import powerplan

from .options import (RUN_OPTIONS, SIMULATION_OPTIONS, build_scenario, json_option,
                      option_name, scenario_options, simulation_options, target_power_option)
from .output import emit
from .simulate_command import run_simulation


@click.command("power", short_help="Chance of a significant result.  "
                                 "e.g. powerplan power --cohort 300 --effect -5pp")
@scenario_options
@click.option("--engine", type=click.Choice(["analytic", "simulate"]), default="analytic",
              show_default=True,
              help="analytic: closed-form, instant; simulate: simulate the whole study "
                   "(as powerplan simulate).")
@simulation_options
@json_option
def power_command(as_json, engine, **options):
    """The chance that the study reports a significant result, and the
    chances of each published verdict (significant reduction, inconclusive,
    significant increase), averaged over the random number analysed.

    \b
    Examples:
      powerplan power --cohort 300 --retention 0.4 --base-rate 0.35 --effect -5pp
      powerplan power --cohort 300 --engine simulate --sims 2000 --seed 1
    """
    if engine == "simulate":
        return run_simulation(options, as_json=as_json)
    for key in (*SIMULATION_OPTIONS, *RUN_OPTIONS):
        if options.pop(key) not in (None, False):
            raise click.UsageError(f"{option_name(key)} applies to the simulator; "
                                   f"add --engine simulate")
    scenario = build_scenario(**options)
    result = powerplan.analytic(scenario)
    payload = result.to_dict() | {"scenario": scenario.to_dict()}
    emit(as_json, payload, f"{result.summary()}\n\n{result}")


@click.command("size", short_help="Minimum cohort for a target power.  "
                                "e.g. powerplan size --effect -5pp --target-power 0.8")
@scenario_options
@target_power_option
@json_option
def size_command(as_json, target_power, **options):
    """The smallest number of people to submit for the study to reach the
    target power (--cohort, if given, is ignored).

    \b
    Example:
      powerplan size --retention 0.4 --base-rate 0.35 --effect -5pp --target-power 0.8
    """
    scenario = build_scenario(**options)
    solution = powerplan.solve(scenario, "cohort", target_power=target_power)
    payload = solution.to_dict() | {"scenario": solution.scenario.to_dict()}
    emit(as_json, payload, f"{solution.summary()}\n\n{solution}")


@click.command("mde", short_help="Minimum detectable effect for a cohort.  "
                               "e.g. powerplan mde --cohort 1000")
@scenario_options
@target_power_option
@click.option("--direction", type=click.Choice(["reduction", "increase"]), default="reduction",
              show_default=True, help="Solve for the smallest reduction or increase.")
@json_option
def mde_command(as_json, target_power, direction, **options):
    """The smallest effect the study detects with the target power
    (--effect, if given, is ignored).

    \b
    Example:
      powerplan mde --cohort 1000 --retention 0.4 --base-rate 0.35 --target-power 0.8
    """
    scenario = build_scenario(**options)
    solution = powerplan.solve(scenario, "effect", target_power=target_power,
                               direction=direction)
    payload = solution.to_dict() | {"scenario": solution.scenario.to_dict()}
    emit(as_json, payload, f"{solution.summary()}\n\n{solution}")



def register(group: click.Group) -> None:
    for command in (power_command, size_command, mde_command):
        group.add_command(command)
