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
the scenario's funnel then applies. The data window is accounted for here,
so that funnel holds only the other losses, being found in the records and
matched (its product is the *found-and-matched share*); the *retention*,
the share of all the people submitted who are analysed, is the share
analysable times the found-and-matched share.
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
from ..design.scenario import MAX_COHORT, Scenario, check_scenario
from ..solvers.solve import MIN_REQUEST, check_target_power, solve
from ..limits import DEFAULT_LAG_MONTHS, MAX_HORIZON_MONTHS, MAX_LAG_MONTHS
from ..results.display import Displays

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
    if isinstance(windows, (str, bytes, DataWindow)) or not isinstance(windows, Iterable) or \
            getattr(windows, "ndim", 1) == 0:
        raise InvalidInputError("windows", f"must be a list of (release, end) pairs; "
                                           f"got {_validate.shown(windows)}")
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


def _analysable_counts(intake: Intake, latest: list[dt.date | None]) -> np.ndarray:
    """People analysable at each submission month: the intake's people up to each
    month's latest analysable index date (from :func:`_latest_index_dates`)."""
    return np.array([0 if end is None else intake.count_through(end) for end in latest],
                    dtype=np.int64)


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
        Expected analysed treated people: the people analysable times the
        found-and-matched share.
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
    #: For a measure with a reporting gate (time to first reoffence): the chance of an
    #: analysed study that is not reported; None for the others.
    p_not_reported: float | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items()
                if not (k == "p_not_reported" and v is None)}


@dataclass(frozen=True, repr=False)
class SubmissionPlan(Displays):
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
    analysable_needed : int or None
        When no month is recommended: the people analysable the target needs
        (the minimum cohort at the found-and-matched share, and at least the
        minimum request); None when a month is recommended or no number of
        people reaches the target.
    months_needed : int or None
        About how many months from ``now`` the intake has
        ``analysable_needed`` people analysable; None when it never does (no
        monthly intake, or one that ends) or with explicit data windows.
    scenario : Scenario
        The scenario; its cohort is replaced month by month. Its funnel is
        the found-and-matched share: the data window is not in it.
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
    analysable_needed: int | None = None
    months_needed: int | None = None
    scenario: Scenario = field(default=None, repr=False, compare=False)

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

    @property
    def _kind(self) -> str:
        """The verdict hoped for, after 'the chance of a': 'significant reduction' for the
        rate; the measure's words for the others."""
        outcome = self.scenario.outcome
        if outcome.name == "rate":
            return f"significant {self.direction}"
        words = outcome.lower_words if self.direction == "reduction" else outcome.higher_words
        return f"{words} {outcome.measure}"

    def summary(self) -> str:
        """What waiting buys, in plain words: the chance now, at the recommended month
        and in 12 months, and, when no month qualifies, what the target needs."""
        target = _format.percent(self.target_power, 0)
        now, chosen = self.current, self.recommended
        if chosen is now:
            return (f"Submitting now ({now.month}) already reaches {target} power: the chance "
                    f"of a {self._kind} is {self._chance(now)}, with "
                    f"{_format.headcount(now.n_analysable)} analysable.{self._in_a_year(now)}")
        if chosen is not None:
            return (f"Submitting in {chosen.month} instead of now raises the chance of a "
                    f"{self._kind} from {self._chance(now)} to {self._chance(chosen)}. "
                    f"It is the earliest month reaching {target} power, with "
                    f"{_format.headcount(chosen.n_analysable)} analysable instead of "
                    f"{now.n_analysable:,}.{self._in_a_year(chosen)}")
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
        text += f": the chance of a {self._kind} is {self._chance(best)}"
        if best is not now:
            text += f", against {self._chance(now)} now"
        return text + "." + self._in_a_year(best) + self._needs()

    @property
    def in_a_year(self) -> SubmissionMonth | None:
        """The study if submitted 12 months from now; None with a shorter horizon."""
        return self.months[12] if len(self.months) > 12 else None

    def _in_a_year(self, named: SubmissionMonth) -> str:
        """The chance in 12 months, unless that month is ``named`` already or now."""
        later = self.in_a_year
        if later is None or later is named:
            return ""
        return f" In 12 months ({later.month}) it would be {self._chance(later)}."

    def _needs(self) -> str:
        """What reaching the target needs, when no month within the horizon does."""
        target = _format.percent(self.target_power, 0)
        needed = self.analysable_needed
        if needed is None:
            return f" No number of people analysable reaches {target} power in this scenario."
        text = f" Reaching {target} power needs about {needed:,} people analysable"
        if self.months_needed is not None:
            month = _dates.add_months(_dates.month("now", self.now), self.months_needed)
            return (text + f"; at {self.intake.per_month:,} people a month that is about "
                           f"{self.months_needed:,} months from now ({_dates.month_text(month)}).")
        if self.windows:
            return text + ", more than the data windows given cover."
        most = self.months[-1].n_analysable
        return text + f", {needed - most:,} more than the intake will ever have."

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
            "found_and_matched": self.scenario.retention,
            "engine": self.engine,
            "analysable_needed": self.analysable_needed,
            "months_needed": self.months_needed,
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
        return f"{self.summary()}\n\n{self.settings_text()}\n\n{self._month_table()}"

    def settings_text(self) -> str:
        """The plan's heading and settings: intake, data rule, funnel, rates, target."""
        s = self.scenario
        head = (f"Submit now or wait ({self.engine}; {s.method} test, {s.alternative}, "
                f"alpha {s.alpha:g})")
        rows = [
            ("intake", self.intake.describe()),
            *self._data_rows(),
            ("found and matched", f"{_format.percent(s.retention)} of the people analysable"),
            s.outcome.values_row(s.effect),
            ("target", f"{_format.percent(self.target_power, 0)} power, at least "
                       f"{self.minimum_request} people analysable"),
            ("recommended month", self.recommended_month or "none within the horizon"),
        ]
        return f"{head}\n{_format.table(rows)}"

    def note(self, month: SubmissionMonth) -> str:
        """The month table's note on ``month``: none analysable, below the minimum,
        recommended, or nothing."""
        if month.n_analysable == 0:
            return "none analysable"
        if month.below_minimum_request:
            return f"below {self.minimum_request}"
        return "recommended" if month.month == self.recommended_month else ""

    def _month_table(self) -> str:
        outcome = self.scenario.outcome
        lower, higher = (("reduction", "increase") if outcome.name != "time"
                         else ("shorter", "longer"))
        gated = bool(outcome.min_treated_reoffenders)
        header = ("month", "index dates to", "analysable", "analysed", "power", lower,
                  higher, *(["not reported"] if gated else []), "note")
        rows = []
        for m in self.months:
            rows.append((m.month, m.latest_index_date or "-", f"{m.n_analysable:,}",
                          f"{m.expected_n_treated:,.1f}", _format.percent(m.power),
                          _format.percent(m.p_significant_reduction),
                          _format.percent(m.p_significant_increase),
                          *([_format.percent(m.p_not_reported or 0.0)] if gated else []),
                          self.note(m)))
        return _format.columns(header, rows, left=(0, 1, len(header) - 1))  # text left


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
    if intake.has_monthly and intake.start > last:
        raise InvalidInputError(
            "start", f"must not be after the last month planned, {_dates.month_text(last)} "
                     f"(now + {horizon} months); got {_dates.month_text(intake.start)}")

    latest_dates = _latest_index_dates(months, lag, windows)
    total = intake.count_through(_dates.add_months(last, 1) - dt.timedelta(days=1))
    if total > MAX_COHORT:
        raise InvalidInputError("intake", f"holds {total:,} people by {_dates.month_text(last)}; "
                                          f"at most {MAX_COHORT:,} can be planned for")
    counts = _analysable_counts(intake, latest_dates)
    if counts[-1] == 0:
        raise NoSolutionError(_nobody_analysable(intake, last, lag, windows))

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
            p_not_reported=((r.p_not_reported if r else 0.0)
                            if scenario.outcome.min_treated_reoffenders else None),
        ))
    recommended = next((m.month for m in rows
                        if m.reaches_target and not m.below_minimum_request), None)
    needed = months_needed = None
    if recommended is None:
        needed = _analysable_needed(scenario, target)
        if needed is not None and not windows:
            months_needed = _months_until(intake, needed, now, horizon, lag)
    return SubmissionPlan(
        months=tuple(rows), recommended_month=recommended, now=_dates.month_text(now),
        target_power=target, minimum_request=MIN_REQUEST,
        lag_months=None if windows else lag, windows=windows, intake=intake,
        engine=engine.name, analysable_needed=needed, months_needed=months_needed,
        scenario=scenario)


