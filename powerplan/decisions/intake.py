"""An organisation's intake: the people it works with, by index date.

The index date is when a person's one-year follow-up starts (release from
custody, start of a community sentence, a caution). Intake is given either
as a number of people a month from a start month, or as the index dates
themselves. A monthly count is spread evenly over the days of each month, so
month lengths and leap years count exactly as they do for explicit dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .. import _dates, _validate
from ..errors import InvalidInputError
from ..design.scenario import MAX_COHORT
from ..limits import MAX_PER_MONTH


@dataclass(frozen=True, repr=False)
class Intake:
    """People with index dates: a monthly count, or explicit dates.

    Build it with :meth:`monthly` or :meth:`from_dates`.

    Attributes
    ----------
    per_month : int or None
        People a month (monthly intake).
    start, end : datetime.date or None
        First and last month of a monthly intake (their first days). Without
        ``end`` the intake continues through the last month planned for.
    index_dates : tuple of datetime.date or None
        Explicit index dates, sorted.

    Examples
    --------
    >>> Intake.monthly(20, "2024-01")
    Intake(20 people a month from 2024-01)
    >>> Intake.from_dates(["2024-02-29", "2023-12-31"])
    Intake(2 people with index dates from 2023-12-31 to 2024-02-29)
    >>> [str(d) for d in Intake.monthly(3, "2024-02", "2024-02").dates_through("2024-02")]
    ['2024-02-01', '2024-02-10', '2024-02-20']
    """

    per_month: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    index_dates: tuple[dt.date, ...] | None = None

    def __post_init__(self):
        set_ = object.__setattr__
        if (self.index_dates is None) == (self.per_month is None):
            raise InvalidInputError(
                "intake", "must be either a number of people a month from a start month "
                          "or a list of index dates")
        if self.index_dates is not None:
            if self.start is not None or self.end is not None:
                raise InvalidInputError("start", "and end are only for a monthly intake")
            set_(self, "index_dates", _checked_dates(self.index_dates))
            return
        set_(self, "per_month", _validate.integer("per_month", self.per_month, 1, MAX_PER_MONTH))
        if self.start is None:
            raise InvalidInputError("start", "must be given for a monthly intake (YYYY-MM)")
        set_(self, "start", _dates.month("start", self.start))
        if self.end is not None:
            end = _dates.month("end", self.end)
            if end < self.start:
                raise InvalidInputError("end", f"must not be before the start "
                                               f"{_dates.month_text(self.start)}; got "
                                               f"{_dates.month_text(end)}")
            set_(self, "end", end)

    @classmethod
    def monthly(cls, per_month: int, start, end=None) -> "Intake":
        """``per_month`` people a month from month ``start`` (``"YYYY-MM"``),
        through ``end`` if given."""
        return cls(per_month=per_month, start=start, end=end)

    @classmethod
    def from_dates(cls, index_dates: Iterable) -> "Intake":
        """One person per index date (``"YYYY-MM-DD"`` text or dates)."""
        return cls(index_dates=index_dates)

    @property
    def is_monthly(self) -> bool:
        return self.per_month is not None

    def dates_through(self, last_month) -> np.ndarray:
        """Sorted index dates (``datetime64[D]``) of the people in the intake.

        A monthly intake without an end runs through ``last_month``
        (``"YYYY-MM"``); explicit dates are all returned. Person ``i`` of the
        ``c`` people of a month with ``D`` days has index date day
        ``1 + floor(i * D / c)`` of it.
        """
        last_month = _dates.month("last_month", last_month)
        if not self.is_monthly:
            return np.array(self.index_dates, dtype="datetime64[D]")
        end = last_month if self.end is None else min(self.end, last_month)
        if end < self.start:
            return np.array([], dtype="datetime64[D]")
        months = np.arange(np.datetime64(self.start, "M"), np.datetime64(end, "M") + 1)
        total = len(months) * self.per_month
        if total > MAX_COHORT:
            raise InvalidInputError(
                "per_month", f"gives {total:,} people from {_dates.month_text(self.start)} to "
                             f"{_dates.month_text(end)}; at most {MAX_COHORT:,} can be planned for")
        starts = months.astype("datetime64[D]")
        lengths = ((months + 1).astype("datetime64[D]") - starts).astype(int)
        person = np.arange(self.per_month)
        offsets = person[None, :] * lengths[:, None] // self.per_month
        return (starts[:, None] + offsets).ravel()

    def describe(self) -> str:
        """The intake in a few words."""
        if self.is_monthly:
            text = f"{self.per_month:,} people a month from {_dates.month_text(self.start)}"
            if self.end is not None:
                text += f" to {_dates.month_text(self.end)}"
            return text
        first, last = self.index_dates[0], self.index_dates[-1]
        count = len(self.index_dates)
        if count == 1:
            return f"1 person with index date {first}"
        return f"{count:,} people with index dates from {first} to {last}"

    def to_dict(self) -> dict:
        """The intake as plain values (JSON-ready)."""
        if self.is_monthly:
            return {"per_month": self.per_month, "start": _dates.month_text(self.start),
                    "end": None if self.end is None else _dates.month_text(self.end)}
        return {"n_people": len(self.index_dates),
                "first_index_date": self.index_dates[0].isoformat(),
                "last_index_date": self.index_dates[-1].isoformat()}

    def __repr__(self) -> str:
        return f"Intake({self.describe()})"


def _checked_dates(values) -> tuple[dt.date, ...]:
    if isinstance(values, (str, bytes)):
        raise InvalidInputError("index_dates", f"must be a list of dates; got {values!r}")
    try:
        values = list(values)
    except TypeError:
        raise InvalidInputError("index_dates", f"must be a list of dates; got {values!r}") from None
    if not values:
        raise InvalidInputError("index_dates", "must hold at least one date; got none")
    if len(values) > MAX_COHORT:
        raise InvalidInputError("index_dates", f"must hold at most {MAX_COHORT:,} dates; "
                                               f"got {len(values):,}")
    checked = []
    for number, value in enumerate(values, start=1):
        try:
            checked.append(_dates.date("index_dates", value))
        except InvalidInputError as error:
            raise InvalidInputError("index_dates", f"{error.requirement} (date {number:,})") \
                from None
    return tuple(sorted(checked))
