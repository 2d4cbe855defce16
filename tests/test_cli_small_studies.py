"""Small studies on the command line (issue 12): exact answers, false positives, and the
smaller items found on the way: 'not analysable' on its own line, no 'power at the
expected n' below the minimum, the cause named when no cohort works, and the solver's
note when power is not monotone."""

import json

import pytest

from powerplan import Scenario, analytic
from powerplan_cli.main import cli


def run(runner, *args):
    return runner.invoke(cli, list(args))


def rows(output):
    """The printed result's rows as {label: value}."""
    found = {}
    for line in output.splitlines():
        if line.startswith("  ") and "  " in line.strip():
            label, value = line.strip().split("  ", 1)
            found[label] = value.strip()
    return found


def test_a_small_study_shows_its_false_positives(runner):
    result = run(runner, "power", "--cohort", "30", "--retention", "1", "--base-rate", "0.10",
                 "--effect=0", "--n-comparison", "275")
    assert result.exit_code == 0, result.output
    shown = rows(result.output)
    assert shown["power"] == "8.5% (at the expected n: 8.5%)"
    assert shown["significant reduction"] == "8.0%"
    assert shown["if no effect"] == ("8.0% significant reductions, 0.5% increases (exact; "
                                     "alpha 5.0% in all)")
    plain = rows(run(runner, "power", "--cohort", "30", "--retention", "1", "--base-rate",
                     "0.10", "--effect=0", "--n-comparison", "275", "--method", "wald").output)
    assert plain["power"].startswith("5.0%") and "if no effect" not in plain
    large = rows(run(runner, "power", "--cohort", "100000", "--effect=-0.01").output)
    assert "if no effect" not in large  # beyond the exact sums


def test_json_carries_the_false_positives_and_the_exact_share(runner):
    result = run(runner, "power", "--cohort", "75", "--base-rate", "0.1", "--effect=-0.083",
                 "--json")
    payload = json.loads(result.output)
    expected = analytic(Scenario(cohort=75, base_rate=0.1, effect=-0.083))
    assert round(payload["power"], 3) == 0.710 and payload["method"] == "welch"
    for key in ("p_false_reduction", "p_false_increase", "exact_share"):
        assert payload[key] == pytest.approx(getattr(expected, key), abs=1e-15)
    assert payload["exact_share"] == pytest.approx(expected.p_analysable, abs=1e-12)


def test_not_analysable_is_its_own_line(runner):
    # Issue 12: the text folded "not analysable" into "inconclusive" (93% inconclusive,
    # nearly all of it not analysable).
    result = run(runner, "power", "--cohort", "60", "--retention", "0.1", "--min-n-treated",
                 "10", "--effect=-30pp")
    shown = rows(result.output)
    expected = analytic(Scenario(cohort=60, funnel=0.1, min_n_treated=10, effect=-0.3))
    assert shown["not analysable"] == "92.7% (fewer than 10 treated analysed)"
    assert shown["inconclusive"] == "1.3%"
    assert 1 - expected.p_analysable == pytest.approx(0.927, abs=5e-4)
    assert "not analysable" not in rows(run(runner, "power").output)


def test_no_power_at_the_expected_n_below_the_minimum(runner):
    # Issue 12: "at the expected n: 0.0%" appeared whenever the expected number analysed
    # was below the minimum for an analysis.
    result = run(runner, "power", "--cohort", "2", "--retention", "0.999", "--effect=0")
    assert result.exit_code == 0
    assert rows(result.output)["power"].endswith(
        "(the expected 2.0 analysed is below the minimum of 2 for an analysis)")
    assert "at the expected n" not in result.output


def test_size_finds_the_first_crossing_and_says_power_is_not_monotone(runner):
    # Issue 12: this exited 1 ("no cohort works") though 2 people give 10.3%.
    result = run(runner, "size", "--retention", "1", "--base-rate", "0.02", "--effect=0.01",
                 "--n-comparison", "50", "--method", "pooled", "--target-power", "0.09")
    assert result.exit_code == 0, result.output
    # (after main's note that a positive effect is an increase)
    assert "\nTo reach 9% power, submit at least 2 people" in result.output
    assert "Note: power is not monotone in the cohort here: 2 people submitted give 10.3%, " \
           "but 11 give 8.9%" in result.output


@pytest.mark.parametrize("args, message", [
    # Issue 12: a retention this small was blamed on the effect.
    (["--retention", "0.000001"],
     "Error: no cohort reaches 80.0% power: even 10,000,000 people submitted give only "
     "10.5% power; the retention (1e-06) leaves only about 10.0 of them analysed"),
    # Issue 12: 85 million comparison records were reported; 10 million is the bound.
    (["--retention", "1", "--base-rate", "0.0099", "--effect=0.0001"],
     "Error: no cohort reaches 80.0% power within 10,000,000 comparison records (the largest "
     "comparison group powerplan allows): at 10 per analysed person, 1,000,000 people "
     "submitted give only 15.8%"),
])
def test_size_without_an_answer_names_the_cause(runner, args, message):
    result = run(runner, "size", *args)
    assert result.exit_code == 1
    assert result.output.strip() == message


def test_an_unknown_method_is_one_line_naming_the_option(runner):
    result = run(runner, "power", "--method", "exact")
    assert result.exit_code == 2
    last = result.output.strip().splitlines()[-1]
    assert "--method" in last and "'exact' is not one of 'arcsine', 'arcsine-exact'" in last


def test_size_says_when_the_answer_leans_on_the_wrong_direction_and_false_positives(runner):
    # With everyone analysed, 2 people reach 50% "power" only by counting significant
    # increases (the effect is a reduction) and with over half false positives.
    result = run(runner, "size", "--retention", "1", "--target-power", "0.5")
    assert result.exit_code == 0, result.output
    assert "\nTo reach 50% power, submit at least 2 people" in result.output
    solution = json.loads(run(runner, "size", "--retention", "1", "--target-power", "0.5",
                              "--json").output)
    assert solution["flags"] == ["not monotone", "wrong direction", "false positives"]
    reduction = solution["p_significant_reduction"]
    assert reduction < 0.5 <= solution["achieved_power"]
    assert (f"the chance of a significant reduction alone is {100 * reduction:.1f}%, below "
            f"the target") in result.output
    false = solution["p_false_reduction"] + solution["p_false_increase"]
    assert false > 0.1
    assert (f"with no effect at all, 2 people submitted would give {100 * false:.1f}% "
            f"significant results (alpha 5.0%)") in result.output


def test_an_ordinary_answer_has_no_flags(runner):
    solution = json.loads(run(runner, "size", "--json").output)
    assert solution["flags"] == [] and solution["p_significant_reduction"] >= 0.8


def test_a_table_marks_the_cells_whose_answer_is_questioned(runner):
    result = run(runner, "table", "--base-rates", "0.35", "--effects=-0.05",
                 "--retentions", "1,0.4", "--target-power", "0.5")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[lines.index("retention 100%") + 2].split() == ["35%", "2*"]
    marked = lines[lines.index("retention 40%") + 2].split()
    assert marked[0] == "35%" and not marked[1].endswith("*")
    assert lines[-1].startswith("* power is not monotone in the cohort there")
    cells = json.loads(run(runner, "table", "--base-rates", "0.35", "--effects=-0.05",
                           "--retentions", "1,0.4", "--target-power", "0.5",
                           "--json").output)["cells"]
    assert [cell["flags"] for cell in cells] == [
        ["not monotone", "wrong direction", "false positives"], []]
