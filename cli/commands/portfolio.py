"""``powerplan portfolio``: expected significant results across several services."""

from __future__ import annotations

from pathlib import Path

import click

import powerplan
from powerplan import Effect
from powerplan.errors import InvalidInputError
from powerplan.limits import DEFAULT_SIMS, MAX_SERVICES

from .. import csvfile
from ..engine import split_engine
from ..grid import grid_options, grid_run, split_grid
from ..options import (build_scenario, given_elsewhere, json_option, prior_for,
                       prior_option, scenario_options, simulation_options)
from ..output import emit_result
from ..params import InputFile, parse_number
from .plan import engine_option

#: How each column's text is read; the scenario then checks the value.
PARSERS = {"cohort": lambda text: parse_number(text, whole=True),
           "base_rate": lambda text: parse_number(text, percent_ok=True),
           "retention": lambda text: parse_number(text, percent_ok=True),
           "effect": Effect.parse,
           "comparison_ratio": parse_number}
COLUMNS = {"name", *PARSERS}


def read_services(path: Path, defaults: powerplan.Scenario) -> dict[str, powerplan.Scenario]:
    """Scenarios from a CSV with a ``cohort`` column and optional ``name``,
    ``base_rate``, ``retention``, ``effect``, ``comparison_ratio``.

    Every row needs a cohort; a row without a name is called ``row N`` after
    its line; names must be distinct. Empty cells take the value from the
    options.
    """
    bad = csvfile.problem(path, "--services")
    header, rows = csvfile.read_rows(path, bad, "a cohort column and a row for each service")
    unknown = set(header) - COLUMNS
    if unknown:
        raise bad(f"unknown column(s) {', '.join(sorted(unknown))}; allowed: "
                  f"{', '.join(sorted(COLUMNS))}")
    twice = sorted({column for column in header if header.count(column) > 1})
    if twice:
        raise bad(f"column(s) {', '.join(twice)} given twice")
    if "cohort" not in header or len(rows) == 1:
        raise bad("needs a 'cohort' column and at least one row")
    if len(rows) - 1 > MAX_SERVICES:
        raise bad(f"has {len(rows) - 1:,} services; a portfolio takes at most {MAX_SERVICES:,}")
    services, lines, every = {}, {}, None
    for number, cells in rows[1:]:
        if len(cells) > len(header):
            raise bad(f"line {number} has {len(cells)} cells but the header has {len(header)}")
        row = {column: cell.strip() for column, cell in zip(header, cells) if cell.strip()}
        name = row.pop("name", None) or f"row {number}"
        if name in lines:
            raise bad(f"line {number}: the name {name!r} is already on line {lines[name]}; "
                      f"each service needs its own name")
        lines[name] = number
        if "cohort" not in row:
            raise bad(f"line {number} ({name}): cohort is empty; every service needs one")
        services[name] = _scenario(defaults, row, lambda message: bad(
            f"line {number} ({name}){message}"))
        every = row.keys() if every is None else every & row.keys()
    given_elsewhere(every or set())  # a setting every service gives was not assumed
    return services


def _scenario(defaults: powerplan.Scenario, row: dict, bad) -> powerplan.Scenario:
    """The defaults with a row's settings; ``bad`` makes the error naming the column."""
    settings = {}
    try:
        for column, text in row.items():
            settings[column] = PARSERS[column](text)
        return defaults.replace(**settings)
    except InvalidInputError as error:
        if error.field in row:
            raise bad(f", column {error.field}: {error.requirement}") from None
        raise bad(f": {error.field}, from the options, {error.requirement}") from None


@click.command("portfolio", short_help="Significant results across services.  "
                                     "e.g. powerplan portfolio --services services.csv")
@click.option("--services", required=True,
              type=InputFile(),
              help="CSV with one service per row: cohort (in every row), and optionally a "
                   "distinct name, base_rate, retention, effect, comparison_ratio (empty "
                   "cells and other settings from the options).")
@scenario_options(without=("cohort",))
@prior_option
@engine_option
@simulation_options
@grid_options
@json_option
def portfolio_command(services, prior, engine, as_json, **options):
    """The expected number of significant reductions across several services
    evaluated separately, and its exact distribution (Poisson-binomial; with
    --prior each service's effect is drawn independently from it).

    \b
    Example:
      powerplan portfolio --services services.csv --prior published
      powerplan portfolio --services services.csv --engine simulate --seed 1 --dask

    With --engine simulate each service is simulated (--sims studies each,
    shared among the prior's effects with --prior) with its own seed, drawn
    from --seed and the service's name, on a Dask cluster with --dask or
    --scheduler, and kept in a results store with --store.
    """
    simulation, run = split_engine(options, engine)
    grid = split_grid(options, engine)
    defaults = build_scenario(simulation=simulation, uses_effect=prior is None, **options)
    prior = prior_for(defaults, prior)  # read in the units of the measure planned
    named = read_services(services, defaults)
    if engine == "simulate" and any(scenario.comparison_ratio != defaults.comparison_ratio
                                    for scenario in named.values()):
        raise click.BadParameter("the comparison_ratio column sets the analytic engine; the "
                                 "simulator's comparison group comes from matching (--k, "
                                 "--pool)", param_hint="'--services'")
    if engine == "analytic":
        result = powerplan.portfolio(named, prior=prior)
    else:
        with grid_run(grid, run["workers"], run["quiet"]) as keywords:
            simulator = powerplan.Simulator(n_sims=run["sims"] or DEFAULT_SIMS, seed=run["seed"],
                                            workers=keywords.pop("workers"))
            result = powerplan.portfolio(named, prior=prior, engine=simulator, **keywords)
    emit_result(as_json, result)


def register(group: click.Group) -> None:
    group.add_command(portfolio_command)
