"""``powerplan wait``: submit now, or wait until more people are analysable?"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

import powerplan
from powerplan.limits import (DEFAULT_LAG_MONTHS, MAX_HORIZON_MONTHS, MAX_LAG_MONTHS,
                              MAX_PER_MONTH, MEASURE_CHOICES)

from .. import figures
from ..options import (_read_config, build_headline, build_scenario, headline_options,
                       json_option, refuse_headline_effects, scenario_options,
                       target_power_option)
from ..output import emit
from ..params import SHARE, PeoplePath, WindowType, month, whole_number
from ..people_file import file_options, named, open_people, reading


def read_index_dates(path: Path, *, named_columns, ignored_columns, sheet, dayfirst,
                     today) -> powerplan.PeopleCounts:
    """The index dates of a file of people, counted: its index date column, or its only
    column (with a header of any name, or none).

    Blank, invalid, future and implausibly old dates are counted and left out;
    a file without one usable date is bad input.
    """
    # every field's column is read (not only the index date's), so that a row with a
    # name and no index date is counted as a blank index date, not as a blank row
    people = open_people(path, "--index-dates", needs=("index_date",),
                         named=named(named_columns), ignored=ignored_columns, sheet=sheet,
                         other_columns="ignore", single_column="index_date")
    with reading(people):
        counts = powerplan.count_people(people.chunks(), today=today, dayfirst=dayfirst,
                                        column_names=people.columns)
    if counts.intake is None:
        why = "; ".join(f"{reason} {n:,}" for reason, n in counts.index_dates_left_out)
        raise click.BadParameter(f"{path}: has no usable index date ({why})",
                                 param_hint="'--index-dates'")
    return counts


def dates_read(path: Path, counts: powerplan.PeopleCounts) -> str:
    """What was read from the file of index dates, in one sentence."""
    used = counts.n_planned
    source = "standard input" if str(path) == "-" else path
    text = (f"Index dates from {source}: {counts.rows:,} row{'s' if counts.rows != 1 else ''} "
            f"read, {used:,} used")
    if counts.blank_rows:
        text += f" ({counts.blank_rows:,} blank row{'s' if counts.blank_rows != 1 else ''} " \
                f"skipped)"
    if counts.index_dates_left_out:
        text += "; left out: " + "; ".join(f"{reason} {n:,}"
                                           for reason, n in counts.index_dates_left_out)
    return text + "." + "".join(f" Note: {note}" for note in counts.notes())


def _intake(per_month, start, end, counts) -> powerplan.Intake:
    """The intake from the options: a monthly count, the file's people, or both."""
    if counts is not None:
        if per_month is None:
            if start is not None or end is not None:
                raise click.UsageError("--start and --end go with --intake-per-month")
            return counts.intake
        return counts.intake.then_monthly(per_month, start, end)
    if per_month is None:
        raise click.UsageError("give the intake: --intake-per-month N with --start YYYY-MM, "
                               "or --index-dates FILE (and --intake-per-month for the people "
                               "still to come)")
    if start is None:
        raise click.UsageError("--intake-per-month needs --start YYYY-MM, the month of the "
                               "first index dates")
    return powerplan.Intake.monthly(per_month, start, end)


#: wait's options for the intake and the data window, in the order --help shows them.
_DATES_OPTIONS = [
    click.option("--intake-per-month", "per_month",
                 type=whole_number("per_month", 1, MAX_PER_MONTH),
                 help="People a month with index dates from --start (whole number >= 1); with "
                      "--index-dates, the people still to come, from the month after the file's "
                      "last index date unless --start says otherwise."),
    click.option("--start", type=month("start"),
                 help="Month of the first index dates of --intake-per-month (YYYY-MM, or a "
                      "date in it)."),
    click.option("--end", type=month("end"),
                 help="Month of the last index dates of --intake-per-month (YYYY-MM, or a "
                      "date in it). [default: the intake continues]"),
    click.option("--index-dates", type=PeoplePath(), metavar="FILE",
                 help="Your file of people (CSV or Excel .xlsx, as powerplan check reads it; - "
                      "for standard input), one person a row: its index date column (or its "
                      "only column) is read; "
                      "blank, invalid, future and implausibly old dates are counted and left "
                      "out."),
    file_options,
    click.option("--lag-months", type=whole_number("lag_months", 0, MAX_LAG_MONTHS),
                 help=f"Months between the end of the data loaded and the submission month. "
                      f"[default: {DEFAULT_LAG_MONTHS}]"),
    click.option("--window", "windows", type=WindowType(), multiple=True,
                 help="A data window as RELEASE:END, repeatable: from date RELEASE the data "
                      "analyse index dates up to END; instead of --lag-months."),
    click.option("--horizon-months", type=whole_number("horizon_months", 1, MAX_HORIZON_MONTHS),
                 default=36, show_default=True, help="Months ahead to consider submitting."),
    click.option("--now", type=month("now"),
                 help="The first month to consider (YYYY-MM, or a date in it). "
                      "[default: this month]"),
    click.option("--found-and-matched", type=SHARE,
                 help="Share of the people analysable (inside the data window) who are found in "
                      "the records and matched, in (0, 1] (0.6 or 60%); instead of --stage. "
                      f"Not the retention, which includes the data window. "
                      f"[default: {powerplan.Scenario().retention:.2f}]"),
]


def dates_options(command):
    """The options giving the organisation's people by index date and the data-window
    rule: shared by ``wait`` and ``report``."""
    for option in reversed(_DATES_OPTIONS):
        command = option(command)
    return command


