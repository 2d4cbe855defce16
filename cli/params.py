"""The click parameter types: how an option's text becomes a checked value.

A value is checked by the library's own check of the setting (from
:mod:`powerplan.limits`), so an option and the library refuse it with the
same one-line message; the types add only what text needs (``35%``,
``1,000``, lists, ranges, file names).
"""

from __future__ import annotations

import errno
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import click

import powerplan
from powerplan import Effect, limits
from powerplan.errors import InvalidInputError
from powerplan.limits import FIELDS, MAX_COHORT, MAX_COMPARISON_RATIO, MIN_COMPARISON_RATIO

from . import files

# Numbers ----------------------------------------------------------------------

#: Commas only as thousands separators: 1,000 and 12,500.5, never 2,5 or 0,2.
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?%?")


def parse_number(text: str, *, whole: bool = False, percent_ok: bool = False) -> float | int | str:
    """A number typed by a user: ``0.35``, ``1,000`` (commas only between thousands),
    and where allowed ``35%``; a whole number if ``whole``.

    Text that is not such a number is returned unchanged, for a validator to
    refuse with a message naming the setting and its range.

    >>> parse_number("12,500", whole=True), parse_number("35%", percent_ok=True)
    (12500, 0.35)
    >>> parse_number("2,5"), parse_number("35%")
    ('2,5', '35%')
    """
    cleaned = text.strip()
    if "," in cleaned:
        if not _THOUSANDS.fullmatch(cleaned):
            return text
        cleaned = cleaned.replace(",", "")
    divisor = 1.0
    if percent_ok and not whole and cleaned.endswith("%"):
        cleaned, divisor = cleaned[:-1], 100.0
    try:
        return int(cleaned) if whole else float(cleaned) / divisor
    except ValueError:
        return text


class Checked(click.ParamType):
    """Text checked by one of powerplan's validators, ``check(field, value)``;
    read as a number first (see :func:`parse_number`) unless ``number`` is False."""

    def __init__(self, name: str, field: str, check, *, whole=False, percent_ok=False,
                 number=True):
        self.name = name
        self.field = field
        self.check = check
        self.whole = whole
        self.percent_ok = percent_ok
        self.number = number

    def convert(self, value, param, ctx):
        if self.number and isinstance(value, str):
            value = parse_number(value, whole=self.whole, percent_ok=self.percent_ok)
        try:
            return self.check(self.field, value)
        except InvalidInputError as error:
            self.fail(error.requirement, param, ctx)


def whole_number(field: str, minimum: int, maximum: int | None = None) -> Checked:
    """An option taking a whole number in [minimum, maximum], checked as the library does."""
    return Checked("integer", field,
                   lambda name, value: limits.integer(name, value, minimum, maximum),
                   whole=True)


class RateType(Checked):
    """A rate as a proportion (0.26) or a percentage (26%); 26 alone is ambiguous."""

    def convert(self, value, param, ctx):
        number = parse_number(value) if isinstance(value, str) else value
        if isinstance(number, float) and number >= 1:
            self.fail(f"must be a proportion in (0, 1) such as 0.26, or a percentage "
                      f"such as 26%; got {value!r}", param, ctx)
        return super().convert(value, param, ctx)


PROPORTION = Checked("proportion", "rate", limits.proportion, percent_ok=True)
SHARE = Checked("share", "share", limits.share, percent_ok=True)
COMPARISON_RATIO = Checked(
    "number", "comparison_ratio",
    lambda name, value: limits.between(name, value, MIN_COMPARISON_RATIO, MAX_COMPARISON_RATIO))
#: A published rate, which must say whether it is a proportion or a percentage.
RATE = RateType("rate", "rate", limits.proportion, percent_ok=True)


# The study's words ------------------------------------------------------------

def _effect(field: str, value):
    """The effect's text, read once the measure is known (each measure has its scale)."""
    if isinstance(value, (Effect, float, int)):
        return value
    text = str(value).strip()
    if not text:
        raise InvalidInputError(field, "must be an effect such as -5pp, rr=0.9, -0.2 or +20d; "
                                       "got ''")
    return text


EFFECT = Checked("effect", "effect", _effect, number=False)
#: --frequency-effect and --time-effect: text, read on their measure's scale.
MEASURE_EFFECT = Checked("effect", "effect", _effect, number=False)


def _rate_effect(field: str, value) -> float:
    """A change in the rate: a difference (-0.05) or points (-5pp)."""
    effect = Effect.parse(value) if isinstance(value, str) else Effect(value)
    if effect.scale not in ("difference", "points"):
        raise InvalidInputError(field, f"must be a difference (-0.05) or points (-5pp); "
                                       f"got {value!r}")
    return effect.difference(0.5)


