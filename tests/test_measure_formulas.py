"""Reference values for the frequency and time-to-first-reoffence formulas, with provenance.

Every value names the call that produced it. powerSurvEpi, PASSED/MKmisc and
lifelines are not dependencies: the values were computed with them, and are
reproduced here by powerplan's own formulas.
"""

import math

import numpy as np
import pytest
from scipy import stats

from powerplan import Effect, Scenario, analytic
from powerplan.formulas import frequency as F
from powerplan.formulas import time as T
from powerplan.formulas.analytic import analysed_distribution
from powerplan.outcomes import Frequency, TimeToFirst
from powerplan.outcomes.frequency import frequency_moments


# The Welch t-test ---------------------------------------------------------------

def test_welch_power_is_powerSurvEpi_powerWelchT():
    # R: powerSurvEpi::powerWelchT(n1 = 64, n2 = 30, meanDiff = 1, sd1 = 2, sd2 = 1)
    #    $power 0.8918191
    low, high = F.welch_rejection(1.0, 0.0, 4.0, 1.0, 64, 30, alpha=0.05,
                                  alternative="two-sided")
    assert float(low + high) == pytest.approx(0.8918191, abs=5e-8)


def test_welch_sample_size_is_powerSurvEpi_ssizeWelchT():
    # R: powerSurvEpi::ssizeWelchT(power = 0.8918191, meanDiff = 1, sd1 = 2, sd2 = 1,
    #    r = 30/64) gives n1 = 64, n2 = 30 (both rounded up)
    n1 = F.welch_sample_size(1.0, 2.0, 1.0, ratio=30 / 64, target_power=0.8918191)
    assert (math.ceil(n1), math.ceil(30 / 64 * n1)) == (64, 30)
    assert n1 == pytest.approx(64, abs=0.01)


def test_welch_is_exactly_alpha_at_no_difference_whatever_the_variances():
    low, high = F.welch_rejection(1.0, 1.0, 9.0, 1.0, 40, 900, alpha=0.05,
                                  alternative="two-sided")
    assert (float(low), float(high)) == pytest.approx((0.025, 0.025), rel=1e-12)


def test_welch_far_tail_underflows_to_zero_not_nan():
    low, high = F.welch_rejection(0.0, 10.0, 1.0, 1.0, 800, 800, alpha=0.05,
                                  alternative="two-sided")
    assert float(low) == pytest.approx(1.0) and float(high) == 0.0


# Zhu and Lakkis' negative binomial tests ---------------------------------------------

@pytest.mark.parametrize("n1, n2, dispersion, expected", [
    # R: PASSED::power_NegativeBinomial(n1 = 100, n2 = 50, mu1 = 0.5, mu2 = 0.3, theta = 2,
    #    duration = 2, approach = 3) = 0.6207448 (statsmodels' test_rates.py, test_power_negbin)
    (100, 50, 0.5, 0.6207448),
    # ... n1 = 50, n2 = 100 = 0.5825763
    (50, 100, 0.5, 0.5825763),
    # ... n1 = 50, n2 = 100, theta = 200000 (Poisson) = 0.7248956
    (50, 100, 1 / 200000, 0.7248956),
])
def test_zhu_lakkis_approach_3_is_PASSED(n1, n2, dispersion, expected):
    # PASSED reports the tail of the effect's direction (treated rate 0.5 above 0.3).
    low, high = F.negbin_rejection(0.5, 0.3, n1, n2, dispersion, dispersion, alpha=0.05,
                                   alternative="two-sided", method="negbin-pooled", exposure=2)
    assert float(high) == pytest.approx(expected, abs=5e-8)


@pytest.mark.parametrize("method, method_var", [("negbin-alt", "alt"),
                                                ("negbin-pooled", "score")])
@pytest.mark.parametrize("n1, ratio", [(100, 0.5), (50, 2.0), (400, 10.0)])
def test_zhu_lakkis_is_statsmodels_power_negbin_ratio_2indep(method, method_var, n1, ratio):
    # statsmodels.stats.rates.power_negbin_ratio_2indep (both tails, two-sided)
    from statsmodels.stats.rates import power_negbin_ratio_2indep

    expected = power_negbin_ratio_2indep(0.5, 0.3, n1, nobs_ratio=ratio, exposure=2,
                                         dispersion=0.5, method_var=method_var,
                                         return_results=False)
    low, high = F.negbin_rejection(0.5, 0.3, n1, ratio * n1, 0.5, 0.5, alpha=0.05,
                                   alternative="two-sided", method=method, exposure=2)
    assert float(low + high) == pytest.approx(expected, rel=1e-10)


