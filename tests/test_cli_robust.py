"""The command line, bounded and never half-written (issue 13).

Every command runs with every engine it offers and every output format; files are
written whole or not at all, never over an input; input files are bounded; bad input
that used to surface as an 'unexpected' error is exit 2 naming its option.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys

import numpy as np
import pytest
from scipy import stats

from powerplan import Scenario, portfolio
from powerplan.decisions.portfolio import poisson_binomial
from powerplan.limits import MAX_CONFIG_BYTES, MAX_TABLE_CELLS
from powerplan_cli import figures, files
from powerplan_cli.main import cli
from powerplan_cli.output import to_json

from test_cli_check import HEADER, rows, write_csv

#: A simulated study small enough for a test: a pool of 200, two matches each.
SIM = ["--engine", "simulate", "--seed", "1", "--pool", "200", "--k", "2"]
#: A simulated search (size, mde) that stops after its first round.
SEARCH = [*SIM, "--sims", "2000", "--precision", "0.5"]


#: A NaN or an infinity as Python, numpy or JSON print one.
NOT_A_NUMBER = re.compile(r"\b(nan|NaN|inf|Infinity)\b")


def strict_json(text: str):
    """``text`` parsed as JSON that has no NaN or Infinity (which strict JSON lacks)."""
    def refuse(constant):
        raise AssertionError(f"non-strict JSON constant {constant}")
    return json.loads(text, parse_constant=refuse)


def _people(tmp_path):
    return write_csv(tmp_path / "people.csv", [HEADER, *rows(80)])


def _services(tmp_path):
    path = tmp_path / "services.csv"
    path.write_text("name,cohort,base_rate\nsmall,150,0.3\nlarge,2000,\n")
    return path


#: (id, arguments, formats): each command with each engine it offers; formats are the
#: ways it prints ("text", "json", "csv": --csv FILE, "format-csv"/"markdown": --format).
MATRIX = [
    ("power", ["power"], ("text", "json")),
    ("power-prior", ["power", "--prior", "normal:-4,3"], ("text", "json")),
    ("power-all", ["power", "--measure", "all"], ("text", "json")),
    ("power-frequency", ["power", "--measure", "frequency"], ("text", "json")),
    ("power-time", ["power", "--measure", "time", "--cohort", "3000"], ("text", "json")),
    ("power-sim", ["power", *SIM, "--sims", "16"], ("text", "json")),
    ("power-sim-prior", ["power", *SIM, "--sims", "24", "--prior", "normal:-4,3"],
     ("text", "json")),
    ("power-sim-all", ["power", *SIM, "--pool", "1000", "--sims", "16", "--measure", "all",
                       "--cohort", "1000"], ("text", "json")),
    ("size", ["size"], ("text", "json")),
    ("size-prior", ["size", "--prior", "normal:-4,3", "--target-power", "0.5"],
     ("text", "json")),
    ("size-sim", ["size", *SEARCH, "--effect", "-25pp", "--retention", "0.5"],
     ("text", "json")),
    ("mde", ["mde", "--cohort", "1000"], ("text", "json")),
    ("mde-sim", ["mde", *SEARCH, "--cohort", "150", "--retention", "1"], ("text", "json")),
    ("simulate", ["simulate", "--seed", "1", "--pool", "200", "--k", "2", "--sims", "16"],
     ("text", "json")),
    ("simulate-frequency", ["simulate", "--seed", "1", "--pool", "200", "--k", "2", "--sims",
                            "16", "--measure", "frequency"], ("text", "json")),
    ("curve", ["curve", "--over", "cohort=60:400:5"], ("text", "json", "csv")),
    ("curve-sim", ["curve", "--over", "cohort=60:100:2", *SIM, "--sims", "16"],
     ("text", "json", "csv")),
    ("table", ["table", "--base-rates", "0.35", "--effects", "-5pp", "--retentions", "0.4"],
     ("text", "json", "format-csv", "markdown")),
    ("table-mde", ["table", "--mde", "--base-rates", "0.35", "--cohorts", "500",
                   "--retentions", "0.4"], ("text", "json")),
    ("table-sim", ["table", *SEARCH, "--base-rates", "0.35", "--effects", "-25pp",
                   "--retentions", "0.5"], ("text", "json")),
    ("published", ["published", "--n-treated", "114", "--treated-rate", "25%",
                   "--comparison-rate", "28%"], ("text", "json")),
    ("portfolio", ["portfolio", "--services", "{services}"], ("text", "json")),
    ("portfolio-prior", ["portfolio", "--services", "{services}", "--prior", "published"],
     ("text", "json")),
    ("portfolio-sim", ["portfolio", "--services", "{services}", *SIM, "--pool", "1000",
                       "--sims", "16"],
     ("text", "json")),
    ("wait", ["wait", "--intake-per-month", "25", "--start", "2024-01", "--now", "2025-11"],
     ("text", "json")),
    ("check", ["check", "{people}", "--today", "2026-11-02"], ("text", "json", "csv")),
    ("report", ["report", "-o", "{folder}/r.html", "--date", "2026-11-02"], ("text",)),
    ("report-markdown", ["report", "-o", "{folder}/r.md", "--format", "markdown", "--date",
                         "2026-11-02"], ("text",)),
    ("report-sim", ["report", "-o", "{folder}/r.html", "--date", "2026-11-02", *SIM,
                    "--sims", "16"], ("text",)),
]
CASES = [pytest.param(args, form, id=f"{name}-{form}",
                      marks=[pytest.mark.slow] if name.endswith("-sim") and form == "text"
                      else [])
         for name, args, forms in MATRIX for form in forms]


@pytest.mark.parametrize("args, form", CASES)
def test_every_command_engine_and_format_runs(runner, tmp_path, args, form):
    args = [a.format(services=_services(tmp_path), people=_people(tmp_path), folder=tmp_path)
            for a in args]
    extra = {"text": [], "json": ["--json"], "csv": ["--csv", str(tmp_path / "out.csv")],
             "format-csv": ["--format", "csv"], "markdown": ["--format", "markdown"]}[form]
    result = runner.invoke(cli, [*args, *extra])
    assert result.exit_code == 0, (result.output, result.exception)
    assert result.stdout.strip()
    assert not NOT_A_NUMBER.search(result.stdout), result.stdout
    if form == "json":
        strict_json(result.stdout)
    if form == "csv":
        assert (tmp_path / "out.csv").read_text().count("\n") >= 2


def test_json_takes_numpy_values_and_refuses_nothing_plain():
    payload = {"flag": np.bool_(True), "n": np.int64(3), "x": np.float32(0.5),
               "bad": np.float64("nan"), "array": np.array([1.0, np.inf]), "pair": (1, 2),
               "day": __import__("datetime").date(2024, 1, 2), "nested": {1: [np.bool_(0)]}}
    assert strict_json(to_json(payload)) == {
        "flag": True, "n": 3, "x": 0.5, "bad": None, "array": [1.0, None], "pair": [1, 2],
        "day": "2024-01-02", "nested": {"1": [False]}}


# Never half-written ------------------------------------------------------------

def test_atomic_write_leaves_the_old_file_when_the_writer_fails(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with files.atomic_write(target, "--csv") as temporary:
            temporary.write_text("half")
            raise RuntimeError("the writer failed")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_atomic_write_keeps_the_permissions_a_plain_write_would_give(tmp_path):
    target = tmp_path / "new.csv"
    with files.atomic_write(target, "--csv") as temporary:
        temporary.write_text("x")
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_failed_figure_leaves_no_file_and_says_what_was_written(runner, tmp_path,
                                                                 monkeypatch):
    # The CSV is complete and is reported; the figure's backend fails part-way (as
    # matplotlib's PDF writer did, with an AttributeError): no PDF, not even a part.
    def broken(self, path, **kwargs):
        with open(path, "wb") as handle:
            handle.write(b"%PDF-1.4 truncated")
        raise AttributeError("'NoneType' object has no attribute 'write'")

    monkeypatch.setattr("matplotlib.figure.Figure.savefig", broken)
    result = runner.invoke(cli, ["curve", "--over", "cohort=60:100:3", "--csv",
                                 str(tmp_path / "c.csv"), "--out", str(tmp_path / "c.pdf")])
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Error: Invalid value for '--out': cannot write ")
    assert "AttributeError" in lines[0]
    assert lines[1] == f"Written before the error: {tmp_path / 'c.csv'}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.csv"]


@pytest.mark.parametrize("inputs, outputs, message", [
    (["--config", "in.toml"], ["--csv", "in.toml"],
     "'--csv': in.toml is also --config's file: writing it would overwrite an input"),
    (["--config", "./sub/../in.toml"], ["--csv", "in.toml"],
     "'--csv': in.toml is also --config's file"),
    (["--config", "link.toml"], ["--csv", "in.toml"], "'--csv': in.toml is also --config's"),
    (["--config", "hard.toml"], ["--csv", "in.toml"], "'--csv': in.toml is also --config's"),
    ([], ["--csv", "a.svg", "--out", "a.svg"], "'--out': a.svg is also --csv's file"),
])
def test_an_output_may_not_be_an_input(runner, tmp_path, monkeypatch, inputs, outputs,
                                       message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "in.toml").write_text("cohort = 400\n")
    (tmp_path / "link.toml").symlink_to(tmp_path / "in.toml")
    os.link(tmp_path / "in.toml", tmp_path / "hard.toml")
    result = runner.invoke(cli, ["curve", "--over", "cohort=60:100:3", *inputs, *outputs])
    assert result.exit_code == 2
    assert message in result.stderr
    assert (tmp_path / "in.toml").read_text() == "cohort = 400\n"


def test_an_output_before_its_input_is_refused_too(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.toml").write_text("cohort = 400\n")
    result = runner.invoke(cli, ["curve", "--csv", "in.toml", "--over", "cohort=60:100:3",
                                 "--config", "in.toml"])
    assert result.exit_code == 2
    assert "'--config': in.toml is also --csv's file: a file read cannot also be written" in \
        result.stderr


@pytest.mark.parametrize("args, message", [
    (["power", "--plot", "p.png/"], "'--plot': cannot write p.png/: a name ending in / is a "
                                    "folder"),
    (["curve", "--over", "cohort=60:100:3", "--csv", "x" * 300 + ".csv"],
     "'--csv': cannot write a file whose name is over 255 bytes; got 304"),
    (["power", "--plot", "é" * 130 + ".png"], "over 255 bytes; got 264"),
])
def test_output_names_that_cannot_be_files_are_refused_before_any_work(runner, tmp_path,
                                                                       monkeypatch, args,
                                                                       message):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert message in line
    assert list(tmp_path.iterdir()) == []


# Bounded inputs ------------------------------------------------------------------

def test_a_scenario_file_is_at_most_a_few_megabytes(runner, tmp_path):
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * MAX_CONFIG_BYTES + "\ncohort = 400\n")
    result = runner.invoke(cli, ["power", "--config", str(big)])
    assert result.exit_code == 2
    assert f"at most {MAX_CONFIG_BYTES:,} are read" in result.stderr
    services = tmp_path / "services.csv"
    services.write_text("cohort\n" + "100\n" * (MAX_CONFIG_BYTES // 4 + 1))
    result = runner.invoke(cli, ["portfolio", "--services", str(services)])
    assert result.exit_code == 2
    assert "'--services'" in result.stderr and "are read" in result.stderr


def test_standard_input_is_bounded_too(runner):
    result = runner.invoke(cli, ["power", "--config", "-"],
                           input="#" * (MAX_CONFIG_BYTES + 10))
    assert result.exit_code == 2
    assert "'--config'" in result.stderr and "more than" in result.stderr


def test_deeply_nested_toml_is_bad_input(runner, tmp_path):
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    result = runner.invoke(cli, ["power", "--config", str(deep)])
    assert result.exit_code == 2
    assert "nested too deeply" in result.stderr


@pytest.mark.parametrize("setting", [
    "prior_offences_dispersion = 1e300", "prior_offences_dispersion = 1e-300",
    "prior_offences_mean = 1e6", "age_mean = 1e300", "age_sd = 1e300", "caliper = 1e300"])
def test_extreme_simulation_settings_are_bad_input_even_for_the_analytic_power(
        runner, tmp_path, setting):
    config = tmp_path / "s.toml"
    config.write_text(f"[simulation]\n{setting}\n")
    result = runner.invoke(cli, ["power", "--config", str(config)])
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: Invalid value for '--config'")
    assert setting.split(" ")[0] in line


def test_a_table_grid_is_capped_with_the_time_it_would_take(runner):
    result = runner.invoke(cli, ["table", "--base-rates", "0.01:0.99:0.01", "--effects",
                                 "-0.10:-0.001:0.001", "--retentions", "0.01:1:0.01"])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert (f"a table of 990,000 cells (99 --base-rates x 100 --effects x 100 --retentions) "
            f"is more than the {MAX_TABLE_CELLS:,} solved in one table (about ") in line
    assert line.endswith("here); give fewer values")


# The portfolio in linear memory ---------------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 7, 300])
def test_the_portfolio_distribution_is_scipys_poisson_binomial(n):
    chances = np.random.default_rng(n).random(n)
    expected = stats.poisson_binom(chances).pmf(np.arange(n + 1))
    np.testing.assert_allclose(poisson_binomial(chances), expected, rtol=1e-10, atol=1e-15)


def test_a_large_portfolio_is_linear_in_memory():
    import tracemalloc

    chances = np.random.default_rng(1).random(5000) * 0.3
    tracemalloc.start()
    distribution = poisson_binomial(chances)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50 * 8 * len(chances)  # a few arrays of n, never n x n (200 MB here)
    assert math.isclose(distribution.sum(), 1.0, rel_tol=1e-12)
    assert math.isclose(float(np.arange(5001) @ distribution), chances.sum(), rel_tol=1e-12)


def test_too_many_services_are_refused():
    from powerplan.errors import InvalidInputError
    from powerplan.limits import MAX_SERVICES

    with pytest.raises(InvalidInputError, match=f"at most {MAX_SERVICES:,} services"):
        portfolio([Scenario()] * (MAX_SERVICES + 1))


# Messages --------------------------------------------------------------------------

def test_a_long_bad_value_is_cut(runner):
    result = runner.invoke(cli, ["power", "--effect", "a" * 5000])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert len(line) < 400 and line.endswith("a\u2026")


def test_an_open_quote_in_a_csv_is_said_so(runner, tmp_path):
    services = tmp_path / "services.csv"
    services.write_text('name,cohort\n"first,100\nsecond,200\n')
    result = runner.invoke(cli, ["portfolio", "--services", str(services)])
    assert result.exit_code == 2
    assert "is not valid CSV (line 3): unexpected end of data; is a quote (\") left open?" in \
        result.stderr


def test_too_few_analysed_is_blamed_not_the_effect(runner):
    result = runner.invoke(cli, ["size", "--min-n-treated", "10000000"])
    assert result.exit_code == 1
    message = result.stderr.strip()
    assert message.endswith("only about 1,000,000 of them would be analysed, fewer than the "
                            "10,000,000 the analysis needs (--min-n-treated)")
    assert "effect" not in message


def test_sims_help_says_what_a_prior_needs(runner):
    help_text = " ".join(runner.invoke(cli, ["power", "--help"]).stdout.split())
    assert "with --prior, at least one at each effect simulated: 12 for a normal prior" in \
        help_text
    result = runner.invoke(cli, ["power", *SIM, "--sims", "5", "--prior", "normal:-4,3"])
    assert result.exit_code == 2
    assert "'--sims': must be a whole number >= 12; got 5" in result.stderr


def test_an_unreached_precision_note_names_the_option(runner):
    result = runner.invoke(cli, ["size", *SIM, "--sims", "2000", "--precision", "0.001",
                                 "--effect", "-25pp", "--retention", "0.5"])
    assert result.exit_code == 0, result.output
    assert "allow more with --sims" in result.stdout
    assert "max_sims" not in result.stdout


def test_mde_by_simulation_stays_inside_the_valid_effects(runner):
    result = runner.invoke(cli, ["mde", "--engine", "simulate", "--cohort", "15", "--retention",
                                 "1", "--base-rate", "0.05", "--pool", "1000", "--sims", "2000",
                                 "--seed", "1"])
    assert result.exit_code == 1, result.output
    (line,) = result.stderr.splitlines()
    assert "--effect" not in line
    assert "no effect this study can have is detected with 80.0% power by simulation" in line
    assert "beyond a treated rate of 0%" in line


def test_every_file_the_command_line_writes_goes_through_the_one_helper():
    # Writing a file directly (savefig, to_csv, write_text, open for writing) would skip
    # the temporary file and the rename; standard output and the helper's temporary file
    # are the only other places written.
    from pathlib import Path

    direct = re.compile(r"savefig\((?!temporary|sys\.stdout)|to_csv\((?!temporary|index=False)"
                        r"|(?<!temporary\.)write_(text|bytes)\(|open\([^)]*[\"'][wa]b?[\"']")
    folder = Path(files.__file__).parent
    found = [f"{path.name}:{number}: {line.strip()}"
             for path in sorted(folder.rglob("*.py")) if path.name != "files.py"
             for number, line in enumerate(path.read_text().splitlines(), start=1)
             if direct.search(line)]
    assert found == []
    assert "atomic_write" in Path(figures.__file__).read_text()
    assert sys.modules["powerplan_cli.files"] is files
