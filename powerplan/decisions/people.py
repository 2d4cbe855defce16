"""An organisation's file of people, counted field by field and never person by person.

The file holds personal data (names, dates of birth, identifiers). It is
read here only to count and to compute dates: no value from it is kept,
returned, or put in a message. What :func:`count_people` returns holds
counts, shares, row numbers and column names only, and the index dates as
the number of people on each date, which is what the data window needs.

Each value is one of: blank, valid, or invalid for one reason (the first
that applies, in the order of :data:`REASONS`), so the reasons of a field
add up to its invalid count.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import _dates, _format, _validate
from ..errors import InvalidInputError
from ..limits import MAX_COHORT, PERSON_FIELDS, REQUIRED_PERSON_FIELDS
from . import _people_values as values
from ..solvers.solve import MIN_REQUEST
from .intake import Intake

#: The fields of a person, and those the data service requires (see powerplan.limits).
FIELDS = PERSON_FIELDS
REQUIRED = REQUIRED_PERSON_FIELDS
#: The data service's minimum request: people submitted.
MINIMUM_REQUEST = MIN_REQUEST

#: Why a value is invalid, by field, in the order they are tested.
REASONS = {
    "date_of_birth": (values.NOT_A_DATE, values.TWO_DIGIT_YEAR, values.IMPOSSIBLE_DATE,
                      "in the future", "after the intervention start",
                      "age under {youngest} at the index date",
                      "age over {oldest} at the index date"),
    "gender": ("not a gender powerplan knows (male, female, other)",),
    "pnc_number": ("not in the PNC format (such as 2011/0275516Q)",
                   "its check letter does not match its number"),
    "intervention_start": (values.NOT_A_DATE, values.TWO_DIGIT_YEAR, values.IMPOSSIBLE_DATE,
                           "in the future"),
    "intervention_end": (values.NOT_A_DATE, values.TWO_DIGIT_YEAR, values.IMPOSSIBLE_DATE,
                         "before the intervention start"),
    "custody_or_community": ("neither custody nor community",),
    "index_date": (values.NOT_A_DATE, values.TWO_DIGIT_YEAR, values.IMPOSSIBLE_DATE,
                   "in the future", "before {earliest} (implausibly old)"),
}

#: How a person can be looked up in the national records, most reliable first.
IDENTIFIED_BY = ("pnc_number", "prison_number", "name_and_date_of_birth", "nothing")
IDENTIFIED_IN_WORDS = {
    "pnc_number": "with a PNC number",
    "prison_number": "with a prison number and no PNC number",
    "name_and_date_of_birth": "with a name and date of birth only",
    "nothing": "with neither (no name and date of birth)",
}
#: Row numbers kept for each reason, to help find the rows (never their values).
EXAMPLE_ROWS = 5

_BLANK, _VALID = 0, 1  # status codes; an invalid value has 2 + its reason's position


@dataclass(frozen=True)
class FieldCount:
    """One field of the file, counted.

    Attributes
    ----------
    field : str
        The field (``"date_of_birth"``).
    column : str or None
        The file's column holding it; None when the file has none.
    present, blank, invalid : int
        Rows with a value, without one, and with a value that is invalid
        (counted in ``present`` too).
    reasons : tuple of (str, int, tuple of int)
        Each reason found: its words, how many rows, and the first row numbers.
    """

    field: str
    column: str | None
    present: int
    blank: int
    invalid: int
    reasons: tuple[tuple[str, int, tuple[int, ...]], ...]

    @property
    def in_file(self) -> bool:
        return self.column is not None

    @property
    def valid(self) -> int:
        return self.present - self.invalid

    def to_dict(self) -> dict:
        return {"field": self.field, "column": self.column, "in_file": self.in_file,
                "present": self.present, "blank": self.blank, "invalid": self.invalid,
                "valid": self.valid,
                "reasons": [{"reason": reason, "rows": count, "first_rows": list(first)}
                            for reason, count, first in self.reasons]}


@dataclass(frozen=True)
class PeopleCounts:
    """The answer of :func:`count_people`: the file counted, never a person's data.

    Attributes
    ----------
    rows : int
        Rows read that hold anything (people listed).
    blank_rows : int
        Rows with nothing in any column, skipped.
    fields : tuple of FieldCount
        One per field of :data:`FIELDS`, in that order.
    duplicates : int
        Rows repeating an earlier row's forename, surname and date of birth
        (likely the same person listed twice).
    identified_by : tuple of (str, int)
        People with a usable index date (first listings only), by how they
        can be looked up: see :data:`IDENTIFIED_BY`.
    index_dates_left_out : tuple of (str, int)
        People left out of the intake, by why: a blank or invalid index date
        (by reason), or a repeated listing.
    intake : Intake or None
        The people with a usable index date (first listings only), as the
        number of people on each date; None when there are none.
    today : datetime.date
        The date of the count: later dates are in the future.
    dayfirst : bool
        Whether dates such as 03/04/2024 were read day first (3 April).
    other_order_would_read : int
        Impossible dates that would be valid read in the other day-month order.
    """

    rows: int
    blank_rows: int
    fields: tuple[FieldCount, ...]
    duplicates: int
    identified_by: tuple[tuple[str, int], ...]
    index_dates_left_out: tuple[tuple[str, int], ...]
    intake: Intake | None
    today: dt.date
    dayfirst: bool
    other_order_would_read: int = 0

    def field(self, name: str) -> FieldCount:
        """The count of one field."""
        return next(f for f in self.fields if f.field == name)

    @property
    def people(self) -> int:
        """People listed, each likely duplicate counted once."""
        return self.rows - self.duplicates

    @property
    def meets_minimum(self) -> bool:
        """At least the data service's minimum request of people."""
        return self.people >= MINIMUM_REQUEST

    @property
    def missing_required(self) -> tuple[str, ...]:
        """Required fields the file has no column for."""
        return tuple(name for name in REQUIRED if not self.field(name).in_file)

    @property
    def n_planned(self) -> int:
        """People with a usable index date, each listed once: the intake."""
        return 0 if self.intake is None else self.intake.n_known

    def notes(self) -> list[str]:
        """Remarks on the file in plain words."""
        notes = []
        if self.other_order_would_read:
            read, other, example = (("day first", "month first", "04/30/2024") if self.dayfirst
                                    else ("month first", "day first", "30/04/2024"))
            count = self.other_order_would_read
            dates = "1 date is" if count == 1 else f"{count:,} dates are"
            notes.append(f"{dates} impossible read {read} but valid read {other}: if the file "
                         f"writes dates {other} ({example}), read it so.")
        return notes

    def to_dict(self) -> dict:
        """The counts as plain values (JSON-ready)."""
        return {
            "rows": self.rows, "blank_rows": self.blank_rows, "duplicates": self.duplicates,
            "people": self.people, "minimum_request": MINIMUM_REQUEST,
            "meets_minimum": self.meets_minimum,
            "missing_required_fields": list(self.missing_required),
            "fields": [f.to_dict() for f in self.fields],
            "identified_by": dict(self.identified_by),
            "index_dates_left_out": dict(self.index_dates_left_out),
            "n_planned": self.n_planned,
            "today": self.today.isoformat(), "dayfirst": self.dayfirst,
            "notes": self.notes(),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per field: its column, present, blank, invalid and valid counts."""
        return pd.DataFrame([{k: v for k, v in f.to_dict().items() if k != "reasons"}
                             for f in self.fields])

    def __str__(self) -> str:
        required = ("all in the file" if not self.missing_required else
                    "not in the file: " + ", ".join(FIELDS[f] for f in self.missing_required))
        minimum = (f"{'met' if self.meets_minimum else 'not met'}: "
                   f"{_format.headcount(self.people)}, at least {MINIMUM_REQUEST} needed")
        rows = [("rows read", f"{self.rows:,}")]
        if self.blank_rows:
            rows.append(("blank rows skipped", f"{self.blank_rows:,}"))
        rows += [("likely duplicates", f"{self.duplicates:,} (same name and date of birth)"),
                 ("data service minimum", minimum),
                 ("required fields", required)]
        text = f"People in the file\n{_format.table(rows)}\n\n{self._field_table()}"
        invalid = self._reason_table()
        if invalid:
            text += f"\n\n{invalid}"
        return text + "".join(f"\nNote: {note}" for note in self.notes())

    def _field_table(self) -> str:
        """Each field's counts, with their shares of the rows read."""
        def cell(count):
            return f"{count:,} ({_format.percent(count / self.rows)})"

        header = ("field", "column", "present", "blank", "invalid")
        rows = []
        for f in self.fields:
            if not f.in_file:
                rows.append((FIELDS[f.field], "(not in the file)", "-", "-", "-"))
                continue
            rows.append((FIELDS[f.field], f.column, cell(f.present), cell(f.blank),
                         cell(f.invalid) if f.field in REASONS else "-"))
        return _format.columns(header, rows, left=(0, 1))

    def _reason_table(self) -> str:
        rows = [(f"{FIELDS[f.field]}: {reason}", f"{count:,}", _rows_text(first, count))
                for f in self.fields for reason, count, first in f.reasons]
        if not rows:
            return ""
        return _format.columns(("invalid values", "rows", "first rows"), rows, left=(0, 2))


def _rows_text(first: tuple[int, ...], count: int) -> str:
    text = ", ".join(f"{row:,}" for row in first)
    return text + (", ..." if count > len(first) else "")


# Counting ---------------------------------------------------------------------

def count_people(people, *, today, dayfirst: bool = True, earliest_index_date="2000-01-01",
                 youngest: int = 10, oldest: int = 100,
                 column_names: Mapping[str, str] | None = None) -> PeopleCounts:
    """Count an organisation's file of people, field by field.

    Parameters
    ----------
    people : pandas.DataFrame, list of dict, or an iterable of DataFrames
        One row per person, columns named by :data:`FIELDS` (any subset).
        An iterable of DataFrames is read chunk by chunk, so a large file is
        counted in bounded memory. Cells are text (blank when empty) or
        dates. Rows are numbered by the frame's index when it is named
        ``"row"`` (the command line numbers them as a spreadsheet does),
        otherwise from 1.
    today : str or datetime.date
        The date of the count (``YYYY-MM-DD``): later dates are in the future.
        Required: powerplan never reads the clock.
    dayfirst : bool
        Read 03/04/2024 as 3 April (the UK way) or, if False, as March 4.
    earliest_index_date : str or datetime.date
        Index dates before it are taken for mistakes (implausibly old).
    youngest, oldest : int
        Ages at the index date outside [youngest, oldest] are invalid dates
        of birth (10 is the age of criminal responsibility in England and Wales).
    column_names : mapping, optional
        The file's name of each field's column, for the report.

    Returns
    -------
    PeopleCounts

    Examples
    --------
    >>> counts = count_people([
    ...     {"forename": "Ann", "surname": "Bee", "date_of_birth": "01/02/1990",
    ...      "index_date": "15/03/2024", "pnc_number": "2011/0275516Q"},
    ...     {"forename": "Ann", "surname": "BEE", "date_of_birth": "1990-02-01",
    ...      "index_date": "31/02/2024", "pnc_number": "11/275516Z"}], today="2026-11-02")
    >>> counts.rows, counts.duplicates, counts.n_planned
    (2, 1, 1)
    >>> counts.field("index_date").reasons
    (('impossible date', 1, (2,)),)
    >>> counts.field("pnc_number").reasons
    (('its check letter does not match its number', 1, (2,)),)
    """
    today = _dates.date("today", today)
    earliest = _dates.date("earliest_index_date", earliest_index_date)
    if not isinstance(dayfirst, bool):
        raise InvalidInputError("dayfirst", f"must be True or False; got {dayfirst!r}")
    rules = _Rules(today=today, dayfirst=dayfirst, earliest=earliest,
                   youngest=_checked_age("youngest", youngest),
                   oldest=_checked_age("oldest", oldest))
    if rules.oldest <= rules.youngest:
        raise InvalidInputError("oldest", f"must be above youngest ({rules.youngest}); "
                                          f"got {rules.oldest}")
    tally = _Tally(rules)
    columns = None
    for chunk in _chunks(people):
        if columns is None:
            columns = tuple(chunk.columns)
        elif tuple(chunk.columns) != columns:
            raise InvalidInputError("people", "must have the same columns in every chunk")
        tally.add(chunk)
    if tally.rows == 0:
        raise InvalidInputError("people", "has only blank rows" if tally.blank_rows
                                else "has no rows")
    return tally.result(columns, dict(column_names or {}))


@dataclass(frozen=True)
class _Rules:
    today: dt.date
    dayfirst: bool
    earliest: dt.date
    youngest: int
    oldest: int

    def reasons(self, field: str) -> tuple[str, ...]:
        return tuple(reason.format(youngest=self.youngest, oldest=self.oldest,
                                   earliest=self.earliest.isoformat())
                     for reason in REASONS.get(field, ()))


def _checked_age(name: str, value) -> int:
    return _validate.integer(name, value, 0, 150)


def _chunks(people) -> Iterable[pd.DataFrame]:
    """``people`` as DataFrames: itself, its records, or its chunks."""
    if isinstance(people, pd.DataFrame):
        yield _checked_frame(people)
        return
    if isinstance(people, (str, bytes, Mapping)) or not isinstance(people, Iterable) or \
            getattr(people, "ndim", 1) == 0:
        raise InvalidInputError("people", "must be a DataFrame, a list of records (dicts) or "
                                          "an iterable of DataFrames")
    records = []
    for item in people:
        if isinstance(item, pd.DataFrame):
            if records:
                raise InvalidInputError("people", "must not mix records and DataFrames")
            yield _checked_frame(item)
        elif isinstance(item, Mapping):
            records.append(item)
        else:
            raise InvalidInputError("people", "must be a DataFrame, a list of records (dicts) "
                                              "or an iterable of DataFrames")
    if records:
        yield _checked_frame(pd.DataFrame.from_records(records))


def _checked_frame(frame: pd.DataFrame) -> pd.DataFrame:
    names = [str(c) for c in frame.columns]
    unknown = [name for name in names if name not in FIELDS]
    if unknown:
        # column names are not personal data; their values never appear in messages
        raise InvalidInputError("people", f"has columns that are not fields: "
                                          f"{', '.join(unknown)}; the fields are "
                                          f"{', '.join(FIELDS)}")
    if len(set(names)) != len(names):
        raise InvalidInputError("people", "has a field in two columns")
    return frame


class _Tally:
    """Counts gathered chunk by chunk; per row it keeps only what the intake needs."""

    def __init__(self, rules: _Rules):
        self.rules = rules
        self.rows = 0
        self.blank_rows = 0
        self.position = 0
        self.status = {name: np.zeros(2 + len(rules.reasons(name)), dtype=np.int64)
                       for name in FIELDS}
        self.first_rows = {name: [[] for _ in range(2 + len(rules.reasons(name)))]
                           for name in FIELDS}
        self.other_order = 0
        # Per row, for the intake: a keyed hash of name and date of birth (0 if
        # incomplete), the index day (-1 if unusable) and how the person is
        # identified. The key is drawn afresh for each count and then dropped.
        self.hash_key = secrets.token_hex(8)
        self.hashes: list[np.ndarray] = []
        self.days: list[np.ndarray] = []
        self.identified: list[np.ndarray] = []
        self.index_reason: list[np.ndarray] = []

    def add(self, chunk: pd.DataFrame) -> None:
        n = len(chunk)
        if chunk.index.name == "row":
            row_numbers = np.asarray(chunk.index, dtype=np.int64)
        else:
            row_numbers = np.arange(self.position + 1, self.position + n + 1)
        self.position += n
        texts = {name: values.as_text(chunk[name]) for name in chunk.columns}
        filled = np.zeros(n, dtype=bool)
        for text in texts.values():
            filled |= text.to_numpy() != ""
        self.blank_rows += int((~filled).sum())
        if not filled.any():
            return
        keep = np.flatnonzero(filled)
        texts = {name: text.iloc[keep].reset_index(drop=True) for name, text in texts.items()}
        row_numbers = row_numbers[keep]
        self.rows += len(keep)
        if self.rows > MAX_COHORT:
            raise InvalidInputError("people", f"must hold at most {MAX_COHORT:,} rows")
        statuses, dates, extra = _statuses(texts, len(keep), self.rules)
        self.other_order += extra
        for name, status in statuses.items():
            counts = np.bincount(status, minlength=len(self.status[name]))
            self.status[name] += counts
            for code in np.flatnonzero(counts[2:]) + 2:
                kept = self.first_rows[name][code]
                if len(kept) < EXAMPLE_ROWS:
                    kept.extend(row_numbers[status == code][:EXAMPLE_ROWS - len(kept)].tolist())
        self._keep_for_intake(texts, statuses, dates)

    def _keep_for_intake(self, texts, statuses, dates) -> None:
        n = len(statuses["index_date"])
        has = {name: statuses[name] == _VALID for name in statuses}
        # a date of birth that reads as a date can be searched for, even one
        # implausible for the person's age
        dob_read = ~np.isnat(dates["date_of_birth"])
        keyed = has["forename"] & has["surname"] & dob_read
        hashes = np.zeros(n, dtype=np.uint64)
        if keyed.any():
            key = (values.name_key(texts["forename"][keyed]) + "|"
                   + values.name_key(texts["surname"][keyed]) + "|"
                   + pd.Series(dates["date_of_birth"][keyed]).dt.strftime("%Y%m%d").to_numpy())
            hashed = pd.util.hash_pandas_object(pd.Series(key), index=False,
                                                hash_key=self.hash_key).to_numpy()
            hashes[keyed] = np.maximum(hashed, 1)  # 0 marks "no key"
        identified = np.full(n, IDENTIFIED_BY.index("nothing"), dtype=np.int8)
        identified[keyed] = IDENTIFIED_BY.index("name_and_date_of_birth")
        identified[has["prison_number"]] = IDENTIFIED_BY.index("prison_number")
        identified[has["pnc_number"]] = IDENTIFIED_BY.index("pnc_number")
        days = np.where(has["index_date"], dates["index_date"].astype("datetime64[D]")
                        .astype(np.int64), -1)
        self.hashes.append(hashes)
        self.days.append(days.astype(np.int32))
        self.identified.append(identified)
        self.index_reason.append(statuses["index_date"].astype(np.int8))

    def result(self, columns, column_names) -> PeopleCounts:
        fields = []
        present_columns = set(columns or ())
        for name in FIELDS:
            status = self.status[name]
            in_file = name in present_columns
            reasons = tuple((reason, int(status[2 + i]), tuple(self.first_rows[name][2 + i]))
                            for i, reason in enumerate(self.rules.reasons(name))
                            if status[2 + i])
            blank = int(status[_BLANK]) if in_file else self.rows
            fields.append(FieldCount(
                field=name, column=(column_names.get(name, name) if in_file else None),
                present=self.rows - blank, blank=blank, invalid=int(status[2:].sum()),
                reasons=reasons))
        hashes = np.concatenate(self.hashes) if self.hashes else np.zeros(0, np.uint64)
        days = np.concatenate(self.days) if self.days else np.zeros(0, np.int32)
        identified = np.concatenate(self.identified) if self.identified else np.zeros(0, np.int8)
        index_status = (np.concatenate(self.index_reason) if self.index_reason
                        else np.zeros(0, np.int8))
        repeat = _repeated(hashes)
        planned = (days >= 0) & ~repeat
        left_out = []
        index_present = "index_date" in present_columns
        blank_index = int(((index_status == _BLANK) & ~repeat).sum()) if index_present \
            else int((~repeat).sum())
        if blank_index:
            left_out.append(("index date blank" if index_present else "no index date column",
                             blank_index))
        for i, reason in enumerate(self.rules.reasons("index_date")):
            count = int(((index_status == 2 + i) & ~repeat).sum())
            if count:
                left_out.append((f"index date: {reason}", count))
        if repeat.any():
            left_out.append(("listed again (same name and date of birth)", int(repeat.sum())))
        by = np.bincount(identified[planned], minlength=len(IDENTIFIED_BY))
        intake = None
        if planned.any():
            unique, counts = np.unique(days[planned], return_counts=True)
            intake = Intake.from_counts(zip(unique.astype("datetime64[D]"), counts.tolist()))
        return PeopleCounts(
            rows=self.rows, blank_rows=self.blank_rows, fields=tuple(fields),
            duplicates=int(repeat.sum()),
            identified_by=tuple((name, int(by[i])) for i, name in enumerate(IDENTIFIED_BY)),
            index_dates_left_out=tuple(left_out), intake=intake, today=self.rules.today,
            dayfirst=self.rules.dayfirst, other_order_would_read=self.other_order)


def _repeated(hashes: np.ndarray) -> np.ndarray:
    """Rows whose key (non-zero) appeared on an earlier row."""
    repeat = np.zeros(len(hashes), dtype=bool)
    keyed = np.flatnonzero(hashes)
    if len(keyed):
        _, first = np.unique(hashes[keyed], return_index=True)
        repeat[keyed] = True
        repeat[keyed[first]] = False
    return repeat


def _statuses(texts: dict, n: int, rules: _Rules):
    """Each field's status code per row, the dates read, and the count of impossible
    dates that read in the other day-month order."""
    statuses = {}
    dates = {}
    other_order = 0
    nat = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    for name in ("date_of_birth", "intervention_start", "intervention_end", "index_date"):
        if name not in texts:
            statuses[name] = np.zeros(n, dtype=np.int64)
            dates[name] = nat
            continue
        read = values.read_dates(texts[name], dayfirst=rules.dayfirst)
        statuses[name] = read.status
        dates[name] = read.dates
        other_order += read.other_order
    today = np.datetime64(rules.today, "D")
    start, end, index = dates["intervention_start"], dates["intervention_end"], dates["index_date"]
    dob = dates["date_of_birth"]
    _mark(statuses["intervention_start"], start > today, 3)
    _mark(statuses["intervention_end"], end < start, 3)
    _mark(statuses["index_date"], index > today, 3)
    _mark(statuses["index_date"], index < np.datetime64(rules.earliest, "D"), 4)
    _mark(statuses["date_of_birth"], dob > today, 3)
    _mark(statuses["date_of_birth"], dob > start, 4)
    at = np.where(np.isnat(index), start, index)
    age = values.age(dob, at)
    _mark(statuses["date_of_birth"], age < rules.youngest, 5)
    _mark(statuses["date_of_birth"], age > rules.oldest, 6)
    for name, check in (("gender", values.gender_status),
                        ("custody_or_community", values.setting_status),
                        ("pnc_number", values.pnc_status),
                        ("forename", values.present_status),
                        ("surname", values.present_status),
                        ("prison_number", values.present_status)):
        statuses[name] = check(texts[name]) if name in texts else np.zeros(n, dtype=np.int64)
    return statuses, dates, other_order


def _mark(status: np.ndarray, problem: np.ndarray, reason: int) -> None:
    """Make valid rows with ``problem`` invalid for the field's reason number ``reason``
    (its position in :data:`REASONS`); rows already invalid keep their first reason."""
    status[(status == _VALID) & problem] = 2 + reason
