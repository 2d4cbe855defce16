"""The frequency and the time to first reoffence, simulated: the same people for every
measure, calibration, the 30-reoffender gate, and each direction's false positives."""

import math

import numpy as np
import pytest

from powerplan import (Frequency, Headline, Scenario, SimulationSettings, Simulator,
                       TimeToFirst, compare_measures)
from powerplan.errors import InvalidInputError
from powerplan.outcomes.time import truncated_exponential
from powerplan.simulator.person import days_from_uniforms, draw_extra_offences

SMALL = SimulationSettings(pool=2000)
#: No selection and covariates that do not predict reoffending: the groups' outcomes
#: follow the outcome model exactly, so means can be checked against it.
PLAIN = SimulationSettings(pool=5000, selection=0.0, outcome_strength=0.0)


def study(outcome, cohort=200, simulation=SMALL, **changes):
    return Scenario(outcome=outcome, cohort=cohort, funnel=1.0, simulation=simulation,
                    **changes)


def test_every_measure_sees_the_same_people():
    # The three measures together give each measure's own simulation, seed for seed.
    headline = Headline(rate_effect=-0.06, frequency_effect=-0.25, time_effect=15.0)
    joint = compare_measures(study(headline.rate), headline,
                             engine=Simulator(n_sims=32, seed=11))
    for outcome in headline.measures:
        alone = Simulator(n_sims=32, seed=11).power(study(outcome))
        together = joint.results[outcome.name]
        assert (alone.replicates["verdict"].to_numpy()
                == together.replicates["verdict"].to_numpy()).all()
        assert alone.power == together.power
    # ... and whoever reoffends in the time's studies reoffends in the rate's.
    rate = joint.results["rate"].replicates
    time = joint.results["time"].replicates
    assert np.allclose(time["treated_reoffenders"], rate["treated_rate"] * rate["n_treated"])


def test_results_do_not_depend_on_chunks():
    scenario = study(Frequency())
    one = Simulator(n_sims=48, seed=5, chunk_size=16).power(scenario)
    other = Simulator(n_sims=48, seed=5, chunk_size=48).power(scenario)
    assert one.replicates.equals(other.replicates)


def test_simulated_groups_have_the_model_s_frequency():
    outcome = Frequency(rate_effect=-0.05, effect=-0.2, dispersion=1.5)
    result = Simulator(n_sims=64, seed=3).power(study(outcome, cohort=400, simulation=PLAIN))
    treated = result.replicates["treated_frequency"]
    comparison = result.replicates["comparison_frequency"]
    _, _, var1, var2 = outcome.moments()
    assert treated.mean() == pytest.approx(outcome.treated_frequency,
                                           abs=4 * math.sqrt(var1 / (400 * 64)))
    assert comparison.mean() == pytest.approx(outcome.comparison_frequency,
                                              abs=4 * math.sqrt(var2 / (400 * 64)))


def test_simulated_reoffenders_have_the_model_s_days():
    outcome = TimeToFirst(days_to_first=120.0, effect=30.0)
    result = Simulator(n_sims=64, seed=3).power(study(outcome, cohort=400, simulation=PLAIN))
    frame = result.replicates
    _, _, var1, _ = outcome.moments()
    weights = frame["treated_reoffenders"]
    mean = np.average(frame["treated_days"], weights=weights)
    assert mean == pytest.approx(150.0, abs=4 * math.sqrt(var1 / weights.sum()))
    assert frame["comparison_days"].mean() == pytest.approx(120.0, abs=3.0)


def test_the_model_s_draws():
    rng = np.random.default_rng(1)
    extra = draw_extra_offences(rng, 2.0, 0.5, 200_000)
    assert extra.mean() == pytest.approx(2.0, abs=0.02)
    assert extra.var() == pytest.approx(2.0 + 0.5 * 4.0, rel=0.03)
    days = days_from_uniforms(rng.random(200_000), truncated_exponential(140.0)[0])
    assert days.min() > 0 and days.max() <= 365
    assert days.mean() == pytest.approx(140.0, abs=0.6)
    assert days_from_uniforms(np.array([0.0, 0.5]), 0.0).tolist() == [365.0, 182.5]


def test_the_gate_gives_not_reported():
    result = Simulator(n_sims=64, seed=2).power(study(TimeToFirst(), cohort=100))
    frame = result.replicates
    few = frame["treated_reoffenders"] < 30
    assert 0 < few.mean() < 1
    assert (frame.loc[few, "verdict"] == "not reported").all()
    assert frame.loc[few, "p_value"].isna().all()
    assert result.p_not_reported == pytest.approx(few.mean())
    total = (result.p_significant_reduction + result.p_inconclusive
             + result.p_significant_increase + result.p_not_reported)
    assert total == pytest.approx(1.0)
    assert "not reported" in str(result)


def test_the_other_measures_run_the_welch_test_only():
    with pytest.raises(InvalidInputError, match="test must be 'welch' for the frequency"):
        Simulator(n_sims=16, seed=1).power(study(Frequency(), simulation=SimulationSettings(
            pool=2000, test="wald")))


def test_compare_measures_refuses_a_one_sided_test():
    with pytest.raises(InvalidInputError, match="alternative must be 'two-sided'"):
        compare_measures(Scenario(alternative="less"))


# False positives in each direction, at no effect on any measure ---------------------

@pytest.mark.slow
def test_frequency_false_positives_are_lopsided_with_a_small_treated_group():
    # 90 treated people against about 740 effective comparison records: the Welch t-test
    # on skewed counts finds "fewer offences" far more often than 2.5% and "more" far
    # less (5.35% and 1.05% here; docs/measures.md). Measured, not hidden.
    outcome = Frequency(rate_effect=0.0, effect=0.0)
    result = Simulator(n_sims=2000, seed=7).power(study(outcome, cohort=90, simulation=PLAIN))
    assert result.p_significant_reduction > 0.04
    assert result.p_significant_increase < 0.016
    assert result.p_significant_reduction == pytest.approx(0.0535)


@pytest.mark.slow
def test_time_false_positives_are_near_alpha_in_each_direction():
    outcome = TimeToFirst(rate_effect=0.0, effect=0.0)
    result = Simulator(n_sims=2000, seed=7).power(study(outcome, cohort=150, simulation=PLAIN))
    reported = 1 - result.p_not_reported
    se = math.sqrt(0.025 * 0.975 / (2000 * reported))
    for tail in (result.p_significant_reduction, result.p_significant_increase):
        assert abs(tail / reported - 0.025) < 4 * se
