"""sweep and mde_curve: one setting varied, results as curves."""

import json

import numpy as np
import pandas as pd
import pytest
from conftest import with_intervals
from hypothesis import given, settings
from hypothesis import strategies as st

from powerplan import (Funnel, InvalidInputError, MDECurve, NoSolutionError, PowerCurve,
                       Scenario, SimulationSettings, analytic, mde_curve, simulate, solve,
                       sweep)
from powerplan.results.curves import FIELDS
from powerplan.solvers.sweep import vary

SMALL = Scenario(simulation=SimulationSettings(pool=5000))

VALUES = {
    "cohort": [60, 300, 1000],
    "effect": [-0.10, -0.05, 0.0, 0.03],
    "retention": [0.2, 0.5, 1.0],
    "base_rate": [0.2, 0.35, 0.5],
    "comparison_ratio": [1.0, 5.0, 20.0],
    "alpha": [0.01, 0.05, 0.1],
}


@pytest.mark.parametrize("field", FIELDS)
def test_each_value_is_the_engine_result_for_the_scenario_with_it(field):
    base = Scenario(funnel={"found": 0.8, "matched": 0.5})
    curve = sweep(base, field, VALUES[field])
    assert curve.field == field and curve.values == tuple(VALUES[field])
    assert curve.scenario == base
    for value, result in zip(VALUES[field], curve.results):
        changes = {"funnel": Funnel.single(value)} if field == "retention" else {field: value}
        assert result == analytic(base.replace(**changes))
    assert np.array_equal(curve.power, [r.power for r in curve.results])
    assert np.array_equal(curve.p_inconclusive, [r.p_inconclusive for r in curve.results])


def test_values_are_sorted():
    curve = sweep(Scenario(), "cohort", np.array([1000, 60, 300]))
    assert curve.values == (60, 300, 1000)
    assert all(type(v) is int for v in curve.values)


def test_base_rate_sweep_keeps_the_difference():
    curve = sweep(Scenario(effect=-0.05), "base_rate", [0.2, 0.4])
    assert [r.effect for r in curve.results] == [-0.05, -0.05]
    assert [round(r.treated_rate, 12) for r in curve.results] == [0.15, 0.35]


@pytest.mark.parametrize("field, columns", [("cohort", 20), ("comparison_ratio", 21)])
def test_to_frame_has_one_row_per_value_and_every_result_column(field, columns):
    curve = sweep(Scenario(), field, VALUES[field])
    frame = curve.to_frame()
    assert frame.shape == (len(VALUES[field]), columns)
    assert frame.columns[0] == field
    assert list(frame[field]) == VALUES[field]
    assert set(curve.results[0].to_dict()) <= set(frame.columns)
    assert list(frame["power"]) == list(curve.power)


def test_to_dict_is_json_ready():
    curve = sweep(Scenario(), "cohort", np.array([100, 200]))
    back = json.loads(json.dumps(curve.to_dict()))
    assert back["field"] == "cohort" and back["values"] == [100, 200]
    assert back["results"][1]["power"] == curve.power[1]
    assert back["scenario"]["retention"] == 0.4


def test_curve_prints_a_table_of_verdicts():
    text = str(sweep(Scenario(), "retention", [0.25, 0.5]))
    assert text.splitlines()[0] == ("Power against retention (analytic; welch test, two-sided, "
                                    "alpha 0.05)")
    assert "retention  power  significant reduction  inconclusive  significant increase" in text
    assert "25.0%" in text and "analysed" not in text.splitlines()[1]


def test_results_with_intervals_are_recognised_and_tabulated():
    curve = sweep(Scenario(), "cohort", [100, 400])
    assert not curve.has_intervals
    simulated = with_intervals(curve)
    assert simulated.has_intervals
    assert {"ci_low", "ci_high"} <= set(simulated.to_frame().columns)


