"""The analytic engine: exact averaging over the funnel, verdicts, agreement with statsmodels."""

import json

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import power_proportions_2indep, proportion_effectsize

from powerplan import Scenario, analytic, solve
from powerplan.formulas.analytic import EXACT_NODES, analysed_distribution
from powerplan.formulas.exact import exact_chances
from powerplan.formulas.rate import power, rejection_probabilities, verdict_chances


def brute_force(scenario):
    """Sum over every possible number analysed, the slow obvious way: one number at a
    time, with the method's chances at that number."""
    total = 0.0
    for k in range(scenario.cohort + 1):
        if k >= scenario.min_n_treated:
            n2 = scenario.comparison_size(k)
            low, high = verdict_chances(scenario.outcome, k, n2, alpha=scenario.alpha,
                                        alternative=scenario.alternative, method=scenario.method)
            total += stats.binom.pmf(k, scenario.cohort, scenario.retention) * (low + high)
    return total


@pytest.mark.parametrize("scenario", [
    Scenario(),
    Scenario(method="wald"),
    Scenario(cohort=60, funnel=0.25, method="pooled"),
    Scenario(cohort=7, funnel=0.5, min_n_treated=3),
    Scenario(cohort=7, funnel=0.5, min_n_treated=3, method="wald"),
    Scenario(cohort=90, funnel=0.6, base_rate=0.1, n_comparison=275, method="pooled-exact"),
    Scenario(cohort=400, funnel={"found": 0.9, "matched": 0.5}, n_comparison=900,
             method="fleiss-cc", alternative="less"),
    Scenario(cohort=250, base_rate=0.1, effect=0.04, method="arcsine", alternative="greater"),
])
def test_average_over_funnel_equals_brute_force(scenario):
    assert analytic(scenario).power == pytest.approx(brute_force(scenario), abs=1e-12)


def test_windowed_average_for_large_cohorts_equals_full_sum():
    scenario = Scenario(cohort=20_000, funnel=0.3, effect=-0.01, method="wald")
    k = np.arange(scenario.cohort + 1)
    n2 = scenario.comparison_size(k[2:])
    full = np.dot(stats.binom.pmf(k[2:], scenario.cohort, 0.3),
                  power(0.34, 0.35, k[2:], n2))
    assert analytic(scenario).power == pytest.approx(full, abs=1e-13)


def test_a_wide_window_of_exact_sums_is_interpolated_closely():
    # 8,000 submitted against a fixed comparison group of 500: the comparison is
    # small, so every number analysed is an exact sum, and about 700 numbers
    # carry weight. The engine sums at 512 of them and interpolates: within
    # 1e-5 of summing at every one (measured 3.6e-6; at most 4e-6 over cohorts
    # of 6,000 to 100,000 against 50 to 3,000 comparison records).
    scenario = Scenario(cohort=8000, funnel=0.4, effect=-0.03, n_comparison=500)
    k, weight = analysed_distribution(scenario)
    keep = weight > 1e-18
    assert keep.sum() > EXACT_NODES
    lower, higher = exact_chances(0.32, 0.35, k[keep], 500)
    result = analytic(scenario)
    assert result.p_significant_reduction == pytest.approx(weight[keep] @ lower, abs=1e-5)
    assert result.p_significant_increase == pytest.approx(weight[keep] @ higher, abs=1e-5)


def test_verdicts_sum_to_one_and_split_by_direction():
    r = analytic(Scenario(cohort=2000, effect=-0.03))
    assert r.p_significant_reduction + r.p_significant_increase + r.p_inconclusive == \
        pytest.approx(1.0, abs=1e-15)
    assert r.p_significant_reduction > 100 * r.p_significant_increase
    assert r.power == r.p_significant_reduction + r.p_significant_increase


def test_everyone_analysed_means_no_averaging():
    s = Scenario(cohort=500, funnel=1.0, method="wald")
    r = analytic(s)
    direct = power(0.30, 0.35, 500, 5000)
    assert r.power == pytest.approx(direct, abs=1e-15)
    assert r.power_at_expected_n == pytest.approx(direct, abs=1e-15)
    assert r.p_analysable == 1.0


def test_one_sided_tests_look_one_way():
    less = analytic(Scenario(alternative="less"))
    greater = analytic(Scenario(alternative="greater"))
    assert less.p_significant_increase == 0.0 and less.power == less.p_significant_reduction
    assert greater.p_significant_reduction == 0.0
    assert less.power > analytic(Scenario()).p_significant_reduction


