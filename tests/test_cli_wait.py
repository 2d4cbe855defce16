"""``powerplan wait``: text, JSON, intake files, data windows and one-line errors."""

import datetime as dt
import json

import pytest

from powerplan import Intake, Scenario, submission_plan
from powerplan_cli.main import cli

MONTHLY = ["--intake-per-month", "25", "--start", "2024-01", "--now", "2026-11"]


def run(runner, *args):
    return runner.invoke(cli, ["wait", *args])


def test_text_is_the_plan(runner):
    result = run(runner, *MONTHLY, "--base-rate", "0.26", "--effect", "-7pp",
                 "--horizon-months", "24")
    assert result.exit_code == 0, result.output
    plan = submission_plan(Scenario(base_rate=0.26, effect=-0.07), Intake.monthly(25, "2024-01"),
                           now="2026-11", horizon_months=24)
    assert result.stdout == str(plan) + "\n"
    assert result.stdout.startswith("Submitting in 2028-09 instead of now raises the chance of "
                                    "a significant reduction from 35% to 81%.")


def test_json_matches_the_library(runner):
    result = run(runner, *MONTHLY, "--retention", "0.3", "--base-rate", "26%",
                 "--effect", "rr=0.75", "--lag-months", "6", "--target-power", "0.7", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    plan = submission_plan(Scenario(funnel=0.3, base_rate=0.26, effect=-0.065),
                           Intake.monthly(25, "2024-01"), now="2026-11", lag_months=6,
                           target_power=0.7)
    assert payload["recommended_month"] == plan.recommended_month is not None
    assert len(payload["months"]) == 37
    for got, expected in zip(payload["months"], plan.months):
        assert got["month"] == expected.month
        assert got["n_analysable"] == expected.n_analysable
        assert got["power"] == pytest.approx(expected.power, abs=1e-15)
        assert got["p_significant_reduction"] == \
            pytest.approx(expected.p_significant_reduction, abs=1e-15)
    assert payload["lag_months"] == 6 and payload["target_power"] == 0.7
    assert payload["scenario"]["retention"] == 0.3
    assert "cohort" not in payload["scenario"]


def test_json_recommended_month_is_null_when_no_month_reaches_the_target(runner):
    payload = json.loads(run(runner, "--intake-per-month", "5", "--start", "2024-01",
                             "--now", "2026-11", "--json").stdout)
    assert payload["recommended_month"] is None
    assert payload["summary"].startswith("No month up to 2029-11 reaches 80% power")


def test_end_month(runner):
    payload = json.loads(run(runner, *MONTHLY, "--end", "2024-06", "--json").stdout)
    assert {m["n_analysable"] for m in payload["months"]} == {150}
    assert payload["intake"] == {"per_month": 25, "start": "2024-01", "end": "2024-06"}


def test_now_defaults_to_this_month(runner):
    payload = json.loads(run(runner, "--intake-per-month", "25", "--start", "2024-01",
                             "--json").stdout)
    assert payload["now"] == dt.date.today().strftime("%Y-%m")


def test_index_dates_file_with_other_columns(runner, tmp_path):
    path = tmp_path / "people.csv"
    rows = ["id,index_date,site"] + [f"{i},2024-0{1 + i % 6}-{10 + i % 19},north"
                                     for i in range(90)]
    path.write_text("\n".join(rows) + "\n")
    result = run(runner, "--index-dates", str(path), "--now", "2026-08", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    dates = [row.split(",")[1] for row in rows[1:]]
    plan = submission_plan(Scenario(), Intake.from_dates(dates), now="2026-08")
    assert [m["n_analysable"] for m in payload["months"]] == \
        [m.n_analysable for m in plan.months]
    assert payload["intake"] == {"n_people": 90, "first_index_date": min(dates),
                                 "last_index_date": max(dates)}


@pytest.mark.parametrize("content", [
    "2024-01-31\n2024-02-29\n\n2024-03-31\n",            # no header, a blank line
    "date\n2024-01-31\n2024-02-29\n2024-03-31\n",        # a single column of another name
    "\ufeffindex_date\r\n2024-01-31\r\n2024-02-29\r\n2024-03-31\r\n",  # as Excel saves it
])
def test_single_column_files(runner, tmp_path, content):
    path = tmp_path / "dates.csv"
    path.write_text(content, encoding="utf-8")
    result = run(runner, "--index-dates", str(path), "--now", "2025-07", "--horizon-months",
                 "4", "--lag-months", "0", "--json")
    assert result.exit_code == 0, result.output
    counts = [m["n_analysable"] for m in json.loads(result.stdout)["months"]]
    # ready 2025-07-31, 2025-08-29, 2025-09-30: each analysable from the next month
    assert counts == [0, 1, 2, 3, 3]


def test_windows(runner):
    result = run(runner, "--intake-per-month", "20", "--start", "2024-03", "--now", "2026-08",
                 "--horizon-months", "16", "--window", "2026-10-01:2024-12-31",
                 "--window", "2027-10-15:2025-12-31", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    counts = {m["month"]: m["n_analysable"] for m in payload["months"]}
    assert (counts["2026-09"], counts["2026-10"], counts["2027-10"], counts["2027-11"]) == \
        (0, 200, 200, 440)
    assert payload["lag_months"] is None
    assert payload["windows"] == [{"release": "2026-10-01", "end": "2024-12-31"},
                                  {"release": "2027-10-15", "end": "2025-12-31"}]


def test_config_cohort_is_ignored(runner, tmp_path):
    config = tmp_path / "study.toml"
    config.write_text("cohort = 5000\nbase_rate = 0.26\n")
    with_config = json.loads(run(runner, *MONTHLY, "--config", str(config), "--json").stdout)
    direct = json.loads(run(runner, *MONTHLY, "--base-rate", "0.26", "--json").stdout)
    assert with_config["months"] == direct["months"]


def test_cohort_is_hidden_from_help(runner):
    result = run(runner, "--help")
    options = result.stdout.split("Options:")[1]
    assert "--cohort" not in options
    assert "--intake-per-month" in options


def test_nobody_analysable_is_one_line_exit_1(runner):
    result = run(runner, "--intake-per-month", "20", "--start", "2027-03", "--end", "2027-06",
                 "--now", "2026-11", "--horizon-months", "24")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: none of the 80 people become analysable by 2028-11: the earliest index date, "
        "2027-03-01, needs data to 2028-09-01, loaded with a lag of 8 months from 2029-05"]


def _csv(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return str(path)


BAD_INPUTS = [
    (["--intake-per-month", "20", "--start", "2024-13", "--now", "2026-11"],
     "Invalid value for '--start': must be a month YYYY-MM; got '2024-13'"),
    (["--intake-per-month", "20", "--start", "2024-01", "--now", "11/2026"],
     "Invalid value for '--now': must be a month YYYY-MM; got '11/2026'"),
    (["--intake-per-month", "20", "--start", "2030-01", "--now", "2026-11"],
     "Invalid value for '--start': must not be after the last month planned, 2029-11 "
     "(now + 36 months); got 2030-01"),
    (["--intake-per-month", "-20", "--start", "2024-01"],
     "Invalid value for '--intake-per-month': must be a whole number in [1, 100,000]; got -20"),
    (["--intake-per-month", "0", "--start", "2024-01"],
     "Invalid value for '--intake-per-month': must be a whole number in [1, 100,000]; got 0"),
    (["--intake-per-month", "many", "--start", "2024-01"],
     "Invalid value for '--intake-per-month': must be a whole number in [1, 100,000]; "
     "got 'many'"),
    (["--intake-per-month", "20", "--start", "2024-01", "--horizon-months", "0"],
     "Invalid value for '--horizon-months': must be a whole number in [1, 120]; got 0"),
    (["--intake-per-month", "20", "--start", "2024-01", "--lag-months", "-1"],
     "Invalid value for '--lag-months': must be a whole number in [0, 120]; got -1"),
    (["--intake-per-month", "20", "--start", "2024-06", "--end", "2024-01"],
     "Invalid value for '--end': must not be before the start 2024-06; got 2024-01"),
    (["--intake-per-month", "20"], "--intake-per-month needs --start YYYY-MM"),
    ([], "give the intake: --intake-per-month N with --start YYYY-MM, or --index-dates "
         "FILE.csv"),
    (["--intake-per-month", "20", "--start", "2024-01", "--index-dates", "{good}"],
     "give either --intake-per-month (with --start) or --index-dates, not both"),
    (["--index-dates", "{good}", "--start", "2024-01"],
     "--start and --end go with --intake-per-month, not --index-dates"),
    (["--index-dates", "missing.csv"],
     "Invalid value for '--index-dates': File 'missing.csv' does not exist"),
    (["--index-dates", "{empty}"],
     "Invalid value for '--index-dates': {empty}: is empty; it needs a column index_date"),
    (["--index-dates", "{header_only}"],
     "Invalid value for '--index-dates': {header_only}: holds no index dates"),
    (["--index-dates", "{no_column}"],
     "Invalid value for '--index-dates': {no_column}: has no index_date column; its columns "
     "are id, start"),
    (["--index-dates", "{bad_date}"],
     "Invalid value for '--index-dates': {bad_date}: line 3: index_date must be a date "
     "YYYY-MM-DD; got '2023-02-29'"),
    (["--index-dates", "{us_date}"],
     "Invalid value for '--index-dates': {us_date}: line 1: index_date must be a date "
     "YYYY-MM-DD; got '01/31/2024'"),
    (["--index-dates", "{blank_cell}"],
     "Invalid value for '--index-dates': {blank_cell}: line 3: index_date is empty"),
    (["--index-dates", "{binary}"],
     "Invalid value for '--index-dates': {binary}: is not UTF-8 text"),
    (["--index-dates", "{two_columns}"],
     "Invalid value for '--index-dates': {two_columns}: has more than one index_date column; "
     "keep the one to use"),
    (["--intake-per-month", "20", "--start", "2024-01", "--window", "2026-10-01"],
     "Invalid value for '--window': must be RELEASE:END, two dates YYYY-MM-DD"),
    (["--intake-per-month", "20", "--start", "2024-01", "--window", "2026-10-01:2025-12-31"],
     "Invalid value for '--window': must end at least 18 months before their release"),
    (["--intake-per-month", "20", "--start", "2024-01", "--window", "2026-10:2024-12-31"],
     "Invalid value for '--window': must be a date YYYY-MM-DD; got '2026-10'"),
    (["--intake-per-month", "20", "--start", "2024-01", "--window", "2026-10-01:2024-12-31",
      "--window", "2026-10-01:2024-12-31"],
     "Invalid value for '--window': must have distinct release dates"),
    (["--intake-per-month", "20", "--start", "2024-01", "--window", "2026-10-01:2024-12-31",
      "--lag-months", "8"], "give either --lag-months or --window, not both"),
    (["--intake-per-month", "20", "--start", "2024-01", "--cohort", "300"],
     "Invalid value for '--cohort': is not used by wait: the cohort of each month is the "
     "people of the intake analysable then"),
    (["--intake-per-month", "20", "--start", "2024-01", "--target-power", "0.04"],
     "Invalid value for '--target-power': must be in (alpha, 1) = (0.05, 1): at or below alpha "
     "even a zero effect reaches it; got 0.04"),
    (["--intake-per-month", "20", "--start", "2024-01", "--base-rate", "2"],
     "Invalid value for '--base-rate': must be a proportion in (0, 1); got 2"),
    (["--intake-per-month", "20", "--start", "2024-01", "--now", "2199-06",
      "--horizon-months", "120"],
     "Invalid value for '--horizon-months': must end by 2199-12: now (2199-06) + 120 months "
     "is 2209-06"),
]

FILES = {
    "good": "index_date\n2024-01-01\n",
    "empty": "",
    "header_only": "index_date\n",
    "no_column": "id,start\n1,2024-01-01\n",
    "bad_date": "index_date\n2024-01-01\n2023-02-29\n",
    "us_date": "01/31/2024\n",
    "blank_cell": "id,index_date\n1,2024-01-01\n2,\n",
    "binary": b"\xff\xfe\x00index_date",
    "two_columns": "index_date,index_date\n2024-01-05,2024-01-06\n",
}


@pytest.mark.parametrize("args, message", BAD_INPUTS, ids=[" ".join(a) or "no intake"
                                                           for a, _ in BAD_INPUTS])
def test_bad_input_is_one_line_exit_2(runner, tmp_path, args, message):
    paths = {name: _csv(tmp_path, name + ".csv", content) for name, content in FILES.items()}
    args = [arg.format(**paths) for arg in args]
    result = run(runner, *args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert message.format(**paths) in lines[0]
    assert "Traceback" not in result.output
