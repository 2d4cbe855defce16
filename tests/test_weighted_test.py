"""The test each simulated study runs, against statsmodels."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from statsmodels.stats import proportion
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from powerplan.simulator.rate import compare_rates, kish_effective_size, weighted_welch

outcomes = st.lists(st.integers(0, 1), min_size=2, max_size=40)
ALTERNATIVES = {"two-sided": "two-sided", "less": "smaller", "greater": "larger"}


@settings(max_examples=200, deadline=None)
@given(treated=outcomes, comparison=outcomes, data=st.data(),
       alternative=st.sampled_from(sorted(ALTERNATIVES)))
def test_weighted_welch_equals_statsmodels_with_weights_summing_to_kish_size(
        treated, comparison, data, alternative):
    weights = np.array(data.draw(st.lists(st.floats(0.05, 5.0), min_size=len(comparison),
                                          max_size=len(comparison))))
    ess = kish_effective_size(weights)
    assume(np.var(treated) > 0 or np.average(comparison, weights=weights) not in (0, 1))
    assume(ess > 1.01)
    ours = weighted_welch(treated, comparison, weights, alternative=alternative)
    reference = CompareMeans(DescrStatsW(np.array(treated, float)),
                             DescrStatsW(np.array(comparison, float),
                                         weights=weights * ess / weights.sum()))
    t, p, df = reference.ttest_ind(usevar="unequal", alternative=ALTERNATIVES[alternative])
    assert ours.statistic == pytest.approx(t, rel=1e-9, abs=1e-12)
    assert ours.df == pytest.approx(df, rel=1e-9)
    assert ours.p_value == pytest.approx(p, rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("test, method, extra", [
    ("wald", "wald", {}),
    ("pooled", "score", {"correction": False}),
])
@pytest.mark.parametrize("counts", [(30, 100, 50, 120), (3, 25, 40, 250), (60, 90, 10, 40)])
def test_z_tests_equal_statsmodels_two_proportion_tests(test, method, extra, counts):
    c1, n1, c2, n2 = counts
    ours = compare_rates(c1 / n1, n1, c2 / n2, n2, test=test)
    reference = proportion.test_proportions_2indep(c1, n1, c2, n2, method=method, **extra)
    assert ours.statistic == pytest.approx(reference.statistic, rel=1e-12)
    assert ours.p_value == pytest.approx(reference.pvalue, rel=1e-12)


@pytest.mark.parametrize("test", ["welch", "wald", "pooled", "arcsine", "fleiss-cc"])
def test_identical_outcomes_everywhere_are_not_significant(test):
    result = compare_rates(0.0, 50, 0.0, 400.0, test=test)
    assert (result.p_value, result.verdict) == (1.0, 0)


def test_opposite_certain_outcomes_are_significant():
    result = compare_rates(0.0, 50, 1.0, 400.0, test="welch")
    assert (result.p_value, result.verdict) == (0.0, -1)


def test_one_sided_tests_only_see_their_direction():
    less = compare_rates([0.2, 0.5], 200, 0.35, 2000.0, alternative="less")
    greater = compare_rates([0.2, 0.5], 200, 0.35, 2000.0, alternative="greater")
    assert less.verdict.tolist() == [-1, 0]
    assert greater.verdict.tolist() == [0, 1]


def test_continuity_correction_makes_fleiss_more_conservative():
    rates = np.linspace(0.2, 0.5, 61)
    pooled = compare_rates(rates, 80, 0.35, 400.0, test="pooled").p_value
    corrected = compare_rates(rates, 80, 0.35, 400.0, test="fleiss-cc").p_value
    assert (corrected >= pooled).all() and (corrected > pooled).any()
