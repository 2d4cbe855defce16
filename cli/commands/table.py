"""``powerplan table``: minimum cohorts or MDEs over a grid, for commissioners."""

from __future__ import annotations

import math
import time

import click

import powerplan
from powerplan.errors import InvalidInputError
from powerplan.limits import (DEFAULT_BASE_RATES, DEFAULT_COHORTS, DEFAULT_EFFECTS,
                              DEFAULT_FREQUENCY_EFFECTS, DEFAULT_MAX_SIMS, DEFAULT_PRECISION,
                              DEFAULT_RETENTIONS, DEFAULT_TIME_EFFECTS, MAX_TABLE_CELLS)

from .. import figures
from ..engine import split_engine
from ..grid import grid_options, grid_run, split_grid
from ..options import (build_scenario, scenario_options, solver_simulation_options,
                       target_power_option)
from ..output import spreadsheet_safe, text_to_stderr, to_json
from ..params import BASE_RATES, COHORTS, EFFECTS, MEASURE_EFFECTS, RETENTIONS
from .plan import engine_option, precision_option

FORMATS = ("text", "csv", "markdown", "json")


@click.command("table", short_help="Requirement tables for commissioners.  "
                                 "e.g. powerplan table --format markdown")
@scenario_options(without=("cohort", "retention", "stages", "base_rate", "effect"))
@click.option("--mde", is_flag=True,
              help="Tabulate minimum detectable reductions (increases with --alternative "
                   "greater) over cohorts instead of minimum cohorts over effects.")
@click.option("--base-rates", type=BASE_RATES,
              default=",".join(str(v) for v in DEFAULT_BASE_RATES), show_default=True,
              help="Comparison reoffending rates: 0.15,0.25 or 15%,25% or 0.15:0.55:0.1 "
                   "(START:STOP:STEP).")
@click.option("--effects",
              help=f"Effects to plan for, on the measure's scale: -0.02,-0.05 or -2pp,-5pp "
                   f"(the rate); -0.1,-0.2 offences per person (the frequency); 10,20 or "
                   f"10d,20d (the time); or START:STOP:STEP. A ratio, rr=0.8 or or=0.8 "
                   f"(the rate; rr= for the frequency), heads its column as given and is "
                   f"converted at each row's base rate. [default: "
                   f"{','.join(f'{100 * v:g}pp' for v in DEFAULT_EFFECTS)}; with --measure "
                   f"frequency {','.join(f'{v:g}' for v in DEFAULT_FREQUENCY_EFFECTS)}; "
                   f"time {','.join(f'{v:g}d' for v in DEFAULT_TIME_EFFECTS)}]")
@click.option("--retentions", type=RETENTIONS,
              default=",".join(str(v) for v in DEFAULT_RETENTIONS), show_default=True,
              help="Retentions, the shares of the people submitted who are analysed (the "
                   "data window included): 0.2,0.4 or 20%,40% or 0.2:0.8:0.2 "
                   "(START:STOP:STEP).")
@click.option("--cohorts", type=COHORTS,
              default=",".join(str(v) for v in DEFAULT_COHORTS), show_default=True,
              help="People submitted, for --mde: 100,250,500 or 100:1000:100 "
                   "(START:STOP:STEP).")
@target_power_option
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text",
              show_default=True, help="Output as aligned text, CSV, Markdown or JSON.")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object (the same as --format json, as other commands take "
                   "--json).")
@figures.plot_option("Draw the table as heatmaps, one per retention, on one colour scale.")
@engine_option
@solver_simulation_options
@precision_option
@grid_options
def table_command(mde, base_rates, effects, retentions, cohorts, target_power, output_format,
                  as_json, plot_path, engine, precision, **options):
    """A grid of minimum cohort sizes over base rates x effects x retention
    (or, with --mde, minimum detectable reductions over base rates x cohorts
    x retention; increases with --alternative greater). Cells without an
    answer are marked, never dropped.

    \b
    Example:
      powerplan table --base-rates 0.25,0.35 --effects -3pp,-5pp --format markdown
      powerplan table --mde --cohorts 100,500,1000
      powerplan table --retentions 0.4 --plot requirements.png
      powerplan table --engine simulate --seed 1 --dask --store table.sqlite

    With --engine simulate each cell is solved by simulation (as powerplan
    size --engine simulate), with its own seed drawn from --seed and the
    cell's values, so the table is the same however its cells are run:
    here, on a local Dask cluster (--dask) or a running one (--scheduler).
    With --store the finished cells are kept, and a second run of the same
    command (same --seed) reads them back and solves only the rest.
    """
    if as_json:
        if output_format not in ("text", "json"):
            raise click.UsageError(f"--json and --format {output_format} ask for two outputs; "
                                   f"give one")
        output_format = "json"
    simulation, run = split_engine(options, engine)
    grid = split_grid(options, engine)
    # each cell sets the effect
    scenario = build_scenario(simulation=simulation, uses_effect=False, **options)
    effects = _effects(effects, scenario.outcome)
    settings = dict(quantity="effect" if mde else "cohort", base_rates=base_rates,
                    effects=effects, retentions=retentions, cohorts=cohorts,
                    target_power=target_power)
    _check_size(scenario, settings, engine)
    if engine == "analytic":
        if precision is not None:
            raise click.UsageError("--precision applies to the simulator; add --engine simulate")
        table = _table(scenario, settings)
    else:
        with grid_run(grid, run["workers"], run["quiet"]) as keywords:
            simulator = powerplan.Simulator(
                seed=run["seed"], workers=keywords.pop("workers"),
                precision=precision or DEFAULT_PRECISION,
                max_sims=run["sims"] or DEFAULT_MAX_SIMS)
            table = _table(scenario, settings, engine=simulator, **keywords)
    err = text_to_stderr()  # --plot - took standard output
    if output_format == "json":
        click.echo(to_json(table.to_dict()), err=err)
    elif output_format == "csv":
        frame = table.to_frame()
        if "flags" in frame:  # a cell's flags as words, ";"-separated, empty for none
            frame["flags"] = ["; ".join(flags) for flags in frame["flags"]]
        click.echo(spreadsheet_safe(frame).to_csv(index=False), nl=False, err=err)
    elif output_format == "markdown":
        click.echo(table.to_markdown(), err=err)
    else:
        click.echo(table.to_text(), err=err)
    failed = int(table.cells["status"].str.startswith("failed").sum())
    if failed:  # printed, but not every cell has its answer
        raise click.ClickException(f"{failed:,} of {len(table.cells):,} cells failed (marked "
                                   f"'failed' above); run the command again to retry them")
    if plot_path is not None:
        figures.draw(lambda: figures.table_figure(table), plot_path)


