"""The simulate command, and power --engine simulate, through click's CliRunner."""

import io
import json
import math
import re

import numpy as np
import pytest

from powerplan_cli.main import cli
from powerplan_cli.output import to_json
from powerplan_cli.engine import Progress

FAST = ["--pool", "3000", "--sims", "64", "--seed", "7"]


def run(runner, *args):
    return runner.invoke(cli, list(args))


def test_simulate_prints_power_with_its_monte_carlo_error(runner):
    result = run(runner, "simulate", "--cohort", "250", *FAST)
    assert result.exit_code == 0, result.output
    assert "Power (simulate; welch test, two-sided, alpha 0.05): " in result.stdout
    assert "64 simulations" in result.stdout and "seed                   7" in result.stdout
    assert result.stderr == ""  # no progress bar: stderr is not a terminal


def test_power_with_the_simulate_engine_gives_the_same_answer(runner):
    for extra in ([], ["--json"]):
        direct = run(runner, "simulate", "--cohort", "250", "--k", "4", *FAST, *extra)
        engine = run(runner, "power", "--engine", "simulate", "--cohort", "250", "--k", "4",
                     *FAST, *extra)
        assert direct.exit_code == engine.exit_code == 0
        assert direct.stdout == engine.stdout


def test_json_has_the_promised_keys_and_the_scenario(runner):
    result = run(runner, "simulate", "--json", "--no-replacement", "--caliper", "0.1", *FAST)
    payload = json.loads(result.stdout)
    for key in ("power", "ci_low", "ci_high", "mc_se", "n_sims", "p_significant_reduction",
                "p_significant_increase", "p_inconclusive", "mean_n_treated"):
        assert key in payload
    assert payload["n_sims"] == 64 and payload["seed"] == 7
    simulation = payload["scenario"]["simulation"]
    assert (simulation["replacement"], simulation["caliper"], simulation["pool"]) == (
        False, 0.1, 3000)


def test_workers_do_not_change_the_answer(runner):
    one = run(runner, "simulate", "--json", *FAST)
    two = run(runner, "simulate", "--json", "--workers", "2", *FAST)
    assert one.stdout == two.stdout


@pytest.mark.parametrize("args, message", [
    (["--k", "0"], "Invalid value for '--k': must be a whole number in [1, 100]; got 0"),
    (["--k", "100000"], "Invalid value for '--k': must be a whole number in [1, 100]; "
                        "got 100,000"),
    (["--k", "99999999999"], "Invalid value for '--k': must be a whole number in [1, 100]; "
                             "got 99,999,999,999"),
    (["--caliper", "0"], "Invalid value for '--caliper': must be a number in (0, 10]; got 0"),
    (["--caliper", "-1"], "Invalid value for '--caliper': must be a number in (0, 10]; got -1"),
    (["--caliper", "0,2"], "Invalid value for '--caliper': must be a number in (0, 10]; got '0,2'"),
    (["--sims", "0"], "Invalid value for '--sims': must be a whole number in [1, 10,000,000]; "
                      "got 0"),
    (["--workers", "0"], "Invalid value for '--workers': must be a whole number in [1, 256]; "
                         "got 0"),
    (["--seed", "-3"], "Invalid value for '--seed': must be a whole number >= 0; got -3"),
    (["--selection", "-1"], "Invalid value for '--selection': must be a number >= 0; got -1"),
    (["--selection", "9"], "Invalid value for '--selection': must be a number in "
                           "[0, 1.5] with these covariate settings; got 9"),
    (["--outcome-strength", "1e300"], "Invalid value for '--outcome-strength': must be a "
                                      "number in [0, 5]; got 1e+300"),
    (["--cohort", "1000", "--pool", "300"],
     "Invalid value for '--pool': must be at least the expected number of treated people "
     "analysed (cohort x retention = 400); got 300"),
])
def test_bad_settings_get_one_line_errors(runner, args, message):
    result = run(runner, "simulate", *args)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {message}\n"


def test_simulator_options_need_the_simulate_engine(runner):
    result = run(runner, "power", "--k", "3")
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: --k applies to the simulator; add --engine simulate\n")


def test_analytic_test_choice_is_refused_by_the_simulator(runner):
    result = run(runner, "simulate", "--method", "pooled")
    assert result.exit_code == 2
    assert "--method sets the analytic engine" in result.stderr
    assert "its test is --test" in result.stderr


def test_config_simulation_table_and_options_override_it(runner, tmp_path):
    config = tmp_path / "study.toml"
    config.write_text("cohort = 200\n[simulation]\nk = 3\npool = 4000\n")
    from_file = json.loads(run(runner, "simulate", "--config", str(config), "--json",
                               "--sims", "16", "--seed", "1").stdout)
    assert from_file["scenario"]["simulation"]["k"] == 3
    overridden = json.loads(run(runner, "simulate", "--config", str(config), "--json", "--k",
                                "5", "--sims", "16", "--seed", "1").stdout)
    assert overridden["scenario"]["simulation"]["k"] == 5
    assert overridden["scenario"]["simulation"]["pool"] == 4000


def test_bad_value_in_the_config_simulation_table_names_the_file(runner, tmp_path):
    config = tmp_path / "study.toml"
    config.write_text("[simulation]\nk = 0\n")
    result = run(runner, "simulate", "--config", str(config))
    assert result.exit_code == 2
    assert result.stderr == (f"Error: Invalid value for '--config': {config}: k must be a "
                             f"whole number in [1, 100]; got 0\n")