def dates_inputs(command: str, *, cohort, retention, config, per_month, start, end,
                 index_dates, named_columns, ignored_columns, sheet, dayfirst, today,
                 lag_months, windows, horizon_months, now, target_power):
    """The intake, the file's counts (None without --index-dates) and the submission
    plan's rule from :func:`dates_options`' options; ``command`` names the command in
    the refusal of --cohort and --retention, which the dates replace."""
    if cohort is not None:
        raise click.BadParameter(f"is not used by {command}: the cohort of each month is "
                                 f"the people of the intake analysable then",
                                 param_hint="'--cohort'")
    if retention is not None:
        raise click.BadParameter(
            "is the share of all the people submitted who are analysed, the data window "
            f"included; {command} counts the data window from the dates, so give "
            "--found-and-matched, the share of the people analysable who are analysed",
            param_hint="'--retention'")
    if config is not None and "retention" in _read_config(config):
        raise click.BadParameter(
            f"{config}: retention is the share of all the people submitted who are analysed, "
            f"the data window included, which {command} counts from the dates; give a "
            f"[funnel] table of the stages after the data window, or --found-and-matched",
            param_hint="'--config'")
    if lag_months is not None and windows:
        raise click.UsageError("give either --lag-months or --window, not both")
    if index_dates is None and (named_columns or ignored_columns or sheet or today):
        raise click.UsageError("--column, --ignore-column, --sheet and --today go with "
                               "--index-dates FILE")
    counts = None
    if index_dates is not None:
        if per_month is None and (start is not None or end is not None):
            raise click.UsageError("--start and --end go with --intake-per-month")
        counts = read_index_dates(index_dates, named_columns=named_columns,
                                  ignored_columns=ignored_columns, sheet=sheet,
                                  dayfirst=dayfirst, today=today or dt.date.today())
    intake = _intake(per_month, start, end, counts)
    rule = dict(now=now or dt.date.today(), horizon_months=horizon_months,
                lag_months=lag_months, windows=windows or None, target_power=target_power)
    return intake, counts, rule


@click.command("wait", short_help="Submit now, or wait for more people?  "
                                "e.g. powerplan wait --intake-per-month 20 --start 2024-01")
@dates_options
@scenario_options(measures=MEASURE_CHOICES)
@headline_options
@target_power_option
@figures.plot_option("Draw the chance of a significant result by submission month, with the "
                     "recommended month marked.")
@json_option
def wait_command(as_json, target_power, plot_path, per_month, start, end, index_dates,
                 named_columns, ignored_columns, sheet, dayfirst, today, lag_months, windows,
                 horizon_months, now, found_and_matched, cohort, retention, frequency_effect,
                 time_effect, **options):
    """For each month from now to the horizon: how many of your people are
    analysable, and the chance of each verdict if you submitted then. It
    recommends the earliest month reaching the target power with at least
    60 people analysable (the data service's minimum).

    A person is analysable once 18 months of data exist after their index
    date and the data service has loaded them: --lag-months after the data
    end (default 8), or explicit --window releases. The people analysable
    are the cohort, so --cohort is not used; of them, --found-and-matched
    (or --stage, without a data-window stage) are analysed.

    With --measure all, the rate's, the frequency's and the time's chance
    of a significant improvement side by side, month by month.

    \b
    Example:
      powerplan wait --intake-per-month 20 --start 2024-01 --found-and-matched 0.6 --effect -7pp
      powerplan wait --index-dates people.xlsx --intake-per-month 12
      powerplan wait --intake-per-month 20 --start 2024-01 --plot wait.png
    """
    intake, counts, rule = dates_inputs(
        "wait", cohort=cohort, retention=retention, config=options.get("config"),
        per_month=per_month, start=start, end=end, index_dates=index_dates,
        named_columns=named_columns, ignored_columns=ignored_columns, sheet=sheet,
        dayfirst=dayfirst, today=today, lag_months=lag_months, windows=windows,
        horizon_months=horizon_months, now=now, target_power=target_power)
    if options["measure"] == "all":  # the three measures side by side
        if plot_path is not None:
            raise click.BadParameter("draws one measure; give --measure rate, frequency or "
                                     "time", param_hint="'--plot'")
        scenario, headline = build_headline(dict(options, retention=found_and_matched),
                                            frequency_effect, time_effect)
        both = powerplan.measures_plan(scenario, intake, headline, **rule)
        emit(as_json, both.to_dict(), str(both))
        return
    refuse_headline_effects(frequency_effect, time_effect)
    scenario = build_scenario(retention=found_and_matched, **options)
    plan = powerplan.submission_plan(scenario, intake, **rule)
    settings = {k: v for k, v in scenario.to_dict().items() if k != "cohort"}
    payload = plan.to_dict() | {"scenario": settings}
    text = str(plan)
    if counts is not None:
        payload["index_dates"] = {"file": str(index_dates), "rows": counts.rows,
                                  "used": counts.n_planned,
                                  "left_out": dict(counts.index_dates_left_out),
                                  "notes": counts.notes()}
        summary = plan.summary()
        text = f"{summary}\n\n{dates_read(index_dates, counts)}{text[len(summary):]}"
    emit(as_json, payload, text)
    if plot_path is not None:
        figures.draw(lambda: plan.plot(ax=figures.new_axes()), plot_path)


# The cohort comes from the intake and the data window from the dates: --cohort and
# --retention stay only to be refused with a reason.
for _name in ("cohort", "retention"):
    next(p for p in wait_command.params if p.name == _name).hidden = True
next(p for p in wait_command.params if p.name == "stages").help = (
    "A stage of the funnel after the data window, as NAME=SHARE, repeatable in order "
    "(--stage found=0.8 --stage matched=0.6); instead of --found-and-matched. The data "
    "window is counted from the dates, so no stage is for it.")


def register(group: click.Group) -> None:
    group.add_command(wait_command)
