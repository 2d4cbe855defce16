"""check_people: the funnel estimated from the file, and the plan it gives."""

import datetime as dt
import json
import re

import numpy as np
import pandas as pd
import pytest

from powerplan import (CheckSettings, Intake, InvalidInputError, Scenario, analysable_from,
                       check_people, submission_plan)
from powerplan._format import percent

TODAY = "2026-11-02"
STUDY = Scenario(base_rate=0.26, effect=-0.07)


def people(n=140, seed=3, pnc_share=0.5, first="2023-09-01", days=800):
    """``n`` synthetic people with distinct names, half with a valid PNC number."""
    rng = np.random.default_rng(seed)
    index = pd.Timestamp(first) + pd.to_timedelta(rng.integers(0, days, n), unit="D")
    return pd.DataFrame({
        "forename": [f"Person{chr(65 + i % 26)}{chr(65 + i // 26 % 26)}" for i in range(n)],
        "surname": ["Example"] * n,
        "date_of_birth": [f"{d:02d}/06/{y}" for d, y in zip(rng.integers(1, 29, n),
                                                          rng.integers(1960, 2000, n))],
        "pnc_number": ["2011/0275516Q" if u < pnc_share else "" for u in rng.random(n)],
        "index_date": index.strftime("%d/%m/%Y"),
    })


def test_the_funnel_is_found_times_window_times_matched():
    frame = people()
    result = check_people(frame, today=TODAY, scenario=STUDY)
    by = dict(result.counts.identified_by)
    expected_found = (by["pnc_number"] * 0.95 + by["name_and_date_of_birth"] * 0.70) / 140
    assert by["pnc_number"] + by["name_and_date_of_birth"] == 140
    assert result.found_share == pytest.approx(expected_found, rel=1e-12)
    dates = pd.to_datetime(frame["index_date"], format="%d/%m/%Y").dt.date.tolist()
    plan = submission_plan(STUDY.replace(funnel={"found": expected_found, "matched": 0.75}),
                           Intake.from_dates(dates), now="2026-11", horizon_months=12)
    assert result.plan.months == plan.months
    now = result.plan.current
    assert now.expected_n_treated == pytest.approx(now.n_analysable * expected_found * 0.75)
    assert result.retention(now) == pytest.approx(now.expected_n_treated / 140)


def test_the_summary_says_now_and_waiting_in_plain_words():
    # index dates from 2022-01 to 2023-08: the people still to come from 2023-09 are
    # analysable from 2025-11, so they count now and later
    result = check_people(people(first="2022-01-01", days=600, n=60), today=TODAY,
                          scenario=STUDY, per_month=5)
    plan, now, later = result.plan, result.plan.current, result.later
    assert later is plan.months[12]   # no month reaches 80%: the best later month, the last
    assert result.from_file(now) == 60 and now.n_analysable > 60
    needed, months = plan.analysable_needed, plan.months_needed
    year, month = divmod(2026 * 12 + 10 + months, 12)
    assert result.summary() == (
        f"Of your 60 people, about {now.expected_n_treated:.0f} could be analysed if you "
        f"submitted this month (2026-11); the chance of a significant reduction would be "
        f"{percent(now.p_significant_reduction, 0)}. Waiting 12 months for 5 more people a "
        f"month raises it to {percent(later.p_significant_reduction, 0)} (2027-11); no month "
        f"up to 2027-11 reaches 80% power. Reaching 80% power needs about {needed:,} people "
        f"analysable; at 5 people a month that is about {months} months from now "
        f"({year}-{month + 1:02d}). The file has no column for the data service's required "
        f"gender, intervention start, intervention end, custody or community.")
    assert plan.intake.per_month == 5 and plan.intake.n_known == 60


def test_people_still_to_come_who_are_not_analysable_yet_are_not_promised():
    # index dates to 2025-10: people still to come from 2025-11 (their first on the 1st,
    # analysable from 2028-01) are not analysable within the year
    result = check_people(people(), today=TODAY, scenario=STUDY, per_month=12)
    later = result.later
    assert result.plan.intake.start == dt.date(2025, 11, 1)
    assert analysable_from("2025-11-01") == "2028-01"
    assert later.n_analysable == result.from_file(later)
    summary = result.summary()
    assert f"Waiting 12 months raises it to {percent(later.p_significant_reduction, 0)} " \
           f"(2027-11); no month up to 2027-11 reaches 80% power. The people still to come " \
           f"are not analysable before 2028-01." in summary
    assert "more people a month raises" not in summary