def _days(field: str, value) -> float:
    days = limits.real(field, value)
    if not 0.0 < days < limits.FOLLOW_UP_DAYS:
        raise InvalidInputError(field, f"must be a number of days in "
                                       f"(0, {limits.FOLLOW_UP_DAYS:g}); got {days:g}")
    return days


RATE_EFFECT = Checked("effect", "rate_effect", _rate_effect, number=False)
OFFENCES_PER_REOFFENDER = Checked(
    "number", "offences_per_reoffender",
    lambda f, v: limits.between(f, v, 1.0, limits.MAX_OFFENCES_PER_REOFFENDER))
DISPERSION = Checked("number", "dispersion",
                     lambda f, v: limits.between(f, v, 0.0, limits.MAX_DISPERSION))
DAYS_TO_FIRST = Checked("days", "days_to_first", _days)


class StageType(click.ParamType):
    name = "NAME=SHARE"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        name, sep, share = value.partition("=")
        if not sep or not name.strip():
            self.fail(f"must be NAME=SHARE with a share in (0, 1], such as found=0.8; "
                      f"got {value!r}", param, ctx)
        try:
            return name.strip(), limits.share(f"stage {name.strip()!r}",
                                              parse_number(share, percent_ok=True))
        except InvalidInputError as error:
            self.fail(f"{error.field} {error.requirement}", param, ctx)


class PriorType(click.ParamType):
    """A prior as typed: checked for its form here, read in the planned measure's
    units once the measure is known (:func:`cli.options.prior_for`)."""

    name = "prior"

    def convert(self, value, param, ctx):
        if not isinstance(value, str):
            return value
        try:
            powerplan.parse_prior(value)
        except InvalidInputError as error:
            self.fail(prior_problem(error), param, ctx)
        return value.strip()


def prior_problem(error: InvalidInputError) -> str:
    """A prior's error as --prior's message: its own field named unless it is the prior."""
    named = "" if error.field == "prior" else f"{error.field} "
    return named + error.requirement


# Dates ------------------------------------------------------------------------

def _month_or_date(field: str, value):
    """The month of ``value``: ``YYYY-MM``, or a full date ``YYYY-MM-DD`` as people type
    one (its month is meant); then checked as the library checks ``field``."""
    if isinstance(value, str) and _FULL_DATE.fullmatch(value.strip()):
        try:
            value = limits.date(field, value.strip())
        except InvalidInputError:
            raise InvalidInputError(field, f"must be a month YYYY-MM or a date YYYY-MM-DD; "
                                           f"got {value!r}") from None
    return limits.month(field, value)


_FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def month(field: str) -> Checked:
    """An option taking a month ``YYYY-MM`` (or a date in it, ``YYYY-MM-DD``), checked as
    the library checks ``field``."""
    return Checked("YYYY-MM", field, _month_or_date, number=False)


def date(field: str) -> Checked:
    """An option taking a date ``YYYY-MM-DD``, checked as the library checks ``field``."""
    return Checked("YYYY-MM-DD", field, limits.date, number=False)


class ColumnType(click.ParamType):
    """``FIELD=HEADER``: the file's column (by its header) holding one of a person's fields."""

    name = "FIELD=HEADER"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        name, sep, header = value.partition("=")
        fields = ", ".join(limits.PERSON_FIELDS)
        if not sep or not header.strip():
            self.fail(f"must be FIELD=HEADER, such as index_date=\"Release Date\", with FIELD "
                      f"one of {fields}; got {value!r}", param, ctx)
        folded = re.sub(r"[\W_]+", "", name.casefold())
        field = next((f for f in limits.PERSON_FIELDS if f.replace("_", "") == folded), None)
        if field is None:
            self.fail(f"FIELD must be one of {fields}; got {name.strip()!r}", param, ctx)
        return field, header.strip()


class WindowType(click.ParamType):
    name = "RELEASE:END"

    def convert(self, value, param, ctx):
        if isinstance(value, powerplan.DataWindow):
            return value
        release, sep, end = value.partition(":")
        if not sep:
            self.fail(f"must be RELEASE:END, two dates YYYY-MM-DD such as "
                      f"2026-10-01:2024-12-31; got {value!r}", param, ctx)
        try:
            return powerplan.DataWindow(limits.date("windows", release),
                                        limits.date("windows", end))
        except InvalidInputError as error:
            self.fail(error.requirement, param, ctx)


# Lists of a table's grid ------------------------------------------------------

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


def _number_of(unit_suffixes: tuple, form: str):
    """A number, optionally followed by one of ``unit_suffixes`` (``20d``)."""
    def parse(text):
        cleaned = text.strip().lower()
        for suffix in sorted(unit_suffixes, key=len, reverse=True):
            if cleaned.endswith(suffix):
                cleaned = cleaned[:-len(suffix)]
                break
        number = parse_number(cleaned)
        if isinstance(number, str):
            raise InvalidInputError("effects", f"must be {form}; got {text!r}")
        return number
    return parse


