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
    result = run(runner, *MONTHLY, "--found-and-matched", "0.3", "--base-rate", "26%",
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
    # the file's dates are personal data: the intake names months only
    assert payload["intake"] == {"n_people": 90, "first_index_month": min(dates)[:7],
                                 "last_index_month": max(dates)[:7]}
    assert payload["index_dates"] == {"file": str(path), "rows": 90, "used": 90,
                                      "left_out": {}, "notes": []}
    assert not any(day in result.stdout for day in dates)


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


def test_config_retention_is_refused_with_the_reason(runner, tmp_path):
    config = tmp_path / "study.toml"
    config.write_text("retention = 0.3\n")
    result = run(runner, *MONTHLY, "--config", str(config))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: Invalid value for '--config': {config}: retention is the share of all the "
        f"people submitted who are analysed, the data window included, which wait counts from "
        f"the dates; give a [funnel] table of the stages after the data window, or "
        f"--found-and-matched\n")
    config.write_text("[funnel]\nfound = 0.8\nmatched = 0.5\n")
    payload = json.loads(run(runner, *MONTHLY, "--config", str(config), "--json").stdout)
    assert payload["found_and_matched"] == pytest.approx(0.4)


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
         "FILE (and --intake-per-month for the people still to come)"),
    (["--index-dates", "missing.csv"],
     "Invalid value for '--index-dates': missing.csv: there is no such file"),
    (["--index-dates", "{empty}"], "Invalid value for '--index-dates': {empty}: is empty"),
    (["--index-dates", "{header_only}"],
     "Invalid value for '--index-dates': {header_only}: has a header but no rows"),
    (["--index-dates", "{no_column}"],
     "Invalid value for '--index-dates': {no_column}: has no index date column; name the "
     "column holding it with --column index_date=HEADER"),
    (["--index-dates", "{us_date}"],
     "Invalid value for '--index-dates': {us_date}: has no usable index date (index date: "
     "impossible date 1)"),
    (["--index-dates", "{all_blank}"],
     "Invalid value for '--index-dates': {all_blank}: has no usable index date (index date "
     "blank 2)"),
    (["--index-dates", "{binary}"],
     "Invalid value for '--index-dates': {binary}: is not a text file (it holds binary data)"),
    (["--index-dates", "{two_columns}"],
     "Invalid value for '--index-dates': {two_columns}: has two columns for index date, "
     "'index_date' and 'Index Date'; choose one with --column index_date=HEADER"),
    (["--index-dates", "{good}", "--column", "index_date=Release"],
     "Invalid value for '--index-dates': {good}: has no column named 'Release'"),
    (["--index-dates", "{good}", "--column", "release=index_date"],
     "Invalid value for '--column': FIELD must be one of forename, surname"),
    (["--index-dates", "{good}", "--sheet", "People"],
     "Invalid value for '--sheet': is only for Excel workbooks (.xlsx)"),
    (["--intake-per-month", "20", "--start", "2024-01", "--column", "index_date=x"],
     "--column, --ignore-column, --sheet and --today go with --index-dates FILE"),
    (["--index-dates", "{good}", "--end", "2026-01"],
     "--start and --end go with --intake-per-month"),
    (["--intake-per-month", "20", "--start", "2024-01", "--retention", "0.3"],
     "Invalid value for '--retention': is the share of all the people submitted who are "
     "analysed, the data window included; wait counts the data window from the dates, so "
     "give --found-and-matched"),
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
    "us_date": "01/31/2024\n",
    "all_blank": "forename,index_date\nA,\nB, \n",
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "two_columns": "index_date,Index Date\n2024-01-05,2024-01-06\n",
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