class FakeTerminal(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


@pytest.mark.parametrize("tty, seconds, shown", [
    (True, 2.5, True), (True, 0.5, False), (False, 2.5, False)])
def test_progress_bar_only_on_a_terminal_for_runs_over_a_second(tty, seconds, shown):
    stream, clock = FakeTerminal(tty), FakeClock()
    progress = Progress(128, stream=stream, clock=clock)
    progress(64)
    clock.now = seconds
    progress(64)
    progress.close()
    assert ("Simulating" in stream.getvalue()) is shown
    if shown:
        assert "100%" in stream.getvalue()


SIMULATED_COMMANDS = {
    "simulate": ["simulate", "--cohort", "200", *FAST],
    "power": ["power", "--engine", "simulate", "--cohort", "200", *FAST],
    "power --measure all": ["power", "--measure", "all", "--engine", "simulate", "--cohort",
                            "400", *FAST],
    "size": ["size", "--engine", "simulate", "--effect", "-15pp", "--pool", "3000", "--seed",
             "7", "--precision", "0.2", "--sims", "2000"],
    "mde": ["mde", "--engine", "simulate", "--cohort", "300", "--pool", "3000", "--seed", "7",
            "--precision", "0.2", "--sims", "2000"],
    "curve": ["curve", "--over", "cohort=100:300:2", "--engine", "simulate", *FAST],
    "table": ["table", "--engine", "simulate", "--base-rates", "0.35", "--effects", "-15pp",
              "--retentions", "0.5", "--pool", "3000", "--seed", "7", "--precision", "0.2",
              "--sims", "2000"],
}


@pytest.fixture
def terminal(monkeypatch):
    """Every progress bar the commands make draws on one fake terminal, each run taking
    two seconds a step (long enough to be shown)."""
    from powerplan_cli import engine, grid

    stream = FakeTerminal(True)
    for cls in (engine.Progress, grid.CellBar):
        real = cls.__init__

        def init(self, *args, _real=real, **kwargs):
            clock = FakeClock()
            _real(self, *args, **kwargs)
            self.stream = stream
            self.clock = lambda: clock.__setattr__("now", clock.now + 2.0) or clock.now
            self.started = 0.0
        monkeypatch.setattr(cls, "__init__", init)
    return stream


@pytest.mark.parametrize("name", sorted(SIMULATED_COMMANDS))
def test_every_simulated_command_shows_a_progress_bar_on_a_terminal(runner, terminal, name):
    result = run(runner, *SIMULATED_COMMANDS[name])
    assert result.exit_code == 0, result.output
    drawn = terminal.getvalue()
    label = "Cells" if name in ("curve", "table") else "Simulating"
    assert label in drawn and "%" in drawn
    if name not in ("size", "mde", "table"):  # a solve may stop before its most studies
        assert "100%" in drawn
    assert result.stdout.strip()  # the answer, apart from the bar


@pytest.mark.parametrize("name", ["simulate", "curve"])
def test_quiet_silences_every_bar(runner, terminal, name):
    result = run(runner, *SIMULATED_COMMANDS[name], "--quiet")
    assert result.exit_code == 0, result.output
    assert terminal.getvalue() == ""


def test_help_lists_simulate_and_its_options(runner):
    assert "simulate" in run(runner, "--help").stdout
    text = run(runner, "simulate", "--help").stdout
    for option in ("--sims", "--seed", "--workers", "--pool", "--k", "--caliper",
                   "--no-replacement", "--selection", "--quiet", "--json"):
        assert option in text
    assert "--engine" in run(runner, "power", "--help").stdout


def _strict(constant):
    raise ValueError(f"{constant} is not JSON")


def test_json_has_null_where_a_number_is_not_finite(runner):
    # one person submitted: nobody is ever analysed, so there is no comparison size
    result = run(runner, "simulate", "--cohort", "1", "--sims", "20", "--seed", "1", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout, parse_constant=_strict)
    assert payload["n_comparison"] is None


def test_to_json_makes_every_non_finite_number_null():
    payload = {"a": math.nan, "b": [1.0, math.inf, {"c": -math.inf}], "d": (np.float64("nan"),),
               "e": "NaN", "f": 2}
    assert json.loads(to_json(payload), parse_constant=_strict) == {
        "a": None, "b": [1.0, None, {"c": None}], "d": [None], "e": "NaN", "f": 2}


@pytest.mark.parametrize("args", [
    ["--cohort", "10000000", "--pool", "5000000", "--sims", "1"],
    ["--cohort", "2000000", "--pool", "1000000"],
])
def test_a_simulation_too_large_for_memory_is_one_line_naming_the_cohort(runner, args):
    result = run(runner, "simulate", "--seed", "1", "--quiet", *args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "'--cohort': is too large to simulate" in lines[0]
    assert "GiB of memory" in lines[0]


def test_no_study_matched_shows_no_nan(runner):
    result = run(runner, "simulate", "--min-n-treated", "10000000", "--sims", "16", "--pool",
                 "1000", "--seed", "1", "--quiet")
    assert result.exit_code == 0, result.output
    assert not re.search(r"\bnan\b", result.output, flags=re.IGNORECASE)
    assert "none: no simulated study matched a treated person" in result.output
