"""Each simulated study records the confidence interval published with its verdict,
for every measure: the interval agrees with statsmodels and with the verdict."""

import numpy as np
import pytest
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from powerplan import Scenario, SimulationSettings, compare_measures, simulate
from powerplan.simulator.person import group_moments, welch_means
from powerplan.simulator.rate import compare_rates, kish_effective_size

SMALL = SimulationSettings(pool=3000)


def _statsmodels_interval(y1, y2, weights, alpha):
    scaled = weights * kish_effective_size(weights) / weights.sum()
    compare = CompareMeans(DescrStatsW(y1), DescrStatsW(y2, weights=scaled))
    return compare.tconfint_diff(alpha=alpha, usevar="unequal")


@pytest.mark.parametrize("alpha", [0.05, 0.01])
def test_welch_interval_of_means_is_statsmodels(alpha):
    rng = np.random.default_rng(7)
    y1, y2 = rng.poisson(1.0, 40).astype(float), rng.poisson(1.3, 90).astype(float)
    w = rng.uniform(0.2, 3.0, 90)
    _, m2, v2, ess = group_moments(y2, w, np.zeros(90, int), 1)
    ours = welch_means(y1.mean(), y1.var(), 40, m2[0], v2[0], ess[0], alpha=alpha)
    assert (ours.ci_low, ours.ci_high) == pytest.approx(_statsmodels_interval(y1, y2, w, alpha),
                                                        rel=1e-10)


def test_welch_interval_of_rates_is_statsmodels():
    rng = np.random.default_rng(3)
    y1, y2 = (rng.random(60) < 0.3).astype(float), (rng.random(200) < 0.4).astype(float)
    w = rng.uniform(0.5, 2.0, 200)
    ess = kish_effective_size(w)
    ours = compare_rates(y1.mean(), 60, np.average(y2, weights=w), ess)
    assert (ours.ci_low, ours.ci_high) == pytest.approx(_statsmodels_interval(y1, y2, w, 0.05),
                                                        rel=1e-10)


@pytest.mark.parametrize("test", ["wald", "pooled", "arcsine", "fleiss-cc"])
def test_z_tests_interval_is_wald_on_the_difference(test):
    p1, n1, p2, n2 = 0.25, 120, 0.35, 1150.0
    result = compare_rates(p1, n1, p2, n2, test=test)
    half = 1.959963984540054 * np.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    assert (result.ci_low, result.ci_high) == pytest.approx((p1 - p2 - half, p1 - p2 + half),
                                                            rel=1e-12)


def test_one_sided_interval_leaves_out_zero_when_significant():
    result = compare_rates([0.2, 0.3, 0.34], 150, 0.35, 1500.0, alternative="less")
    assert list(result.ci_high < 0) == list(result.verdict == -1)


def _check_against_verdict(frame, alpha=0.05):
    analysed = frame[np.isfinite(frame["p_value"])]
    assert len(analysed) > 0
    significant = analysed["p_value"] <= alpha
    excludes_zero = (analysed["ci_low"] > 0) | (analysed["ci_high"] < 0)
    # the interval and the p-value come from the same statistic
    assert (significant == excludes_zero).all()
    middle = (analysed["ci_low"] + analysed["ci_high"]) / 2
    assert np.allclose(middle, analysed["estimate"], rtol=1e-9, atol=1e-12)
    assert (analysed["ci_low"] < analysed["estimate"]).all()


def test_simulated_rate_replicates_carry_the_interval():
    result = simulate(Scenario(cohort=600, simulation=SMALL), n_sims=200, seed=11)
    _check_against_verdict(result.replicates)


def test_each_measure_s_replicates_carry_the_interval():
    both = compare_measures(Scenario(cohort=600, simulation=SMALL), engine="simulate",
                            n_sims=200, seed=12)
    for name in ("rate", "frequency", "time"):
        frame = both.results[name].replicates
        _check_against_verdict(frame)
        not_reported = frame["verdict"] == "not reported"
        assert frame.loc[not_reported, ["ci_low", "ci_high"]].isna().all().all()
