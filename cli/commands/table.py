"""``powerplan table``: minimum cohorts or MDEs over a grid, for commissioners."""

from __future__ import annotations

import click

import powerplan
from powerplan.limits import (DEFAULT_BASE_RATES, DEFAULT_COHORTS, DEFAULT_EFFECTS,
                              DEFAULT_FREQUENCY_EFFECTS, DEFAULT_RETENTIONS, DEFAULT_TIME_EFFECTS)

from .. import figures
from ..options import build_scenario, scenario_options, target_power_option
from ..output import to_json
from ..params import BASE_RATES, COHORTS, EFFECTS, MEASURE_EFFECTS, RETENTIONS

FORMATS = ("text", "csv", "markdown", "json")


@click.command("table", short_help="Requirement tables for commissioners.  "
                                 "e.g. powerplan table --format markdown")
@scenario_options(without=("cohort", "retention", "stages", "base_rate", "effect"))
@click.option("--mde", is_flag=True,
              help="Tabulate minimum detectable reductions (increases with --alternative "
                   "greater) over cohorts instead of minimum cohorts over effects.")
@click.option("--base-rates", type=BASE_RATES,
              default=",".join(str(v) for v in DEFAULT_BASE_RATES), show_default=True,
              help="Comparison reoffending rates: 0.15,0.25 or 15%,25% or 0.15:0.55:0.1.")
@click.option("--effects",
              help=f"Effects to plan for, on the measure's scale: -0.02,-0.05 or -2pp,-5pp "
                   f"(the rate); -0.1,-0.2 offences per person (the frequency); 10,20 or "
                   f"10d,20d (the time). [default: "
                   f"{','.join(f'{100 * v:g}pp' for v in DEFAULT_EFFECTS)}; with --measure "
                   f"frequency {','.join(f'{v:g}' for v in DEFAULT_FREQUENCY_EFFECTS)}; "
                   f"time {','.join(f'{v:g}d' for v in DEFAULT_TIME_EFFECTS)}]")
@click.option("--retentions", type=RETENTIONS,
              default=",".join(str(v) for v in DEFAULT_RETENTIONS), show_default=True,
              help="Overall shares of people analysed: 0.2,0.4 or 20%,40% or 0.2:0.8:0.2.")
@click.option("--cohorts", type=COHORTS,
              default=",".join(str(v) for v in DEFAULT_COHORTS), show_default=True,
              help="People submitted, for --mde: 100,250,500.")
@target_power_option
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text",
              show_default=True, help="Output as aligned text, CSV, Markdown or JSON.")
@figures.plot_option("Draw the table as heatmaps, one per retention, on one colour scale.")
def table_command(mde, base_rates, effects, retentions, cohorts, target_power, output_format,
                  plot_path, **options):
    """A grid of minimum cohort sizes over base rates x effects x retention
    (or, with --mde, minimum detectable reductions over base rates x cohorts
    x retention; increases with --alternative greater). Cells without an
    answer are marked, never dropped.

    \b
    Example:
      powerplan table --base-rates 0.25,0.35 --effects -3pp,-5pp --format markdown
      powerplan table --mde --cohorts 100,500,1000
      powerplan table --retentions 0.4 --plot requirements.png
    """
    scenario = build_scenario(uses_effect=False, **options)  # each cell sets the effect
    effects = _effects(effects, scenario.outcome.name)
    table = powerplan.requirements_table(
        scenario, quantity="effect" if mde else "cohort", base_rates=base_rates,
        effects=effects, retentions=retentions, cohorts=cohorts, target_power=target_power)
    if plot_path is not None:
        figures.save(figures.table_figure(table), plot_path)
    if output_format == "json":
        click.echo(to_json(table.to_dict()))
    elif output_format == "csv":
        click.echo(table.to_frame().to_csv(index=False), nl=False)
    elif output_format == "markdown":
        click.echo(table.to_markdown())
    else:
        click.echo(table.to_text())


#: A table's effects when none are given, by measure.
DEFAULTS = {"rate": DEFAULT_EFFECTS, "frequency": DEFAULT_FREQUENCY_EFFECTS,
            "time": DEFAULT_TIME_EFFECTS}


def _effects(text: str | None, measure: str) -> tuple:
    """The --effects list on the measure's scale (read once the measure is known)."""
    if text is None:
        return DEFAULTS[measure]
    ctx = click.get_current_context()
    param = next(p for p in ctx.command.params if p.name == "effects")
    kind = EFFECTS if measure == "rate" else MEASURE_EFFECTS[measure]
    return kind.convert(text, param, ctx)


def register(group: click.Group) -> None:
    group.add_command(table_command)
