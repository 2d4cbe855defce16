"""CLI for the planning decisions: --prior, table, published, portfolio."""

import csv
import io
import json

import pytest

from powerplan import (NormalPrior, Scenario, assurance, portfolio, requirements_table,
                       review_published, solve)
from powerplan_cli.main import cli


def run(runner, *args):
    return runner.invoke(cli, list(args))


def test_power_with_a_prior(runner):
    result = run(runner, "power", "--prior", "normal:-4,3", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    expected = assurance(Scenario(), NormalPrior.points(-4, 3))
    assert payload["assurance"] == pytest.approx(expected.assurance, abs=1e-15)
    assert payload["computation"] == "quadrature"
    text = run(runner, "power", "--prior", "normal:-4,3").stdout
    assert "averaged over the prior normal(mean -4.0 points, sd 3.0 points)" in text


def test_size_targets_assurance(runner):
    payload = json.loads(run(runner, "size", "--prior", "published", "--target-power", "0.5",
                             "--json").stdout)
    from powerplan import parse_prior

    answer = solve(Scenario(), "cohort", target_power=0.5, prior=parse_prior("published"))
    assert payload["cohort"] == answer.value
    assert payload["measure"] == "assurance"


def test_table_formats(runner):
    args = ["table", "--base-rates", "0.25,35%", "--effects", "-5pp,-0.1", "--retentions", "0.4"]
    expected = requirements_table(Scenario(), base_rates=[0.25, 0.35], effects=[-0.05, -0.1],
                                  retentions=[0.4])
    text = run(runner, *args).stdout
    assert text.strip() == expected.to_text()
    rows = list(csv.DictReader(io.StringIO(run(runner, *args, "--format", "csv").stdout)))
    assert [int(r["value"]) for r in rows] == [int(v) for v in expected.cells["value"]]
    payload = json.loads(run(runner, *args, "--format", "json").stdout)
    assert payload["quantity"] == "cohort" and len(payload["cells"]) == 4
    assert run(runner, *args, "--format", "markdown").stdout.strip() == expected.to_markdown()


def test_table_effects_take_ratios_converted_at_each_rows_base_rate(runner):
    # rr= and or= as --effect takes them: the column keeps the ratio as given, each cell
    # converts it at its own base rate, and CSV and JSON carry both.
    args = ["table", "--base-rates", "0.2,0.4", "--effects", "rr=0.8,or=0.8,-5pp",
            "--retentions", "0.4"]
    expected = requirements_table(Scenario(), base_rates=[0.2, 0.4],
                                  effects=["rr=0.8", "or=0.8", -0.05], retentions=[0.4])
    text = run(runner, *args).stdout
    assert text.strip() == expected.to_text()
    assert "rr=0.8  or=0.8   5 pt" in text
    assert "converted to points at each row's base rate" in text.splitlines()[0]
    rows = list(csv.DictReader(io.StringIO(run(runner, *args, "--format", "csv").stdout)))
    given = [(r["effect_scale"], float(r["effect_value"])) for r in rows]
    assert given == [("relative-risk", 0.8), ("odds-ratio", 0.8), ("difference", -0.05)] * 2
    by_row = {(r["base_rate"], r["effect_scale"]): r for r in rows}
    assert float(by_row["0.2", "relative-risk"]["effect"]) == pytest.approx(-0.04, abs=1e-15)
    assert float(by_row["0.4", "relative-risk"]["effect"]) == pytest.approx(-0.08, abs=1e-15)
    cells = json.loads(run(runner, *args, "--json").stdout)["cells"]
    assert [(c["effect_scale"], c["effect_value"], c["effect"], c["value"]) for c in cells] == [
        (r["effect_scale"], float(r["effect_value"]), float(r["effect"]), int(r["value"]))
        for r in rows]
    frequency = run(runner, "table", "--measure", "frequency", "--base-rates", "0.3",
                    "--effects", "rr=0.8", "--retentions", "0.4", "--json")
    assert frequency.exit_code == 0, frequency.output
    cell = json.loads(frequency.stdout)["cells"][0]
    assert (cell["effect_scale"], cell["effect_value"]) == ("relative-risk", 0.8)


def test_table_ranges_and_mde(runner):
    payload = json.loads(run(runner, "table", "--mde", "--base-rates", "0.15:0.35:0.1",
                             "--cohorts", "100,500", "--retentions", "0.4",
                             "--format", "json").stdout)
    assert sorted({c["base_rate"] for c in payload["cells"]}) == [0.15, 0.25, 0.35]
    assert payload["quantity"] == "effect"


def test_mde_table_with_alternative_greater_tabulates_increases(runner):
    result = run(runner, "table", "--mde", "--alternative", "greater", "--base-rates", "0.3",
                 "--cohorts", "800", "--retentions", "0.5")
    assert result.exit_code == 0, result.output
    expected = requirements_table(Scenario(alternative="greater"), quantity="effect",
                                  base_rates=[0.3], cohorts=[800], retentions=[0.5])
    assert result.stdout.strip() == expected.to_text()
    assert result.stdout.startswith("Minimum detectable increase (points)")


def test_published_small_comparison_group(runner):
    result = run(runner, "published", "--n-treated", "1000", "--n-comparison", "5",
                 "--treated-rate", "25%", "--comparison-rate", "28%", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["n_comparison"] == 5


def test_published(runner):
    result = run(runner, "published", "--n-treated", "114", "--treated-rate", "25%",
                 "--comparison-rate", "0.28", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    expected = review_published(114, 0.25, 0.28)
    for key in ("difference", "ci_low", "ci_high", "p_value", "significant", "mde",
                "cohort_needed"):
        assert payload[key] == expected.to_dict()[key]


def test_portfolio(runner, tmp_path):
    path = tmp_path / "services.csv"
    path.write_text("name,cohort,base_rate,retention\nA,150,0.3,0.4\nB,600,0.4,\n")
    result = run(runner, "portfolio", "--services", str(path), "--retention", "0.5", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert [s["name"] for s in payload["services"]] == ["A", "B"]
    assert [s["retention"] for s in payload["services"]] == [0.4, 0.5]
    assert sum(payload["distribution"]) == pytest.approx(1.0)


@pytest.mark.parametrize("columns, first", [
    ("cohort,base_rate,effect\n150,0.3,rr=0.8\n600,0.4,-5pp\n", "Across 2 evaluations"),
    ("cohort,base_rate\n150,0.3\n600,0.4\n", "Assuming an effect of -5.0 points, the "
                                             "typical study's (give --effect for yours)."),
    ("cohort,base_rate\n150,0.3\n600,\n", "Assuming a base rate of 35% and an effect of "
                                           "-5.0 points"),
])
def test_portfolio_assumes_only_what_no_column_gives_for_every_service(runner, tmp_path,
                                                                      columns, first):
    result = run(runner, "portfolio", "--services", _services(tmp_path, columns))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(first)


@pytest.mark.parametrize("prior", ["published", "normal:-4,3"])
def test_portfolio_with_a_prior_is_the_librarys(runner, tmp_path, prior):
    from powerplan import parse_prior

    path = _services(tmp_path, "cohort,base_rate\n150,0.3\n600,0.4\n")
    result = run(runner, "portfolio", "--services", path, "--prior", prior, "--json")
    assert result.exit_code == 0, result.output
    expected = portfolio([Scenario(cohort=150, base_rate=0.3), Scenario(cohort=600,
                                                                         base_rate=0.4)],
                         prior=parse_prior(prior))
    assert json.loads(result.stdout)["distribution"] == pytest.approx(
        list(expected.distribution), abs=1e-15)


def _services(tmp_path, text):
    path = tmp_path / "services.csv"
    path.write_text(text)
    return str(path)


BAD = [
    (["power", "--prior", "normal:-4"], "'--prior': must be normal:MEAN,SD in points"),
    (["power", "--prior", "normal:-4,-1"], "'--prior': prior sd must be a number > 0; got -1"),
    (["size", "--prior", "normal:-4,3", "--target-power", "0.95"], None),
    (["table", "--base-rates", "0.2,abc"], "'--base-rates': must be comma-separated values"),
    (["table", "--base-rates", "0.2,1.5"], "'--base-rates': each value must be a proportion"),
    (["table", "--effects", "rr=0"], "'--effects': each value rr= must be a ratio > 0"),
    (["table", "--effects", "rr=0.8,rr=0.8"], "'--effects': must be distinct; got rr=0.8 twice"),
    (["table", "--effects", "rr=0.7:0.9:0.1"], "'--effects': START:STOP:STEP takes numbers"),
    (["table", "--measure", "time", "--effects", "rr=0.9"],
     "'--effects': each value of the time to first reoffence must be days"),
    (["table", "--retentions", "0.2:0.8:-0.2"], "must be comma-separated values or START:STOP"),
    (["table", "--cohorts", "0"], "'--cohorts': each value must be a whole number in [1, "),
    (["table", "--base-rates", "0.25,0.25"], "'--base-rates': must be distinct; got 0.25 twice"),
    (["table", "--effects", "-2pp,-0.02"], "'--effects': must be distinct; got -0.02 twice"),
    (["table", "--retentions", "0.4,40%"], "'--retentions': must be distinct; got 0.4 twice"),
    (["table", "--mde", "--cohorts", "100,100"], "'--cohorts': must be distinct; got 100 twice"),
    (["table", "--base-rates", "0.1:0.5:1e-9"],
     "'--base-rates': must list at most 100 values; got 400,000,001"),
    (["table", "--effects", ",".join(["-1pp"] * 101)],
     "'--effects': must list at most 100 values; got 101"),
    (["table", "--format", "xml"], "'--format': 'xml' is not one of"),
    (["table", "--cohort", "300"], "No such option"),
    (["published", "--n-treated", "114", "--treated-rate", "25", "--comparison-rate", "28%"],
     "'--treated-rate': must be a proportion in (0, 1) such as 0.26, or a percentage"),
    (["published", "--n-treated", "114", "--treated-rate", "0,25", "--comparison-rate", "28%"],
     "'--treated-rate': must be a proportion in (0, 1); got '0,25'"),
    (["published", "--n-treated", "1", "--treated-rate", "0.2", "--comparison-rate", "0.3"],
     "'--n-treated': must be a whole number in [2, 10,000,000]; got 1"),
    (["published", "--n-treated", "114", "--treated-rate", "0.2", "--comparison-rate", "0.3",
      "--n-comparison", "1e300"],
     "'--n-comparison': must be a number in [2, 10,000,000]; got 1e+300"),
    (["published", "--n-treated", "99999999999", "--treated-rate", "0.2", "--comparison-rate",
      "0.3"], "'--n-treated': must be a whole number in [2, 10,000,000]; got 99,999,999,999"),
    (["published", "--treated-rate", "0.2", "--comparison-rate", "0.3"],
     "Missing option '--n-treated'"),
    (["published", "--n-treated", "100", "--treated-rate", "0%", "--comparison-rate", "0.3"],
     "'--treated-rate': must be a proportion in (0, 1); got 0"),
    (["portfolio", "--services", "missing.csv"], "'--services': File 'missing.csv' does not exist"),
]


@pytest.mark.parametrize("args, message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_one_line(runner, args, message):
    result = run(runner, *args)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    if message is None:  # no solution: exit 1
        assert result.exit_code == 1
    else:
        assert result.exit_code == 2
        assert message in lines[0]


@pytest.mark.parametrize("content, message", [
    ("name,cohort\nA,0\n",
     "line 2 (A), column cohort: must be a whole number in [1, 10,000,000]; got 0"),
    ("name,size\nA,100\n", "unknown column(s) size; allowed: base_rate, cohort, "
                            "comparison_ratio, effect, name, retention"),
    ("name,base_rate\nA,0.3\n", "needs a 'cohort' column and at least one row"),
    ("", "is empty; it needs a cohort column and a row for each service"),
    (b"\xff\xfecohort\n", "is not UTF-8 text"),
    ("cohort,base_rate\n100,1.5\n",
     "line 2 (row 2), column base_rate: must be a proportion in (0, 1); got 1.5"),
    ("name,cohort\nA,100\nB,\n", "line 3 (B): cohort is empty; every service needs one"),
    ("name,cohort\nA,100\nB,nan\n",
     "line 3 (B), column cohort: must be a whole number in [1, 10,000,000]; got 'nan'"),
    ("name,cohort\nA,abc\n",
     "line 2 (A), column cohort: must be a whole number in [1, 10,000,000]; got 'abc'"),
    ("name,cohort\nA,100\nB,200\nA,300\n",
     "line 4: the name 'A' is already on line 2; each service needs its own name"),
    ("name,cohort,cohort\nA,100,200\n", "column(s) cohort given twice"),
    ("name,cohort\nA,100,200\n", "line 2 has 3 cells but the header has 2"),
    ("name,cohort,base_rate\nA,100,0.03\n", "line 2 (A): effect, from the options, must keep "
                                             "the treated rate (base rate 0.03 + effect)"),
])
def test_bad_services_file(runner, tmp_path, content, message):
    path = tmp_path / "services.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = run(runner, "portfolio", "--services", str(path))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"Error: Invalid value for '--services': {path}: {message}")


def test_services_without_names_are_named_by_their_line(runner, tmp_path):
    path = _services(tmp_path, "name,cohort\n,100\n\nB,200\n,300\n")
    payload = json.loads(run(runner, "portfolio", "--services", path, "--json").stdout)
    assert [s["name"] for s in payload["services"]] == ["row 2", "B", "row 5"]


def test_services_cells_read_as_the_options_do(runner, tmp_path):
    path = _services(tmp_path, "\ufeffcohort, base_rate ,effect,retention\n"
                               "\"1,500\",35%,-5pp,40%\n")
    payload = json.loads(run(runner, "portfolio", "--services", path, "--json").stdout)
    (service,) = payload["services"]
    assert (service["cohort"], service["retention"]) == (1500, pytest.approx(0.4))
    expected = portfolio([Scenario(cohort=1500, base_rate=0.35, effect=-0.05)])
    assert payload["expected_reductions"] == pytest.approx(expected.expected_reductions)