def test_hurdle_moments_match_a_simulation_of_the_model():
    rng = np.random.default_rng(5)
    rate, count, dispersion, n = 0.4, 2.5, 0.8, 400_000
    extra_mean = count - 1
    shape = 1 / dispersion
    extra = rng.poisson(rng.gamma(shape, extra_mean / shape, n))
    y = (rng.random(n) < rate) * (1 + extra)
    mean, variance = frequency_moments(rate, count, dispersion)
    assert y.mean() == pytest.approx(mean, abs=4 * np.sqrt(variance / n))
    assert y.var() == pytest.approx(variance, rel=0.02)


def test_zhu_lakkis_nulls_with_unequal_dispersions_are_not_alpha():
    # With an effect on the rate and none on the frequency, the groups' dispersions differ;
    # approaches 2 and 3 take the comparison's for both, so at 20 treated their size is
    # about 1.5 alpha. Shown (docs/measures.md), not hidden.
    outcome = Frequency(rate_effect=-0.05, effect=0.0)
    sizes = {}
    for method in Frequency.methods:
        result = analytic(Scenario(outcome=outcome, cohort=40, funnel=0.5, method=method))
        sizes[method] = result.power / result.p_analysable
    assert sizes["welch"] == pytest.approx(0.05, rel=1e-9)
    assert sizes["negbin-alt"] == pytest.approx(0.05, rel=1e-9)
    assert 0.06 < sizes["negbin-pooled"] < 0.09


# Survival analysis of the same people -----------------------------------------------

def test_schoenfeld_events():
    # Schoenfeld (1981): (z_{0.975} + z_{0.9})^2 / (pi1 pi2 log(0.7)^2) for one-sided
    # alpha 0.025 and power 0.9: 330.378 events with equal allocation, 440.504 with 3:1.
    assert T.schoenfeld_events(0.7, alpha=0.025, power=0.9, alternative="less") == \
        pytest.approx(330.378, abs=5e-4)
    assert T.schoenfeld_events(0.7, alpha=0.025, power=0.9, share=0.75,
                               alternative="less") == pytest.approx(440.504, abs=5e-4)


def test_freedman_is_lifelines():
    # Python: lifelines.statistics.power_under_cph(12, 12, 0.8, 0.2, 0.139) = 0.7449370
    assert T.freedman_power(12, 12, 0.8, 0.2, 0.139) == pytest.approx(0.7449370, abs=5e-8)
    # Python: lifelines.statistics.sample_size_necessary_under_cph(0.8, 1., 0.25, 0.35, 0.7)
    #    = (421, 421)
    assert T.freedman_sample_size(0.8, 1.0, 0.25, 0.35, 0.7) == (421, 421)


def test_freedman_method_is_freedman_power_at_the_expected_events():
    # With large groups (everyone reported) the chance of the effect's direction (longer:
    # a hazard ratio below 1) is the formula's, at the study's events and hazard ratio.
    outcome = TimeToFirst(rate_effect=0.0, effect=25.0)
    n1, n2 = 5000.0, 5000.0
    low, high = T._given_reoffenders(outcome, outcome.treated_rate * n1, n1, n2, alpha=0.05,
                                     alternative="two-sided", method="logrank-freedman",
                                     effects=None)
    m1, m2, _, _ = outcome.moments()
    ratio = T.hazard_ratio(outcome.treated_rate, m1, outcome.base_rate, m2)
    expected = T.freedman_power(n1, n2, outcome.treated_rate, outcome.base_rate, ratio)
    assert ratio < 1 and float(high) == pytest.approx(expected, abs=1e-12)


# The 30-reoffender gate and the average over reoffenders ----------------------------

def test_reporting_chance_is_the_binomial_tail():
    outcome = TimeToFirst(base_rate=0.35, rate_effect=-0.05)
    k = np.array([10, 29, 30, 80, 100, 400])
    expected = stats.binom.sf(29, k, 0.30)
    assert T.reporting_chance(outcome, k) == pytest.approx(expected, rel=1e-10, abs=1e-300)


def test_reported_moments_are_the_truncated_binomial_s():
    p, mean, variance = T.reported_moments(np.array([90.0]), 0.3, 30)
    r = np.arange(30, 91)
    w = stats.binom.pmf(r, 90, 0.3)
    assert p[0] == pytest.approx(w.sum(), rel=1e-12)
    assert mean[0] == pytest.approx((w * r).sum() / w.sum(), rel=1e-12)
    assert variance[0] == pytest.approx((w * r ** 2).sum() / w.sum() - mean[0] ** 2, rel=1e-9)


