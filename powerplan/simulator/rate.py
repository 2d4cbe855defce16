"""The rate in a simulated study: its outcome model, its draws and its test.

The outcome model (:func:`calibrate`, :func:`draw_people`, :func:`measure`)
gives each analysed treated person and each matched comparison record a
chance of reoffending, ``expit(intercept + outcome_strength * risk(x))``,
with the intercepts calibrated so that the analysed treated reoffend at the
treated rate (plus any bias) and their matched records at the base rate.

The test each simulated study runs compares the treated rate with the
weighted comparison rate (:func:`test`, :func:`compare_rates`).

Outcomes are 0/1, so a group is summarised by its (weighted) rate and its
size. The treated count 1 each; the comparison records carry matching
weights and their size is the Kish effective sample size
``(sum w)**2 / sum(w**2)`` (Kish 1965), which is what the variance of a
weighted mean of independent records is inversely proportional to.

``welch``
    The two-sample Welch t-test on the weighted outcomes, as real analyses
    run it: ``se = sqrt(p1 q1 / (n1 - 1) + p2 q2 / (n2 - 1))``, Welch-
    Satterthwaite degrees of freedom. It equals statsmodels
    ``CompareMeans(DescrStatsW(y1), DescrStatsW(y2, weights=w)).ttest_ind(
    usevar="unequal")`` when the comparison weights ``w`` are scaled to sum
    to the Kish effective size (unscaled frequency-style weights would make
    the comparison group look as large as the sum of its weights).
``wald``, ``pooled``, ``arcsine``, ``fleiss-cc``
    The z-tests whose power :mod:`powerplan.formulas.rate` computes in closed
    form, with ``n2`` the effective size: the simulated twin of each
    analytic method.

A test with a zero standard error (every outcome in both groups the same)
has p-value 1 when the rates are equal and 0 otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy import special

from ..formulas.rate import METHODS, z_test_parts
from ..limits import TESTS
from .population import calibrated_intercept
from .propensity import expit

#: Verdict codes: the published verdicts.
REDUCTION, INCONCLUSIVE, INCREASE = -1, 0, 1


class RateComparison(NamedTuple):
    """Per-study results (arrays broadcast from the inputs).

    ``standard_error`` is on the scale of the test's statistic: the
    difference in rates, except for ``arcsine`` (difference of
    ``2 asin(sqrt p)``); for ``pooled`` and ``fleiss-cc`` it is the
    standard error under the null hypothesis. ``df`` is Welch's degrees of
    freedom (infinite for the z-tests). ``verdict`` is -1 for a significant
    reduction, 1 for a significant increase, 0 otherwise. ``ci_low`` and
    ``ci_high`` bound the confidence interval of the estimate that goes with
    the verdict: ``estimate -/+ q * se``, with ``q`` the t (Welch) or normal
    quantile at ``1 - alpha / 2`` for a two-sided test (the published 95%
    interval) and at ``1 - alpha`` for a one-sided one (then the interval
    leaves out zero when the tested direction is significant). For the
    z-tests whose own standard error is on another scale or under the null
    (``pooled``, ``arcsine``, ``fleiss-cc``), ``se`` there is the unpooled
    (Wald) one of the difference.
    """

    estimate: np.ndarray
    standard_error: np.ndarray
    statistic: np.ndarray
    df: np.ndarray
    p_value: np.ndarray
    verdict: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray


def kish_effective_size(weights) -> float:
    """Kish's effective sample size ``(sum w)**2 / sum(w**2)``.

    >>> kish_effective_size([1, 1, 1, 1]), kish_effective_size([3, 1])
    (4.0, 1.6)
    """
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / (w ** 2).sum())


def compare_rates(treated_rate, n_treated, comparison_rate, n_comparison, *,
                  test="welch", alpha=0.05, alternative="two-sided") -> RateComparison:
    """Test treated against comparison rates of 0/1 outcomes (vectorised).

    Parameters
    ----------
    treated_rate, comparison_rate : float or array
        Observed rates in [0, 1]; the comparison rate is weighted.
    n_treated, n_comparison : float or array
        Treated people (> 1 for ``welch``) and the comparison group's Kish
        effective size (> 1 for ``welch``).
    test : {"welch", "wald", "pooled", "arcsine", "fleiss-cc"}
    alpha : float
        Significant when the p-value is <= alpha.
    alternative : {"two-sided", "less", "greater"}

    Returns
    -------
    RateComparison

    Examples
    --------
    >>> r = compare_rates(0.25, 120, 0.35, 1150.0)
    >>> round(r.estimate, 2), round(r.p_value, 4), r.verdict
    (-0.1, 0.0188, -1)
    """
    p1, n1, p2, n2 = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (
        treated_rate, n_treated, comparison_rate, n_comparison)))
    estimate = p1 - p2
    df = np.full(estimate.shape, np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        if test == "welch":
            v1, v2 = p1 * (1 - p1) / (n1 - 1), p2 * (1 - p2) / (n2 - 1)
            se = np.sqrt(v1 + v2)
            statistic = estimate / se
            df = (v1 + v2) ** 2 / (v1 ** 2 / (n1 - 1) + v2 ** 2 / (n2 - 1))
            interval_se = se
        else:  # the planner's z-tests, on the observed rates
            shift, se, _, cc = z_test_parts(p1, p2, n1, n2, method=test)
            statistic = np.sign(shift) * np.maximum(np.abs(shift) - cc, 0.0) / se
            interval_se = (se if test == "wald"
                           else np.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2))
        degenerate = se == 0
        statistic = np.where(degenerate, np.sign(estimate) * np.inf, statistic)
        statistic = np.where(degenerate & (estimate == 0), 0.0, statistic)
        df = np.where(degenerate, np.inf, df)
    return comparison(estimate, se, statistic, df, alpha=alpha, alternative=alternative,
                      interval_se=interval_se)


def comparison(estimate, se, statistic, df, *, alpha, alternative,
               interval_se=None) -> RateComparison:
    """The p-value, verdict and confidence interval of a t statistic with ``df`` degrees
    of freedom (infinite for a z-test), in the direction(s) ``alternative`` tests: every
    simulated test's last step. The interval is ``estimate -/+ q * interval_se``
    (default ``se``; see :class:`RateComparison`)."""
    lower = _cdf(statistic, df)
    upper = _cdf(-statistic, df)
    if alternative == "two-sided":
        p_value = np.minimum(1.0, 2.0 * np.minimum(lower, upper))
    elif alternative == "less":
        p_value = lower
    else:
        p_value = upper
    significant = p_value <= alpha
    verdict = np.where(significant & (estimate < 0), REDUCTION,
                       np.where(significant & (estimate > 0), INCREASE, INCONCLUSIVE))
    level = 1 - alpha / 2 if alternative == "two-sided" else 1 - alpha
    with np.errstate(invalid="ignore"):
        half = _quantile(level, df) * (se if interval_se is None else interval_se)
    return RateComparison(*(_scalar_or_array(np.asarray(a)) for a in (
        estimate, se, statistic, df, p_value, verdict, estimate - half, estimate + half)))


def _scalar_or_array(values: np.ndarray):
    """A Python number for a single study, else the array."""
    return values.item() if values.ndim == 0 else values


def _quantile(level: float, df):
    """Student t quantile at ``level`` (normal where df is infinite)."""
    df = np.asarray(df, dtype=float)
    finite = np.isfinite(df)
    normal = special.ndtri(level)
    if not finite.any():
        return np.full(df.shape, normal)
    return np.where(finite, special.stdtrit(np.where(finite, df, 1.0), level), normal)


def _cdf(statistic, df):
    """Student t distribution function (normal where df is infinite)."""
    normal = special.ndtr(statistic)
    finite = np.isfinite(df)
    if not finite.any():
        return normal
    return np.where(finite, special.stdtr(np.where(finite, df, 1.0), statistic), normal)


def weighted_welch(treated_outcomes, comparison_outcomes, comparison_weights, *,
                   alpha=0.05, alternative="two-sided") -> RateComparison:
    """The weighted Welch t-test on raw 0/1 outcomes of one study.

    The comparison weights enter through their Kish effective size; with
    weights scaled to sum to it, statsmodels' weighted Welch test agrees:

    >>> from statsmodels.stats.weightstats import CompareMeans, DescrStatsW
    >>> treated, comparison = [1, 0, 0, 1, 0, 0], [1, 1, 0, 1, 1, 0, 0]
    >>> weights = np.array([1, 1, 2, 2, 0.5, 0.5, 1])
    >>> ours = weighted_welch(treated, comparison, weights)
    >>> scaled = weights * kish_effective_size(weights) / weights.sum()
    >>> t, p, df = CompareMeans(DescrStatsW(treated), DescrStatsW(comparison, weights=scaled)
    ...                         ).ttest_ind(usevar="unequal")
    >>> bool(abs(ours.p_value - p) < 1e-12), round(ours.p_value, 4)
    (True, 0.4828)
    """
    y1 = np.asarray(treated_outcomes, dtype=float)
    y2 = np.asarray(comparison_outcomes, dtype=float)
    w = np.asarray(comparison_weights, dtype=float)
    return compare_rates(y1.mean(), y1.size, np.dot(w, y2) / w.sum(), kish_effective_size(w),
                         test="welch", alpha=alpha, alternative=alternative)


# The outcome model ------------------------------------------------------------

@dataclass(frozen=True)
class RateModel:
    """The calibrated outcome model of one simulation."""

    treated_intercept: float
    comparison_intercept: float
    pool_risk: np.ndarray  # (n_pool,) each comparison record's chance of reoffending


def calibrate(scenario, population, pool: np.ndarray, pilot) -> RateModel:
    """The intercepts that give the analysed treated ``treated_rate + bias`` and their
    matched records ``base_rate``, on average over studies.

    ``pilot`` is what matching did in the calibration pilot (see
    ``replicate.prepare``), or None when the covariates do not matter
    (``outcome_strength`` 0). Each intercept solves "exact expectation over
    the treated covariate distribution + pilot correction = target rate".
    """
    strength = scenario.simulation.outcome_strength
    value, prob = population.treated_risk_support()
    value, index = strength * value, strength * population.risk(pool)
    treated_rate = scenario.treated_rate + scenario.simulation.bias
    if pilot is None:
        comparison = calibrated_intercept(value, prob, scenario.base_rate)
        treated = calibrated_intercept(value, prob, treated_rate)
    else:
        records, people, analysed, reached = pilot
        matched, people = records > 0, strength * population.risk(people)
        comparison = calibrated_intercept(np.r_[value, index[matched], people],
                                          np.r_[prob, records[matched], -reached],
                                          scenario.base_rate)
        treated = calibrated_intercept(np.r_[value, people], np.r_[prob, analysed - reached],
                                       treated_rate)
    return RateModel(treated, comparison, expit(comparison + index))


def draw_people(rng: np.random.Generator, n: int) -> np.ndarray:
    """Each treated person's own randomness for the outcome, drawn with the covariates."""
    return rng.random(n)