@pytest.mark.parametrize("field, values, message", [
    ("size", [1, 2], "field must be one of 'cohort', 'effect', 'retention', 'base_rate', "
                     "'comparison_ratio', 'alpha'; got 'size'"),
    ("cohort", [], "values must hold at least one number; got none"),
    ("cohort", "60:2000", "values must be a sequence of numbers; got '60:2000'"),
    ("cohort", [60, "x"], "values must be numbers; got 'x'"),
    ("cohort", [60, 100, 60], "values must be distinct; got 60 twice"),
    ("effect", np.array([-0.05, -0.05]), "values must be distinct; got -0.05 twice"),
    ("cohort", [60, 100.5], "cohort must be a whole number in [1, 10,000,000]; got 100.5"),
    ("retention", [0.5, 1.5], "retention must be a share in (0, 1]; got 1.5"),
    ("base_rate", [0.02, 0.3], "effect must keep the treated rate"),
])
def test_bad_sweeps_name_the_setting(field, values, message):
    with pytest.raises(InvalidInputError) as error:
        sweep(Scenario(), field, values)
    assert str(error.value).startswith(message)


def test_unknown_engine_is_refused():
    with pytest.raises(InvalidInputError, match="engine must be one of 'analytic'"):
        sweep(Scenario(), "cohort", [60], engine="bayes")


def test_power_curve_checks_it_has_one_result_per_value():
    curve = sweep(Scenario(), "cohort", [60, 100])
    with pytest.raises(ValueError, match="one result per value; got 2 values and 1 results"):
        PowerCurve("cohort", (60, 100), curve.results[:1], Scenario())


@pytest.mark.parametrize("field, direction", [("cohort", "reduction"), ("effect", "reduction"),
                                              ("effect", "increase"), ("retention", "reduction")])
def test_curve_solve_is_the_solver_for_its_field(field, direction):
    scenario = Scenario(cohort=1500)
    curve = sweep(scenario, field, VALUES[field])
    assert curve.solve(0.7, direction=direction) == solve(scenario, field, target_power=0.7,
                                                          direction=direction)


def test_curve_over_a_setting_without_a_solver_says_so():
    curve = sweep(Scenario(), "base_rate", [0.3, 0.4])
    with pytest.raises(InvalidInputError, match="field must be one of 'cohort', 'effect', "
                                                "'retention'; got 'base_rate'"):
        curve.solve(0.8)


# By simulation ---------------------------------------------------------------

def test_simulated_sweep_runs_every_value_with_the_same_seed():
    curve = sweep(SMALL, "effect", [-0.10, 0.0], engine="simulate", n_sims=32, seed=4)
    assert curve.engine == "simulate" and curve.has_intervals
    for value, result in zip(curve.values, curve.results):
        alone = simulate(vary(SMALL, "effect", value), n_sims=32, seed=4)
        assert result.seed == 4 and result.n_sims == 32
        pd.testing.assert_frame_equal(result.replicates, alone.replicates)
        assert result.power == alone.power


def test_simulated_sweep_is_reproducible_and_shares_a_fresh_seed():
    def run(seed):
        return sweep(SMALL, "cohort", [150, 400], engine="simulate", n_sims=16, seed=seed)

    pd.testing.assert_frame_equal(run(7).to_frame(), run(7).to_frame())
    fresh = run(None)
    assert fresh.results[0].seed == fresh.results[1].seed > 0


def test_simulated_sweep_reports_progress_over_every_value():
    finished = []
    sweep(SMALL, "cohort", [150, 400], engine="simulate", n_sims=40, seed=1,
          progress=finished.append)
    assert sum(finished) == 80


def test_simulated_sweep_checks_every_value_before_simulating_any():
    finished = []
    with pytest.raises(InvalidInputError, match="pool must be at least the expected number of "
                                                "treated people analysed"):
        sweep(Scenario(simulation=SimulationSettings(pool=1000)), "cohort", [100, 5000],
              engine="simulate", n_sims=16, seed=1, progress=finished.append)
    assert finished == []


@pytest.mark.parametrize("keyword", [{"n_sims": 100}, {"seed": 1}, {"workers": 2},
                                     {"progress": print}])
def test_analytic_sweep_refuses_simulation_keywords(keyword):
    (name,) = keyword
    with pytest.raises(InvalidInputError) as error:
        sweep(Scenario(), "cohort", [60, 100], **keyword)
    assert str(error.value) == f"{name} applies only with engine 'simulate'"


