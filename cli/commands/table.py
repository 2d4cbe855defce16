"""``powerplan table``: minimum cohorts or MDEs over a grid, for commissioners."""

from __future__ import annotations

import click

import powerplan
from powerplan import Effect, limits
from powerplan.errors import InvalidInputError
from powerplan.limits import (DEFAULT_BASE_RATES, DEFAULT_COHORTS, DEFAULT_EFFECTS,
                              DEFAULT_RETENTIONS, MAX_COHORT)

from .. import figures
from ..options import build_scenario, parse_number, scenario_options, target_power_option
from ..output import to_json


class ListType(click.ParamType):
    """Comma-separated values, or START:STOP:STEP, each checked by a validator."""

    def __init__(self, name, field, parse, check):
        self.name = name
        self.field = field
        self.parse = parse
        self.check = check

    def convert(self, value, param, ctx):
        if not isinstance(value, str):
            return value
        try:
            items = self._items(value, param, ctx)
            values = tuple(self.check(self.field, item) for item in items)
        except InvalidInputError as error:
            self.fail(f"each value {error.requirement}", param, ctx)
        except (ValueError, TypeError, ZeroDivisionError, OverflowError):
            self.fail(f"must be comma-separated values or START:STOP:STEP; got {value!r}",
                      param, ctx)
        try:
            limits.check_distinct(self.field, values)
        except InvalidInputError as error:
            self.fail(error.requirement, param, ctx)
        return values

    def _items(self, value, param, ctx):
        if value.count(":") != 2:
            items = [self.parse(part) for part in value.split(",")]
            self._check_count(len(items), param, ctx)
            return items
        start, stop, step = (self.parse(part) for part in value.split(":"))
        if not isinstance(step, float | int) or step == 0 or (stop - start) / step < 0:
            raise ValueError
        count = int(round((stop - start) / step)) + 1
        self._check_count(count, param, ctx)  # before a tiny step makes millions of values
        items = [start + i * step for i in range(count)]
        return [round(item, 10) if isinstance(item, float) else item for item in items]

    def _check_count(self, count, param, ctx):
        try:
            limits.check_count(self.field, count)
        except InvalidInputError as error:
            self.fail(error.requirement, param, ctx)


def _strictly(**kinds):
    """:func:`parse_number` raising ValueError for text that is not a number: the list's
    form, not one value, is wrong."""
    def parse(text):
        number = parse_number(text, **kinds)
        if isinstance(number, str):
            raise ValueError(text)
        return number
    return parse


_RATE = _strictly(percent_ok=True)


def _difference(text):
    try:
        effect = Effect.parse(text)
    except InvalidInputError:
        effect = None
    if effect is None or effect.scale not in ("difference", "points"):
        raise InvalidInputError("effects", f"must be a difference (-0.05) or points (-5pp); "
                                           f"got {text!r}")
    return effect.value / 100 if effect.scale == "points" else effect.value


FORMATS = ("text", "csv", "markdown", "json")


@click.command("table", short_help="Requirement tables for commissioners.  "
                                 "e.g. powerplan table --format markdown")
@scenario_options(without=("cohort", "retention", "stages", "base_rate", "effect"))
@click.option("--mde", is_flag=True,
              help="Tabulate minimum detectable reductions (increases with --alternative "
                   "greater) over cohorts instead of minimum cohorts over effects.")
@click.option("--base-rates", type=ListType("list", "base rates", _RATE, limits.proportion),
              default=",".join(str(v) for v in DEFAULT_BASE_RATES), show_default=True,
              help="Comparison reoffending rates: 0.15,0.25 or 15%,25% or 0.15:0.55:0.1.")
@click.option("--effects", type=ListType("list", "effects", _difference, limits.real),
              default=",".join(f"{100 * v:g}pp" for v in DEFAULT_EFFECTS),
              show_default=True,
              help="Effects to plan for: -0.02,-0.05 or -2pp,-5pp.")
@click.option("--retentions", type=ListType("list", "retentions", _RATE, limits.share),
              default=",".join(str(v) for v in DEFAULT_RETENTIONS), show_default=True,
              help="Overall shares of people analysed: 0.2,0.4 or 20%,40% or 0.2:0.8:0.2.")
@click.option("--cohorts", type=ListType("list", "cohorts", _strictly(whole=True),
                                         lambda f, v: limits.integer(f, v, 1, MAX_COHORT)),
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


def register(group: click.Group) -> None:
    group.add_command(table_command)
