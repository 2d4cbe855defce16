"""Calendar helpers: months, ISO dates and calendar-month arithmetic.

A month is held as the ``datetime.date`` of its first day and written
``YYYY-MM``; a date is written ``YYYY-MM-DD``. Adding months follows the
calendar and clips to the end of a shorter month, as ``pandas.DateOffset``
does: 31 January + 1 month is 28 (or, in a leap year, 29) February, and
29 February 2024 + 12 months is 28 February 2025.

The checkers raise ``InvalidInputError`` naming the field, like those in
:mod:`powerplan._validate`, so the command line reuses their messages.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from .errors import InvalidInputError
from .limits import FIRST_YEAR, LAST_YEAR

_MONTH = re.compile(r"\d{4}-\d{2}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _calendar_date(value) -> dt.date | None:
    """A ``datetime.date`` from a date-like value (not text), else None."""
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value) if not np.isnat(value) else None
    if isinstance(value, dt.datetime):  # includes pandas.Timestamp
        return None if pd.isna(value) else value.date()
    if isinstance(value, dt.date):
        return value
    return None


def _from_text(field: str, value, pattern: re.Pattern, form: str, build) -> dt.date:
    """``build(text)`` for text matching ``pattern`` that is a real date, else an
    error saying the value must be ``form``."""
    text = value.strip() if isinstance(value, str) else None
    if text is not None and pattern.fullmatch(text):
        try:
            return build(text)
        except ValueError:  # 2023-02-29, month 13
            pass
    raise InvalidInputError(field, f"must be {form}; got {value!r}")


def _in_range(field: str, value: dt.date, text: str) -> dt.date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise InvalidInputError(field, f"must be in the years {FIRST_YEAR} to {LAST_YEAR}; "
                                       f"got {text}")
    return value


def month(field: str, value) -> dt.date:
    """A calendar month, ``"YYYY-MM"`` or any date in it; returns its first day.

    >>> month("now", "2026-03"), month("now", dt.date(2024, 2, 29))
    (datetime.date(2026, 3, 1), datetime.date(2024, 2, 1))
    """
    if isinstance(value, pd.Period):
        value = value.start_time
    found = _calendar_date(value) or _from_text(
        field, value, _MONTH, "a month YYYY-MM", lambda text: dt.date.fromisoformat(text + "-01"))
    found = found.replace(day=1)
    return _in_range(field, found, month_text(found))


def date(field: str, value) -> dt.date:
    """A calendar date, ``"YYYY-MM-DD"`` or a date, datetime or numpy datetime64.

    >>> date("index_date", "2024-02-29")
    datetime.date(2024, 2, 29)
    >>> date("index_date", "2023-02-29")
    Traceback (most recent call last):
    ...
    powerplan.errors.InvalidInputError: index_date must be a date YYYY-MM-DD; got '2023-02-29'
    """
    found = _calendar_date(value) or _from_text(field, value, _DATE, "a date YYYY-MM-DD",
                                                 dt.date.fromisoformat)
    return _in_range(field, found, found.isoformat())


def month_text(day: dt.date) -> str:
    """``YYYY-MM`` of a date."""
    return f"{day.year:04d}-{day.month:02d}"


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole calendar months, clipped to the end of the month.

    >>> add_months(dt.date(2024, 1, 31), 1), add_months(dt.date(2024, 2, 29), 12)
    (datetime.date(2024, 2, 29), datetime.date(2025, 2, 28))
    """
    return (pd.Timestamp(day) + pd.DateOffset(months=months)).date()


def to_day(day: dt.date) -> np.datetime64:
    """A date as ``numpy.datetime64[D]``, for comparing with arrays of dates."""
    return np.datetime64(day, "D")
