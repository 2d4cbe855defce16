"""Monte Carlo calibration of the simulator (slow: thousands of simulated studies).

Each check has a fixed seed; its tolerance is a 99% binomial interval or
three Monte Carlo standard errors.
"""

import math

import numpy as np
import pytest
from scipy import stats

from powerplan import Scenario, SimulationSettings, analytic, simulate

pytestmark = pytest.mark.slow

# Covariates that do not predict reoffending: then nothing links a treated
# person's outcome to their matches', and the weighted test is exact.
UNLINKED = {"outcome_strength": 0.0}


def test_type_one_error_is_alpha_when_matching_induces_no_correlation():
    n = 4000
    result = simulate(Scenario(effect=0.0, simulation=SimulationSettings(**UNLINKED)),
                      n_sims=n, seed=101)
    low, high = stats.binom.interval(0.99, n, 0.05)
    assert low / n <= result.power <= high / n
    assert result.n_unanalysable == 0


def test_unpaired_test_is_conservative_when_covariates_predict_reoffending():
    # Matched records share their treated person's risk, so the independent-
    # samples test overstates the variance of the difference (Austin 2011,
    # Stat Med 30:1292): fewer false positives than alpha.
    n = 4000
    result = simulate(Scenario(effect=0.0), n_sims=n, seed=102)
    low, _ = stats.binom.interval(0.99, n, 0.05)
    assert result.power < low / n


AGREEMENT = [
    # (test, analytic method, scenario settings)
    ("wald", "wald", {"effect": -0.08}),
    ("wald", "wald-exact", {"effect": -0.08}),
    ("welch", "welch", {"effect": -0.08}),
    ("welch", "wald", {"effect": -0.08}),
    ("pooled", "pooled", {"cohort": 600, "base_rate": 0.2, "effect": -0.06}),
    ("arcsine", "arcsine", {"cohort": 200, "funnel": 0.7, "effect": 0.1}),
    ("fleiss-cc", "fleiss-cc", {"funnel": {"found": 0.8, "in window": 0.5}, "effect": -0.1}),
    ("wald", "wald", {"base_rate": 0.45, "effect": -0.08, "alternative": "less"}),
]


@pytest.mark.parametrize("test, method, settings", AGREEMENT,
                         ids=[f"{t}-{i}" for i, (t, _, _) in enumerate(AGREEMENT)])
def test_simulated_power_agrees_with_the_analytic_engine(test, method, settings):
    # No selection and a large pool: the analytic model's assumptions hold,
    # with the comparison ratio the simulated effective one (about k).
    scenario = Scenario(**settings, simulation=SimulationSettings(
        selection=0.0, test=test, **UNLINKED))
    result = simulate(scenario, n_sims=2000, seed=103)
    ratio = result.n_comparison / result.mean_n_treated
    expected = analytic(scenario.replace(method=method, comparison_ratio=ratio)).power
    assert abs(result.power - expected) <= 3 * math.sqrt(expected * (1 - expected) / 2000)


def test_matched_rates_are_the_base_rate_and_the_treated_rate():
    # Strong selection, prognostic covariates, a caliper that drops people:
    # the calibration still puts both rates on target.
    scenario = Scenario(effect=-0.05, simulation=SimulationSettings(selection=1.2))
    frame = simulate(scenario, n_sims=2000, seed=104).replicates_frame()
    analysed = frame[frame["reason"] == ""]
    for column, target in (("comparison_rate", 0.35), ("treated_rate", 0.30)):
        values = analysed[column]
        assert abs(values.mean() - target) <= 3.5 * values.std() / math.sqrt(len(values))
    assert frame["n_treated"].mean() < frame["analysed"].mean()  # the caliper did drop people


def test_unobserved_confounding_bias_shifts_the_estimate():
    scenario = Scenario(effect=0.0, simulation=SimulationSettings(bias=0.04))
    estimate = simulate(scenario, n_sims=1500, seed=105).replicates_frame()["estimate"]
    assert abs(estimate.mean() - 0.04) <= 3.5 * estimate.std() / math.sqrt(len(estimate))


def test_power_does_not_depend_on_which_pool_was_drawn():
    # The pool is drawn once per simulation; different seeds draw different
    # pools. Their powers must be homogeneous (chi-square test), so conditioning
    # on one pool does not change the answer beyond Monte Carlo error.
    scenario = Scenario(effect=-0.08, simulation=SimulationSettings(pool=20_000))
    significant = [round(simulate(scenario, n_sims=400, seed=seed).power * 400)
                   for seed in range(200, 208)]
    table = np.array([significant, [400 - s for s in significant]])
    assert stats.chi2_contingency(table).pvalue > 0.001


def test_calibration_error_is_about_a_tenth_of_a_point():
    # docs/simulation.md: the calibration pilot's own Monte Carlo error leaves the
    # matched comparison rate off the base rate by up to about a tenth of a point
    # (seed 1001, 4,000 replicates: 0.08 points below, give or take 0.04), not
    # "a few hundredths" as the page said before.
    frame = simulate(Scenario(), n_sims=4000, seed=1001).replicates_frame()
    analysed = frame[frame["reason"] == ""]
    for column, target, documented in (("comparison_rate", 0.35, -0.076),
                                        ("treated_rate", 0.30, -0.020)):
        values = analysed[column]
        offset = 100 * (values.mean() - target)
        error = 100 * values.std() / math.sqrt(len(values))
        assert abs(offset - documented) < 0.005, (column, offset)
        assert abs(offset) < 0.2 and error < 0.07
