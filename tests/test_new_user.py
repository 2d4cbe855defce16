"""What a new user tripped over (the 'new user' issue): each with a test."""

import numpy as np
import pytest

import powerplan
from powerplan import Scenario, SimulationSettings, Simulator, sweep
from powerplan_cli.main import cli

SMALL = Scenario(cohort=300, simulation=SimulationSettings(pool=2000))


# A simulated curve whose power is exactly 0% or 100% ---------------------------

def test_simulated_intervals_at_all_or_none_are_exact_and_contain_the_estimate():
    curve = sweep(SMALL, "effect", [-0.3, 0.0], engine=Simulator(n_sims=16, seed=1))
    certain = curve.results[0]
    assert certain.power == 1.0 and certain.ci_high == 1.0
    for result in curve.results:
        for low, share, high in [(result.ci_low, result.power, result.ci_high),
                                 (result.reduction_ci_low, result.p_significant_reduction,
                                  result.reduction_ci_high),
                                 (result.increase_ci_low, result.p_significant_increase,
                                  result.increase_ci_high)]:
            assert 0.0 <= low <= share <= high <= 1.0
    ax = curve.plot()  # drew a negative error bar before
    assert ax.get_lines()


def test_a_certain_share_prints_without_noise():
    result = powerplan.simulate(SMALL.replace(effect=-0.3), n_sims=16, seed=1)
    assert result.increase_ci_low == 0.0
    assert "<0.1% to" not in str(result)


def test_the_numbers_are_printed_before_the_figure_is_drawn(runner, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("no ink")

    monkeypatch.setattr(powerplan.plotting, "plot_power_curve", broken)
    monkeypatch.setattr(powerplan.PowerCurve, "plot", broken)
    out = tmp_path / "curve.png"
    result = runner.invoke(cli, ["curve", "--over", "cohort=100:300:3", "--out", str(out)])
    assert result.exit_code == 1
    assert "Power against people submitted" in result.output  # the table came first
    assert ("Error: the results above are complete, but the figure for --out could not be "
            "drawn: RuntimeError: no ink") in result.output
    assert not out.exists()


def test_a_simulated_curve_reaching_100_percent_draws(runner, tmp_path):
    out = tmp_path / "sim.png"
    result = runner.invoke(cli, ["curve", "--over", "effect=-30pp:-25pp:2", "--engine",
                                 "simulate", "--sims", "16", "--pool", "2000", "--seed", "1",
                                 "--quiet", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0


# Scenario(retention=...) as replace, from_dict and the CLI take it -------------

def test_a_scenario_takes_retention_as_replace_and_from_dict_do():
    assert Scenario(retention=0.4) == Scenario().replace(retention=0.4)
    assert Scenario(retention=0.4) == Scenario.from_dict({"retention": 0.4})
    assert Scenario(cohort=500, retention=0.25).expected_n_treated == 125
    with pytest.raises(powerplan.InvalidInputError, match="retention and funnel cannot both"):
        Scenario(retention=0.4, funnel=0.5)
    with pytest.raises(powerplan.InvalidInputError, match="retention"):
        Scenario(retention=1.5)
