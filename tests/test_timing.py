"""Submit now or wait: the date rules, the intake, the plan and its wording."""

import calendar
import datetime as dt
import json
import re

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from powerplan import (DataWindow, Intake, InvalidInputError, NoSolutionError, Scenario,
                       analytic, solve, submission_plan)
from powerplan._dates import add_months
from powerplan._format import percent
from powerplan.solvers.solve import MIN_REQUEST
from powerplan.decisions.wait import analysable_from

D = dt.date


def plain_add_months(day, months):
    """Calendar-month arithmetic written out, as an oracle for the pandas version."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return D(year, month + 1, min(day.day, last))


def first_month_by_brute_force(index_date, lag):
    """Step through submission months until index + 18 months <= first day - lag."""
    month = D(index_date.year, index_date.month, 1)
    while plain_add_months(index_date, 18) > plain_add_months(month, -lag):
        month = plain_add_months(month, 1)
    return f"{month:%Y-%m}"


# Calendar arithmetic ----------------------------------------------------

@pytest.mark.parametrize("day, months, expected", [
    (D(2024, 1, 31), 1, D(2024, 2, 29)),     # leap year
    (D(2023, 1, 31), 1, D(2023, 2, 28)),
    (D(2024, 2, 29), 12, D(2025, 2, 28)),    # a leap day has no anniversary
    (D(2024, 2, 29), 48, D(2028, 2, 29)),
    (D(2023, 8, 31), 18, D(2025, 2, 28)),
    (D(2022, 8, 31), 18, D(2024, 2, 29)),
    (D(2023, 5, 31), 18, D(2024, 11, 30)),
    (D(2023, 7, 1), 18, D(2025, 1, 1)),      # year boundary
    (D(2023, 12, 31), 18, D(2025, 6, 30)),
    (D(2026, 3, 1), -8, D(2025, 7, 1)),
    (D(2024, 3, 31), -1, D(2024, 2, 29)),
])
def test_calendar_months_clip_to_month_ends(day, months, expected):
    assert add_months(day, months) == expected == plain_add_months(day, months)


@pytest.mark.parametrize("index_date, lag, expected", [
    ("2024-01-01", 8, "2026-03"),   # ready 2025-07-01, data to 2025-07-01 in 2026-03
    ("2024-01-02", 8, "2026-04"),
    ("2024-01-31", 0, "2025-08"),   # ready 2025-07-31
    ("2023-08-31", 0, "2025-03"),   # ready 2025-02-28
    ("2022-08-31", 0, "2024-03"),   # ready 2024-02-29
    ("2024-02-29", 0, "2025-09"),   # ready 2025-08-29
    ("2024-02-29", 8, "2026-05"),
    ("2023-07-01", 0, "2025-01"),   # ready on the first day of a year
    ("2023-06-30", 0, "2025-01"),   # ready 2024-12-30
    ("2023-07-02", 0, "2025-02"),
    ("2023-12-31", 12, "2026-07"),  # ready 2025-06-30
])
def test_first_analysable_month_edges(index_date, lag, expected):
    assert analysable_from(index_date, lag_months=lag) == expected
    assert first_month_by_brute_force(D.fromisoformat(index_date), lag) == expected
    plan = submission_plan(Scenario(), Intake.from_dates([index_date]), now="2023-01",
                           horizon_months=60, lag_months=lag)
    first = next(m.month for m in plan.months if m.n_analysable == 1)
    assert first == expected


dates = st.dates(D(2015, 1, 1), D(2030, 12, 31))
lags = st.integers(0, 24)


@given(dates, st.integers(-40, 40))
def test_add_months_agrees_with_plain_arithmetic(day, months):
    assert add_months(day, months) == plain_add_months(day, months)


@settings(max_examples=60, deadline=None)
@given(st.lists(dates, min_size=1, max_size=40), lags)
def test_plan_counts_agree_with_brute_force(index_dates, lag):
    ready = [first_month_by_brute_force(d, lag) for d in index_dates]
    try:
        plan = submission_plan(Scenario(effect=-0.2), Intake.from_dates(index_dates),
                               now="2016-01", horizon_months=120, lag_months=lag)
    except NoSolutionError:
        assert min(ready) > "2026-01"
        return
    for m in plan.months:
        assert m.n_analysable == sum(r <= m.month for r in ready)


def test_default_lag_is_26_months_from_index_date_to_submission():
    plan = submission_plan(Scenario(), Intake.monthly(20, "2024-01"), now="2026-11",
                           horizon_months=14)
    assert plan.lag_months == 8
    for m in plan.months:
        submitted = D.fromisoformat(m.month + "-01")
        assert m.latest_index_date == add_months(submitted, -26).isoformat()
    assert plan.months[2].month == "2027-01"
    assert plan.months[2].latest_index_date == "2024-11-01"  # across a year boundary


def test_lag_zero_is_18_months():
    plan = submission_plan(Scenario(), Intake.monthly(20, "2024-01"), now="2026-02",
                           horizon_months=1, lag_months=0)
    assert [m.latest_index_date for m in plan.months] == ["2024-08-01", "2024-09-01"]


# The intake -------------------------------------------------------------

@pytest.mark.parametrize("month, days", [("2024-02", 29), ("2023-02", 28), ("2024-04", 30),
                                         ("2024-12", 31)])
def test_one_person_a_day_fills_the_month(month, days):
    got = Intake.monthly(days, month, month).dates_through(month)
    first = np.datetime64(month + "-01")
    assert list(got) == list(first + np.arange(days))


@given(st.integers(1, 200), st.dates(D(1990, 1, 1), D(2100, 12, 1)))
def test_monthly_count_spreads_evenly_over_the_days(count, day):
    month = f"{day:%Y-%m}"
    got = Intake.monthly(count, month, month).dates_through(month)
    days = calendar.monthrange(day.year, day.month)[1]
    assert len(got) == count
    assert got[0] == np.datetime64(month + "-01")
    assert (np.diff(got) >= np.timedelta64(0, "D")).all()
    assert str(got[-1])[:7] == month
    per_day = np.bincount((got - got[0]).astype(int), minlength=days)
    if count >= days:
        assert per_day.max() - per_day.min() <= 1


def test_monthly_intake_without_end_runs_through_the_last_month():
    intake = Intake.monthly(10, "2026-01")
    assert len(intake.dates_through("2026-03")) == 30
    assert len(Intake.monthly(10, "2026-01", "2026-02").dates_through("2026-03")) == 20
    assert len(intake.dates_through("2025-12")) == 0


def test_monthly_intake_is_the_same_as_its_dates():
    scenario = Scenario(base_rate=0.26, effect=-0.07)
    monthly = Intake.monthly(17, "2023-11", "2025-02")
    explicit = Intake.from_dates(monthly.dates_through("2025-02"))
    a = submission_plan(scenario, monthly, now="2025-06", horizon_months=30)
    b = submission_plan(scenario, explicit, now="2025-06", horizon_months=30)
    assert a.months == b.months


def test_explicit_dates_are_sorted_and_described():
    intake = Intake.from_dates(["2025-03-01", D(2024, 2, 29), np.datetime64("2024-12-31")])
    assert intake.index_dates == (D(2024, 2, 29), D(2024, 12, 31), D(2025, 3, 1))
    # known people's dates come from a file about people: described by month only
    assert intake.describe() == "3 people with index dates from 2024-02 to 2025-03"
    assert intake.to_dict() == {"n_people": 3, "first_index_month": "2024-02",
                                "last_index_month": "2025-03"}
    assert Intake.monthly(5, "2024-01", "2024-06").describe() == \
        "5 people a month from 2024-01 to 2024-06"
    assert "2024-02-29" not in repr(intake) + str(intake.to_dict())


def test_repeated_dates_are_counted():
    intake = Intake.from_dates(["2024-03-01"] * 40 + ["2024-03-02"])
    assert intake.index_dates == (D(2024, 3, 1), D(2024, 3, 2))
    assert intake.counts == (40, 1) and intake.n_known == 41
    assert intake == Intake.from_counts({"2024-03-02": 1, "2024-03-01": 40})
    assert intake == Intake.from_dates(np.array(["2024-03-01"] * 40 + ["2024-03-02"],
                                                dtype="datetime64[D]"))
    assert len(intake.dates_through("2030-01")) == 41


def test_known_people_then_a_monthly_intake():
    known = Intake.from_counts({"2024-02-10": 30, "2024-05-31": 10})
    both = known.then_monthly(12)
    assert (both.per_month, both.start, both.end) == (12, D(2024, 6, 1), None)
    assert both.describe() == ("40 people with index dates from 2024-02 to 2024-05, then 12 "
                               "people a month from 2024-06")
    assert both.to_dict() == {"n_people": 40, "first_index_month": "2024-02",
                              "last_index_month": "2024-05", "per_month": 12,
                              "start": "2024-06", "end": None}
    assert known.then_monthly(5, "2025-01", "2025-03").count_through("2030-01-01") == 55
    dates = both.dates_through("2024-08")
    assert len(dates) == 40 + 3 * 12 and (np.diff(dates).astype(int) >= 0).all()
    scenario = Scenario(base_rate=0.26, effect=-0.07)
    plan = submission_plan(scenario, both, now="2026-06", horizon_months=12)
    explicit = submission_plan(scenario, Intake.from_dates(both.dates_through("2027-06")),
                               now="2026-06", horizon_months=12)
    assert plan.months == explicit.months


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 400), st.dates(D(2023, 1, 1), D(2024, 12, 1)),
       st.one_of(st.none(), st.integers(0, 14)), st.dates(D(2022, 12, 1), D(2026, 6, 30)))
def test_count_through_agrees_with_the_dates(per_month, start, months, day):
    end = None if months is None else add_months(start.replace(day=1), months)
    intake = Intake.monthly(per_month, start, end)
    dates = intake.dates_through("2026-06")
    assert intake.count_through(day) == int((dates <= np.datetime64(day, "D")).sum())


@pytest.mark.parametrize("make, message", [
    (lambda: Intake.monthly(0, "2024-01"), "per_month must be a whole number in [1, 100,000]"),
    (lambda: Intake.monthly(-5, "2024-01"), "per_month must be a whole number in [1, 100,000]"),
    (lambda: Intake.monthly(2.5, "2024-01"), "per_month must be a whole number"),
    (lambda: Intake.monthly(5, "2024-13"), "start must be a month YYYY-MM; got '2024-13'"),
    (lambda: Intake.monthly(5, "Jan 2024"), "start must be a month YYYY-MM; got 'Jan 2024'"),
    (lambda: Intake.monthly(5, None), "start must be given for a monthly intake"),
    (lambda: Intake.monthly(5, "2024-06", "2024-05"),
     "end must not be before the start 2024-06; got 2024-05"),
    (lambda: Intake.from_dates([]), "index_dates must hold at least one date; got none"),
    (lambda: Intake.from_dates("2024-01-01"), "index_dates must be a list of dates"),
    (lambda: Intake.from_dates(["2024-01-01", "2023-02-29"]),
     "index_dates must be a date YYYY-MM-DD; got '2023-02-29' (date 2)"),
    (lambda: Intake.from_dates(["0224-01-01"]),
     "index_dates must be in the years 1900 to 2199; got 0224-01-01 (date 1)"),
    (lambda: Intake(), "intake must be the people known (their index dates), a number of "
                       "people a month from a start month, or both"),
    (lambda: Intake.monthly(5, "2024-01").then_monthly(5),
     "intake must hold the people known before adding those still to come"),
    (lambda: Intake.from_counts({"2024-01-01": 0}), "counts must be a whole number in [1, "),
    (lambda: Intake(index_dates=["2024-01-01"], counts=[1, 2]),
     "counts must give one count per index date: 1 dates and 2 counts"),
    (lambda: Intake(counts=[1]), "counts go with index_dates"),
])
def test_bad_intakes(make, message):
    with pytest.raises(InvalidInputError, match="^" + re.escape(message)):
        make()


def test_a_horizon_past_the_last_year_is_named():
    with pytest.raises(InvalidInputError, match="^" + re.escape(
            "horizon_months must end by 2199-12: now (2199-06) + 24 months is 2201-06")):
        submission_plan(Scenario(), Intake.monthly(20, "2196-01"), now="2199-06",
                        horizon_months=24)


# The plan ---------------------------------------------------------------

@st.composite
def plans(draw):
    base = draw(st.floats(0.1, 0.6))
    effect = -draw(st.floats(0.01, base - 0.02))  # a reduction, tested both ways or "less"
    scenario = Scenario(funnel=draw(st.floats(0.1, 1.0)), base_rate=base, effect=effect,
                        alternative=draw(st.sampled_from(["two-sided", "less"])),
                        method=draw(st.sampled_from(["wald", "arcsine"])))
    start = draw(st.dates(D(2018, 1, 1), D(2025, 12, 31)))
    if draw(st.booleans()):
        intake = Intake.monthly(draw(st.integers(1, 60)), start)
    else:
        intake = Intake.from_dates(draw(st.lists(st.dates(start, D(2027, 12, 31)),
                                                 min_size=1, max_size=300)))
    now = draw(st.dates(D(2025, 1, 1), D(2027, 12, 31)))
    return scenario, intake, now


def plan_or_none(scenario, intake, now, **options):
    try:
        return submission_plan(scenario, intake, now=now, horizon_months=24, **options)
    except NoSolutionError:
        return None


@settings(max_examples=40, deadline=None)
@given(plans(), lags)
def test_waiting_never_lowers_the_cohort_or_the_power(planned, lag):
    plan = plan_or_none(*planned, lag_months=lag)
    assume(plan is not None)
    for before, after in zip(plan.months, plan.months[1:]):
        assert after.n_analysable >= before.n_analysable
        assert after.power >= before.power - 1e-12


@settings(max_examples=40, deadline=None)
@given(plans(), lags, st.integers(1, 12))
def test_more_lag_never_raises_the_cohort(planned, lag, extra):
    scenario, intake, now = planned
    shorter = plan_or_none(scenario, intake, now, lag_months=lag)
    assume(shorter is not None)
    longer = plan_or_none(scenario, intake, now, lag_months=lag + extra)
    for i, month in enumerate(shorter.months):
        n_longer = 0 if longer is None else longer.months[i].n_analysable
        assert n_longer <= month.n_analysable


def test_each_month_is_the_analytic_result_for_its_cohort():
    scenario = Scenario(funnel={"found": 0.8, "matched": 0.6}, base_rate=0.3, effect=-0.06)
    plan = submission_plan(scenario, Intake.monthly(12, "2024-05"), now="2026-09",
                           horizon_months=6)
    assert len(plan.months) == 7
    for m in plan.months:
        expected = analytic(scenario.replace(cohort=m.n_analysable))
        assert m.power == expected.power
        assert m.p_significant_reduction == expected.p_significant_reduction
        assert m.p_significant_increase == expected.p_significant_increase
        assert m.p_inconclusive == expected.p_inconclusive
        assert m.expected_n_treated == pytest.approx(expected.expected_n_treated)


def test_months_with_nobody_analysable_have_power_zero_and_are_flagged():
    plan = submission_plan(Scenario(), Intake.monthly(30, "2024-06"), now="2026-01",
                           horizon_months=12)
    first = plan.current
    assert (first.month, first.n_analysable, first.latest_index_date) == \
        ("2026-01", 0, "2023-11-01")
    assert (first.power, first.p_significant_reduction, first.p_inconclusive) == (0.0, 0.0, 1.0)
    assert first.below_minimum_request and not first.reaches_target
    assert "none analysable" in str(plan).splitlines()[-13]
    one_month = next(m for m in plan.months if m.n_analysable)
    assert (one_month.month, one_month.n_analysable) == ("2026-08", 1)  # just 2024-06-01
    assert one_month.below_minimum_request
    assert f"below {MIN_REQUEST}" in str(plan)


def test_recommends_the_earliest_month_reaching_the_target():
    scenario = Scenario(base_rate=0.26, effect=-0.07)
    plan = submission_plan(scenario, Intake.monthly(25, "2024-01"), now="2026-11",
                           horizon_months=24)
    chosen = plan.recommended
    assert chosen.month == plan.recommended_month == "2028-09"
    assert chosen.power >= 0.8 and chosen.reaches_target
    earlier = [m for m in plan.months if m.month < chosen.month]
    assert all(m.power < 0.8 for m in earlier)
    assert plan.summary() == (
        f"Submitting in 2028-09 instead of now raises the chance of a significant reduction "
        f"from {percent(plan.current.p_significant_reduction, 0)} to "
        f"{percent(chosen.p_significant_reduction, 0)}. It is the earliest month reaching 80% "
        f"power, with {chosen.n_analysable} people analysable instead of "
        f"{plan.current.n_analysable}. In 12 months (2027-11) it would be "
        f"{percent(plan.in_a_year.p_significant_reduction, 0)}.")
    assert plan.in_a_year is plan.months[12] and plan.in_a_year.month == "2027-11"
    assert plan.analysable_needed is None and plan.months_needed is None
    assert plan.summary().startswith("Submitting in 2028-09 instead of now raises the chance "
                                     "of a significant reduction from 35% to 81%.")
    lower = submission_plan(scenario, Intake.monthly(25, "2024-01"), now="2026-11",
                            horizon_months=24, target_power=0.5)
    assert lower.recommended_month == "2027-05"


def test_now_already_reaching_the_target():
    plan = submission_plan(Scenario(), Intake.monthly(200, "2022-01"), now="2026-11",
                           horizon_months=3)
    assert plan.recommended_month == "2026-11"
    assert plan.summary() == (
        f"Submitting now (2026-11) already reaches 80% power: the chance of a significant "
        f"reduction is {percent(plan.current.p_significant_reduction, 0)}, with "
        f"{plan.current.n_analysable:,} people analysable.")


def test_now_reaching_the_target_also_gives_the_chance_in_a_year():
    plan = submission_plan(Scenario(), Intake.monthly(200, "2022-01"), now="2026-11",
                           horizon_months=12)
    assert plan.recommended is plan.current
    assert plan.summary().endswith(
        f"analysable. In 12 months (2027-11) it would be "
        f"{percent(plan.months[12].p_significant_reduction, 0)}.")


def test_no_month_reaching_the_target():
    plan = submission_plan(Scenario(), Intake.monthly(5, "2024-01"), now="2026-11",
                           horizon_months=12)
    assert plan.recommended_month is None
    best = plan.best
    assert best.month == "2027-11"
    # the 12-month month is the best, so it is named once; then what the target needs
    needed = solve(Scenario(), "cohort", target_power=0.8).value
    assert plan.analysable_needed == needed == 1860
    # analysable at 2027-11: index dates to 2025-09-01, 20 months of 5 and one on the 1st;
    # each later month adds 5
    assert best.n_analysable == 101
    assert plan.months_needed == 12 + -(-(needed - 101) // 5) == 364
    assert plan.summary() == (
        f"No month up to 2027-11 reaches 80% power; the best is 2027-11, with "
        f"101 people analysable: the chance of a significant reduction "
        f"is {percent(best.p_significant_reduction, 0)}, against "
        f"{percent(plan.current.p_significant_reduction, 0)} now. Reaching 80% power needs "
        f"about 1,860 "
        f"people analysable; at 5 people a month that is about 364 months from now (2057-03).")
    assert "recommended month  none within the horizon" in str(plan)


def test_power_without_the_minimum_request_is_not_recommended():
    # a huge effect: 40 people reach 80% power, but 60 must be submitted
    scenario = Scenario(funnel=1.0, effect=-0.3)
    plan = submission_plan(scenario, Intake.from_dates(["2024-03-01"] * 40), now="2026-11",
                           horizon_months=6)
    assert plan.current.reaches_target and plan.current.below_minimum_request
    assert plan.recommended_month is None
    assert plan.summary().startswith(
        "No month up to 2027-05 has both 80% power and the 60 people analysable the data "
        "service needs; the best is 2026-11, with 40 people analysable (the data service "
        "needs at least 60): ")


def test_an_increase_is_described_as_an_increase():
    plan = submission_plan(Scenario(effect=0.1), Intake.monthly(30, "2024-03"), now="2026-11")
    assert "the chance of a significant increase from" in plan.summary()


# Explicit data windows --------------------------------------------------

WINDOWS = [("2026-10-01", "2024-12-31"), ("2027-10-15", "2025-12-31")]


def test_explicit_windows():
    plan = submission_plan(Scenario(), Intake.monthly(20, "2024-03"), now="2026-08",
                           horizon_months=16, windows=WINDOWS)
    by_month = {m.month: m for m in plan.months}
    assert plan.lag_months is None
    assert plan.windows == (DataWindow(D(2026, 10, 1), D(2024, 12, 31)),
                            DataWindow(D(2027, 10, 15), D(2025, 12, 31)))
    assert by_month["2026-09"].n_analysable == 0 and by_month["2026-09"].latest_index_date is None
    assert by_month["2026-10"].n_analysable == 10 * 20           # 2024-03 to 2024-12
    assert by_month["2026-10"].latest_index_date == "2024-12-31"
    assert by_month["2027-10"].n_analysable == 200               # released mid-month
    assert by_month["2027-11"].n_analysable == 22 * 20           # through 2025-12
    assert analysable_from("2025-01-01", windows=WINDOWS) == "2027-11"
    assert analysable_from("2026-01-01", windows=WINDOWS) is None
    assert "  data windows       index dates to 2024-12-31 from 2026-10-01\n" \
           "                     index dates to 2025-12-31 from 2027-10-15\n" in str(plan)


def test_window_end_is_inclusive_on_explicit_dates():
    intake = Intake.from_dates(["2024-12-31", "2025-01-01"] * 40)
    plan = submission_plan(Scenario(), intake, now="2026-10", horizon_months=1,
                           windows=[("2026-10-01", "2024-12-31")])
    assert [m.n_analysable for m in plan.months] == [40, 40]


@pytest.mark.parametrize("windows, message", [
    ([("2026-10-01", "2025-12-31")], "windows must end at least 18 months before their release"),
    ([("2026-10-01", "2024-12-31"), ("2026-10-01", "2024-12-31")],
     "windows must have distinct release dates; 2026-10-01 appears twice"),
    ([("2027-10-01", "2024-06-30"), ("2026-10-01", "2024-12-31")],
     "windows must not end earlier in a later release"),
    ([], "windows must hold at least one (release, end) pair"),
    ([("2026-10-01",)], "windows must be (release, end) pairs"),
    ("2026-10-01:2024-12-31", "windows must be a list of (release, end) pairs"),
    ([("2026-10", "2024-12-31")], "windows must be a date YYYY-MM-DD; got '2026-10'"),
])
def test_bad_windows(windows, message):
    with pytest.raises(InvalidInputError) as caught:
        submission_plan(Scenario(), Intake.monthly(20, "2024-03"), now="2026-08",
                        windows=windows)
    assert str(caught.value).startswith(message)


# Nobody analysable, and bad settings ------------------------------------

def test_intake_entirely_outside_the_window():
    with pytest.raises(NoSolutionError) as caught:
        submission_plan(Scenario(), Intake.monthly(20, "2027-03", "2027-06"), now="2026-11",
                        horizon_months=24)
    assert str(caught.value) == (
        "none of the 80 people become analysable by 2028-11: the earliest index date, "
        "2027-03-01, needs data to 2028-09-01, loaded with a lag of 8 months from 2029-05")
    with pytest.raises(NoSolutionError, match="^the 1 person does not become analysable"):
        submission_plan(Scenario(), Intake.from_dates(["2028-01-01"]), now="2026-11")
    with pytest.raises(NoSolutionError) as caught:
        submission_plan(Scenario(), Intake.monthly(20, "2025-01"), now="2026-11",
                        windows=[("2026-10-01", "2024-12-31")])
    assert str(caught.value) == (
        "none of the 1,180 people become analysable by 2029-11: the earliest index date, "
        "2025-01-01, is after the end of every data window given (the last ends 2024-12-31)")
    with pytest.raises(NoSolutionError, match="is first covered by the window released "
                                              "2030-10-01$"):
        submission_plan(Scenario(), Intake.monthly(20, "2024-01"), now="2026-11",
                        windows=[("2030-10-01", "2024-12-31")])


@pytest.mark.parametrize("options, message", [
    ({"now": "2026-13"}, "now must be a month YYYY-MM; got '2026-13'"),
    ({"now": "2026-11-01"}, "now must be a month YYYY-MM; got '2026-11-01'"),
    ({"horizon_months": 0}, "horizon_months must be a whole number in [1, 120]; got 0"),
    ({"horizon_months": 121}, "horizon_months must be a whole number in [1, 120]; got 121"),
    ({"lag_months": -1}, "lag_months must be a whole number in [0, 120]; got -1"),
    ({"lag_months": 8, "windows": WINDOWS}, "lag_months and windows cannot both be given"),
    ({"target_power": 1.0}, "target_power must be a proportion in (0, 1); got 1"),
    ({"target_power": 0.05}, "target_power must be in (alpha, 1) = (0.05, 1): at or below "
                             "alpha even a zero effect reaches it; got 0.05"),
    ({"engine": "simulate"}, "engine must be one of 'analytic'; got 'simulate'"),
    ({"intake": [20]}, "intake must be an Intake"),
    ({"intake": Intake.monthly(20, "2029-12")},
     "start must not be after the last month planned, 2029-11 (now + 36 months); got 2029-12"),
])
def test_bad_settings(options, message):
    arguments = {"intake": Intake.monthly(20, "2024-03"), "now": "2026-11"} | options
    intake = arguments.pop("intake")
    with pytest.raises(InvalidInputError) as caught:
        submission_plan(Scenario(), intake, **arguments)
    assert str(caught.value).startswith(message)


def test_now_is_required():
    with pytest.raises(TypeError):
        submission_plan(Scenario(), Intake.monthly(20, "2024-03"))


def test_now_accepts_dates_and_periods():
    import pandas as pd

    a = submission_plan(Scenario(), Intake.monthly(20, "2024-03"), now=D(2026, 11, 30))
    b = submission_plan(Scenario(), Intake.monthly(20, "2024-03"), now=pd.Period("2026-11", "M"))
    assert a.now == b.now == "2026-11" and a.months == b.months


# Output -----------------------------------------------------------------

def test_to_dict_is_json_and_to_frame_has_a_row_per_month():
    plan = submission_plan(Scenario(), Intake.monthly(20, "2024-03"), now="2026-11",
                           horizon_months=5)
    payload = json.loads(json.dumps(plan.to_dict()))
    assert payload["recommended_month"] is None
    assert payload["now"] == "2026-11" and payload["lag_months"] == 8
    assert payload["intake"] == {"per_month": 20, "start": "2024-03", "end": None}
    assert len(payload["months"]) == 6
    assert set(payload["months"][0]) == {
        "month", "latest_index_date", "n_analysable", "expected_n_treated", "power",
        "p_significant_reduction", "p_significant_increase", "p_inconclusive",
        "below_minimum_request", "reaches_target"}
    frame = plan.to_frame()
    assert frame.shape == (6, 10)
    assert list(frame["month"]) == [f"2026-{m}" for m in (11, 12)] + \
        [f"2027-0{m}" for m in range(1, 5)]


def test_printed_plan():
    plan = submission_plan(Scenario(base_rate=0.26, effect=-0.07),
                           Intake.monthly(25, "2024-01"), now="2026-11", horizon_months=24)
    lines = str(plan).splitlines()
    assert lines[0] == plan.summary()
    assert lines[2] == "Submit now or wait (analytic; welch test, two-sided, alpha 0.05)"
    assert "  data               index dates up to 26 months before submission " \
           "(18 of follow-up, 8 of lag)" in lines
    assert lines[10].split() == ["month", "index", "dates", "to", "analysable", "analysed",
                                 "power", "reduction", "increase", "note"]
    assert lines[11].split()[:3] == ["2026-11", "2024-09-01", "201"]
    assert lines[-3].split()[0] == "2028-09" and lines[-3].endswith("recommended")
    assert len(lines) == 11 + 25


# What the target needs, when no month within the horizon reaches it ----

def test_needs_more_than_known_people_ever_give():
    known = Intake.from_counts({"2024-03-01": 100})
    plan = submission_plan(Scenario(), known, now="2026-11", horizon_months=6)
    assert plan.months_needed is None
    assert plan.summary().endswith(
        "Reaching 80% power needs about 1,860 people analysable, 1,760 more than the intake "
        "will ever have.")


def test_needs_with_windows_cannot_tell_when():
    plan = submission_plan(Scenario(), Intake.monthly(5, "2024-01"), now="2026-11",
                           horizon_months=6, windows=[("2026-10-01", "2024-12-31")])
    assert plan.analysable_needed == 1860 and plan.months_needed is None
    assert plan.summary().endswith("needs about 1,860 people analysable, more than the data "
                                   "windows given cover.")


def test_needs_at_least_the_minimum_request():
    scenario = Scenario(funnel=1.0, effect=-0.3)
    plan = submission_plan(scenario, Intake.from_dates(["2024-03-01"] * 40).then_monthly(
        2, "2024-04"), now="2026-11", horizon_months=3)
    assert plan.analysable_needed == MIN_REQUEST
    # 40 known + 2 a month from 2024-04; at 2027-02 index dates to 2024-12-01: 40 + 16 + 1
    assert plan.months[-1].n_analysable == 57
    assert plan.months_needed == 5  # 2027-04: to 2025-02-01, 40 + 20 + 1 = 61


def test_no_number_of_people_reaches_the_target():
    plan = submission_plan(Scenario(effect=0.0), Intake.monthly(5, "2024-01"), now="2026-11",
                           horizon_months=3)
    assert plan.analysable_needed is None and plan.months_needed is None
    assert plan.summary().endswith(" No number of people analysable reaches 80% power in this "
                                   "scenario.")


def test_nobody_analysable_names_known_people_by_month_only():
    with pytest.raises(NoSolutionError) as caught:
        submission_plan(Scenario(), Intake.from_counts({"2026-03-17": 30}), now="2026-11",
                        horizon_months=6)
    assert str(caught.value) == ("none of the 30 people become analysable by 2027-05: the "
                                 "earliest index dates, in 2026-03, become analysable in 2028-06")
    with pytest.raises(NoSolutionError) as caught:
        submission_plan(Scenario(), Intake.from_counts({"2025-03-17": 30}), now="2026-11",
                        windows=[("2026-10-01", "2024-12-31")])
    assert "2025-03-17" not in str(caught.value)
    assert str(caught.value).endswith("the earliest index dates, in 2025-03, are after the end "
                                      "of every data window given (the last ends 2024-12-31)")