@pytest.mark.parametrize("cohort, retention, effect, rate_effect", [
    (300, 0.4, 10.0, -0.05), (150, 0.5, 20.0, 0.0), (1000, 0.3, 5.0, -0.1),
    (120, 0.6, 30.0, -0.05)])
def test_three_point_rule_is_the_exact_sum_over_treated_reoffenders(cohort, retention, effect,
                                                                   rate_effect):
    outcome = TimeToFirst(effect=effect, rate_effect=rate_effect)
    scenario = Scenario(outcome=outcome, cohort=cohort, funnel=retention)
    k, weight = analysed_distribution(scenario)
    m1, m2, v1, v2 = outcome.moments()
    lower = higher = 0.0
    for n, w in zip(k, weight):
        r = np.arange(30, n + 1)
        if not len(r):
            continue
        chance = stats.binom.pmf(r, n, outcome.treated_rate)
        low, high = F.welch_rejection(m1, m2, v1, v2, r, outcome.base_rate * 10 * n,
                                      alpha=0.05, alternative="two-sided")
        lower += w * chance @ low
        higher += w * chance @ high
    result = analytic(scenario)
    assert result.p_significant_reduction == pytest.approx(lower, abs=1e-5)
    assert result.p_significant_increase == pytest.approx(higher, abs=1e-5)


def test_not_reported_is_the_chance_of_fewer_than_30_treated_reoffenders():
    # Everyone analysed (retention 1): the treated reoffenders are Binomial(cohort, rate).
    outcome = TimeToFirst(base_rate=0.35, rate_effect=-0.05)
    result = analytic(Scenario(outcome=outcome, cohort=100, funnel=1.0))
    assert result.p_not_reported == pytest.approx(stats.binom.cdf(29, 100, 0.30), rel=1e-10)
    total = (result.p_significant_reduction + result.p_inconclusive
             + result.p_significant_increase + result.p_not_reported)
    assert total == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("outcome", [Frequency(), Frequency(effect=-0.05, dispersion=3.0),
                                     TimeToFirst(), TimeToFirst(effect=40.0)],
                         ids=["frequency", "frequency-small", "time", "time-large"])
@pytest.mark.parametrize("cohort", [150, 300, 2000, 20_000, 300_000])
def test_interpolated_chances_are_the_direct_ones(outcome, cohort, monkeypatch):
    from powerplan.formulas import _smooth

    scenario = Scenario(outcome=outcome, cohort=cohort)
    interpolated = analytic(scenario)
    monkeypatch.setattr(_smooth, "LONG_RUN", 10 ** 9)
    direct = analytic(scenario)
    for name in ("p_significant_reduction", "p_significant_increase", "p_not_reported"):
        assert getattr(interpolated, name) == pytest.approx(getattr(direct, name), abs=1e-10)


# The outcomes as values ----------------------------------------------------------------

@pytest.mark.parametrize("outcome", [Frequency(offences_per_reoffender=2.2, dispersion=0.4,
                                               rate_effect=-0.02, effect=-0.1),
                                     TimeToFirst(days_to_first=120.0, effect=-5.0)],
                         ids=["frequency", "time"])
def test_a_scenario_of_another_measure_round_trips_through_a_dict(outcome):
    scenario = Scenario(cohort=800, funnel={"found": 0.8, "matched": 0.5}, outcome=outcome)
    settings = scenario.to_dict()
    assert settings["outcome"] == outcome.name
    assert Scenario.from_dict(settings) == scenario
    result = analytic(scenario)
    assert result.to_frame().shape[0] == 1
    assert ("p_not_reported" in result.to_dict()) == (outcome.name == "time")


def test_effects_on_each_measure_s_scale_from_text():
    assert Scenario.from_dict({"outcome": "frequency", "effect": "rr=0.9"}).effect == \
        pytest.approx(-0.105)
    assert Scenario.from_dict({"outcome": "time", "effect": "-12days"}).effect == -12.0
    with pytest.raises(Exception, match="of the frequency must be offences per person"):
        Scenario.from_dict({"outcome": "frequency", "effect": "-5pp"})


def test_the_treated_group_s_parameters_must_stay_valid():
    from powerplan.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="rate_effect must keep the treated rate"):
        Frequency(rate_effect=0.7)
    with pytest.raises(InvalidInputError, match="offences_per_reoffender must be a number in"):
        Frequency(offences_per_reoffender=0.5)
    with pytest.raises(InvalidInputError, match="days_to_first must be a number of days"):
        TimeToFirst(days_to_first=0.0)
    with pytest.raises(InvalidInputError, match="effect of the frequency must be"):
        Frequency(effect=Effect(0.8, "odds-ratio"))