def test_simulated_curve_frame_spreads_the_tables_into_counts():
    tiny = SMALL.replace(cohort=5)
    curve = sweep(tiny, "cohort", [5, 300], engine="simulate", n_sims=16, seed=2)
    frame = curve.to_frame()
    assert not any(isinstance(cell, dict) for cell in frame.to_numpy().ravel())
    too_few = "unanalysable_reasons.too few people after the funnel"
    assert frame[too_few].tolist() == [curve.results[0].unanalysable_reasons[
        "too few people after the funnel"], 0]
    assert frame["mean_funnel.analysed"].tolist() == [
        r.mean_funnel["analysed"] for r in curve.results]
    assert frame["ci_low"].tolist() == [r.ci_low for r in curve.results]


def test_simulated_curve_prints_the_test_seed_and_intervals():
    curve = sweep(SMALL, "cohort", [150, 400], engine="simulate", n_sims=16, seed=3)
    lines = str(curve).splitlines()
    assert lines[0] == ("Power against people submitted (simulate; welch test, two-sided, "
                        "alpha 0.05)")
    assert "10 matches each from a pool of 5,000" in lines[1]
    assert lines[2] == "  16 simulated studies at each value, seed 3 (the same at every value)"
    assert "95% interval" in lines[3]
    low, high = curve.results[1].ci_low, curve.results[1].ci_high
    assert f"{100 * low:.1f}% to {100 * high:.1f}%" in lines[5]


# Properties ------------------------------------------------------------------

# The normal approximation: power rises with information. (The exact sums of the
# default method saw-tooth with the number analysed, as the real test does:
# tests/test_properties.py.)
scenarios = st.builds(
    Scenario,
    base_rate=st.floats(0.1, 0.6),
    effect=st.floats(-0.09, -0.01),
    funnel=st.floats(0.1, 1.0),
    comparison_ratio=st.floats(1.0, 20.0),
    method=st.just("wald"),
)


@settings(max_examples=30, deadline=None)
@given(scenarios, st.lists(st.integers(1, 3000), min_size=2, max_size=8, unique=True))
def test_power_rises_with_cohort(scenario, cohorts):
    curve = sweep(scenario, "cohort", cohorts)
    assert np.all(np.diff(curve.power) >= -1e-12)
    total = curve.p_significant_reduction + curve.p_inconclusive + curve.p_significant_increase
    assert np.allclose(total, 1.0)


@settings(max_examples=30, deadline=None)
@given(scenarios, st.lists(st.floats(0.05, 1.0), min_size=2, max_size=6, unique=True))
def test_more_attrition_never_raises_power(scenario, retentions):
    curve = sweep(scenario, "retention", retentions)
    assert np.all(np.diff(curve.power) >= -1e-12)


# MDE against cohort ----------------------------------------------------------

def test_mde_curve_is_the_solver_at_each_cohort():
    scenario = Scenario(funnel=0.5, base_rate=0.3)
    curve = mde_curve(scenario, [1000, 200, 500], target_power=0.9)
    assert isinstance(curve, MDECurve)
    assert curve.cohorts == (200, 500, 1000)
    for cohort, solution in zip(curve.cohorts, curve.solutions):
        assert solution == solve(scenario.replace(cohort=cohort), "effect", target_power=0.9)
    assert np.all(np.diff(np.abs(curve.effects)) < 0)
    frame = curve.to_frame()
    assert frame.shape[0] == 3 and list(frame["cohort"]) == [200, 500, 1000]
    assert list(frame["effect"]) == list(curve.effects)
    assert json.loads(json.dumps(curve.to_dict()))["cohorts"] == [200, 500, 1000]


def test_mde_curve_for_increases_is_positive():
    curve = mde_curve(Scenario(), [300, 600], direction="increase")
    assert np.all(curve.effects > 0) and curve.direction == "increase"


def test_mde_curve_is_not_simulated():
    with pytest.raises(InvalidInputError, match=r"engine must be 'analytic' for an MDE curve; "
                                                r"got 'simulate' \(solve one cohort at a time"):
        mde_curve(Scenario(), [300, 600], engine="simulate")


def test_mde_curve_without_a_solution_names_the_cohort():
    with pytest.raises(NoSolutionError, match="with 5 people submitted"):
        mde_curve(Scenario(funnel=0.1), [5, 500])


def test_the_simulator_refuses_to_vary_what_it_does_not_use():
    from powerplan import InvalidInputError, Scenario, sweep

    with pytest.raises(InvalidInputError, match="comparison_ratio is not used by the simulator"):
        sweep(Scenario(), "comparison_ratio", [1, 5, 10], engine="simulate", n_sims=10, seed=1)
