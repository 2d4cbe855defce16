"""--measure on the command line: answers match the library, bad input is one line, exit 2."""

import json

import pytest

from powerplan import (DiscretePrior, Frequency, Headline, NormalPrior, Scenario, TimeToFirst,
                       analytic, assurance, compare_measures, solve)
from powerplan_cli.main import cli


def run(runner, *args):
    return runner.invoke(cli, list(args))


def test_power_of_the_frequency_is_the_library_s(runner):
    result = run(runner, "power", "--measure", "frequency", "--effect", "rr=0.8", "--cohort",
                 "1000", "--offences-per-reoffender", "2.5", "--dispersion", "0.5", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    outcome = Frequency(offences_per_reoffender=2.5, dispersion=0.5, effect=-0.175)
    expected = analytic(Scenario(cohort=1000, outcome=outcome))
    assert payload["power"] == pytest.approx(expected.power, rel=1e-12)
    assert payload["scenario"]["outcome"] == "frequency"
    assert payload["effect"] == pytest.approx(0.35 * 2.5 * -0.2)


def test_power_of_the_time_shows_the_fourth_verdict(runner):
    result = run(runner, "power", "--measure", "time", "--effect", "+20d", "--days-to-first",
                 "120", "--rate-effect", "0pp")
    assert result.exit_code == 0, result.output
    expected = analytic(Scenario(outcome=TimeToFirst(days_to_first=120, rate_effect=0.0,
                                                     effect=20.0)))
    lines = result.stdout.splitlines()
    assert any(line.split() == ["not", "reported", "(<", "30", "treated", "reoffenders)",
                                f"{100 * expected.p_not_reported:.1f}%"] for line in lines)
    assert any(line.split()[:2] == ["significantly", "longer"] for line in lines)


@pytest.mark.parametrize("measure, text, prior", [
    ("frequency", "normal:-0.2,0.1", NormalPrior(-0.2, 0.1)),
    ("time", "discrete:30@0.5,0@0.5", DiscretePrior((30.0, 0.0), (0.5, 0.5))),
])
def test_prior_in_the_measure_s_units(runner, measure, text, prior):
    result = run(runner, "power", "--measure", measure, "--prior", text, "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    outcome = {"frequency": Frequency, "time": TimeToFirst}[measure]()
    expected = assurance(Scenario(outcome=outcome), prior)
    assert payload["assurance"] == pytest.approx(expected.assurance, rel=1e-12)
    size = run(runner, "size", "--measure", measure, "--prior", text, "--target-power", "0.3",
               "--json")
    assert size.exit_code == 0, size.output
    solved = solve(Scenario(outcome=outcome), "cohort", target_power=0.3, prior=prior)
    assert json.loads(size.stdout)["cohort"] == solved.value


def test_size_and_mde_of_the_time_solve_for_a_longer_time(runner):
    size = json.loads(run(runner, "size", "--measure", "time", "--json").stdout)
    assert size["cohort"] == solve(Scenario(outcome=TimeToFirst()), "cohort").value
    mde = json.loads(run(runner, "mde", "--measure", "time", "--cohort", "2000",
                         "--json").stdout)
    assert mde["effect"] > 0
    assert mde["effect"] == pytest.approx(
        solve(Scenario(cohort=2000, outcome=TimeToFirst()), "effect").value, rel=1e-9)


def test_curve_and_table_read_effects_on_the_measure_s_scale(runner):
    curve = json.loads(run(runner, "curve", "--measure", "time", "--over", "effect=0d:30d:4",
                           "--json").stdout)
    assert curve["values"] == [0.0, 10.0, 20.0, 30.0]
    table = run(runner, "table", "--measure", "frequency", "--effects", "-0.2,-0.3",
                "--retentions", "0.4", "--base-rates", "0.35", "--format", "json")
    cells = json.loads(table.stdout)["cells"]
    assert [c["effect"] for c in cells] == [-0.2, -0.3]
    assert cells[0]["value"] == solve(Scenario(outcome=Frequency(effect=-0.2)), "cohort").value


def test_wait_shows_not_reported_month_by_month(runner):
    result = run(runner, "wait", "--measure", "time", "--intake-per-month", "25", "--start",
                 "2024-01", "--now", "2026-11", "--horizon-months", "2", "--json")
    months = json.loads(result.stdout)["months"]
    assert [round(m["p_not_reported"], 3) for m in months] == [0.877, 0.694, 0.462]
    rate = json.loads(run(runner, "wait", "--intake-per-month", "25", "--start", "2024-01",
                          "--now", "2026-11", "--horizon-months", "2", "--json").stdout)
    assert "p_not_reported" not in rate["months"][0]


def test_all_three_measures_analytic_and_simulated(runner):
    analytic_run = json.loads(run(runner, "power", "--measure", "all", "--cohort", "1000",
                                  "--frequency-effect", "rr=0.8", "--json").stdout)
    expected = compare_measures(Scenario(cohort=1000),
                                Headline(frequency_effect=0.35 * 3 * -0.2))
    assert analytic_run["measures"]["frequency"]["power"] == pytest.approx(
        expected.results["frequency"].power, rel=1e-12)
    joint = analytic_run["joint"]["any_better"]
    assert joint["value"] == pytest.approx(expected.joint["any_better"].value, rel=1e-12)
    assert joint["mc_se"] is None  # an approximation, not a simulation
    simulated = run(runner, "power", "--measure", "all", "--engine", "simulate", "--sims",
                    "32", "--seed", "4", "--pool", "2000", "--cohort", "200")
    assert simulated.exit_code == 0, simulated.output
    assert "at least one significant improvement, Holm correction" in simulated.stdout


BAD_INPUTS = [
    (["power", "--measure", "speed"], "'--measure': 'speed' is not one of"),
    (["size", "--measure", "all"], "'--measure': 'all' is not one of"),
    (["power", "--measure", "frequency", "--effect", "20d"],
     "'--effect': of the frequency must be offences per person (-0.2) or a ratio"),
    (["power", "--measure", "frequency", "--effect", "-0.8"],
     "'--effect': must keep the treated reoffenders' mean count"),
    (["power", "--measure", "time", "--effect", "soon"],
     "'--effect': of the time to first reoffence must be days"),
    (["power", "--measure", "time", "--effect", "+300d"],
     "'--effect': must keep the treated mean days (140 + effect) in (0, 365)"),
    (["power", "--measure", "frequency", "--rate-effect", "-0.4"],
     "'--rate-effect': must keep the treated rate (base rate 0.35 + rate effect) in (0, 1)"),
    (["power", "--measure", "frequency", "--rate-effect", "rr=0.9"],
     "'--rate-effect': must be a difference (-0.05) or points (-5pp)"),
    (["power", "--measure", "frequency", "--offences-per-reoffender", "0.5"],
     "'--offences-per-reoffender': must be a number in [1, 100]; got 0.5"),
    (["power", "--measure", "frequency", "--dispersion", "-1"],
     "'--dispersion': must be a number in [0, 100]; got -1"),
    (["power", "--measure", "time", "--days-to-first", "365"],
     "'--days-to-first': must be a number of days in (0, 365); got 365"),
    (["power", "--dispersion", "2"], "'--dispersion': applies to --measure frequency"),
    (["power", "--measure", "frequency", "--days-to-first", "100"],
     "'--days-to-first': applies to --measure time"),
    (["power", "--rate-effect", "-2pp"], "'--rate-effect': applies to --measure frequency or time"),
    (["power", "--measure", "time", "--method", "wald"],
     "'--method': must be one of 'welch', 'logrank-schoenfeld', 'logrank-freedman'"),
    (["power", "--measure", "frequency", "--frequency-effect", "-0.2"],
     "'--frequency-effect': applies to --measure all"),
    (["power", "--measure", "all", "--effect", "-5pp"], "'--effect': is one measure's"),
    (["power", "--measure", "all", "--frequency-effect", "rr=-1"],
     "'--frequency-effect': rr= must be a ratio > 0"),
    (["power", "--measure", "all", "--time-effect", "-200d"], "'--time-effect': must keep the "
                                                              "treated mean days"),
    (["power", "--measure", "all", "--prior", "normal:-4,3"], "'--prior': applies to one measure"),
    (["size", "--measure", "frequency", "--prior", "published"],
     "'--prior': preset 'published' summarises published reoffending rates, so it is for "
     "the rate only"),
    (["power", "--measure", "time", "--prior", "normal:-400,10"],
     "'--prior': normal(mean -400.0 days, sd 10 days) puts no weight on effects that"),
    (["simulate", "--measure", "frequency", "--test", "wald", "--sims", "16"],
     "'--test': must be 'welch' for the frequency of proven reoffending"),
    (["table", "--measure", "time", "--effects", "soon"],
     "'--effects': each value must be days (10 or 10d)"),
    (["curve", "--measure", "frequency", "--over", "effect=-5pp:0"],
     "'--over': of the frequency must be offences per person"),
]


@pytest.mark.parametrize("args, message", BAD_INPUTS, ids=[" ".join(a) for a, _ in BAD_INPUTS])
def test_bad_input_is_one_line_exit_2(runner, args, message):
    result = run(runner, *args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert message in lines[0]


def test_wait_shows_the_three_measures_side_by_side(runner):
    args = ["wait", "--intake-per-month", "40", "--start", "2024-01", "--now", "2026-11",
            "--horizon-months", "3"]
    result = run(runner, *args, "--measure", "all", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    alone = json.loads(run(runner, *args, "--measure", "frequency", "--json").stdout)
    assert payload["plans"]["frequency"]["months"] == alone["months"]
    text = run(runner, *args, "--measure", "all").stdout
    assert "month    index dates to  analysable  analysed   rate  frequency  time" in text
    refused = run(runner, *args, "--time-effect", "3")
    assert refused.exit_code == 2
    assert "'--time-effect': applies to --measure all" in refused.stderr