#: The per-study columns :func:`measure` gives, as the replicates table names them.
COLUMNS = ("treated_rate", "comparison_rate")


def reoffended(model: RateModel, population, strength: float, matched, n_records: np.ndarray):
    """Whether each treated person left after the funnel, and each matched record,
    reoffends (two boolean arrays in ``matched``'s order).

    ``matched`` is a block of studies after matching (``replicate._Matched``);
    the records' outcomes are drawn from each study's own generator, after
    everything matching drew.
    """
    m = matched
    treated_p = expit(model.treated_intercept + strength * population.risk(m.x))
    treated_y = m.uniforms < treated_p
    record_u = np.concatenate([rng.random(n) for rng, n in zip(m.rngs, n_records)])
    return treated_y, record_u < model.pool_risk[m.record]


def measure(model: RateModel, population, strength: float, matched, n_records: np.ndarray):
    """Step 4: outcomes of the analysed treated and of their matched records, summarised
    per study as the treated rate and the weighted comparison rate (see
    :func:`reoffended`)."""
    return summarise(*reoffended(model, population, strength, matched, n_records), matched)


def summarise(treated_y, record_y, matched):
    """The treated rate and the weighted comparison rate of each study."""
    m = matched
    analysed = m.n_matches > 0
    blocks = len(m.n_treated)
    with np.errstate(invalid="ignore", divide="ignore"):
        treated_rate = np.bincount(m.row[analysed], weights=treated_y[analysed],
                                   minlength=blocks) / m.n_treated
        comparison_rate = np.bincount(m.record_row, weights=m.record_weight * record_y,
                                      minlength=blocks) / m.weight_sum
    return treated_rate, comparison_rate


def analyse(measured, n_treated, n_comparison, ok, *, test, alpha,
            alternative) -> RateComparison:
    """Step 5: :func:`compare_rates` for the studies that can be analysed (``ok``); the
    others get placeholder inputs, and their results are not reported. ``measured``
    is what :func:`measure` gave."""
    treated_rate, comparison_rate = measured
    return compare_rates(np.where(ok, treated_rate, 0.5), np.where(ok, n_treated, 2),
                         np.where(ok, comparison_rate, 0.5), np.where(ok, n_comparison, 2.0),
                         test=test, alpha=alpha, alternative=alternative)
