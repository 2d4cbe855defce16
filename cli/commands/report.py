"""``powerplan report``: one page a board can read, as a self-contained HTML file."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import click

import powerplan
from powerplan.limits import DEFAULT_SIMS, MEASURE_CHOICES

from ..engine import run_options, split_engine
from ..options import (_read_config, build_headline, build_scenario,
                       headline_options, refuse_headline_effects, scenario_options,
                       simulation_options, target_power_option)
from ..output import emit
from ..files import atomic_write
from ..params import STDOUT, OutputFile, date
from .plan import engine_option
from .wait import dates_inputs, dates_options, dates_read

FORMATS = ("html", "markdown")
#: The options that only go with an intake (--intake-per-month or --index-dates).
DATE_ONLY = ("start", "end", "lag_months", "windows", "now", "found_and_matched",
             "named_columns", "ignored_columns", "sheet", "today")


@click.command("report", short_help="A report a board can read, as one HTML file.  "
                                  "e.g. powerplan report --cohort 300 -o report.html")
@click.option("-o", "--output", "output", type=OutputFile(), required=True,
              help="The file to write (- for standard output). Written whole or not at all.")
@click.option("--format", "format_", type=click.Choice(FORMATS),
              help="html: one self-contained page; markdown: the same text, its figures as "
                   "SVG files beside it (NAME-funnel.svg, ...). [default: markdown for a .md "
                   "file, else html]")
@click.option("--title", help="The report's title. [default: what an evaluation of your "
                              "cohort could show]")
@click.option("--date", "report_date", type=date("date"),
              help="The report's date (YYYY-MM-DD). [default: SOURCE_DATE_EPOCH's date if set, "
                   "else today]")
@dates_options
@scenario_options(measures=MEASURE_CHOICES)
@headline_options
@target_power_option
@engine_option
@simulation_options
def report_command(output, format_, title, report_date, target_power, engine, per_month,
                   start, end, index_dates, named_columns, ignored_columns, sheet, dayfirst,
                   today, lag_months, windows, horizon_months, now, found_and_matched,
                   frequency_effect, time_effect, **options):
    """Write one page for the people who decide: the answer in plain words
    (the chance of each verdict with the people you have, how many people
    the target power needs, the smallest reduction they could detect and,
    with your dates, whether to submit now or wait), its figures, the
    assumptions and where each came from, what happens if the effect is
    smaller, and the method.

    The page works offline (no fonts, scripts or requests), prints to A4,
    and is the same, byte for byte, for the same options, seed and date.
    Nothing from a file of people appears in it but counts.

    With --intake-per-month or --index-dates (as for powerplan wait) the
    answer is for the people analysable now, and --found-and-matched (or
    --stage) is the share of them analysed; the report's date is then the
    first month considered (unless --now) and the file's today (unless
    --today).

    \b
    Examples:
      powerplan report --cohort 300 --base-rate 0.3 --effect -5pp -o report.html
      powerplan report --index-dates people.csv --intake-per-month 10 -o report.html
      powerplan report --cohort 1000 --measure all --engine simulate --seed 1 -o r.html
      powerplan report --cohort 300 -o report.md
    """
    context = click.get_current_context()
    format_ = format_ or ("markdown" if output != STDOUT and output.suffix.lower() == ".md"
                          else "html")
    if format_ == "markdown" and output == STDOUT:
        raise click.BadParameter("with --format markdown the figures are files beside the "
                                 "report; give a file name", param_hint="'--output'")
    simulation, run = split_engine(options, engine)
    report_date = report_date or _default_date()
    dated = per_month is not None or index_dates is not None
    intake = counts = rule = None
    if dated:
        # The report's date is its today: the first month considered, and the day after
        # which a date in the file is in the future, unless --now and --today say otherwise.
        intake, counts, rule = dates_inputs(
            "report", cohort=options["cohort"], retention=options["retention"],
            config=options.get("config"), per_month=per_month, start=start, end=end,
            index_dates=index_dates, named_columns=named_columns,
            ignored_columns=ignored_columns, sheet=sheet, dayfirst=dayfirst,
            today=today or (report_date if index_dates is not None else None),
            lag_months=lag_months, windows=windows, horizon_months=horizon_months,
            now=now or report_date, target_power=target_power)
        rule.pop("target_power")
        options["retention"] = found_and_matched
    else:
        values = dict(start=start, end=end, lag_months=lag_months, windows=windows, now=now,
                      found_and_matched=found_and_matched, named_columns=named_columns,
                      ignored_columns=ignored_columns, sheet=sheet, today=today)
        given = [name for name in DATE_ONLY if values[name] not in (None, ())]
        if given:
            option = next(p.opts[0] for p in context.command.params if p.name == given[0])
            raise click.UsageError(f"{option} goes with --intake-per-month or --index-dates "
                                   f"FILE")
    headline = None
    if options["measure"] == "all":
        if options.get("effect") is not None:
            raise click.BadParameter("is one measure's; with --measure all give --rate-effect, "
                                     "--frequency-effect and --time-effect",
                                     param_hint="'--effect'")
        scenario, headline = build_headline(options, frequency_effect, time_effect,
                                            simulation=simulation)
    else:
        refuse_headline_effects(frequency_effect, time_effect)
        scenario = build_scenario(simulation=simulation, **options)
    sources = _sources(context, options.get("config"), index_dates, dated)
    if dated and now is None:
        sources["now"] = "the report's date"
    # the file by its name only: the folder it is in is nobody else's business
    file_note = dates_read(Path(Path(index_dates).name), counts) if counts is not None else None
    with _engine(engine, run) as chosen:
        report = powerplan.make_report(
            scenario, date=report_date, engine=chosen,
            target_power=target_power, headline=headline, intake=intake, plan_rule=rule,
            title=title, sources=sources, file_note=file_note)
    if format_ == "html":
        _write(output, report.to_html())
    else:
        text, figures = report.to_markdown(output.stem)
        for name, svg in figures.items():
            _write(output.parent / name, svg)
        _write(output, text)
    where = "standard output" if output == STDOUT else str(output)
    emit(False, {}, f"Wrote the report to {where}. {report.answer()[0].text}")


class _engine:
    """The engine of the options: the analytic one, or a Simulator with a progress bar
    that is closed however the run ends."""

    def __init__(self, engine, run):
        self.engine, self.run, self.progress = engine, run, None

    def __enter__(self):
        if self.engine == "analytic":
            return "analytic"
        n_sims = self.run["sims"] or DEFAULT_SIMS
        self.progress = run_options(self.run, n_sims)
        keywords = self.progress.__enter__()
        return powerplan.Simulator(n_sims=n_sims, **keywords)

    def __exit__(self, *exc):
        if self.progress is not None:
            return self.progress.__exit__(*exc)
        return False


def _default_date() -> dt.date:
    """SOURCE_DATE_EPOCH's day (reproducible builds' convention), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        return dt.date.today()
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    except (ValueError, OverflowError, OSError):
        raise click.BadParameter(f"SOURCE_DATE_EPOCH must be whole seconds since 1970; got "
                                 f"{epoch!r}", param_hint="'--date'") from None


