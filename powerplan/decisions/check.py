"""From an organisation's own file to the decision: what it holds, and what it could show.

:func:`check_people` counts the file (:func:`~powerplan.decisions.people.count_people`),
estimates the funnel from it, and plans the submission month by month with
:func:`~powerplan.decisions.wait.submission_plan`:

* **found** in the national records: each person's chance depends on how
  they can be looked up (a PNC number, a prison number, or a name and date
  of birth only), set by :class:`CheckSettings`; the found share is the
  average over the people planned for, and people still to come are taken
  to be like them;
* **analysable**: people whose index date is inside the data window at the
  submission month, counted from the dates (the wait machinery);
* **matched** to comparison records, a share set by :class:`CheckSettings`.

So the found-and-matched share is found x matched, and the retention (the
share of the people in the file who are analysed) is analysable / people x
found x matched. The result holds counts, shares and row numbers, never a
value from the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from .. import _dates, _format
from ..design.scenario import Scenario, check_scenario
from ..errors import InvalidInputError, NoSolutionError
from ..limits import DEFAULT_CHECK_HORIZON
from ..design.check_settings import CheckSettings
from .people import FIELDS, IDENTIFIED_BY, IDENTIFIED_IN_WORDS, MINIMUM_REQUEST, PeopleCounts, \
    count_people
from .wait import SubmissionMonth, SubmissionPlan, analysable_from, submission_plan



@dataclass(frozen=True)
class PeopleCheck:
    """The answer of :func:`check_people`: the file, the estimated funnel and the plan.

    Attributes
    ----------
    counts : PeopleCounts
        The file counted field by field.
    settings : CheckSettings
    found_share : float or None
        Expected share of the people planned for who are found in the records;
        None when nobody has a usable index date.
    plan : SubmissionPlan or None
        The study month by month, from the month of ``today``; None when it
        cannot be planned (``no_plan_reason`` says why).
    no_plan_reason : str or None
    """

    counts: PeopleCounts
    settings: CheckSettings
    found_share: float | None
    plan: SubmissionPlan | None
    no_plan_reason: str | None
    scenario: Scenario = field(repr=False, compare=False)

    @property
    def later(self) -> SubmissionMonth | None:
        """The later month the summary compares with now: the recommended month if it
        is later, else the later month with the best chance (the earliest of equals)."""
        plan = self.plan
        if plan is None or len(plan.months) < 2:
            return None
        if plan.recommended is not None and plan.recommended is not plan.current:
            return plan.recommended
        return max(plan.months[1:], key=lambda m: (plan.chance(m), m.n_analysable))

    def from_file(self, month: SubmissionMonth) -> int:
        """People of the file (not those still to come) analysable in ``month``."""
        latest = month.latest_index_date
        return 0 if latest is None else self.counts.intake.count_through(latest)

    def window_share(self, month: SubmissionMonth) -> float:
        """The share of the file's people planned for whose index date is inside the data
        window in ``month``."""
        return self.from_file(month) / self.counts.n_planned

    def retention(self, month: SubmissionMonth) -> float:
        """Expected share of the people in the file analysed if submitted in ``month``."""
        return month.expected_n_treated / self.counts.rows

    def summary(self) -> str:
        """The answer in plain words: what now, and what waiting buys."""
        counts, plan = self.counts, self.plan
        who = "Of your 1 person" if counts.rows == 1 else f"Of your {counts.rows:,} people"
        if plan is None:
            text = f"{who}, none could be analysed: {self.no_plan_reason}."
        else:
            now, kind = plan.current, plan.direction
            text = (f"{who}, about {now.expected_n_treated:,.0f} could be analysed if you "
                    f"submitted this month ({now.month}); the chance of a significant {kind} "
                    f"would be {plan._chance(now)}.")
            if now.below_minimum_request:
                text += (f" Only {now.n_analysable:,} are analysable this month (inside the "
                         f"data window), fewer than the {plan.minimum_request} the data "
                         f"service asks for.")
            text += self._waiting()
        if not counts.meets_minimum:
            text += (f" The data service needs at least {MINIMUM_REQUEST} people; the file "
                     f"lists {counts.people:,}.")
        if counts.missing_required:
            missing = ", ".join(FIELDS[name] for name in counts.missing_required)
            text += f" The file has no column for the data service's required {missing}."
        return text

    def _waiting(self) -> str:
        plan, later = self.plan, self.later
        target = _format.percent(plan.target_power, 0)
        if plan.recommended is plan.current:
            return f" That already reaches {target} power."
        if later is None or plan._chance(later) == plan._chance(plan.current):
            return f" Waiting up to {len(plan.months) - 1} months does not raise it."
        months = plan.months.index(later)
        coming = plan.intake.has_monthly and later.n_analysable > self.from_file(later)
        more = f" for {plan.intake.per_month:,} more people a month" if coming else ""
        text = f" Waiting {months} month{'s' if months > 1 else ''}{more} raises it to " \
               f"{plan._chance(later)}"
        if later is plan.recommended:
            text += f" ({later.month}), the first month reaching {target} power."
        else:
            text += (f" ({later.month}); no month up to {plan.months[-1].month} reaches "
                     f"{target} power.")
        if plan.intake.has_monthly and not coming:
            first = analysable_from(plan.intake.start, lag_months=plan.lag_months,
                                    windows=plan.windows or None)
            text += (" The people still to come are not analysable before "
                     + (f"{first}." if first else "the end of the data windows given."))
        return text + ("" if later is plan.recommended else plan._needs())

    def _funnel_rows(self) -> list[tuple[str, str]]:
        counts, plan, settings = self.counts, self.plan, self.settings
        left = counts.index_dates_left_out
        rows = [("people in the file", f"{counts.rows:,}")]
        if left:
            rows.append(("left out", f"{sum(n for _, n in left):,}: "
                                     + "; ".join(f"{why} {n:,}" for why, n in left)))
        rows.append(("with a usable index date", f"{counts.n_planned:,}"))
        if self.found_share is not None:
            by = dict(counts.identified_by)
            rows.append(("found in the records", f"{_format.percent(self.found_share)}"))
            rows += [("", f"{by[name]:,} {IDENTIFIED_IN_WORDS[name]}, found "
                          f"{_format.percent(settings.found(name), 0)}")
                     for name in IDENTIFIED_BY if by[name]]
        rows.append(("matched", f"{_format.percent(settings.matched)} (a setting)"))
        if plan is not None:
            now = plan.current
            rows += [("found and matched", _format.percent(plan.scenario.retention)),
                     (f"analysable in {now.month}",
                      f"{self.from_file(now):,} of {counts.n_planned:,} "
                      f"({_format.percent(self.window_share(now))}), their index date inside "
                      f"the data window"),
                     ("expected analysed", f"{now.expected_n_treated:,.1f}"),
                     ("retention", f"{_format.percent(self.retention(now))} of the people "
                                   f"in the file")]
        return rows

    def __str__(self) -> str:
        month = self.plan.now if self.plan is not None else _dates.month_text(self.counts.today)
        text = (f"{self.summary()}\n\n{self.counts}\n\n"
                f"Estimated funnel if submitted in {month}\n{_format.table(self._funnel_rows())}")
        if self.plan is not None:
            text += f"\n\n{self.plan.settings_text()}\n\n{self._month_table()}"
        return text

    def _month_table(self) -> str:
        """Month by month: the file's people inside the window (and its share), those
        still to come, the expected number analysed and the chance of each verdict."""
        plan = self.plan
        more = plan.intake.has_monthly
        header = ("month", "index dates to", "from the file", "in window",
                  *(("still to come",) if more else ()), "analysed", "power", "reduction",
                  "increase", "note")
        rows = []
        for m in plan.months:
            known = self.from_file(m)
            rows.append((m.month, m.latest_index_date or "-", f"{known:,}",
                         _format.percent(self.window_share(m)),
                         *((f"{m.n_analysable - known:,}",) if more else ()),
                         f"{m.expected_n_treated:,.1f}", _format.percent(m.power),
                         _format.percent(m.p_significant_reduction),
                         _format.percent(m.p_significant_increase), plan.note(m)))
        return _format.columns(header, rows, left=(0, 1, len(header) - 1))

    def to_dict(self) -> dict:
        """The check as plain values (JSON-ready): counts and shares, never a person's data."""
        plan = self.plan
        funnel = {"people": self.counts.rows, "n_planned": self.counts.n_planned,
                  "left_out": dict(self.counts.index_dates_left_out),
                  "identified_by": dict(self.counts.identified_by),
                  "found_share": self.found_share, "matched": self.settings.matched}
        if plan is not None:
            later = self.later
            funnel |= {"found_and_matched": plan.scenario.retention,
                       "now": self._month_dict(plan.current),
                       "later": None if later is None else self._month_dict(later),
                       "months": [self._month_dict(m) for m in plan.months]}
        return {"summary": self.summary(), "people": self.counts.to_dict(),
                "settings": self.settings.to_dict(), "funnel": funnel,
                "plan": None if plan is None else plan.to_dict(),
                "no_plan_reason": self.no_plan_reason}

    def _month_dict(self, month: SubmissionMonth) -> dict:
        return {"month": month.month, "latest_index_date": month.latest_index_date,
                "from_file": self.from_file(month), "window_share": self.window_share(month),
                "n_analysable": month.n_analysable,
                "expected_n_treated": month.expected_n_treated,
                "retention": self.retention(month), "chance": self.plan.chance(month),
                "power": month.power}

    def to_frame(self) -> pd.DataFrame:
        """One row per field of the file: its column and counts."""
        return self.counts.to_frame()

    def __repr__(self) -> str:
        plan = "none" if self.plan is None else f"{len(self.plan.months)} months from " \
                                                f"{self.plan.now}"
        return (f"PeopleCheck(rows={self.counts.rows:,}, people={self.counts.people:,}, "
                f"planned={self.counts.n_planned:,}, found_share={self.found_share}, "
                f"plan={plan})")