BASE_RATES = ListType("list", "base rates", _RATE, limits.proportion)
EFFECTS = ListType("list", "effects", _difference, limits.real)
#: The other measures' --effects: offences per person, and days.
MEASURE_EFFECTS = {
    "frequency": ListType("list", "effects", _number_of((), "offences per person (-0.2)"),
                          limits.real),
    "time": ListType("list", "effects", _number_of(("d", "days", "day"), "days (10 or 10d)"),
                     limits.real),
}
RETENTIONS = ListType("list", "retentions", _RATE, limits.share)
COHORTS = ListType("list", "cohorts", _strictly(whole=True),
                   lambda f, v: limits.integer(f, v, 1, MAX_COHORT))


# A curve's range --------------------------------------------------------------

#: ``--over`` spelling of each setting a curve can vary.
OVER_FIELDS = {powerplan.SETTINGS[field].option.removeprefix("--"): field for field in FIELDS}
DEFAULT_STEPS = 40
MAX_STEPS = 1000

_FORM = (f"must be FIELD=START:STOP[:STEPS] with FIELD one of {', '.join(OVER_FIELDS)} "
         f"(such as cohort=60:2000 or effect=-0.15:-0.01:15)")

#: What a bound must look like, by setting.
_BOUNDS = {"cohort": "whole numbers of people", "effect": "effects such as -0.15 or -15pp",
           "retention": "shares such as 0.1 or 10%", "base_rate": "rates such as 0.35 or 35%",
           "comparison_ratio": "numbers", "alpha": "levels such as 0.05 or 5%"}


@dataclass(frozen=True)
class Over:
    """A parsed ``--over``: the setting, its first and last values, and how many
    (None when STEPS is not given)."""

    field: str
    start: float | Effect
    stop: float | Effect
    steps: int | None

    def values(self, scenario: powerplan.Scenario, steps: int | None = None):
        """``steps`` evenly spaced values from start to stop (whole numbers for cohort), a
        numpy array; by default the STEPS given, else ``DEFAULT_STEPS``."""
        import numpy as np

        steps = steps or self.steps or DEFAULT_STEPS
        start, stop = self.start, self.stop
        if self.field == "effect":
            start, stop = (_effect_on(scenario, bound) for bound in (start, stop))
        if not start < stop:
            raise click.BadParameter(f"START must be below STOP; got {start:g} and {stop:g}",
                                     param_hint="'--over'")
        grid = np.linspace(start, stop, steps)
        if self.field == "cohort":
            return np.unique(np.rint(grid).astype(int))
        with np.errstate(over="ignore", invalid="ignore"):  # huge values stay as they are
            rounded = grid.round(12)  # 0.30000000000000004 -> 0.3 in tables and CSV
        return np.where(np.isfinite(rounded), rounded, grid)


def _effect_on(scenario: powerplan.Scenario, text: str) -> float:
    """An effect typed as text, on the scale of the scenario's measure (a ratio such as
    rr=0.9 converted at its comparison value), as ``--over`` names it when it is wrong."""
    outcome = scenario.outcome
    try:
        effect = outcome.parse_effect(text)
        if isinstance(effect, Effect):  # a ratio, converted at the comparison value
            effect = outcome.replace(effect=effect).effect
        return float(effect)
    except InvalidInputError as error:
        raise click.BadParameter(f"{error.requirement} (in {text!r})",
                                 param_hint="'--over'") from None


class OverType(click.ParamType):
    name = "FIELD=START:STOP[:STEPS]"

    def convert(self, value, param, ctx):
        if isinstance(value, Over):
            return value
        name, sep, spec = value.partition("=")
        parts = spec.split(":")
        field = OVER_FIELDS.get(name.strip().lower().replace("_", "-"))
        if not sep or field is None or len(parts) not in (2, 3):
            self.fail(f"{_FORM}; got {value!r}", param, ctx)
        start, stop = (self._bound(field, text, value, param, ctx) for text in parts[:2])
        steps = parse_number(parts[2], whole=True) if len(parts) == 3 else None
        if steps is not None and (isinstance(steps, str) or not 2 <= steps <= MAX_STEPS):
            self.fail(f"STEPS must be a whole number in [2, {MAX_STEPS:,}]; got {value!r}",
                      param, ctx)
        return Over(field, start, stop, steps)

    def _bound(self, field, text, value, param, ctx):
        if field == "effect":  # read on the measure's scale once it is known
            if not text.strip():
                self.fail(f"START and STOP must be effects; got {value!r}", param, ctx)
            return text.strip()
        number = parse_number(text, whole=field == "cohort", percent_ok=True)
        if isinstance(number, str):
            self.fail(f"START and STOP for {field} must be {_BOUNDS[field]}; got {value!r}",
                      param, ctx)
        if not math.isfinite(number):
            self.fail(f"START and STOP must be finite numbers; got {value!r}", param, ctx)
        return number


