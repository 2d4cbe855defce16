"""``powerplan check``: start from the organisation's own file of people."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

import powerplan
from powerplan import limits
from powerplan.limits import (DEFAULT_CHECK_HORIZON, MAX_HORIZON_MONTHS, MAX_LAG_MONTHS,
                              MAX_PER_MONTH)

from .. import figures
from ..options import build_scenario, json_option, scenario_options, target_power_option
from ..output import emit
from ..params import SHARE, Checked, OutputFile, PeoplePath, WindowType, month, whole_number
from ..people_file import file_options, named, open_people, reading

DEFAULTS = powerplan.CheckSettings()


def _chance(name: str) -> Checked:
    return Checked("share", name, lambda field, value: limits.between(field, value, 0.0, 1.0),
                   percent_ok=True)


def settings_options(command):
    """The chances of being found and matched that turn the file into a funnel."""
    found = [
        ("pnc_number", "a valid PNC number"),
        ("prison_number", "a prison number and no PNC number"),
        ("name_and_date_of_birth", "a forename, surname and date of birth only"),
        ("nothing", "not even a name and date of birth"),
    ]
    options = [click.option(
        f"--found-with-{name.replace('_', '-')}", f"found_with_{name}",
        type=_chance(f"found_with_{name}"),
        help=f"Chance that a person with {words} is found in the national records, in "
             f"[0, 1]. [default: {DEFAULTS.found(name):g}]") for name, words in found]
    options.append(click.option(
        "--matched", type=SHARE,
        help=f"Share of the people found and analysable who are matched to comparison "
             f"records, in (0, 1]. [default: {DEFAULTS.matched:g}]"))
    for option in reversed(options):
        command = option(command)
    return command


@click.command("check", short_help="Check your file of people, and what it could show.  "
                                 "e.g. powerplan check people.csv")
@click.argument("path", metavar="FILE", type=PeoplePath())
@file_options
@click.option("--intake-per-month", "per_month",
              type=whole_number("per_month", 1, MAX_PER_MONTH),
              help="People a month still to come, added to those in the file (whole "
                   "number >= 1), from the month after its last index date or --start.")
@click.option("--start", type=month("start"),
              help="Month of the first index dates of --intake-per-month (YYYY-MM).")
@click.option("--end", type=month("end"),
              help="Month of the last index dates of --intake-per-month (YYYY-MM). "
                   "[default: the intake continues]")
@click.option("--lag-months", type=whole_number("lag_months", 0, MAX_LAG_MONTHS),
              help="Months between the end of the data loaded and the submission month. "
                   f"[default: {limits.DEFAULT_LAG_MONTHS}]")
@click.option("--window", "windows", type=WindowType(), multiple=True,
              help="A data window as RELEASE:END, repeatable; instead of --lag-months.")
@click.option("--horizon-months", type=whole_number("horizon_months", 1, MAX_HORIZON_MONTHS),
              default=DEFAULT_CHECK_HORIZON, show_default=True,
              help="Months ahead to consider submitting.")
@settings_options
@scenario_options(without=("cohort", "retention", "stages"))
@target_power_option
@click.option("--csv", "csv_path", type=OutputFile(),
              help="Write the count of each field (present, blank, invalid) as CSV.")
@json_option
def check_command(path, named_columns, ignored_columns, sheet, dayfirst, today, per_month,
                  start, end, lag_months, windows, horizon_months, found_with_pnc_number,
                  found_with_prison_number, found_with_name_and_date_of_birth,
                  found_with_nothing, matched, target_power, csv_path, as_json, **options):
    """Read your file of people (CSV or Excel .xlsx; - for standard input, held in
    memory only) and report, for the whole
    file and never person by person: each field present, blank or invalid
    (and why), likely duplicates, whether it meets the data service's
    minimum of 60 people and its required fields, the funnel it gives (found
    in the records by identifiers, inside the data window, matched), and the
    chance of each verdict now and at the best later month.

    Nothing from the file is printed or written but counts, shares, row
    numbers and column names. A readable file is answered with exit 0, even
    one that fails the minimum; a file that cannot be read is exit 2.

    \b
    Example:
      powerplan check people.csv
      powerplan check people.xlsx --sheet Referrals --column index_date="Release Date"
      powerplan check people.csv --intake-per-month 12 --base-rate 0.26 --effect -7pp
    """
    if lag_months is not None and windows:
        raise click.UsageError("give either --lag-months or --window, not both")
    if per_month is None and (start is not None or end is not None):
        raise click.UsageError("--start and --end go with --intake-per-month")
    people = open_people(path, "FILE", needs=("index_date",), named=named(named_columns),
                         ignored=ignored_columns, sheet=sheet)
    given = {"found_with_pnc_number": found_with_pnc_number,
             "found_with_prison_number": found_with_prison_number,
             "found_with_name_and_date_of_birth": found_with_name_and_date_of_birth,
             "found_with_nothing": found_with_nothing, "matched": matched}
    settings = powerplan.CheckSettings(**{k: v for k, v in given.items() if v is not None})
    scenario = build_scenario(**options)
    with reading(people):
        result = powerplan.check_people(
            people.chunks(), today=today or dt.date.today(), dayfirst=dayfirst,
            settings=settings, scenario=scenario, per_month=per_month, start=start, end=end,
            horizon_months=horizon_months, lag_months=lag_months, windows=windows or None,
            target_power=target_power, column_names=people.columns)
    if csv_path is not None:
        figures.write_csv(result.to_frame(), csv_path)
    settings_ = {k: v for k, v in scenario.to_dict().items() if k not in ("cohort", "funnel",
                                                                          "retention")}
    emit(as_json, result.to_dict() | {"file": str(path), "scenario": settings_}, str(result))


def register(group: click.Group) -> None:
    group.add_command(check_command)
