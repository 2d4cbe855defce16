"""Calendar helpers: months, ISO dates and calendar-month arithmetic.

A month is held as the ``datetime.date`` of its first day and written
``YYYY-MM``; a date is written ``YYYY-MM-DD``. Adding months follows the
calendar and clips to the end of a shorter month, as ``pandas.DateOffset``
does: 31 January + 1 month is 28 (or, in a leap year, 29) February, and
29 February 2024 + 12 months is 28 February 2025.

Text and plain dates are checked by :func:`powerplan.limits.month` and
:func:`~powerplan.limits.date` (pure Python, so the command line checks its
options with them); :func:`month` and :func:`date` here also read numpy and
pandas dates, and raise the same ``InvalidInputError`` naming the field.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from . import limits
from .limits import FIRST_YEAR, LAST_YEAR  # noqa: F401 (still read from here)


def _calendar_date(value) -> dt.date | None:
    """A ``datetime.date`` from a date-like value (not text), else None."""
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value) if not np.isnat(value) else None
    if isinstance(value, dt.datetime):  # includes pandas.Timestamp
        return None if pd.isna(value) else value.date()
    if isinstance(value, dt.date):
        return value
    return None


def month(field: str, value) -> dt.date:
    """A calendar month, ``"YYYY-MM"`` or any date in it; returns its first day.

    >>> month("now", "2026-03"), month("now", dt.date(2024, 2, 29))
    (datetime.date(2026, 3, 1), datetime.date(2024, 2, 1))
    """
    if isinstance(value, pd.Period):
        value = value.start_time
    return limits.month(field, _calendar_date(value) or value)


def date(field: str, value) -> dt.date:
    """A calendar date, ``"YYYY-MM-DD"`` or a date, datetime or numpy datetime64.

    >>> date("index_date", "2024-02-29")
    datetime.date(2024, 2, 29)
    >>> date("index_date", "2023-02-29")
    Traceback (most recent call last):
    ...
    powerplan.errors.InvalidInputError: index_date must be a date YYYY-MM-DD; got '2023-02-29'
    """
    return limits.date(field, _calendar_date(value) or value)


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
