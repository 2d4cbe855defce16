"""The simulated population: draws, the selection tilt, the calibrated outcome model."""

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from powerplan import SimulationSettings
from powerplan.simulator.population import (SELECTION_WEIGHTS, Population, calibrated_intercept,
                                  max_selection)
from powerplan.simulator.propensity import expit


@pytest.fixture(scope="module")
def population():
    return Population.from_settings(SimulationSettings(selection=0.8))


@pytest.mark.parametrize("group", ["pool", "treated"])
def test_draws_have_the_models_means_and_sds(population, group):
    model = getattr(population, group)
    x = model.draw(np.random.default_rng(1), 400_000)
    se = model.sds() / np.sqrt(len(x))
    assert np.all(np.abs(x.mean(axis=0) - model.means()) < 5 * se)
    np.testing.assert_allclose(x.std(axis=0), model.sds(), rtol=0.02)


def test_pool_moments_are_the_settings():
    settings = SimulationSettings(age_mean=35, age_sd=12, male_share=0.8, custody_share=0.2,
                                  prior_offences_mean=7, prior_offences_dispersion=2)
    pool = settings.pool_covariates()
    np.testing.assert_allclose(pool.means(), [35, 0.8, 7, 0.2])
    np.testing.assert_allclose(pool.sds()[[0, 2]], [12, np.sqrt(7 + 7 ** 2 / 2)])


def test_selection_tilt_makes_the_propensity_model_logistic(population):
    # Regressing treated (1) against pool (0) recovers the tilt coefficients:
    # the model the analysis fits is correctly specified.
    rng = np.random.default_rng(2)
    treated, pool = population.treated.draw(rng, 60_000), population.pool.draw(rng, 60_000)
    data = sm.add_constant(np.vstack([treated, pool]))
    fit = sm.Logit(np.r_[np.ones(60_000), np.zeros(60_000)], data).fit(disp=0)
    tilt = 0.8 * SELECTION_WEIGHTS / population.sds
    assert np.all(np.abs(fit.params[1:] - tilt) < 4 * fit.bse[1:])


@pytest.mark.parametrize("strength", [0.0, 1.0, 2.5])
@pytest.mark.parametrize("rate", [0.05, 0.35, 0.8])
def test_calibrated_intercept_gives_the_rate_among_treated_like_people(population, strength,
                                                                       rate):
    intercept = population.intercept(rate, strength=strength)
    expected = population.expected_rate(intercept, strength=strength)
    assert expected == pytest.approx(rate, abs=1e-12)
    x = population.treated.draw(np.random.default_rng(3), 400_000)
    p = expit(intercept + strength * population.risk(x))
    assert abs(p.mean() - rate) <= 5 * p.std() / np.sqrt(len(p)) + 1e-12


def test_calibrated_intercept_at_rare_rates_and_wide_risk():
    # Newton's method from logit(rate) diverged here: rate 1% over an index
    # spread across 25 logits.
    index = np.array([5.19, 2.28, -7.38, 4.13, 11.85, -10.0, 0.48, 15.42, 4.77])
    a = calibrated_intercept(index, np.ones(len(index)), 0.01)
    assert np.mean(expit(a + index)) == pytest.approx(0.01, rel=1e-9)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.floats(-25, 25), st.floats(0.01, 1)), min_size=1, max_size=20),
       st.floats(0, 0.9), st.floats(1e-4, 1 - 1e-4))
def test_calibrated_intercept_reaches_any_rate(points, correction, rate):
    # Negative weights are the pilot's corrections: here the last point's
    # weight is reduced by ``correction`` of the total, which stays positive.
    index = np.array([x for x, _ in points])
    weights = np.array([w for _, w in points])
    weights = np.r_[weights, -correction * weights.sum()]
    index = np.r_[index, index[0]]
    a = calibrated_intercept(index, weights, rate)
    reached = weights @ expit(a + index) / weights.sum()
    assert reached == pytest.approx(rate, rel=1e-8, abs=1e-12)


def test_risk_index_has_unit_sd_in_the_pool(population):
    x = population.pool.draw(np.random.default_rng(4), 400_000)
    assert population.risk(x).std() == pytest.approx(1.0, abs=0.01)


def test_selection_limit_is_where_the_treated_tail_stops_being_finite():
    # SimulationSettings keeps selection well short of the limit, so tilt directly
    pool = SimulationSettings().pool_covariates()
    limit = max_selection(pool)
    tilt = SELECTION_WEIGHTS / pool.sds()
    below = pool.tilted(0.99 * limit * tilt)
    assert np.isfinite(below.means()).all()
    assert below.prior_success > 0
    assert pool.tilted(limit * tilt).prior_success == pytest.approx(0, abs=1e-12)
