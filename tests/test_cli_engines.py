"""The simulation engine behind size, mde and assurance on the command line."""

import json

import pytest

from powerplan import NormalPrior, Scenario, SimulationSettings, assurance, solve
from powerplan_cli.main import cli

SMALL = ["--base-rate", "0.35", "--effect", "-15pp", "--retention", "0.5", "--pool", "5000",
         "--selection", "0", "--outcome-strength", "0"]


def run(runner, *args):
    return runner.invoke(cli, list(args))


def scenario():
    return Scenario(base_rate=0.35, effect=-0.15, funnel=0.5,
                    simulation=SimulationSettings(pool=5000, selection=0, outcome_strength=0))


def test_size_by_simulation_matches_the_library(runner, tmp_path):
    figure = tmp_path / "fit.png"
    result = run(runner, "size", *SMALL, "--engine", "simulate", "--seed", "5", "--precision",
                 "10%", "--json", "--plot", str(figure))
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    expected = solve(scenario(), "cohort", engine="simulate", seed=5, precision=0.1,
                     max_sims=20_000)
    assert payload["cohort"] == expected.value
    assert payload["interval"] == pytest.approx(list(expected.interval))
    for key in ("n_treated", "achieved_power", "target_power", "n_sims", "reached"):
        assert key in payload
    assert figure.read_bytes().startswith(b"\x89PNG")


def test_mde_by_simulation(runner):
    result = run(runner, "mde", *SMALL, "--cohort", "300", "--engine", "simulate", "--seed", "2",
                 "--precision", "0.1")
    assert result.exit_code == 0, result.output
    expected = solve(scenario().replace(cohort=300), "effect", engine="simulate", seed=2,
                     precision=0.1, max_sims=20_000)
    assert result.stdout.startswith(expected.summary())


def test_assurance_by_simulation(runner):
    result = run(runner, "simulate", *SMALL, "--cohort", "200", "--prior", "normal:-10,5",
                 "--sims", "600", "--seed", "3", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    expected = assurance(scenario().replace(cohort=200), NormalPrior.points(-10, 5),
                         engine="simulate", n_sims=600, seed=3)
    assert payload["assurance"] == expected.assurance
    assert payload["computation"] == "simulation"
    same = run(runner, "power", *SMALL, "--cohort", "200", "--prior", "normal:-10,5", "--sims",
               "600", "--seed", "3", "--json", "--engine", "simulate")
    assert json.loads(same.stdout) == payload


def test_simulate_draws_its_figure(runner, tmp_path):
    figure = tmp_path / "sim.svg"
    result = run(runner, "simulate", *SMALL, "--cohort", "200", "--sims", "64", "--seed", "1",
                 "--plot", str(figure))
    assert result.exit_code == 0, result.output
    assert b"<svg" in figure.read_bytes()[:1000]


@pytest.mark.parametrize("command, text", [
    ("simulate", "[default: 1,000]"),
    ("size", "whole number >= 2,000). [default: 20,000]"),
    ("mde", "whole number >= 2,000). [default: 20,000]"),
])
def test_sims_help_gives_each_command_its_default(runner, command, text):
    result = run(runner, command, "--help")
    assert text in " ".join(result.output.split())


@pytest.mark.parametrize("args, message", [
    (["size", "--precision", "0.1"], "--precision applies to the simulator; add --engine "
                                     "simulate"),
    (["size", "--precision", "0.05"], "--precision applies to the simulator; add --engine "
                                      "simulate"),  # the default, given: still refused
    (["size", "--seed", "1"], "--seed applies to the simulator; add --engine simulate"),
    (["power", "--no-replacement"], "--no-replacement applies to the simulator; add --engine "
                                    "simulate"),
    (["size", "--engine", "simulate", "--prior", "normal:-4,3"],
     "'--prior': cannot be combined with engine 'simulate' when solving"),
    (["size", "--engine", "simulate", "--sims", "100"], "'--sims': must be a whole number >= "
                                                        "2,000; got 100"),
    (["mde", "--engine", "simulate", "--method", "pooled"], "--method sets the analytic engine"),
    (["simulate", "--prior", "normal:-4,3", "--plot", "x.png"], "cannot be combined with "
                                                                "--prior"),
    (["size", "--engine", "simulate", "--precision", "0"], "'--precision': must be a "
                                                            "proportion in (0, 1); got 0"),
])
def test_bad_engine_settings(runner, args, message):
    result = run(runner, *args)
    lines = result.stderr.splitlines()
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and message in lines[0], lines