@pytest.mark.parametrize("method", ["wald", "pooled"])
@pytest.mark.parametrize("cohort", [5, 40, 300, 5000])
def test_zero_effect_rejects_at_alpha_when_analysable(method, cohort):
    r = analytic(Scenario(cohort=cohort, effect=0.0, method=method))
    assert r.power == pytest.approx(0.05 * r.p_analysable, abs=1e-12)
    assert r.p_significant_reduction == pytest.approx(r.p_significant_increase, abs=1e-12)


def test_power_at_expected_n_uses_the_expected_counts():
    s = Scenario(cohort=333, funnel=0.3, method="wald")
    r = analytic(s)
    assert r.expected_n_treated == pytest.approx(99.9)
    assert r.n_comparison == pytest.approx(999.0)
    assert r.power_at_expected_n == pytest.approx(power(0.30, 0.35, 99.9, 999.0), abs=1e-15)
    # An exact sum at 99.9 treated is interpolated between 99 and 100.
    exact = analytic(s.replace(method="welch")).power_at_expected_n
    at = [sum(exact_chances(0.30, 0.35, n, 999.0)) for n in (99, 100)]
    assert exact == pytest.approx(0.1 * at[0] + 0.9 * at[1], abs=1e-12)


def test_power_at_expected_n_below_the_minimum_is_none():
    r = analytic(Scenario(cohort=2, funnel=0.999, effect=0.0))
    assert r.power_at_expected_n is None
    assert "the expected 2.0 analysed is below the minimum of 2" in str(r)
    assert "at the expected n" not in str(r)


@pytest.mark.parametrize("p1, p2", [(0.3, 0.35), (0.19, 0.26), (0.5, 0.4), (0.1, 0.05)])
@pytest.mark.parametrize("n1, ratio", [(50, 1.0), (120, 10.0), (621, 2.5)])
@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_pooled_agrees_with_statsmodels(p1, p2, n1, ratio, alternative):
    sm_alternative = {"less": "smaller", "greater": "larger"}.get(alternative, alternative)
    expected = power_proportions_2indep(p1 - p2, p2, n1, ratio=ratio, alpha=0.05,
                                        alternative=sm_alternative, return_results=False)
    got = power(p1, p2, n1, ratio * n1, alternative=alternative, method="pooled")
    assert got == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("p1, p2", [(0.3, 0.35), (0.19, 0.26), (0.5, 0.4)])
@pytest.mark.parametrize("n1, ratio", [(50, 1.0), (120, 10.0)])
@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_arcsine_agrees_with_statsmodels(p1, p2, n1, ratio, alternative):
    sm_alternative = {"less": "smaller", "greater": "larger"}.get(alternative, alternative)
    h = proportion_effectsize(p1, p2)
    expected = NormalIndPower().power(h, n1, 0.05, ratio=ratio, alternative=sm_alternative)
    got = power(p1, p2, n1, ratio * n1, alternative=alternative, method="arcsine")
    assert got == pytest.approx(expected, abs=1e-12)


def test_wald_uses_the_unpooled_variance_under_the_null_too():
    # Written out: reject when |d| / se1 > z, with se1 the unpooled standard
    # error; the estimate is normal(d, se1). At unequal rates and sizes this
    # differs from pooled, whose null variance uses the pooled rate.
    p1, p2, n1, n2 = 0.25, 0.35, 120, 1200
    se1 = np.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    z, d = stats.norm.ppf(0.975), p1 - p2
    by_hand = (stats.norm.cdf(-z - d / se1), stats.norm.sf(z - d / se1))
    wald = rejection_probabilities(p1, p2, n1, n2, alpha=0.05, alternative="two-sided",
                                   method="wald")
    pooled = rejection_probabilities(p1, p2, n1, n2, alpha=0.05, alternative="two-sided",
                                     method="pooled")
    assert np.allclose(wald, by_hand, rtol=1e-12, atol=1e-15)
    assert abs(float(wald[0]) - float(pooled[0])) > 0.01


def test_result_prints_and_converts():
    r = analytic(Scenario())
    text = str(r)
    assert text.splitlines()[0] == "Power (analytic; welch test, two-sided, alpha 0.05)"
    assert "significant reduction" in text and "inconclusive" in text
    d = r.to_dict()
    json.dumps(d)
    for key in ("power", "p_significant_reduction", "p_significant_increase", "p_inconclusive",
                "cohort", "expected_n_treated", "n_comparison", "method"):
        assert key in d
    frame = r.to_frame()
    assert frame.shape[0] == 1 and frame.loc[0, "power"] == r.power
    assert r.summary().startswith("With 300 people submitted, about 120 are analysed;")