def test_the_window_share_month_by_month():
    frame = people()
    result = check_people(frame, today=TODAY, per_month=12)
    dates = pd.to_datetime(frame["index_date"], format="%d/%m/%Y")
    for month in result.plan.months:
        inside = int((dates <= pd.Timestamp(month.latest_index_date)).sum())
        assert result.from_file(month) == inside
        assert result.window_share(month) == inside / 140
    rows = result.to_dict()["funnel"]["months"]
    assert [r["window_share"] for r in rows] == [result.window_share(m)
                                                 for m in result.plan.months]
    assert "still to come" in str(result) and "in window" in str(result)


def test_a_later_month_reaching_the_target_is_named():
    result = check_people(people(n=300, days=700), today=TODAY, scenario=STUDY,
                          per_month=60, horizon_months=24)
    plan = result.plan
    assert plan.recommended is not None and plan.recommended is not plan.current
    assert result.later is plan.recommended
    months = plan.months.index(plan.recommended)
    assert (f"Waiting {months} months for 60 more people a month raises it to "
            f"{percent(plan.recommended.p_significant_reduction, 0)} ({plan.recommended.month}),"
            f" the first month reaching 80% power.") in result.summary()


def test_now_already_reaching_the_target():
    result = check_people(people(n=3000, first="2021-01-01", days=900), today=TODAY,
                          scenario=STUDY)
    assert result.plan.recommended is result.plan.current
    assert result.summary().split(". ")[1] == "That already reaches 80% power"


def test_waiting_that_buys_nothing_is_said():
    # every index date analysable already; no people still to come
    result = check_people(people(first="2021-01-01", days=300), today=TODAY, scenario=STUDY)
    assert " Waiting up to 12 months does not raise it." in result.summary()


def test_below_the_minimum_is_an_answer():
    result = check_people(people(n=40), today=TODAY, scenario=STUDY)
    assert result.plan is not None
    now = result.plan.current
    assert (f" Only {now.n_analysable} are analysable this month (inside the data window), "
            f"fewer than the 60 the data service asks for.") in result.summary()
    assert result.summary().endswith(" The data service needs at least 60 people; the file "
                                     "lists 40. The file has no column for the data service's "
                                     "required gender, intervention start, intervention end, "
                                     "custody or community.")


def test_settings_change_the_found_share():
    frame = people()
    low = check_people(frame, today=TODAY, settings=CheckSettings(
        found_with_pnc_number=0.5, found_with_name_and_date_of_birth=0.1, matched=0.5))
    by = dict(low.counts.identified_by)
    assert low.found_share == pytest.approx((by["pnc_number"] * 0.5 + by[
        "name_and_date_of_birth"] * 0.1) / 140)
    assert low.plan.scenario.retention == pytest.approx(low.found_share * 0.5)


def test_no_plan_when_nobody_can_be_placed_or_found():
    blank = people().assign(index_date="")
    result = check_people(blank, today=TODAY)
    assert result.plan is None and result.found_share is None
    assert result.summary().startswith("Of your 140 people, none could be analysed: nobody in "
                                       "the file has a usable index date.")
    nameless = people().assign(forename="", pnc_number="")
    result = check_people(nameless, today=TODAY)
    assert result.plan is None and result.found_share == 0
    assert "nobody in the file could be found in the national records" in result.summary()
    recent = people(first="2026-06-01", days=60)
    result = check_people(recent, today=TODAY, horizon_months=3)
    assert result.plan is None
    assert result.no_plan_reason.startswith("none of the 140 people become analysable by "
                                            "2027-02: the earliest index dates, in 2026-06,")


def test_the_result_holds_no_personal_data():
    frame = people()
    result = check_people(frame, today=TODAY, per_month=5)
    text = str(result) + repr(result) + json.dumps(result.to_dict()) + \
        result.to_frame().to_string()
    for column in ("forename", "date_of_birth", "index_date"):
        for value in frame[column]:
            assert value not in text
    assert json.loads(json.dumps(result.to_dict()))["funnel"]["people"] == 140


@pytest.mark.parametrize("make, message", [
    (lambda: CheckSettings(found_with_pnc_number=1.2),
     "found_with_pnc_number must be a number in [0, 1]; got 1.2"),
    (lambda: CheckSettings(matched=0), "matched must be a share in (0, 1]; got 0"),
    (lambda: CheckSettings(earliest_index_date="2000"),
     "earliest_index_date must be a date YYYY-MM-DD"),
    (lambda: check_people(people(), today=TODAY, start="2027-01"),
     "start and end go with per_month, the people still to come"),
    (lambda: check_people(people(), today=TODAY, settings={"matched": 0.5}),
     "settings must be CheckSettings; got dict"),
    (lambda: check_people(people(), today=TODAY, horizon_months=0),
     "horizon_months must be a whole number in [1, 120]; got 0"),
])
def test_bad_checks(make, message):
    with pytest.raises(InvalidInputError, match="^" + re.escape(message)):
        make()