# Files to read ----------------------------------------------------------------

class StandardInput:
    """Standard input, read as a file: ``-`` for an input file option (at most
    ``limit`` bytes are read)."""

    name = "-"
    suffix = ""

    def __init__(self, limit: int = limits.MAX_CONFIG_BYTES):
        self._data = None
        self.limit = limit

    def read_bytes(self) -> bytes:
        if self._data is None:
            self._data = sys.stdin.buffer.read(self.limit + 1)
            if len(self._data) > self.limit:
                raise OSError(errno.EFBIG, f"more than {self.limit:,} bytes (the most read)")
        return self._data

    def read_text(self, encoding: str = "utf-8") -> str:
        return self.read_bytes().decode(encoding)

    def __str__(self) -> str:
        return "standard input"


class InputFile(click.Path):
    """A small file to read (a scenario, a list of services): an existing regular file
    of at most ``limits.MAX_CONFIG_BYTES``, or ``-`` for standard input.

    A folder, a FIFO or a device (``/dev/zero``) is refused before anything
    is read: reading one could block or never end. The path is noted as an
    input, so that no output of the command can overwrite it.
    """

    def __init__(self):
        super().__init__(exists=True, dir_okay=False, path_type=Path)

    def convert(self, value, param, ctx):
        if isinstance(value, StandardInput) or value == "-":
            return value if isinstance(value, StandardInput) else StandardInput()
        path = super().convert(value, param, ctx)
        if not path.is_file():
            self.fail(f"{path} is not a regular file", param, ctx)
        size = path.stat().st_size
        if size > limits.MAX_CONFIG_BYTES:
            self.fail(f"{path} is {size:,} bytes; at most {limits.MAX_CONFIG_BYTES:,} are read",
                      param, ctx)
        files.note_input(ctx, path, _option(param))
        return path


class PeoplePath(click.Path):
    """A file of people, checked when it is opened (:mod:`cli.people_file`); noted as an
    input, so that no output of the command can overwrite it. ``-`` is standard input,
    read into memory and never written anywhere."""

    def __init__(self):
        super().__init__(path_type=Path)

    def convert(self, value, param, ctx):
        if value == "-":  # standard input: held in memory only (cli.people_file), never written
            return Path("-")
        path = super().convert(value, param, ctx)
        files.note_input(ctx, path, _option(param))
        return path


def _option(param) -> str:
    """The option's name (``--config``), or an argument's metavar (``FILE``)."""
    if param is None:
        return "an input"
    return param.opts[0] if param.opts and param.opts[0].startswith("-") else \
        (param.metavar or param.name.upper())


# Files to write ---------------------------------------------------------------

#: Image formats a figure is written in, named by the file's extension.
FIGURE_FORMATS = ("png", "svg", "pdf")


#: An output file given as ``-``: written to standard output, and the printed text goes
#: to standard error instead (so the output can be piped).
STDOUT = "-"
#: The key in click's context meta naming the option standard output was given to.
STDOUT_TAKEN = "powerplan.stdout"


class OutputFile(click.ParamType):
    """A file to write, in a folder that exists: checked before any long computation;
    ``-`` is standard output."""

    name = "FILE"

    def convert(self, value, param, ctx):
        if value == STDOUT:
            taken = ctx.meta.get(STDOUT_TAKEN) if ctx is not None else None
            name = param.opts[0] if param is not None else "an output"
            if taken not in (None, name):
                self.fail(f"standard output (-) is already {taken}'s; give a file name",
                          param, ctx)
            if ctx is not None:
                ctx.meta[STDOUT_TAKEN] = name
            return STDOUT
        problem = files.check_name(value)
        if problem is not None:
            self.fail(problem, param, ctx)
        path = Path(value)
        if path.is_dir():
            self.fail(f"cannot write {path}: it is a folder", param, ctx)
        if not path.parent.is_dir():
            self.fail(f"cannot write {path}: there is no folder {path.parent}", param, ctx)
        files.note_output(ctx, path, _option(param))
        return path


class FigureFile(OutputFile):
    """A file to write whose extension names an image format matplotlib writes."""

    def convert(self, value, param, ctx):
        if value != STDOUT and Path(value).suffix.lower().lstrip(".") not in FIGURE_FORMATS:
            self.fail(f"must be a file name ending in .png, .svg or .pdf; got {value!r}",
                      param, ctx)
        return super().convert(value, param, ctx)