def test_dates_that_cannot_be_used_are_counted_and_left_out(runner, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("forename,index_date\nA,2024-01-01\nB,\nC,2023-02-29\nD,01/03/2024\n"
                    "E,2027-06-01\nF,1998-05-05\nG,03/31/2024\n,\n", encoding="utf-8")
    result = run(runner, "--index-dates", str(path), "--now", "2026-08", "--today",
                 "2026-08-03", "--horizon-months", "2")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Assuming a base rate of 35%")
    assert lines[3] == (
        f"Index dates from {path}: 7 rows read, 2 used (1 blank row skipped); left out: "
        f"index date blank 1; index "
        f"date: impossible date 2; index date: in the future 1; index date: before 2000-01-01 "
        f"(implausibly old) 1. Note: 1 date is impossible read day first but valid read "
        f"month first: if the file writes dates month first (04/30/2024), read it so.")
    payload = json.loads(run(runner, "--index-dates", str(path), "--now", "2026-08",
                             "--today", "2026-08-03", "--horizon-months", "2",
                             "--json").stdout)
    assert payload["index_dates"]["left_out"] == {
        "index date blank": 1, "index date: impossible date": 2, "index date: in the future": 1,
        "index date: before 2000-01-01 (implausibly old)": 1}
    assert payload["intake"]["n_people"] == 2  # 2024-01-01 and 1 March 2024, read day first


def test_monthfirst_reads_us_dates(runner, tmp_path):
    path = tmp_path / "dates.csv"
    path.write_text("Release\n01/31/2024\n02/29/2024\n03/31/2024\n", encoding="utf-8")
    payload = json.loads(run(runner, "--index-dates", str(path), "--column",
                             "index_date=release", "--monthfirst", "--now", "2025-07",
                             "--lag-months", "0", "--horizon-months", "4", "--json").stdout)
    assert [m["n_analysable"] for m in payload["months"]] == [0, 1, 2, 3, 3]


def test_known_people_and_people_still_to_come(runner, tmp_path):
    path = tmp_path / "people.csv"
    dates = [f"2024-{month:02d}-15" for month in range(1, 11) for _ in range(14)]
    path.write_text("index_date\n" + "\n".join(dates) + "\n")
    payload = json.loads(run(runner, "--index-dates", str(path), "--intake-per-month", "12",
                             "--now", "2026-11", "--json").stdout)
    known = Intake.from_dates(dates)
    plan = submission_plan(Scenario(), known.then_monthly(12), now="2026-11")
    assert payload["intake"] == {"n_people": 140, "first_index_month": "2024-01",
                                 "last_index_month": "2024-10", "per_month": 12,
                                 "start": "2024-11", "end": None}
    assert [m["n_analysable"] for m in payload["months"]] == \
        [m.n_analysable for m in plan.months]
    assert payload["summary"] == plan.summary()
    started = json.loads(run(runner, "--index-dates", str(path), "--intake-per-month", "12",
                             "--start", "2026-01", "--now", "2026-11", "--json").stdout)
    assert started["intake"]["start"] == "2026-01"


def test_excel_file_of_index_dates(runner, tmp_path):
    import pandas as pd

    path = tmp_path / "people.xlsx"
    days = pd.to_datetime(["2024-01-31", "2024-02-29", "2024-03-31"])
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="Notes", index=False)
        pd.DataFrame({"Name": ["A", "B", "C"], "Release Date": days}).to_excel(
            writer, sheet_name="People", index=False)
    result = run(runner, "--index-dates", str(path), "--sheet", "People", "--column",
                 "index_date=Release Date", "--now", "2025-07", "--lag-months", "0",
                 "--horizon-months", "4", "--json")
    assert result.exit_code == 0, result.output
    assert [m["n_analysable"] for m in json.loads(result.stdout)["months"]] == [0, 1, 2, 3, 3]


def test_index_dates_from_standard_input(runner):
    dates = "index_date\n2024-01-05\n2024-02-05\n"
    result = runner.invoke(cli, ["wait", "--index-dates", "-", "--now", "2026-11",
                                 "--today", "2026-11-02"], input=dates)
    assert result.exit_code == 0, result.output
    assert "Index dates from standard input: 2 rows read, 2 used." in result.stdout