def check_people(people, *, today, dayfirst: bool = True,
                 settings: CheckSettings | None = None, scenario: Scenario | None = None,
                 per_month: int | None = None, start=None, end=None,
                 horizon_months: int = DEFAULT_CHECK_HORIZON, lag_months: int | None = None,
                 windows: Iterable | None = None, target_power: float = 0.8,
                 column_names: Mapping[str, str] | None = None) -> PeopleCheck:
    """Check an organisation's file of people and plan its submission.

    Parameters
    ----------
    people
        The file's rows, as :func:`~powerplan.decisions.people.count_people` takes them.
    today : str or datetime.date
        The date of the check (``YYYY-MM-DD``); the submission is planned from
        its month. Required: powerplan never reads the clock.
    dayfirst : bool
        Read 03/04/2024 as 3 April (True, the UK way) or as March 4.
    settings : CheckSettings, optional
        The chances of being found and matched, and the plausibility limits.
    scenario : Scenario, optional
        Base rate, effect, comparison design and test (default: the built-in
        scenario). Its cohort and funnel are replaced by the file's.
    per_month, start, end
        People still to come, added to those known: ``per_month`` a month from
        month ``start`` (default: the month after the last known index date),
        through ``end``. They are taken to be like the people known.
    horizon_months, lag_months, windows, target_power
        As for :func:`~powerplan.decisions.wait.submission_plan`; the horizon
        is a year unless given.
    column_names : mapping, optional
        The file's name of each field's column, for the report.

    Returns
    -------
    PeopleCheck
    """
    settings = CheckSettings() if settings is None else settings
    if not isinstance(settings, CheckSettings):
        raise InvalidInputError("settings",
                                f"must be CheckSettings; got {type(settings).__name__}")
    scenario = Scenario() if scenario is None else scenario
    check_scenario(scenario)
    today = _dates.date("today", today)
    counts = count_people(people, today=today, dayfirst=dayfirst,
                          earliest_index_date=settings.earliest_index_date,
                          youngest=settings.youngest, oldest=settings.oldest,
                          column_names=column_names)
    if per_month is None and (start is not None or end is not None):
        raise InvalidInputError("start", "and end go with per_month, the people still to come")
    intake = counts.intake
    if intake is not None and per_month is not None:
        intake = intake.then_monthly(per_month, start, end)
    found = _found_share(counts, settings)
    plan, reason = None, None
    if intake is None:
        # the people still to come are taken to be like those known: with nobody
        # known there is nothing to take them from
        reason = "nobody in the file has a usable index date"
    elif found == 0:
        reason = ("nobody in the file could be found in the national records with the "
                  "settings given (no PNC number, prison number, or name and date of birth)")
    else:
        planned = scenario.replace(funnel={"found": found, "matched": settings.matched})
        try:
            plan = submission_plan(planned, intake, now=today, horizon_months=horizon_months,
                                   lag_months=lag_months, windows=windows,
                                   target_power=target_power)
        except NoSolutionError as error:
            reason = str(error)
    return PeopleCheck(counts=counts, settings=settings, found_share=found, plan=plan,
                       no_plan_reason=reason, scenario=scenario)


def _found_share(counts: PeopleCounts, settings: CheckSettings) -> float | None:
    """The chance of being found, averaged over the people planned for."""
    by = dict(counts.identified_by)
    total = sum(by.values())
    if total == 0:
        return None
    return sum(n * settings.found(name) for name, n in by.items()) / total
