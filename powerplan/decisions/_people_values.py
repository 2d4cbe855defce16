"""Reading one column of an organisation's file: text, dates, genders, PNC numbers.

Each reader takes a column (a pandas Series of text, ``""`` when blank) and
returns a status code per row, ``0`` blank, ``1`` valid, ``2`` and above
invalid for the reason of that position in the field's reasons
(:data:`powerplan.decisions.people.REASONS`). Everything is vectorised, so a
chunk of 100,000 rows takes a fraction of a second; no value is ever put in
a message.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..limits import FIRST_YEAR, LAST_YEAR

BLANK, VALID = 0, 1

#: The reasons a date cannot be read, the first three of every date field's reasons.
NOT_A_DATE = "not a date"
TWO_DIGIT_YEAR = "a two-digit year (write the year in full)"
IMPOSSIBLE_DATE = "impossible date"
_NOT_A_DATE, _TWO_DIGIT_YEAR, _IMPOSSIBLE = 2, 3, 4


# Text -------------------------------------------------------------------------

def as_text(column: pd.Series) -> pd.Series:
    """A column as stripped text: blank cells ``""``, dates ``YYYY-MM-DD``."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return column.dt.strftime("%Y-%m-%d").fillna("").astype(str)
    if not _all_text(column):
        column = column.map(_cell_text, na_action="ignore")
    return column.fillna("").astype(str).str.strip()


def _all_text(column: pd.Series) -> bool:
    if isinstance(column.dtype, pd.StringDtype):
        return True
    return pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty")


def _cell_text(value) -> str:
    """One cell that is not text (a spreadsheet's date or number) as text."""
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return "" if pd.isna(value) else value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.datetime64):
        return "" if np.isnat(value) else str(value.astype("datetime64[D]"))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def present_status(text: pd.Series) -> np.ndarray:
    """Blank or valid: fields with no format to check (names, prison numbers)."""
    return np.where(text.to_numpy(dtype=object) == "", BLANK, VALID).astype(np.int64)


def name_key(text: pd.Series) -> pd.Series:
    """A name as compared for likely duplicates: letters only, case folded
    (O'Brien, OBRIEN and o brien are one name)."""
    return text.str.casefold().str.replace(r"[\W\d_]+", "", regex=True)


# Coded fields -----------------------------------------------------------------

#: Genders as written in case-management systems, case and spaces ignored.
GENDERS = frozenset({"m", "male", "man", "f", "female", "woman", "x", "other",
                     "non-binary", "nonbinary", "non binary", "indeterminate"})
#: A gender recorded as not known counts as blank.
GENDER_NOT_KNOWN = frozenset({"u", "unknown", "not known", "not stated", "n/k",
                              "prefer not to say"})
CUSTODY = frozenset({"custody", "in custody", "custodial", "prison"})
COMMUNITY = frozenset({"community", "in the community", "in community", "community sentence",
                       "community order", "probation"})


def _folded(text: pd.Series) -> pd.Series:
    return text.str.strip().str.casefold().str.replace(r"\s+", " ", regex=True)


def gender_status(text: pd.Series) -> np.ndarray:
    folded = _folded(text)
    blank = (folded == "") | folded.isin(GENDER_NOT_KNOWN)
    return np.select([blank.to_numpy(), folded.isin(GENDERS).to_numpy()],
                     [BLANK, VALID], 2).astype(np.int64)


def setting_status(text: pd.Series) -> np.ndarray:
    folded = _folded(text)
    known = (folded.isin(CUSTODY) | folded.isin(COMMUNITY)).to_numpy()
    return np.select([(folded == "").to_numpy(), known], [BLANK, VALID], 2).astype(np.int64)


#: The police national computer's check letters, indexed by (year and serial) mod 23.
PNC_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"
# YYYY/NNNNNNNL or YY/NNNNNNNL with the serial possibly unpadded, or YYYYNNNNNNNL.
_PNC = (r"^(?:(?:\d{2})?(?P<y>\d{2})/(?P<n>\d{1,7})|\d{2}(?P<y2>\d{2})(?P<n2>\d{7}))"
        r"(?P<letter>[A-Z])$")


def pnc_status(text: pd.Series) -> np.ndarray:
    """Valid PNC numbers: a year, a serial of up to 7 digits and the check letter of
    the two-digit year and 7-digit serial taken together, modulo 23."""
    cleaned = text.str.upper().str.replace(r"\s+", "", regex=True)
    status = np.where(cleaned.to_numpy(dtype=object) == "", BLANK, 2).astype(np.int64)
    parts = cleaned.str.extract(_PNC)
    year = parts["y"].fillna(parts["y2"])
    serial = parts["n"].fillna(parts["n2"])
    shaped = year.notna().to_numpy()
    if shaped.any():
        number = (year[shaped].astype(np.int64).to_numpy() * 10_000_000
                  + serial[shaped].astype(np.int64).to_numpy())
        expected = np.array(list(PNC_LETTERS))[number % 23]
        right = expected == parts["letter"][shaped].to_numpy(dtype=object)
        status[np.flatnonzero(shaped)] = np.where(right, VALID, 3)
    return status


# Dates ------------------------------------------------------------------------

@dataclass(frozen=True)
class DatesRead:
    """A date column read: a status per row, the dates (NaT unless valid), and how
    many impossible dates would be valid read in the other day-month order."""

    status: np.ndarray
    dates: np.ndarray
    other_order: int


_MONTHS = {name: number for number, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
     ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
     ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], start=1) for name in names}
