"""``powerplan wait``: submit now, or wait until more people are analysable?"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

import powerplan
from powerplan import limits
from powerplan.errors import InvalidInputError
from powerplan.limits import (DEFAULT_LAG_MONTHS, MAX_HORIZON_MONTHS, MAX_LAG_MONTHS,
                              MAX_PER_MONTH, MEASURE_CHOICES)

from .. import csvfile, figures
from ..options import (build_headline, build_scenario, headline_options, json_option,
                       refuse_headline_effects, scenario_options, target_power_option)
from ..output import emit
from ..params import WindowType, month, whole_number


def read_index_dates(path: Path) -> list[dt.date]:
    """Index dates from a CSV file: its ``index_date`` column, or its only column.

    A single-column file may have a header of any name, or none. Every
    problem is one ``BadParameter`` naming the file (and the line).
    """
    bad = csvfile.problem(path, "--index-dates")
    header, rows = csvfile.read_rows(path, bad, "a column index_date of dates YYYY-MM-DD")
    if header.count("index_date") > 1:
        raise bad("has more than one index_date column; keep the one to use")
    if "index_date" in header:
        column, data = header.index("index_date"), rows[1:]
    elif len(header) == 1:
        # no header when the first cell looks like a date (it is checked below)
        column, data = 0, rows if header[0][:1].isdigit() else rows[1:]
    else:
        raise bad(f"has no index_date column; its columns are {', '.join(header)}")
    if not data:
        raise bad("holds no index dates")
    dates = []
    for number, row in data:
        value = row[column] if column < len(row) else ""
        if not value.strip():
            raise bad(f"line {number}: index_date is empty")
        try:
            dates.append(limits.date("index_date", value))
        except InvalidInputError as error:
            raise bad(f"line {number}: index_date {error.requirement}") from None
    return dates


def _intake(per_month, start, end, index_dates) -> powerplan.Intake:
    """Exactly one intake form, from the options."""
    if per_month is not None and index_dates is not None:
        raise click.UsageError("give either --intake-per-month (with --start) or "
                               "--index-dates, not both")
    if index_dates is not None:
        if start is not None or end is not None:
            raise click.UsageError("--start and --end go with --intake-per-month, "
                                   "not --index-dates")
        return powerplan.Intake.from_dates(read_index_dates(index_dates))
    if per_month is None:
        raise click.UsageError("give the intake: --intake-per-month N with --start YYYY-MM, "
                               "or --index-dates FILE.csv")
    if start is None:
        raise click.UsageError("--intake-per-month needs --start YYYY-MM, the month of the "
                               "first index dates")
    return powerplan.Intake.monthly(per_month, start, end)


@click.command("wait", short_help="Submit now, or wait for more people?  "
                                "e.g. powerplan wait --intake-per-month 20 --start 2024-01")
@click.option("--intake-per-month", "per_month",
              type=whole_number("per_month", 1, MAX_PER_MONTH),
              help="People a month with index dates from --start (whole number >= 1).")
@click.option("--start", type=month("start"),
              help="Month of the first index dates of --intake-per-month (YYYY-MM).")
@click.option("--end", type=month("end"),
              help="Month of the last index dates of --intake-per-month (YYYY-MM). "
                   "[default: the intake continues]")
@click.option("--index-dates", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV file of index dates (YYYY-MM-DD), one person a row, in a column "
                   "index_date or the only column; instead of --intake-per-month.")
@click.option("--lag-months", type=whole_number("lag_months", 0, MAX_LAG_MONTHS),
              help=f"Months between the end of the data loaded and the submission month. "
                   f"[default: {DEFAULT_LAG_MONTHS}]")
@click.option("--window", "windows", type=WindowType(), multiple=True,
              help="A data window as RELEASE:END, repeatable: from date RELEASE the data "
                   "analyse index dates up to END; instead of --lag-months.")
@click.option("--horizon-months", type=whole_number("horizon_months", 1, MAX_HORIZON_MONTHS),
              default=36, show_default=True, help="Months ahead to consider submitting.")
@click.option("--now", type=month("now"),
              help="The first month to consider (YYYY-MM). [default: this month]")
@scenario_options(measures=MEASURE_CHOICES)
@headline_options
@target_power_option
@figures.plot_option("Draw the chance of a significant result by submission month, with the "
                     "recommended month marked.")
@json_option
def wait_command(as_json, target_power, plot_path, per_month, start, end, index_dates,
                 lag_months, windows, horizon_months, now, cohort, frequency_effect,
                 time_effect, **options):
    """For each month from now to the horizon: how many of your people are
    analysable, and the chance of each verdict if you submitted then. It
    recommends the earliest month reaching the target power with at least
    60 people analysable (the data service's minimum).

    A person is analysable once 18 months of data exist after their index
    date and the data service has loaded them: --lag-months after the data
    end (default 8), or explicit --window releases. The people analysable
    are the cohort, so --cohort is not used; the funnel (--retention or
    --stage) should not count the data window again.

    With --measure all, the rate's, the frequency's and the time's chance
    of a significant improvement side by side, month by month.

    \b
    Example:
      powerplan wait --intake-per-month 20 --start 2024-01 --retention 0.4 --effect -7pp
      powerplan wait --intake-per-month 20 --start 2024-01 --plot wait.png
    """
    if cohort is not None:
        raise click.BadParameter("is not used by wait: the cohort of each month is the people "
                                 "of the intake analysable then", param_hint="'--cohort'")
    if lag_months is not None and windows:
        raise click.UsageError("give either --lag-months or --window, not both")
    intake = _intake(per_month, start, end, index_dates)
    rule = dict(now=now or dt.date.today(), horizon_months=horizon_months,
                lag_months=lag_months, windows=windows or None, target_power=target_power)
    if options["measure"] == "all":  # the three measures side by side
        if plot_path is not None:
            raise click.BadParameter("draws one measure; give --measure rate, frequency or "
                                     "time", param_hint="'--plot'")
        scenario, headline = build_headline(options, frequency_effect, time_effect)
        both = powerplan.measures_plan(scenario, intake, headline, **rule)
        emit(as_json, both.to_dict(), str(both))
        return
    refuse_headline_effects(frequency_effect, time_effect)
    scenario = build_scenario(**options)
    plan = powerplan.submission_plan(scenario, intake, **rule)
    if plot_path is not None:
        figures.save(plan.plot(ax=figures.new_axes()), plot_path)
    settings = {k: v for k, v in scenario.to_dict().items() if k != "cohort"}
    emit(as_json, plan.to_dict() | {"scenario": settings}, str(plan))


# The cohort comes from the intake: --cohort stays only to be refused with a reason.
next(p for p in wait_command.params if p.name == "cohort").hidden = True


def register(group: click.Group) -> None:
    group.add_command(wait_command)