def _analysable_needed(scenario: Scenario, target: float) -> int | None:
    """People analysable reaching ``target`` power, and the minimum request; None when
    no number of people does."""
    try:
        cohort = solve(scenario, "cohort", target_power=target).value
    except NoSolutionError:
        return None
    return max(int(cohort), MIN_REQUEST)


#: Furthest beyond the horizon :func:`_months_until` looks (months).
_LONGEST_WAIT = 1200


def _months_until(intake: Intake, needed: int, now: dt.date, horizon: int,
                  lag: int) -> int | None:
    """Months from ``now`` until ``needed`` people are analysable with a rolling lag;
    None when the intake never has them (no monthly part, or one that ends)."""
    if not intake.has_monthly or intake.end is not None:
        return None
    for months in range(horizon + 1, horizon + _LONGEST_WAIT + 1):
        month = _dates.add_months(now, months)
        if month.year > _dates.LAST_YEAR:
            return None
        latest = _latest_index_dates([month], lag, ())[0]
        if intake.count_through(latest) >= needed:
            return months
    return None


def _nobody_analysable(intake: Intake, last: dt.date, lag: int,
                       windows: tuple[DataWindow, ...]) -> str:
    """Why nobody in the intake is analysable by the last month planned.

    Known people come from an organisation's file, so their earliest index
    date is named by its month only.
    """
    first = pd.Timestamp(intake.dates_through(last)[0]).date() if intake.is_monthly else \
        intake.index_dates[0]
    count = intake.count_through(_dates.add_months(last, 1) - dt.timedelta(days=1))
    who = "the 1 person does not become" if count == 1 else \
        f"none of the {count:,} people become"
    if not intake.is_monthly:
        when = analysable_from(first, lag_months=None if windows else lag,
                               windows=windows or None)
        head = f"{who} analysable by {_dates.month_text(last)}: the earliest index dates, " \
               f"in {_dates.month_text(first)},"
        if when is None:
            return (f"{head} are after the end of every data window given (the last ends "
                    f"{windows[-1].end})")
        return f"{head} become analysable in {when}"
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