_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_YEAR_FIRST = rf"^(?P<y>\d{{4}})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}}){_TIME}$"
_NUMBERS = rf"^(?P<a>\d{{1,2}})[-/.](?P<b>\d{{1,2}})[-/.](?P<y>\d{{4}}){_TIME}$"
_DAY_NAMED = r"^(?P<d>\d{1,2})(?:st|nd|rd|th)?[ -](?P<mon>[A-Za-z]{3,9})\.?,?[ -](?P<y>\d{4})$"
_NAMED_DAY = r"^(?P<mon>[A-Za-z]{3,9})\.? (?P<d>\d{1,2})(?:st|nd|rd|th)?,? (?P<y>\d{4})$"
_SHORT_YEAR = (r"^(?:\d{1,2}[-/.]\d{1,2}[-/.]\d{2}|\d{1,2}[ -][A-Za-z]{3,9}\.?[ -]\d{2})"
               rf"{_TIME}$")


def read_dates(text: pd.Series, *, dayfirst: bool) -> DatesRead:
    """Read a column of dates written as people write them.

    ISO dates (2024-03-31, with or without a time), numbers with the year last
    (31/03/2024, 31-03-2024, 31.03.2024: day first if ``dayfirst``, else month
    first) and month names (31 March 2024, 31-Mar-2024, March 31, 2024).
    Two-digit years are refused, as 01/02/03 could be any of six dates.
    """
    n = len(text)
    raw = text.to_numpy(dtype=object)
    status = np.where(raw == "", BLANK, _NOT_A_DATE).astype(np.int64)
    dates = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    todo = np.flatnonzero(status != BLANK)
    # The usual forms first, parsed by pandas in C (the first value's form first, as
    # a column is mostly in one form); the rest by pattern.
    forms = ["%Y-%m-%d", "%d/%m/%Y" if dayfirst else "%m/%d/%Y"]
    if len(todo) and not str(raw[todo[0]])[:4].isdigit():
        forms.reverse()
    for form in forms:
        if not len(todo):
            break
        parsed = pd.to_datetime(pd.Series(raw[todo]), format=form, errors="coerce")
        ok = parsed.notna().to_numpy()
        days = parsed[ok].to_numpy().astype("datetime64[D]")
        years = days.astype("datetime64[Y]").astype(np.int64) + 1970
        inside = (years >= FIRST_YEAR) & (years <= LAST_YEAR)
        where = todo[ok]
        dates[where[inside]] = days[inside]
        status[where[inside]] = VALID
        status[where[~inside]] = _IMPOSSIBLE
        todo = todo[~ok]
    other_order = 0
    if len(todo):
        other_order = _read_by_pattern(pd.Series(raw[todo]).astype(str), todo, status, dates,
                                       dayfirst)
    return DatesRead(status, dates, other_order)


def _read_by_pattern(text: pd.Series, where: np.ndarray, status: np.ndarray,
                     dates: np.ndarray, dayfirst: bool) -> int:
    """Dates of the less usual forms into ``status`` and ``dates`` at ``where``; returns
    how many impossible dates would be valid in the other day-month order."""
    year = np.full(len(text), -1, dtype=np.int64)
    month = year.copy()
    day = year.copy()
    swapped_valid = np.zeros(len(text), dtype=bool)

    found = text.str.extract(_YEAR_FIRST)
    hit = found["y"].notna().to_numpy()
    year[hit], month[hit], day[hit] = (found[k][hit].astype(np.int64) for k in "ymd")

    found = text.str.extract(_NUMBERS)
    hit = found["y"].notna().to_numpy() & (year < 0)
    if hit.any():
        a, b = (found[k][hit].astype(np.int64).to_numpy() for k in "ab")
        first_day, first_month = (a, b) if dayfirst else (b, a)
        year[hit] = found["y"][hit].astype(np.int64)
        month[hit], day[hit] = first_month, first_day
        # impossible in this order (month above 12) but a date in the other
        swapped_valid[hit] = (first_month > 12) & (first_day <= 12) & (first_month <= 31)

    for pattern in (_DAY_NAMED, _NAMED_DAY):
        found = text.str.extract(pattern)
        hit = found["y"].notna().to_numpy() & (year < 0)
        if hit.any():
            number = found["mon"][hit].str.casefold().map(_MONTHS)
            named = number.notna().to_numpy()
            rows = np.flatnonzero(hit)[named]
            year[rows] = found["y"].to_numpy()[rows].astype(np.int64)
            month[rows] = number[named].astype(np.int64).to_numpy()
            day[rows] = found["d"].to_numpy()[rows].astype(np.int64)

    shaped = year >= 0
    short = text.str.match(_SHORT_YEAR).to_numpy(dtype=bool) & ~shaped
    status[where[short]] = _TWO_DIGIT_YEAR
    status[where[shaped]] = _IMPOSSIBLE
    possible = shaped & (year >= FIRST_YEAR) & (year <= LAST_YEAR) & (month >= 1) & \
        (month <= 12) & (day >= 1) & (day <= 31)
    if possible.any():
        built = pd.to_datetime(pd.DataFrame({"year": year[possible], "month": month[possible],
                                             "day": day[possible]}), errors="coerce")
        ok = built.notna().to_numpy()
        rows = where[np.flatnonzero(possible)[ok]]
        dates[rows] = built[ok].to_numpy().astype("datetime64[D]")
        status[rows] = VALID
    impossible = status[where] == _IMPOSSIBLE
    return int((impossible & swapped_valid).sum())


def age(born: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Whole years from ``born`` to ``on`` (NaN where either is missing)."""
    out = np.full(len(born), np.nan)
    ok = ~np.isnat(born) & ~np.isnat(on)
    if ok.any():
        b, a = pd.DatetimeIndex(born[ok]), pd.DatetimeIndex(on[ok])
        before_birthday = (a.month < b.month) | ((a.month == b.month) & (a.day < b.day))
        out[ok] = (a.year - b.year - before_birthday.astype(int)).to_numpy()
    return out