@pytest.mark.filterwarnings("error")
def test_a_large_cohort_with_almost_nobody_analysed_is_averaged_without_warnings():
    # scipy's binomial quantile cannot bracket a tail this thin and warns;
    # solving for retention starts its scan at 1e-12.
    k, weight = analysed_distribution(Scenario(cohort=100_000, funnel=1e-12))
    assert weight.sum() == pytest.approx(1.0, abs=1e-14)
    assert solve(Scenario(cohort=100_000, effect=-0.01), "retention").achieved_power >= 0.8


def test_the_funnel_chances_by_ratios_are_scipys_to_rounding():
    # The window's binomial chances are scipy's every _ANCHOR_EVERY numbers and the ratio
    # of successive chances in between: within 1e-12 of scipy's for each number that
    # carries weight, and of their sum, over cohorts from 2 to 10,000,000.
    from powerplan.formulas.analytic import _binom_pmf, _binomial_chances

    rng = np.random.default_rng(5)
    for _ in range(400):
        n = int(np.exp(rng.uniform(np.log(2), np.log(1e7))))
        p = float(rng.uniform(0.001, 0.999))
        sd = (n * p * (1 - p)) ** 0.5
        mode = int((n + 1) * p)
        low, high = max(0, mode - int(10 * sd) - 16), min(n, mode + int(10 * sd) + 16)
        k, chances = _binomial_chances(low, high, n, p)
        scipys = _binom_pmf(k, n, p)
        assert np.array_equal(k, np.arange(low, high + 1))
        assert np.abs(chances - scipys).sum() <= 1e-12 * scipys.sum()
        weighty = scipys >= 1e-12 * scipys.max()
        assert np.allclose(chances[weighty], scipys[weighty], rtol=1e-11, atol=0)