#: Report settings by the command's parameter that sets them.
_SETTING_OF = {"stages": "retention", "found_and_matched": "retention", "lag_months":
               "data_window", "windows": "data_window", "per_month": "intake", "sims": "n_sims"}


def _sources(context, config, index_dates, dated) -> dict[str, str]:
    """Where each setting came from: an option given, the config file, the organisation's
    file; the report says "default" for the rest."""
    sources = {}
    if config is not None:
        for key, value in _read_config(config).items():
            if key == "funnel":
                key = "retention"
            if not isinstance(value, dict) or key == "retention":
                sources[key] = f"config file {Path(str(config)).name}"
    for param in context.command.params:
        if context.get_parameter_source(param.name) == click.core.ParameterSource.COMMANDLINE:
            name = _SETTING_OF.get(param.name, param.name)
            sources[name] = f"option {param.opts[-1]}"
    if dated:
        source = (f"organisation's file {Path(index_dates).name}" if index_dates is not None
                  else "option --intake-per-month")
        if index_dates is not None and "intake" in sources:
            source += " and option --intake-per-month"
        sources["intake"] = sources["cohort"] = source
    return sources


def _write(path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all (:func:`cli.files.atomic_write`: a
    reader never sees half a report); ``-`` is standard output."""
    if path == STDOUT:
        click.echo(text, nl=False)
        return
    with atomic_write(Path(path), "--output") as temporary:
        temporary.write_text(text, encoding="utf-8", newline="\n")


def register(group: click.Group) -> None:
    group.add_command(report_command)
