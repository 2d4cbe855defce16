"""Revisiting a published result: the test as the analysis ran it, and design information."""

import itertools

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from powerplan import InvalidInputError, Scenario, analytic, review_published


def test_matches_a_welch_t_test_on_the_raw_outcomes():
    # 30 of 150 treated and 450 of 1,500 comparison people reoffended
    treated = np.r_[np.ones(30), np.zeros(120)]
    comparison = np.r_[np.ones(450), np.zeros(1050)]
    expected = stats.ttest_ind(treated, comparison, equal_var=False)
    raw = CompareMeans(DescrStatsW(treated), DescrStatsW(comparison))
    review = review_published(150, 0.2, 0.3, n_comparison=1500)
    assert review.p_value == pytest.approx(expected.pvalue, rel=1e-10)
    low, high = raw.tconfint_diff(usevar="unequal")
    assert (review.ci_low, review.ci_high) == pytest.approx((low, high), rel=1e-10)
    assert review.difference == pytest.approx(-0.1)


@pytest.mark.parametrize("n, treated, comparison, significant", [
    # published examples (DESIGN.md): 3,085 people 19% vs 26% significant
    # (difference -8 to -5 points); 90 people 13% vs 21% significant;
    # 114 people 25% vs 28% not significant
    (3085, 0.19, 0.26, True), (90, 0.13, 0.21, True), (114, 0.25, 0.28, False),
])
def test_published_verdicts_are_reproduced(n, treated, comparison, significant):
    review = review_published(n, treated, comparison)
    assert review.significant is significant
    assert review.ci_low < review.difference < review.ci_high
    assert (review.ci_high < 0) is significant


def test_the_largest_example_interval_matches_the_report():
    review = review_published(3085, 0.19, 0.26, n_comparison=100_000)
    # reported as -8 to -5 points, from unrounded rates
    assert -0.09 < review.ci_low < -0.08 and -0.06 < review.ci_high < -0.05


def test_design_information_round_trips():
    review = review_published(114, 0.25, 0.28, n_comparison=2000)
    design = Scenario(cohort=114, funnel=1.0, base_rate=0.28, comparison_ratio=2000 / 114)
    assert analytic(design.replace(effect=review.mde)).power == pytest.approx(0.8, abs=1e-9)
    needed = design.replace(cohort=review.n_treated_needed, effect=-0.03)
    assert analytic(needed).power >= 0.8
    assert analytic(needed.replace(cohort=review.n_treated_needed - 1)).power < 0.8
    at_retention = needed.replace(cohort=review.cohort_needed, funnel=0.4)
    assert analytic(at_retention).power >= 0.8
    assert review.mde < 0


def test_increase_and_zero_difference():
    up = review_published(200, 0.35, 0.30)
    assert up.mde > 0 and up.n_treated_needed is not None
    same = review_published(200, 0.3, 0.3)
    assert same.n_treated_needed is None and same.cohort_needed is None
    assert "the observed difference is 0" in " ".join(same.notes)
    assert same.p_value == pytest.approx(1.0)


def test_never_called_observed_power_and_prints():
    review = review_published(114, 0.25, 0.28)
    text = str(review) + review.summary()
    assert "not observed power" in text
    assert "observed power" not in text.replace("not observed power", "")
    d = review.to_dict()
    for key in ("difference", "ci_low", "ci_high", "p_value", "significant", "mde",
                "cohort_needed"):
        assert key in d
    assert review.to_frame().shape == (1, len(d))


@pytest.mark.parametrize("kwargs, fragment", [
    ({"n_treated": 1}, "n_treated must be a whole number in [2, 10,000,000]; got 1"),
    ({"treated_rate": 0.0}, "treated_rate must be a proportion in (0, 1); got 0"),
    ({"comparison_rate": 1.2}, "comparison_rate must be a proportion in (0, 1); got 1.2"),
    ({"n_comparison": 1}, "n_comparison must be a number in [2, 10,000,000]; got 1"),
    ({"n_comparison": 1e9}, "n_comparison must be a number in [2, 10,000,000]; got 1e+09"),
    ({"retention": 0}, "retention must be a share in (0, 1]; got 0"),
    ({"n_treated": 99_999_999_999}, "n_treated must be a whole number in [2, 10,000,000]"),
    ({"comparison_ratio": 1e-300}, "comparison_ratio must give at least 2 comparison records"),
    ({"treated_rate": 1e-300}, "treated_rate is too close to 0 or 1 to plan with"),
])
def test_invalid_inputs(kwargs, fragment):
    args = {"n_treated": 100, "treated_rate": 0.2, "comparison_rate": 0.25} | kwargs
    with pytest.raises(InvalidInputError) as info:
        review_published(**args)
    assert fragment in str(info.value)


@pytest.mark.parametrize("n, p1, p2", list(itertools.product([60, 500], [0.1, 0.4], [0.15, 0.45])))
def test_p_value_agrees_with_scipy_summary_statistics(n, p1, p2):
    review = review_published(n, p1, p2, n_comparison=5 * n)
    sd = lambda p, m: np.sqrt(p * (1 - p) * m / (m - 1))  # noqa: E731
    expected = stats.ttest_ind_from_stats(p1, sd(p1, n), n, p2, sd(p2, 5 * n), 5 * n,
                                          equal_var=False)
    assert review.p_value == pytest.approx(expected.pvalue, rel=1e-9)
