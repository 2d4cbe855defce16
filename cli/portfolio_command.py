"""``powerplan portfolio``: expected significant results across several services."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

import powerplan
from powerplan.errors import InvalidInputError

from .options import build_scenario, json_option, prior_option, scenario_options
from .output import emit

COLUMNS = {"name", "cohort", "base_rate", "retention", "effect", "comparison_ratio"}


def read_services(path: Path, defaults: powerplan.Scenario) -> dict[str, powerplan.Scenario]:
    """Scenarios from a CSV with a ``cohort`` column and optional ``name``,
    ``base_rate``, ``retention``, ``effect``, ``comparison_ratio``."""
    def fail(message):
        raise click.BadParameter(f"{path}: {message}", param_hint="'--services'")

    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        fail(f"not a readable CSV ({str(error).splitlines()[0]})")
    unknown = set(frame.columns) - COLUMNS
    if unknown:
        fail(f"unknown column(s) {', '.join(sorted(unknown))}; allowed: "
             f"{', '.join(sorted(COLUMNS))}")
    if "cohort" not in frame.columns or frame.empty:
        fail("needs a 'cohort' column and at least one row")
    services = {}
    for number, row in enumerate(frame.to_dict("records"), start=2):
        name = str(row.pop("name", f"row {number}"))
        settings = {k: v for k, v in row.items() if not pd.isna(v)}
        if "retention" in settings:
            settings["funnel"] = settings.pop("retention")
        try:
            if "cohort" in settings and float(settings["cohort"]).is_integer():
                settings["cohort"] = int(settings["cohort"])
            services[name] = defaults.replace(**settings)
        except InvalidInputError as error:
            fail(f"line {number} ({name}): {error}")
    return services


@click.command("portfolio", short_help="Significant results across services.  "
                                     "e.g. powerplan portfolio --services services.csv")
@click.option("--services", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV with one service per row: cohort, and optionally name, base_rate, "
                   "retention, effect, comparison_ratio (others from the options).")
@scenario_options(without=("cohort",))
@prior_option
@json_option
def portfolio_command(services, prior, as_json, **options):
    """The expected number of significant reductions across several services
    evaluated separately, and its exact distribution (Poisson-binomial; with
    --prior each service's effect is drawn independently from it).

    \b
    Example:
      powerplan portfolio --services services.csv --prior published
    """
    defaults = build_scenario(**options)
    result = powerplan.portfolio(read_services(services, defaults), prior=prior)
    emit(as_json, result.to_dict(), f"{result.summary()}\n\n{result}")


def register(group: click.Group) -> None:
    group.add_command(portfolio_command)
