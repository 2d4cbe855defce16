"""``powerplan curve``: power as one setting varies, as a table, CSV, JSON or figure.

With ``--engine simulate`` the power at a few values is simulated (one seed
for every value) and drawn as points with their 95% intervals over the
analytic line.
"""

from __future__ import annotations

import click

import powerplan
from powerplan.errors import InvalidInputError, NoSolutionError
from powerplan.limits import DEFAULT_SIMS, ENGINES, UNKNOWNS

from .. import figures
from ..options import (RUN_OPTIONS, SIMULATION_OPTIONS, build_scenario, json_option,
                       scenario_options, simulation_options)
from ..output import emit
from ..engine import split_engine
from ..grid import grid_options, grid_run, split_grid
from ..params import (DEFAULT_STEPS, OVER_FIELDS, PROPORTION, FigureFile, OutputFile, Over,
                      OverType)

#: Values simulated when STEPS is not given: each costs --sims simulated studies,
#: and a handful of points with intervals shows how well the analytic line agrees.
SIMULATED_STEPS = 8


def _sweep(scenario, over: Over, steps: int | None = None, **engine) -> powerplan.PowerCurve:
    """The curve, with a value the scenario rejects reported against --over (a
    simulator setting's own error, such as a pool too small, against its option)."""
    try:
        values = over.values(scenario, steps)
        for end in (values[0], values[-1]):  # name START or STOP, not a value between
            scenario.replace(**{over.field: end})
        return powerplan.sweep(scenario, over.field, values, **engine)
    except InvalidInputError as error:
        if error.field in SIMULATION_OPTIONS + RUN_OPTIONS + ("client", "store"):
            raise
        raise click.BadParameter(f"{error.field} {error.requirement}",
                                 param_hint="'--over'") from None


def _simulated_sweep(scenario, over: Over, run: dict, grid: dict) -> powerplan.PowerCurve:
    """Simulated power at STEPS values (``SIMULATED_STEPS`` by default), with a progress bar,
    in this process or on a Dask cluster, and with a results store if asked."""
    n_sims = run["sims"] or DEFAULT_SIMS
    steps = over.steps or SIMULATED_STEPS
    with grid_run(grid, run["workers"], run["quiet"]) as keywords:
        simulator = powerplan.Simulator(n_sims=n_sims, seed=run["seed"],
                                        workers=keywords.pop("workers"))
        return _sweep(scenario, over, steps, engine=simulator, **keywords)


@click.command("curve", short_help="Power as one setting varies.  "
                                 "e.g. powerplan curve --over cohort=60:2000 --out curve.png")
@scenario_options
@click.option("--over", type=OverType(), required=True,
              help="The setting to vary and its range, FIELD=START:STOP[:STEPS], with FIELD "
                   f"one of {', '.join(OVER_FIELDS)}: cohort=60:2000, effect=-15pp:-1pp, "
                   f"retention=0.1:1, base-rate=10%:60%. STEPS evenly spaced values "
                   f"[default: {DEFAULT_STEPS}; {SIMULATED_STEPS} simulated with --engine "
                   f"simulate].")
@click.option("--target-power", type=PROPORTION,
              help="Draw this power as a line and, over cohort, effect or retention, mark "
                   "where it is reached (the minimum cohort, the MDE, the retention needed); "
                   "the MDE is a reduction unless every value is an increase.")
@click.option("--engine", type=click.Choice(sorted(ENGINES)), default="analytic",
              show_default=True,
              help="How power is computed at each value. simulate: simulate the whole study "
                   "(as powerplan simulate) at each value with one seed, --sims studies each "
                   f"[default: {DEFAULT_SIMS:,}]; the figure adds the simulated points, with "
                   "their 95% intervals, to the analytic line.")
@simulation_options
@grid_options
@click.option("--out", "out_path", type=FigureFile(),
              help="Write the figure, power against the setting, as PNG, SVG or PDF by the "
                   "file's extension.")
@click.option("--csv", "csv_path", type=OutputFile(),
              help="Write the curve as CSV: one row per value, every result column (the "
                   "simulated values with --engine simulate).")
@json_option
def curve_command(over, target_power, engine, out_path, csv_path, as_json, **options):
    """Power at evenly spaced values of one setting (the option of the same
    name, if given, is replaced), printed as a table, and optionally drawn
    (--out) or written as CSV (--csv).

    With --engine simulate, power at each value (8 unless STEPS is given) is
    simulated with the same seed, so neighbouring values share their random
    draws; the table, CSV and JSON hold the simulated values, and the figure
    draws them as points with 95% intervals over the analytic line (with
    the JSON's "analytic" curve). A target is marked on the analytic line.

    \b
    Examples:
      powerplan curve --over cohort=60:2000 --target-power 0.8 --out curve.png
      powerplan curve --over effect=-15pp:0pp:31 --cohort 1000 --csv effects.csv
      powerplan curve --over retention=0.1:1 --cohort 500 --json
      powerplan curve --over cohort=100:1500:6 --engine simulate --seed 1 --out sim.png
      powerplan curve --over cohort=100:1500:6 --engine simulate --seed 1 --dask

    The simulated values can run on a Dask cluster (--dask for a local one,
    --scheduler for a running one) and be kept in a results store (--store),
    with the same answers as here.
    """
    simulation, run = split_engine(options, engine)
    grid = split_grid(options, engine)
    scenario = build_scenario(simulation=simulation, uses_effect=over.field != "effect",
                              **options)
    if engine == "simulate":
        curve = _simulated_sweep(scenario, over, run, grid)
        line = _sweep(scenario, over, max(over.steps or 0, DEFAULT_STEPS))
    else:
        curve = line = _sweep(scenario, over)
    solution = unreached = None
    if target_power is not None and curve.field in UNKNOWNS:
        direction = "increase" if min(curve.values) > 0 else "reduction"
        try:
            solution = line.solve(target_power, direction=direction)
        except NoSolutionError as error:  # the curve is still the answer asked for
            unreached = f"The target of {target_power:.0%} power is not reached: {error}"
    if csv_path is not None:
        figures.write_csv(curve.to_frame(), csv_path)
    payload = curve.to_dict()
    text = str(curve)
    if curve is not line:
        payload["analytic"] = line.to_dict()
    if solution is not None:
        payload["solution"] = solution.to_dict()
        answer = solution.summary()
        text += f"\n\n{answer if curve is line else 'Analytic answer: ' + answer}"
    if unreached is not None:
        payload["target_not_reached"] = unreached
        text += f"\n\n{unreached}"
    emit(as_json, payload, text)
    if out_path is not None:
        figures.draw(lambda: _curve_figure(line, curve, target_power, solution), out_path,
                     "--out")


def _curve_figure(line, curve, target_power, solution):
    """The analytic line, with the simulated points over it when there are any."""
    ax = line.plot(ax=figures.new_axes(), target_power=target_power, solution=solution)
    if curve is not line:
        curve.plot(ax=ax)
    return ax


def register(group: click.Group) -> None:
    group.add_command(curve_command)