def test_analytic_power_is_that_of_scipys_funnel_chances(monkeypatch):
    # The same results, to 1e-12, as computing every chance of the window with scipy
    # (and, for the z-tests, the false positives at every size instead of their level,
    # and every chance from the sizes instead of the unit standard errors).
    from powerplan.formulas import analytic as engine
    from powerplan.formulas import rate

    scenarios = [Scenario(cohort=c, funnel=r, base_rate=b, effect=e, method=m, alternative=a)
                 for c, r, b, e, m, a in ((300, 0.4, 0.35, -0.05, "wald", "two-sided"),
                                          (20_000, 0.3, 0.2, -0.01, "pooled", "less"),
                                          (5_000, 0.9, 0.6, 0.02, "arcsine", "greater"),
                                          (800, 0.5, 0.1, -0.03, "welch", "two-sided"),
                                          (3, 0.5, 0.3, -0.1, "wald", "two-sided"))]
    scenarios += [Scenario(cohort=1200, funnel=0.45, effect=-0.04, comparison_ratio=3.7,
                           method=m, alternative=a, alpha=0.01)
                  for m in ("wald", "pooled", "arcsine", "fleiss-cc")
                  for a in ("two-sided", "less", "greater")]
    scenarios += [Scenario(cohort=900, funnel=0.6, effect=0.03, n_comparison=700, method="pooled")]
    fields = ("power", "p_significant_reduction", "p_significant_increase",
              "p_false_reduction", "p_false_increase", "power_at_expected_n")

    def results():
        engine._analysed_numbers.cache_clear()
        engine._weighted_numbers.cache_clear()
        return [[getattr(analytic(s), f) or 0.0 for f in fields] for s in scenarios]

    quick = results()
    monkeypatch.setattr(engine, "_ANCHOR_EVERY", 10 ** 9)  # scipy's chance at every number
    monkeypatch.setattr(rate, "null_chances", lambda *args, **kwargs: None)
    monkeypatch.setattr(rate, "proportional_chances", lambda *args, **kwargs: None)
    assert np.allclose(quick, results(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("method", ["wald", "pooled", "arcsine"])
@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_proportional_chances_are_those_of_the_sizes(method, alternative):
    # With n2 = ratio * n1 the uncorrected z-tests' chances from their unit standard
    # errors are rejection_probabilities' at the sizes, to rounding: over effects of
    # either sign and none, sizes from 1 to 10^6, ratios from 0.3 to 20, every level.
    from powerplan.formulas.ztest import proportional_rejection

    rng = np.random.default_rng(16)
    for _ in range(60):
        p2 = float(rng.uniform(0.01, 0.95))
        p1 = np.clip(p2 + rng.uniform(-0.2, 0.2, size=(1, 7)), 0.005, 0.995)
        p1[0, 0] = p2
        n1 = np.exp(rng.uniform(0, np.log(1e6), size=(40, 1)))
        ratio, alpha = float(rng.uniform(0.3, 20)), float(rng.choice([1e-6, 0.01, 0.05, 0.2]))
        quick = proportional_rejection(p1, p2, n1, ratio, alpha=alpha,
                                       alternative=alternative, method=method)
        sizes = rejection_probabilities(p1, p2, n1, ratio * n1, alpha=alpha,
                                        alternative=alternative, method=method)
        for a, b in zip(quick, sizes):
            assert a.shape == b.shape == (40, 7)
            assert np.allclose(a, b, rtol=1e-12, atol=1e-15)
    with pytest.raises(ValueError, match="no proportional form"):
        proportional_rejection(0.3, 0.35, 100.0, 1.0, alpha=0.05, alternative="two-sided",
                               method="fleiss-cc")


def test_z_test_parts_of_numbers_are_those_of_arrays():
    # Numbers are taken as numpy floats, arrays as they are: the same bits either way.
    from powerplan.formulas.ztest import z_test_parts

    for method in ("wald", "pooled", "arcsine", "fleiss-cc"):
        numbers = z_test_parts(0.31, 0.35, 120, 457.5, method=method)
        arrays = z_test_parts(np.array([0.31]), np.array([0.35]), np.array([120]),
                              np.array([457.5]), method=method)
        assert all(float(a) == float(np.ravel(b)[0]) for a, b in zip(numbers, arrays))


def test_gauss_rules_give_the_windows_averages():
    # verdict_grid's Gauss rules of the funnel's window (12 nodes, checked by 8) against
    # evaluating every number of it: within 1e-13 over random large studies, every
    # z-test, both comparison designs, effects across the valid range (measured: at
    # most 7e-15 here, the full sum's own rounding; a review's 1,100 large studies aimed
    # at the edges, effects to 99.9% of the valid range, at most 1.7e-13 where accepted).
    from powerplan.formulas import analytic as engine

    rng = np.random.default_rng(12)
    used = 0
    for trial in range(80):
        scenario = Scenario(
            cohort=int(np.exp(rng.uniform(np.log(800), np.log(2e6)))),
            funnel=float(rng.uniform(0.1, 1.0)), base_rate=float(rng.uniform(0.05, 0.6)),
            effect=-0.01, method=["wald", "pooled", "arcsine", "fleiss-cc"][trial % 4],
            alternative=["two-sided", "less", "greater"][trial % 3],
            alpha=float(rng.choice([1e-4, 0.01, 0.05, 0.2])),
            **({"n_comparison": int(rng.integers(50, 50_000))} if trial % 5 == 0 else
               {"comparison_ratio": float(rng.integers(1, 21))}))
        k, weight = engine.weighted_analysed(scenario)
        base = scenario.base_rate
        effects = np.linspace(-min(0.2, base - 0.001), min(0.2, 0.999 - base), 41)
        gauss = engine._gauss_averages(scenario, k, weight, effects)
        if gauss is None:
            assert k.size < engine.GAUSS_FROM
            continue
        used += 1
        reduction, increase = engine._verdicts(scenario, k[:, None], effects[None, :])
        assert np.allclose(gauss[0], weight @ reduction, rtol=0, atol=1e-13)
        assert np.allclose(gauss[1], weight @ increase, rtol=0, atol=1e-13)
        grid = engine.verdict_grid(scenario, effects)
        assert np.array_equal(grid[0], gauss[0]) and np.array_equal(grid[1], gauss[1])
    assert used >= 60


def test_gauss_rules_step_aside_where_they_do_not_hold(monkeypatch):
    from powerplan.formulas import analytic as engine

    effects = np.linspace(-0.1, 0.05, 16)
    wald = Scenario(cohort=20_000, method="wald")
    k, weight = engine.weighted_analysed(wald)
    full = [weight @ c for c in engine._verdicts(wald, k[:, None], effects[None, :])]
    # disagreeing rules: every number is evaluated
    monkeypatch.setattr(engine, "GAUSS_AGREEMENT", -1.0)
    assert engine._gauss_averages(wald, k, weight, effects) is None
    grid = engine.verdict_grid(wald, effects)
    assert np.allclose(grid[0], full[0], rtol=0, atol=1e-15)
    monkeypatch.undo()
    # exact sums (welch), too few effects, a window reaching below the minimum analysed
    assert engine._gauss_averages(Scenario(cohort=2000), *engine.weighted_analysed(
        Scenario(cohort=2000)), effects) is None
    assert engine._gauss_averages(wald, k, weight, effects[:4]) is None
    low = Scenario(cohort=100_000, funnel=0.003, method="wald", min_n_treated=300)
    k, weight = engine.weighted_analysed(low)
    assert k.size >= engine.GAUSS_FROM and k[0] < low.min_n_treated
    assert engine._gauss_averages(low, k, weight, effects) is None
