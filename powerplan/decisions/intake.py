"""An organisation's intake: the people it works with, by index date.

The index date is when a person's one-year follow-up starts (release from
custody, start of a community sentence, a caution). Intake is given as the
people already known (their index dates, or how many people have each
date), as a number of people a month from a start month, or as both: the
people known, then those still to come. A monthly count is spread evenly
over the days of each month, so month lengths and leap years count exactly
as they do for explicit dates.

Known people's dates come from an organisation's file about people, so an
intake describes them by month and by count only, never by an exact date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import numpy as np

from .. import _dates, _validate
from ..errors import InvalidInputError
from ..design.scenario import MAX_COHORT
from ..limits import FIRST_YEAR, LAST_YEAR, MAX_PER_MONTH


@dataclass(frozen=True, repr=False)
class Intake:
    """People with index dates: those known, a monthly count, or both.

    Build it with :meth:`from_dates`, :meth:`from_counts` or :meth:`monthly`;
    :meth:`then_monthly` adds the people still to come to those known.

    Attributes
    ----------
    per_month : int or None
        People a month still to come (monthly intake).
    start, end : datetime.date or None
        First and last month of the monthly intake (their first days).
        Without ``end`` the intake continues through the last month planned.
    index_dates : tuple of datetime.date or None
        The distinct index dates of the people known, sorted.
    counts : tuple of int or None
        How many known people have each of ``index_dates``.

    Examples
    --------
    >>> Intake.monthly(20, "2024-01")
    Intake(20 people a month from 2024-01)
    >>> Intake.from_dates(["2024-02-29", "2023-12-31", "2024-02-29"])
    Intake(3 people with index dates from 2023-12 to 2024-02)
    >>> Intake.from_dates(["2024-02-29"]).then_monthly(12)
    Intake(1 person with an index date in 2024-02, then 12 people a month from 2024-03)
    >>> [str(d) for d in Intake.monthly(3, "2024-02", "2024-02").dates_through("2024-02")]
    ['2024-02-01', '2024-02-10', '2024-02-20']
    """

    per_month: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    index_dates: tuple[dt.date, ...] | None = None
    counts: tuple[int, ...] | None = None

    def __post_init__(self):
        set_ = object.__setattr__
        if self.index_dates is None and self.counts is not None:
            raise InvalidInputError("counts", "go with index_dates: how many people have each")
        if self.index_dates is None and self.per_month is None:
            raise InvalidInputError(
                "intake", "must be the people known (their index dates), a number of people "
                          "a month from a start month, or both")
        if self.index_dates is not None:
            dates, counts = _checked_known(self.index_dates, self.counts)
            set_(self, "index_dates", dates)
            set_(self, "counts", counts)
        if self.per_month is None:
            if self.start is not None or self.end is not None:
                raise InvalidInputError("start", "and end are only for a monthly intake")
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
        """One person per index date (``"YYYY-MM-DD"`` text, dates, or a numpy
        ``datetime64`` array)."""
        return cls(index_dates=index_dates)

    @classmethod
    def from_counts(cls, counts) -> "Intake":
        """People by index date: a mapping ``{date: people}``, or (date, people) pairs.

        >>> Intake.from_counts({"2024-03-01": 40, "2024-04-15": 2}).n_known
        42
        """
        pairs = list(counts.items()) if isinstance(counts, Mapping) else \
            _validate.sequence("counts", counts, of="(date, people) pairs")
        if not all(isinstance(pair, (tuple, list)) and len(pair) == 2 for pair in pairs):
            raise InvalidInputError("counts", "must be a mapping of index date to people, "
                                              "or (date, people) pairs")
        return cls(index_dates=[date for date, _ in pairs], counts=[n for _, n in pairs])

    def then_monthly(self, per_month: int, start=None, end=None) -> "Intake":
        """The people known, then ``per_month`` people a month still to come.

        ``start`` is the month of the first of them, by default the month after
        the last known index date's.
        """
        if self.index_dates is None:
            raise InvalidInputError("intake", "must hold the people known before adding those "
                                              "still to come")
        if self.per_month is not None:
            raise InvalidInputError("per_month", "is already set: the intake has a monthly part")
        if start is None:
            start = _dates.add_months(self.index_dates[-1].replace(day=1), 1)
        return replace(self, per_month=per_month, start=start, end=end)

    @property
    def has_known(self) -> bool:
        """Whether the intake holds people already known."""
        return self.index_dates is not None

    @property
    def has_monthly(self) -> bool:
        """Whether the intake has a monthly part, people still to come."""
        return self.per_month is not None

    @property
    def is_monthly(self) -> bool:
        """Whether the intake is a monthly count only."""
        return self.has_monthly and not self.has_known

    @property
    def n_known(self) -> int:
        """People already known (0 for a monthly intake)."""
        return sum(self.counts) if self.has_known else 0

    def count_through(self, day) -> int:
        """People whose index date is on or before ``day`` (a date).

        A monthly intake's person ``i`` of the ``c`` people of a month with
        ``D`` days has index date day ``1 + floor(i * D / c)`` of it, so
        ``ceil(d * c / D)`` of them have a date on or before day ``d``.
        """
        day = _dates.date("day", day)
        count = 0
        if self.has_known:
            position = np.searchsorted(self._known_days, np.datetime64(day, "D"), "right")
            count += int(self._known_cumulative[position - 1]) if position else 0
        if self.has_monthly and day >= self.start:
            month = day.replace(day=1)
            last = month if self.end is None else min(month, self.end)
            whole = _months_between(self.start, last)  # full months before `last`
            count += whole * self.per_month
            if last == month:
                length = _dates.add_months(month, 1) - month
                count += min(self.per_month, -(-day.day * self.per_month // length.days))
            else:
                count += self.per_month
        return count

    def dates_through(self, last_month) -> np.ndarray:
        """Sorted index dates (``datetime64[D]``) of every person in the intake.

        A monthly intake without an end runs through ``last_month``
        (``"YYYY-MM"``); known people are all returned. See
        :meth:`count_through` for how a month's people are spread.
        """
        last_month = _dates.month("last_month", last_month)
        parts = []
        if self.has_known:
            parts.append(np.repeat(self._known_days, self.counts))
        if self.has_monthly:
            parts.append(self._monthly_dates(last_month))
        return np.sort(np.concatenate(parts)) if len(parts) > 1 else parts[0]

    def _monthly_dates(self, last_month: dt.date) -> np.ndarray:
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

    @property
    def _known_days(self) -> np.ndarray:
        return np.array(self.index_dates, dtype="datetime64[D]")

    @property
    def _known_cumulative(self) -> np.ndarray:
        return np.cumsum(self.counts)

    def _describe_known(self) -> str:
        first, last = (_dates.month_text(d) for d in (self.index_dates[0], self.index_dates[-1]))
        count = self.n_known
        if count == 1:
            return f"1 person with an index date in {first}"
        if first == last:
            return f"{count:,} people with index dates in {first}"
        return f"{count:,} people with index dates from {first} to {last}"

    def _describe_monthly(self) -> str:
        text = f"{self.per_month:,} people a month from {_dates.month_text(self.start)}"
        if self.end is not None:
            text += f" to {_dates.month_text(self.end)}"
        return text

    def describe(self) -> str:
        """The intake in a few words (known people by month, never by date)."""
        parts = []
        if self.has_known:
            parts.append(self._describe_known())
        if self.has_monthly:
            parts.append(self._describe_monthly())
        return ", then ".join(parts)

    def to_dict(self) -> dict:
        """The intake as plain values (JSON-ready); known people by count and month."""
        out = {}
        if self.has_known:
            out |= {"n_people": self.n_known,
                    "first_index_month": _dates.month_text(self.index_dates[0]),
                    "last_index_month": _dates.month_text(self.index_dates[-1])}
        if self.has_monthly:
            out |= {"per_month": self.per_month, "start": _dates.month_text(self.start),
                    "end": None if self.end is None else _dates.month_text(self.end)}
        return out

    def __repr__(self) -> str:
        return f"Intake({self.describe()})"


def _months_between(first: dt.date, last: dt.date) -> int:
    """Whole months from month ``first`` to month ``last`` (first days)."""
    return (last.year - first.year) * 12 + last.month - first.month


def _checked_known(dates, counts) -> tuple[tuple[dt.date, ...], tuple[int, ...]]:
    """Distinct sorted dates and the people on each, duplicates merged."""
    days = _checked_days(dates)
    if counts is None:
        people = np.ones(len(days), dtype=np.int64)
    else:
        people = _checked_counts(counts, len(days))
    total = int(people.sum())
    if total > MAX_COHORT:
        raise InvalidInputError("index_dates", f"must hold at most {MAX_COHORT:,} people; "
                                               f"got {total:,}")
    distinct, where = np.unique(days, return_inverse=True)
    merged = np.bincount(where.ravel(), weights=people, minlength=len(distinct)).astype(np.int64)
    return (tuple(distinct.astype(object)), tuple(int(n) for n in merged))


def _checked_days(values) -> np.ndarray:
    """``values`` as ``datetime64[D]``, each a real date in the years allowed."""
    if isinstance(values, np.ndarray) and values.dtype.kind == "M":
        days = values.astype("datetime64[D]").ravel()
        if not len(days):
            raise InvalidInputError("index_dates", "must hold at least one date; got none")
        if np.isnat(days).any():
            number = int(np.flatnonzero(np.isnat(days))[0]) + 1
            raise InvalidInputError("index_dates", f"must be dates; date {number:,} is missing")
        years = days.astype("datetime64[Y]").astype(int) + 1970
        outside = (years < FIRST_YEAR) | (years > LAST_YEAR)
        if outside.any():
            number = int(np.flatnonzero(outside)[0]) + 1
            raise InvalidInputError("index_dates", f"must be in the years {FIRST_YEAR} to "
                                                   f"{LAST_YEAR} (date {number:,})")
        return days
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
    return np.array(checked, dtype="datetime64[D]")


def _checked_counts(counts, length: int) -> np.ndarray:
    try:
        people = [_validate.integer("counts", n, 1, MAX_COHORT) for n in counts]
    except TypeError:
        raise InvalidInputError("counts", f"must be a list of whole numbers; got {counts!r}") \
            from None
    if len(people) != length:
        raise InvalidInputError("counts", f"must give one count per index date: {length:,} "
                                          f"dates and {len(people):,} counts")
    return np.array(people, dtype=np.int64)
