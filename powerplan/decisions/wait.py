"""Submit now or wait: the analysable cohort and its power, month by month.

A person can be analysed once the data service holds 18 months of data after
their index date: 12 months in which to reoffend and 6 more for the offence to
be proven. What the service holds at a submission month is set in one of two
ways.

* A rolling lag (the default). At submission month M, taken at its first day
  S, data are loaded up to S - lag months, and a person is analysable when
  index date + 18 months <= S - lag months. Months are calendar months that
  clip to the end of a shorter month (31 January + 1 month = 28 or 29
  February). With the default lag of 8 months the latest analysable index
  date is 26 months before S, inside the 25 to 28 months the data service
  quotes between a data release and the latest index date it analyses.
* Explicit data windows, each a release date and the latest index date that
  release analyses (the window end). At S the latest window released on or
  before S applies, and a person is analysable when their index date is on
  or before its end; before the first release nobody is.

The people analysable at a month are the scenario's cohort for that month;
the scenario's funnel (found in the records, matched, ...) then applies. The
data window is accounted for here, so the funnel must not count an "in
window" loss again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import _dates, _format, _validate
from ..engines import ANALYTIC, Engine, is_analytic
from ..errors import InvalidInputError, NoSolutionError
from .intake import Intake
from ..design.scenario import Scenario, check_scenario
from ..solvers.solve import MIN_REQUEST, check_target_power
from ..limits import DEFAULT_LAG_MONTHS, MAX_HORIZON_MONTHS, MAX_LAG_MONTHS

#: Months of data needed after an index date: 12 to reoffend, 6 for the proof.
FOLLOW_UP_MONTHS = 18



@dataclass(frozen=True)
class DataWindow:
    """One release of the data service's reoffending data.

    Attributes
    ----------
    release : datetime.date
        When the release can first be used; a submission month uses it from
        its first day on or after this date.
    end : datetime.date
        The latest index date the release analyses; at least 18 months
        before the release, as the follow-up needs 18 months of data.
    """

    release: dt.date
    end: dt.date

    def __post_init__(self):
        release = _dates.date("windows", self.release)
        end = _dates.date("windows", self.end)
        if _dates.add_months(end, FOLLOW_UP_MONTHS) > release:
            raise InvalidInputError(
                "windows", f"must end at least {FOLLOW_UP_MONTHS} months before their release "
                           f"(the follow-up needs {FOLLOW_UP_MONTHS} months of data); got "
                           f"release {release} with end {end}")
        object.__setattr__(self, "release", release)
        object.__setattr__(self, "end", end)

    def to_dict(self) -> dict:
        return {"release": self.release.isoformat(), "end": self.end.isoformat()}


def _checked_windows(windows) -> tuple[DataWindow, ...]:
    if isinstance(windows, (str, bytes, DataWindow)) or not isinstance(windows, Iterable):
        raise InvalidInputError("windows", f"must be a list of (release, end) pairs; "
                                           f"got {windows!r}")
    checked = []
    for window in windows:
        if not isinstance(window, DataWindow):
            is_pair = isinstance(window, (tuple, list)) and len(window) == 2
            if not is_pair:
                raise InvalidInputError("windows", f"must be (release, end) pairs; "
                                                   f"got {window!r}")
            window = DataWindow(*window)
        checked.append(window)
    if not checked:
        raise InvalidInputError("windows", "must hold at least one (release, end) pair; got none")
    checked.sort(key=lambda w: w.release)
    for before, after in zip(checked, checked[1:]):
        if after.release == before.release:
            raise InvalidInputError("windows", f"must have distinct release dates; "
                                               f"{after.release} appears twice")
        if after.end < before.end:
            raise InvalidInputError(
                "windows", f"must not end earlier in a later release; release {after.release} "
                           f"ends {after.end}, before {before.end} of release {before.release}")
    return tuple(checked)


def _first_month_from(day: dt.date) -> dt.date:
    """The first month whose first day is on or after ``day``."""
    start = day.replace(day=1)
    return start if start == day else _dates.add_months(start, 1)


def analysable_from(index_date, *, lag_months: int | None = None,
                    windows: Iterable | None = None) -> str | None:
    """The first submission month at which a person is analysable.

    Parameters
    ----------
    index_date : str or datetime.date
        The person's index date (``"YYYY-MM-DD"``).
    lag_months, windows
        The data rule, as in :func:`submission_plan`.

    Returns
    -------
    str or None
        ``"YYYY-MM"``; None when no data window given covers the index date.

    Examples
    --------
    >>> analysable_from("2024-01-01"), analysable_from("2024-01-02")
    ('2026-03', '2026-04')
    >>> analysable_from("2024-01-31", lag_months=0)
    '2025-08'
    """
    lag_months, windows = _checked_rule(lag_months, windows)
    index_date = _dates.date("index_date", index_date)
    if windows:
        first = next((w for w in windows if w.end >= index_date), None)
        return None if first is None else _dates.month_text(_first_month_from(first.release))
    ready = _dates.add_months(index_date, FOLLOW_UP_MONTHS)
    return _dates.month_text(_dates.add_months(_first_month_from(ready), lag_months))


def _checked_rule(lag_months, windows) -> tuple[int, tuple[DataWindow, ...]]:
    if windows is not None:
        if lag_months is not None:
            raise InvalidInputError("lag_months", "and windows cannot both be given")
        return 0, _checked_windows(windows)
    if lag_months is None:
        lag_months = DEFAULT_LAG_MONTHS
    return _validate.integer("lag_months", lag_months, 0, MAX_LAG_MONTHS), ()


def _latest_index_dates(months: list[dt.date], lag_months: int,
                        windows: tuple[DataWindow, ...]) -> list[dt.date | None]:
    """For each submission month, the latest analysable index date (None: nobody)."""
    if not windows:
        # index + 18 months <= S - lag, for S a first day, holds exactly for
        # index <= S - (lag + 18) months: neither side ever clips.
        return [_dates.add_months(month, -(lag_months + FOLLOW_UP_MONTHS)) for month in months]
    latest = []
    for month in months:
        released = [w for w in windows if w.release <= month]
        latest.append(released[-1].end if released else None)
    return latest


def _analysable_counts(index_dates: np.ndarray, latest: list[dt.date | None]) -> np.ndarray:
    """People analysable at each submission month: the sorted ``index_dates`` up to
    each month's latest analysable index date (from :func:`_latest_index_dates`)."""
    return np.array([0 if end is None
                     else np.searchsorted(index_dates, _dates.to_day(end), "right")
                     for end in latest], dtype=int)


