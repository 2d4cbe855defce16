"""Commands answering the three planning questions analytically: power, size, mde."""

from __future__ import annotations

import click

import powerplan
from powerplan.limits import (DEFAULT_MAX_SIMS, DEFAULT_PRECISION, DEFAULT_SIMS, DIRECTIONS,
                              ENGINES, MEASURE_CHOICES)

from .. import figures
from ..options import (build_headline, build_scenario, headline_options, json_option,
                       prior_for, prior_option, refuse_headline_effects,
                       scenario_options, simulation_options, solver_simulation_options,
                       target_power_option)
from ..output import emit_result
from ..engine import emit_power, run_options, run_simulation, split_engine
from ..params import PROPORTION


def engine_option(command):
    return click.option(
        "--engine", type=click.Choice(ENGINES), default="analytic",
        show_default=True,
        help="analytic: closed-form, instant; simulate: simulate the whole study "
             "(as powerplan simulate).")(command)


def precision_option(command):
    return click.option(
        "--precision", type=PROPORTION,
        help=f"With --engine simulate: stop when the answer's 95% interval is within this "
             f"share of it (0.05 or 5%); --sims is then the most replicates to use. "
             f"[default: {DEFAULT_PRECISION:g}]")(command)


def _solve(scenario, unknown, engine, run, precision, **kwargs):
    """Solve analytically, or by simulation with the run options and a progress bar."""
    if engine == "analytic":
        if precision is not None:
            raise click.UsageError("--precision applies to the simulator; add --engine simulate")
        return powerplan.solve(scenario, unknown, **kwargs)
    max_sims = run["sims"] or DEFAULT_MAX_SIMS
    with run_options(run, max_sims) as keywords:
        return powerplan.solve(scenario, unknown, engine="simulate", max_sims=max_sims,
                               precision=precision or DEFAULT_PRECISION, **keywords, **kwargs)


def _answer(solution, scenario, engine, plot_path, as_json, analytic_figure) -> None:
    """Print a solution, then draw it (with --plot: ``analytic_figure`` or the simulated fit)."""
    emit_result(as_json, solution, solution.scenario)
    if plot_path is not None:
        figures.draw(lambda: analytic_figure(scenario, solution) if engine == "analytic"
                     else figures.solution_fit_figure(solution), plot_path)


@click.command("power", short_help="Chance of a significant result.  "
                                 "e.g. powerplan power --cohort 300 --effect -5pp")
@scenario_options(measures=MEASURE_CHOICES)
@headline_options
@prior_option
@engine_option
@simulation_options
@figures.plot_option("Draw the funnel and the chances of each verdict.")
@json_option
def power_command(as_json, prior, engine, plot_path, frequency_effect, time_effect,
                  **options):
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
      powerplan power --cohort 1000 --measure all --engine simulate --seed 1

    With --measure all, the rate, the frequency and the time to first
    reoffence of the same study side by side; with --engine simulate also
    the chance that at least one shows a significant improvement (without
    a correction, and with Holm's and Bonferroni's) and that they disagree.
    """
    if options["measure"] == "all":
        return _all_measures(options, engine, prior, plot_path, as_json, frequency_effect,
                             time_effect)
    refuse_headline_effects(frequency_effect, time_effect)
    if engine == "simulate":
        return run_simulation(options, as_json=as_json, prior=prior, plot_path=plot_path)
    split_engine(options, "analytic")
    scenario = build_scenario(uses_effect=prior is None, **options)
    prior = prior_for(scenario, prior)
    figures.refuse_prior(plot_path, prior)
    if prior is None:
        result = powerplan.analytic(scenario)
    else:
        result = powerplan.assurance(scenario, prior)
    emit_power(result, scenario, as_json=as_json, plot_path=plot_path)


@click.command("size", short_help="Minimum cohort for a target power.  "
                                "e.g. powerplan size --effect -5pp --target-power 0.8")
@scenario_options
@target_power_option
@prior_option
@engine_option
@solver_simulation_options
@precision_option
@figures.plot_option("Draw power against cohort with the minimum cohort marked.")
@json_option
def size_command(as_json, target_power, prior, engine, precision, plot_path, **options):
    """The smallest number of people to submit for the study to reach the
    target power (--cohort, if given, is ignored). With --prior the target
    is assurance: the chance of a significant reduction averaged over the
    belief about the effect.

    With --engine simulate the answer comes from simulated studies: a smooth
    power curve is fitted to them around the analytic answer, and the answer
    is given with its 95% interval.

    \b
    Examples:
      powerplan size --retention 0.4 --base-rate 0.35 --effect -5pp --target-power 0.8
      powerplan size --prior published --target-power 0.5
      powerplan size --engine simulate --seed 1
    """
    simulation, run = split_engine(options, engine)
    scenario = build_scenario(simulation=simulation, uses_effect=prior is None, **options)
    prior = prior_for(scenario, prior)
    figures.refuse_prior(plot_path, prior)
    solution = _solve(scenario, "cohort", engine, run, precision, target_power=target_power,
                      prior=prior)
    _answer(solution, scenario, engine, plot_path, as_json, figures.size_figure)


@click.command("mde", short_help="Minimum detectable effect for a cohort.  "
                               "e.g. powerplan mde --cohort 1000")
@scenario_options
@target_power_option
@click.option("--direction", type=click.Choice(DIRECTIONS),
              help="Solve for the smallest reduction or increase. [default: the measure's "
                   "better direction: a reduction, an increase for --measure time]")
@engine_option
@solver_simulation_options
@precision_option
@figures.plot_option("Draw power against effect with the minimum detectable effect marked.")
@json_option
def mde_command(as_json, target_power, direction, engine, precision, plot_path, **options):
    """The smallest effect the study detects with the target power
    (--effect, if given, is ignored).

    \b
    Examples:
      powerplan mde --cohort 1000 --retention 0.4 --base-rate 0.35 --target-power 0.8
      powerplan mde --cohort 1000 --engine simulate --seed 1
    """
    simulation, run = split_engine(options, engine)
    scenario = build_scenario(simulation=simulation, uses_effect=False, **options)
    solution = _solve(scenario, "effect", engine, run, precision, target_power=target_power,
                      direction=direction)
    _answer(solution, scenario, engine, plot_path, as_json, figures.mde_figure)



def _all_measures(options, engine, prior, plot_path, as_json, frequency_effect,
                  time_effect) -> None:
    """``power --measure all``: the three measures of one study, and together."""
    if prior is not None:
        raise click.BadParameter("applies to one measure, not --measure all",
                                 param_hint="'--prior'")
    if options.get("effect") is not None:
        raise click.BadParameter("is one measure's; with --measure all give --rate-effect, "
                                 "--frequency-effect and --time-effect", param_hint="'--effect'")
    simulation, run = split_engine(options, engine)
    scenario, headline = build_headline(options, frequency_effect, time_effect,
                                        simulation=simulation)
    if engine == "analytic":
        result = powerplan.compare_measures(scenario, headline)
    else:
        n_sims = run["sims"] or DEFAULT_SIMS
        with run_options(run, n_sims) as keywords:
            result = powerplan.compare_measures(scenario, headline, engine="simulate",
                                                n_sims=n_sims, **keywords)
    emit_result(as_json, result, scenario)
    if plot_path is not None:
        figures.draw(lambda: figures.measures_figure(result), plot_path)


def register(group: click.Group) -> None:
    for command in (power_command, size_command, mde_command):
        group.add_command(command)