def _table(scenario, settings: dict, **engine):
    """The table; its list of effects refused (two ratios the same) against --effects."""
    try:
        return powerplan.requirements_table(scenario, **settings, **engine)
    except InvalidInputError as error:
        if error.field == "effects":
            raise click.BadParameter(error.requirement, param_hint="'--effects'") from None
        raise


#: A table's effects when none are given, by measure.
DEFAULTS = {"rate": DEFAULT_EFFECTS, "frequency": DEFAULT_FREQUENCY_EFFECTS,
            "time": DEFAULT_TIME_EFFECTS}


def _effects(text: str | None, outcome) -> tuple:
    """The --effects list on the measure's scale (read once the measure is known).

    A list with a ratio (``rr=0.8,-5pp``) is read item by item as ``--effect`` reads
    one, the ratios left for the table to convert at each base rate; without one it
    is a list of numbers, or START:STOP:STEP.
    """
    if text is None:
        return DEFAULTS[outcome.name]
    ctx = click.get_current_context()
    param = next(p for p in ctx.command.params if p.name == "effects")
    if "=" not in text:
        kind = EFFECTS if outcome.name == "rate" else MEASURE_EFFECTS[outcome.name]
        return kind.convert(text, param, ctx)
    if ":" in text:
        raise click.BadParameter(f"START:STOP:STEP takes numbers, not ratios; list the "
                                 f"ratios, such as rr=0.7,rr=0.8; got {text!r}", ctx, param)
    try:
        return tuple(outcome.parse_effect(part) for part in text.split(","))
    except InvalidInputError as error:
        raise click.BadParameter(f"each value {error.requirement}", ctx, param) from None


def _check_size(scenario, settings: dict, engine: str) -> None:
    """Refuse a grid of more than MAX_TABLE_CELLS cells before solving any, saying how
    long it would take (the time of one cell here, times the cells)."""
    second = "cohorts" if settings["quantity"] == "effect" else "effects"
    lists = {"--base-rates": settings["base_rates"] or DEFAULT_BASE_RATES,
             f"--{second}": settings[second] or (DEFAULT_COHORTS if second == "cohorts"
                                                 else DEFAULT_EFFECTS),
             "--retentions": settings["retentions"] or DEFAULT_RETENTIONS}
    cells = math.prod(len(values) for values in lists.values())
    if cells <= MAX_TABLE_CELLS:
        return
    shape = " x ".join(f"{len(values)} {option}" for option, values in lists.items())
    if engine == "analytic":
        def one_cell(at: int) -> float:
            middle = {key: values[len(values) // 2:][:1] if at else values[:1]
                      for key, values in zip(("base_rates", second, "retentions"),
                                             lists.values())}
            started = time.perf_counter()
            powerplan.requirements_table(scenario, **{**settings, **middle})
            return time.perf_counter() - started

        one_cell(0)  # the first solve loads scipy
        cost = f"about {_duration(one_cell(1) * cells)} here"
    else:
        cost = "a simulated search each"
    raise click.UsageError(f"a table of {cells:,} cells ({shape}) is more than the "
                           f"{MAX_TABLE_CELLS:,} solved in one table ({cost}); give fewer values")


def _duration(seconds: float) -> str:
    """A rough duration in words: '40 seconds', '12 minutes', '3.5 hours'."""
    if seconds < 120:
        return f"{seconds:.0f} seconds"
    if seconds < 7200:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.1f} hours"


def register(group: click.Group) -> None:
    group.add_command(table_command)
