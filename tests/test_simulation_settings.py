"""Simulation settings: documented defaults, validation messages, round trips."""

import math
import warnings

import pytest

from powerplan import InvalidInputError, Scenario, SimulationSettings, simulate
from powerplan.simulator.population import max_selection


def test_defaults_are_the_documented_ones():
    # The issue fixes these: pool 50,000, k 10, with replacement, caliper 0.2
    # SD of the logit score, no unobserved confounding, the Welch test.
    s = SimulationSettings()
    assert (s.pool, s.k, s.replacement, s.caliper, s.bias, s.test) == (
        50_000, 10, True, 0.2, 0.0, "welch")
    assert Scenario().simulation == s


@pytest.mark.parametrize("field, value, message", [
    ("k", 0, "k must be a whole number in [1, 100]; got 0"),
    ("k", 2.5, "k must be a whole number in [1, 100]; got 2.5"),
    ("k", 101, "k must be a whole number in [1, 100]; got 101"),
    ("pool", 99, "pool must be a whole number in [100, 5,000,000]; got 99"),
    ("caliper", 0, "caliper must be a number in (0, 10]; got 0"),
    ("caliper", math.inf, "caliper must be a number in (0, 10]; got inf"),
    ("replacement", 1, "replacement must be true or false; got 1"),
    ("selection", -0.1, "selection must be a number >= 0; got -0.1"),
    ("outcome_strength", -1, "outcome_strength must be a number in [0, 5]; got -1"),
    ("outcome_strength", 5.01, "outcome_strength must be a number in [0, 5]; got 5.01"),
    ("outcome_strength", 1e300, "outcome_strength must be a number in [0, 5]; got 1e+300"),
    ("selection", 1.51, "selection must be a number in [0, 1.5] with these covariate settings; "
                        "got 1.51"),
    ("bias", 1.5, "bias must be a difference in (-1, 1); got 1.5"),
    ("test", "t", "test must be one of 'welch', 'wald', 'pooled', 'arcsine', 'fleiss-cc'; "
                  "got 't'"),
    ("age_mean", 18, "age_mean must be a number in (18, 80]; got 18"),
    ("age_mean", 1e300, "age_mean must be a number in (18, 80]; got 1e+300"),
    ("age_sd", 1e300, "age_sd must be a number of years in (0, 30]; got 1e+300"),
    ("caliper", 1e300, "caliper must be a number in (0, 10]; got 1e+300"),
    ("prior_offences_mean", 1e6, "prior_offences_mean must be a number in (0, 100]; "
                                 "got 1e+06"),
    ("prior_offences_dispersion", 1e300, "prior_offences_dispersion must be a number in "
                                         "[0.1, 1,000]; got 1e+300"),
    ("prior_offences_dispersion", 1e-300, "prior_offences_dispersion must be a number in "
                                          "[0.1, 1,000]; got 1e-300"),
    ("age_sd", 3, "age_sd must be > sqrt(age_mean - 18) = 3.74 (ages above 18 are negative "
                  "binomial); got 3"),
    ("male_share", 1, "male_share must be a proportion in (0, 1); got 1"),
    ("custody_share", 0, "custody_share must be a proportion in (0, 1); got 0"),
    ("prior_offences_mean", 0, "prior_offences_mean must be a number in (0, 100]; got 0"),
    ("prior_offences_dispersion", -2, "prior_offences_dispersion must be a number in "
                                      "[0.1, 1,000]; got -2"),
])
def test_bad_settings_name_the_field_and_its_range(field, value, message):
    with pytest.raises(InvalidInputError) as error:
        SimulationSettings(**{field: value})
    assert str(error.value) == message
    assert error.value.field == field


def test_selection_is_kept_well_short_of_the_covariate_limit():
    # a long prior-offences tail: no finite treated mean from selection 1.16
    settings = SimulationSettings(prior_offences_dispersion=0.5)
    limit = max_selection(settings.pool_covariates())
    assert settings.largest_selection() == 0.87 <= 0.75 * limit
    with pytest.raises(InvalidInputError, match=r"^selection must be a number in \[0, 0\.87\] "
                                                r"with these covariate settings; got 0\.88$"):
        SimulationSettings(prior_offences_dispersion=0.5, selection=0.88)


@pytest.mark.parametrize("settings", [
    {"k": 100, "selection": 1.5, "outcome_strength": 5.0},
    {"k": 100, "selection": 0.87, "outcome_strength": 5.0, "prior_offences_dispersion": 0.5},
], ids=["defaults", "long tail"])
@pytest.mark.parametrize("base_rate, effect", [(0.35, -0.05), (0.05, -0.03), (0.95, 0.03)])
def test_the_largest_settings_simulate(settings, base_rate, effect):
    scenario = Scenario(cohort=200, base_rate=base_rate, effect=effect,
                        simulation=SimulationSettings(pool=2000, **settings))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = simulate(scenario, n_sims=8, seed=1)
    assert 0 <= result.power <= 1


def test_scenario_round_trips_its_simulation_settings():
    scenario = Scenario(cohort=500, simulation=SimulationSettings(
        pool=20_000, k=4, replacement=False, caliper=0.1, selection=1.2, test="pooled",
        age_mean=30, male_share=0.9))
    settings = scenario.to_dict()
    assert settings["simulation"]["k"] == 4
    assert Scenario.from_dict(settings) == scenario


def test_scenario_reads_a_simulation_table():
    scenario = Scenario.from_dict({"cohort": 400, "simulation": {"k": 3, "pool": 9000}})
    assert scenario.simulation == SimulationSettings(k=3, pool=9000)


def test_unknown_simulation_setting_is_refused_with_the_allowed_ones():
    with pytest.raises(InvalidInputError, match=r"^kk is not a simulation setting; allowed: "
                                                r"pool, k, replacement, caliper"):
        Scenario.from_dict({"simulation": {"kk": 3}})


def test_analytic_engine_ignores_simulation_settings():
    from powerplan import analytic

    plain, other = Scenario(), Scenario(simulation={"k": 2, "selection": 1.0})
    assert analytic(plain).power == analytic(other).power