@dataclass(frozen=True)
class SubmissionMonth:
    """The study if the intake were submitted in one month.

    Attributes
    ----------
    month : str
        The submission month, ``YYYY-MM``.
    latest_index_date : str or None
        The latest analysable index date (``YYYY-MM-DD``); None before any
        data window is released.
    n_analysable : int
        People of the intake analysable: the cohort submitted.
    expected_n_treated : float
        Expected analysed treated people, after the scenario's funnel.
    power, p_significant_reduction, p_significant_increase, p_inconclusive : float
        Power and the chances of the three verdicts. With nobody analysable,
        power is 0 and the study counts as inconclusive.
    below_minimum_request : bool
        Fewer people than the data service's minimum request (60).
    reaches_target : bool
        Power at or above the target.
    """

    month: str
    latest_index_date: str | None
    n_analysable: int
    expected_n_treated: float
    power: float
    p_significant_reduction: float
    p_significant_increase: float
    p_inconclusive: float
    below_minimum_request: bool
    reaches_target: bool

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class SubmissionPlan:
    """The answer of :func:`submission_plan`: each month's study and when to submit.

    Attributes
    ----------
    months : tuple of SubmissionMonth
        One per submission month, from ``now`` to ``now`` + horizon.
    recommended_month : str or None
        The earliest month whose power reaches the target with at least
        ``minimum_request`` people analysable; None when no month does.
    now : str
        The first month planned for, ``YYYY-MM``.
    target_power : float
    minimum_request : int
        The data service's minimum request (people submitted).
    lag_months : int or None
        The rolling lag; None when data windows are given.
    windows : tuple of DataWindow
        Explicit data windows (empty with a rolling lag).
    intake : Intake
    engine : str
    scenario : Scenario
        The scenario; its cohort is replaced month by month.
    """

    months: tuple[SubmissionMonth, ...]
    recommended_month: str | None
    now: str
    target_power: float
    minimum_request: int
    lag_months: int | None
    windows: tuple[DataWindow, ...]
    intake: Intake
    engine: str
    scenario: Scenario = field(repr=False, compare=False)

    @property
    def current(self) -> SubmissionMonth:
        """The study if submitted now."""
        return self.months[0]

    @property
    def recommended(self) -> SubmissionMonth | None:
        """The recommended month's study, or None."""
        return next((m for m in self.months if m.month == self.recommended_month), None)

    @property
    def best(self) -> SubmissionMonth:
        """The month with the highest power (then the most people; the earliest of equals)."""
        return max(self.months, key=lambda m: (m.power, m.n_analysable))

    @property
    def direction(self) -> str:
        """``"reduction"``, or ``"increase"`` when the scenario's effect is an increase."""
        return "increase" if self.scenario.effect > 0 else "reduction"

    def chance(self, month: SubmissionMonth) -> float:
        """The chance of a significant result in the plan's direction, in ``month``."""
        return (month.p_significant_increase if self.direction == "increase"
                else month.p_significant_reduction)

    def _chance(self, month: SubmissionMonth) -> str:
        return _format.percent(self.chance(month), 0)

    def summary(self) -> str:
        """What waiting buys, in plain words."""
        target = _format.percent(self.target_power, 0)
        kind, now, chosen = self.direction, self.current, self.recommended
        if chosen is now:
            return (f"Submitting now ({now.month}) already reaches {target} power: the chance "
                    f"of a significant {kind} is {self._chance(now)}, with "
                    f"{_format.headcount(now.n_analysable)} analysable.")
        if chosen is not None:
            return (f"Submitting in {chosen.month} instead of now raises the chance of a "
                    f"significant {kind} from {self._chance(now)} to {self._chance(chosen)}. "
                    f"It is the earliest month reaching {target} power, with "
                    f"{_format.headcount(chosen.n_analysable)} analysable instead of "
                    f"{now.n_analysable:,}.")
        last = self.months[-1].month
        if any(m.reaches_target for m in self.months):
            why = (f"No month up to {last} has both {target} power and the "
                   f"{self.minimum_request} people analysable the data service needs")
        else:
            why = f"No month up to {last} reaches {target} power"
        best = self.best
        text = (f"{why}; the best is {best.month}, with {_format.headcount(best.n_analysable)} "
                f"analysable")
        if best.below_minimum_request:
            text += f" (the data service needs at least {self.minimum_request})"
        return text + f": the chance of a significant {kind} is {self._chance(best)}."

    def to_dict(self) -> dict:
        """The plan as plain values (JSON-ready), months as a list of objects."""
        return {
            "recommended_month": self.recommended_month,
            "summary": self.summary(),
            "now": self.now,
            "target_power": self.target_power,
            "minimum_request": self.minimum_request,
            "lag_months": self.lag_months,
            "windows": [w.to_dict() for w in self.windows],
            "intake": self.intake.to_dict(),
            "retention": self.scenario.retention,
            "engine": self.engine,
            "months": [m.to_dict() for m in self.months],
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per submission month."""
        return pd.DataFrame([m.to_dict() for m in self.months])

    def plot(self, ax=None):
        """Draw the chance by submission month; see
        :func:`powerplan.plotting.plot_submission_plan`."""
        from ..plotting import plot_submission_plan

        return plot_submission_plan(self, ax=ax)

    def _data_rows(self) -> list[tuple[str, str]]:
        if self.windows:
            return [("data windows" if i == 0 else "", f"index dates to {w.end} from {w.release}")
                    for i, w in enumerate(self.windows)]
        return [("data", f"index dates up to {self.lag_months + FOLLOW_UP_MONTHS} months before "
                         f"submission ({FOLLOW_UP_MONTHS} of follow-up, {self.lag_months} of lag)")]

    def __str__(self) -> str:
        s = self.scenario
        head = (f"Submit now or wait ({self.engine}; {s.method} test, {s.alternative}, "
                f"alpha {s.alpha:g})")
        rows = [
            ("intake", self.intake.describe()),
            *self._data_rows(),
            ("retention", _format.percent(s.retention)),
            ("reoffending rate", _format.rates(s.base_rate, s.treated_rate, s.effect)),
            ("target", f"{_format.percent(self.target_power, 0)} power, at least "
                       f"{self.minimum_request} people analysable"),
            ("recommended month", self.recommended_month or "none within the horizon"),
        ]
        return (f"{self.summary()}\n\n{head}\n{_format.table(rows)}\n\n"
                f"{self._month_table()}")

    def _month_table(self) -> str:
        header = ("month", "index dates to", "analysable", "analysed", "power", "reduction",
                  "increase", "note")
        rows = []
        for m in self.months:
            if m.n_analysable == 0:
                note = "none analysable"
            elif m.below_minimum_request:
                note = f"below {self.minimum_request}"
            elif m.month == self.recommended_month:
                note = "recommended"
            else:
                note = ""
            rows.append((m.month, m.latest_index_date or "-", f"{m.n_analysable:,}",
                          f"{m.expected_n_treated:,.1f}", _format.percent(m.power),
                          _format.percent(m.p_significant_reduction),
                          _format.percent(m.p_significant_increase), note))
        return _format.columns(header, rows, left=(0, 1, 7))  # text columns left


def submission_plan(scenario: Scenario, intake: Intake, *, now, horizon_months: int = 36,
                    lag_months: int | None = None, windows: Iterable | None = None,
                    target_power: float = 0.8,
                    engine: Engine | str = ANALYTIC) -> SubmissionPlan:
    """The study at each submission month from ``now``, and the month to submit.

    Parameters
    ----------
    scenario : Scenario
        The planned study; its cohort is replaced by the people analysable
        each month. Its funnel must not include the data window, which is
        applied here.
    intake : Intake
        The organisation's people by index date.
    now : str or datetime.date
        The first submission month (``"YYYY-MM"``). Required: powerplan never
        reads the clock.
    horizon_months : int
        Months to look ahead, 1 to 120; months ``now`` to ``now + horizon``
        are planned.
    lag_months : int, optional
        Rolling lag between the end of the data loaded and a submission
        month, 0 to 120; default 8 when no ``windows`` are given.
    windows : list of DataWindow or (release, end) pairs, optional
        Explicit data windows instead of the rolling lag.
    target_power : float
        Power to reach, in (alpha, 1).
    engine : powerplan.analytic or "analytic"
        How power is computed at each month's cohort (not yet by simulation).

    Returns
    -------
    SubmissionPlan

    Raises
    ------
    InvalidInputError
        A setting outside its range, or a monthly intake starting after the
        last month planned.
    NoSolutionError
        Nobody in the intake becomes analysable within the horizon.

    Examples
    --------
    >>> from powerplan import Intake, Scenario
    >>> plan = submission_plan(Scenario(base_rate=0.26, effect=-0.07), Intake.monthly(25, "2024-01"),
    ...                        now="2026-11", horizon_months=24)
    >>> plan.recommended_month
    '2028-09'
    >>> plan.current.n_analysable, plan.recommended.n_analysable
    (201, 751)
    """
    check_scenario(scenario)
    if not is_analytic(engine):
        raise InvalidInputError("engine", f"must be one of 'analytic'; got {engine!r}")
    engine = ANALYTIC
    target = check_target_power(target_power, scenario.alpha)
    if not isinstance(intake, Intake):
        raise InvalidInputError("intake", f"must be an Intake (Intake.monthly or "
                                          f"Intake.from_dates); got {intake!r}")
    now = _dates.month("now", now)
    horizon = _validate.integer("horizon_months", horizon_months, 1, MAX_HORIZON_MONTHS)
    lag, windows = _checked_rule(lag_months, windows)
    months = [_dates.add_months(now, k) for k in range(horizon + 1)]
    last = months[-1]
    if last.year > _dates.LAST_YEAR:
        raise InvalidInputError(
            "horizon_months", f"must end by {_dates.LAST_YEAR}-12: now "
                              f"({_dates.month_text(now)}) + {horizon} months is "
                              f"{_dates.month_text(last)}")
    if intake.is_monthly and intake.start > last:
        raise InvalidInputError(
            "start", f"must not be after the last month planned, {_dates.month_text(last)} "
                     f"(now + {horizon} months); got {_dates.month_text(intake.start)}")

    index_dates = intake.dates_through(last)
    latest_dates = _latest_index_dates(months, lag, windows)
    counts = _analysable_counts(index_dates, latest_dates)
    if counts[-1] == 0:
        raise NoSolutionError(_nobody_analysable(index_dates, last, lag, windows))

    results = {}
    rows = []
    for month, latest, n in zip(months, latest_dates, counts):
        n = int(n)
        if n and n not in results:
            results[n] = engine.power(scenario.replace(cohort=n))
        r = results.get(n)
        rows.append(SubmissionMonth(
            month=_dates.month_text(month),
            latest_index_date=None if latest is None else latest.isoformat(),
            n_analysable=n,
            expected_n_treated=n * scenario.retention,
            power=r.power if r else 0.0,
            p_significant_reduction=r.p_significant_reduction if r else 0.0,
            p_significant_increase=r.p_significant_increase if r else 0.0,
            p_inconclusive=r.p_inconclusive if r else 1.0,
            below_minimum_request=n < MIN_REQUEST,
            reaches_target=r is not None and r.power >= target,
        ))
    recommended = next((m.month for m in rows
                        if m.reaches_target and not m.below_minimum_request), None)
    return SubmissionPlan(
        months=tuple(rows), recommended_month=recommended, now=_dates.month_text(now),
        target_power=target, minimum_request=MIN_REQUEST,
        lag_months=None if windows else lag, windows=windows, intake=intake,
        engine=engine.name, scenario=scenario)


def _nobody_analysable(index_dates: np.ndarray, last: dt.date, lag: int,
                       windows: tuple[DataWindow, ...]) -> str:
    """Why nobody in the intake is analysable by the last month planned."""
    first = pd.Timestamp(index_dates[0]).date()
    count = len(index_dates)
    who = "the 1 person does not become" if count == 1 else \
        f"none of the {count:,} people become"
    head = f"{who} analysable by {_dates.month_text(last)}: the earliest index date, {first},"
    if not windows:
        ready = _dates.add_months(first, FOLLOW_UP_MONTHS)
        return (f"{head} needs data to {ready}, loaded with a lag of {lag} months from "
                f"{analysable_from(first, lag_months=lag)}")
    covering = next((w for w in windows if w.end >= first), None)
    if covering is None:
        return (f"{head} is after the end of every data window given (the last ends "
                f"{windows[-1].end})")
    return f"{head} is first covered by the window released {covering.release}"
