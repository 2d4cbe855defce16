"""The test each simulated study runs: treated rate against weighted comparison rate.

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

from typing import NamedTuple

import numpy as np
from scipy import special

from ..formulas.rate import METHODS, z_test_parts
from ..limits import TESTS

#: Verdict codes: the published verdicts.
REDUCTION, INCONCLUSIVE, INCREASE = -1, 0, 1


class RateComparison(NamedTuple):
    """Per-study results (arrays broadcast from the inputs).

    ``standard_error`` is on the scale of the test's statistic: the
    difference in rates, except for ``arcsine`` (difference of
    ``2 asin(sqrt p)``); for ``pooled`` and ``fleiss-cc`` it is the
    standard error under the null hypothesis. ``df`` is Welch's degrees of
    freedom (infinite for the z-tests). ``verdict`` is -1 for a significant
    reduction, 1 for a significant increase, 0 otherwise.
    """

    estimate: np.ndarray
    standard_error: np.ndarray
    statistic: np.ndarray
    df: np.ndarray
    p_value: np.ndarray
    verdict: np.ndarray


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
        else:  # the planner's z-tests, on the observed rates
            shift, se, _, cc = z_test_parts(p1, p2, n1, n2, method=test)
            statistic = np.sign(shift) * np.maximum(np.abs(shift) - cc, 0.0) / se
        degenerate = se == 0
        statistic = np.where(degenerate, np.sign(estimate) * np.inf, statistic)
        statistic = np.where(degenerate & (estimate == 0), 0.0, statistic)
        df = np.where(degenerate, np.inf, df)
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
    return RateComparison(*(_scalar_or_array(a) for a in (
        estimate, se, statistic, df, p_value, verdict)))


def _scalar_or_array(values: np.ndarray):
    """A Python number for a single study, else the array."""
    return values.item() if values.ndim == 0 else values


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
