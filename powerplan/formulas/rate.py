"""Power of tests comparing two independent proportions.

The treated group has rate ``p1`` and size ``n1``, the comparison group rate
``p2`` and size ``n2``; the difference is ``d = p1 - p2``.

The analytic engine's methods (:data:`~powerplan.limits.METHODS`) are

``welch`` (the default)
    The Welch t-test on 0/1 outcomes that matched-cohort analyses run, its
    verdict chances summed exactly over the binomial outcomes of both groups
    for small studies and by a skewness-corrected normal approximation
    beyond (:mod:`powerplan.formulas.exact`).
``wald``, ``pooled``, ``arcsine``, ``fleiss-cc``
    The normal approximations of four z-tests, below: the textbook formulas,
    which misstate small studies and low rates (at 30 analysed and a 10% base
    rate, 2.5% false reductions where the Welch test gives 8.0%).
``wald-exact``, ``pooled-exact``, ``arcsine-exact``, ``fleiss-cc-exact``
    The same z-tests with their chances summed exactly, as for ``welch``.

Each z-test's statistic is approximately normal; its power is the chance that
the statistic falls in either rejection region. With ``z`` the critical value
(``z_{1-alpha/2}`` two-sided, ``z_{1-alpha}`` one-sided), ``Phi`` the
standard normal distribution function,

    P(significant reduction) = Phi((-z*se0 - cc - d) / se1)
    P(significant increase)  = Phi((-z*se0 - cc + d) / se1)

where ``se1`` is the standard error of the estimate under the alternative,
``se0`` the one the test uses under the null hypothesis and ``cc`` a
continuity correction:

``wald``
    Unpooled variance, ``se0 = se1 = sqrt(p1 q1/n1 + p2 q2/n2)``: the
    large-sample form of the two-sample t-test on 0/1 outcomes that
    matched-cohort analyses run.
``pooled``
    ``se0 = sqrt(pbar qbar (1/n1 + 1/n2))`` with ``pbar = (n1 p1 + n2 p2) /
    (n1 + n2)``; ``se1`` unpooled. R ``power.prop.test`` (``strict = TRUE``),
    ``Hmisc::bpower``, Stata ``power twoproportions``, statsmodels
    ``power_proportions_2indep``.
``arcsine``
    Cohen's ``h = 2 asin(sqrt p1) - 2 asin(sqrt p2)`` in place of ``d`` and
    ``se0 = se1 = sqrt(1/n1 + 1/n2)``: R ``pwr::pwr.2p2n.test``, statsmodels
    ``NormalIndPower``.
``fleiss-cc``
    ``pooled`` with the continuity correction ``cc = (1/n1 + 1/n2) / 2``
    (Fleiss, Levin and Paik 2003, section 4.3).

All functions broadcast over array arguments.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import special

from .._roots import brentq
from ..limits import ALTERNATIVES, METHODS, Z_TESTS  # noqa: F401 (re-exported)
from .exact import small_sample_chances, uses_exact
# The z-tests' pieces live in ztest.py, which exact.py imports too; re-exported here.
from .ztest import (UNCORRECTED, critical_value, one_sided,  # noqa: F401
                    proportional_rejection, rejection_probabilities, tail_level, z_test_parts)

#: For each method summed exactly (formulas/exact.py), the test whose outcomes it sums.
EXACT_TESTS = {"welch": "welch", **{f"{test}-exact": test for test in Z_TESTS}}


def approximation(method: str) -> str:
    """The z-test whose normal approximation stands for ``method`` where one is needed
    (a closed-form start for a solver): ``wald`` for ``welch``, ``pooled`` for
    ``pooled-exact``, the method itself for an approximation."""
    test = EXACT_TESTS.get(method, method)
    return "wald" if test == "welch" else test


def power(p1, p2, n1, n2, *, alpha=0.05, alternative="two-sided", method="wald"):
    """Chance of a significant result (both tails when two-sided).

    >>> round(float(power(0.75, 0.5, 50, 50, method="arcsine")), 12)  # pwr::pwr.2p2n.test
    0.744742886391
    """
    reduction, increase = rejection_probabilities(
        p1, p2, n1, n2, alpha=alpha, alternative=alternative, method=method
    )
    return reduction + increase


def sample_size(p1, p2, *, ratio=1.0, alpha=0.05, target_power=0.8,
                alternative="two-sided", method="wald", max_n=1e9):
    """Treated size ``n1`` (not rounded) at which :func:`power` reaches the target.

    The comparison size is ``ratio * n1``. The root is found with Brent's
    method on the exact power function, so both tails count when two-sided.

    Returns
    -------
    float
        ``n1``; ``n2 = ratio * n1``.

    Raises
    ------
    ValueError
        If no ``n1 <= max_n`` reaches the target.

    Examples
    --------
    Hmisc::bsamsize(p1=0.75, p2=0.5, fraction=0.5, power=0.8) gives n1 = 57.67344:

    >>> round(sample_size(0.75, 0.5, method="pooled"), 3)
    57.673
    """

    def gap(n1):
        return power(p1, p2, n1, ratio * n1, alpha=alpha,
                     alternative=alternative, method=method) - target_power

    # The bracket: the first of 2, 4, 8, ... (up to max_n) that reaches the target, all
    # tried in one vectorised call (a solver's start, made for every cell of a table).
    highs = 2.0 ** np.arange(1, 2 + max(1, int(np.log2(max(max_n, 2.0)))))
    highs = highs[(highs <= max_n) | (highs == 2.0)]
    reached = np.flatnonzero(gap(highs) >= 0)
    if not reached.size:
        raise ValueError(f"no sample size up to {max_n:g} reaches power {target_power:g}")
    high = float(highs[reached[0]])
    low = high / 2.0
    while low > 1e-6 and gap(low) >= 0:
        low /= 2.0
    return brentq(gap, low, high, xtol=1e-10, rtol=1e-14)


# The analytic engine's interface to an outcome's formulas (see formulas/analytic.py):
# every outcome's module has these two functions.

def verdict_chances(outcome, n_treated, n_comparison, *, alpha, alternative, method,
                    effects=None):
    """Chances of a significantly lower and a significantly higher treated rate.

    Parameters
    ----------
    outcome : Rate
        Its ``base_rate``, and its ``effect`` unless ``effects`` is given.
    n_treated, n_comparison : float or array
        Analysed treated people and the effective comparison size.
    effects : float or array, optional
        Effects (treated minus base rate) broadcasting against the sizes.

    Returns
    -------
    (lower, higher) : tuple of float or arrays
        For the rate, lower is a significant reduction.
    """
    treated = _treated_rates(outcome, effects)
    if method in EXACT_TESTS:
        return small_sample_chances(treated, outcome.base_rate, n_treated, n_comparison,
                                    test=EXACT_TESTS[method], alpha=alpha,
                                    alternative=alternative)
    return rejection_probabilities(treated, outcome.base_rate, n_treated, n_comparison,
                                   alpha=alpha, alternative=alternative, method=method)


def proportional_chances(outcome, n_treated, ratio, *, alpha, alternative, method,
                         effects=None):
    """:func:`verdict_chances` with ``ratio * n_treated`` comparison records, by the
    unit standard errors of the z-tests whose standard errors both scale as
    ``1 / sqrt(n_treated)`` (:func:`powerplan.formulas.ztest.proportional_rejection`),
    or None for the other methods (exact sums, a continuity correction)."""
    if method not in UNCORRECTED:
        return None
    return proportional_rejection(_treated_rates(outcome, effects), outcome.base_rate,
                                  n_treated, ratio, alpha=alpha, alternative=alternative,
                                  method=method)


def _treated_rates(outcome, effects):
    """The treated rates at ``effects`` (the outcome's own effect where None)."""
    effect = outcome.effect if effects is None else effects
    return outcome.base_rate + np.asarray(effect, dtype=float)


def null_chances(outcome, *, alpha, alternative, method):
    """Chances of a significantly lower and a significantly higher rate with no effect,
    the same at every size, or None where they depend on the sizes.

    With no effect, ``wald``, ``pooled`` and ``arcsine`` standardise the estimate by its
    own standard error, so each tail they look at is rejected with chance ``Phi(-z)``
    (alpha/2 two-sided, alpha one-sided) whatever the sizes: rejection_probabilities
    at an effect of 0 gives the same to rounding.

    >>> [round(c, 12) for c in null_chances(None, alpha=0.05, alternative="less",
    ...                                     method="wald")]
    [0.05, 0.0]
    """
    if method not in UNCORRECTED:
        return None
    return _null_tails(float(alpha), alternative)


@lru_cache(maxsize=256)
def _null_tails(alpha: float, alternative: str) -> tuple[float, float]:
    tail = float(special.ndtr(-critical_value(alpha, alternative)))
    return (0.0 if alternative == "greater" else tail, 0.0 if alternative == "less" else tail)


def smooth_in_size(outcome, *, method) -> bool:
    """Whether the verdict chances are smooth functions of the sizes (the closed forms,
    not the exact sums): a funnel average may then use Gauss quadrature."""
    return method not in EXACT_TESTS


def exact_at(outcome, n_treated, n_comparison, *, method):
    """Whether the verdict chances at these sizes are exact sums (array), or None when
    ``method`` is a normal approximation throughout."""
    if method not in EXACT_TESTS:
        return None
    return uses_exact(n_treated, n_comparison, outcome.base_rate)


def treated_size(outcome, *, ratio, alpha, target_power, alternative, method, max_n):
    """Treated size (not rounded) whose power reaches the target with ``ratio``
    comparison records each: the cohort solver's closed-form start (for a method
    summed exactly, by its normal approximation; the solver checks the answer).

    Raises ValueError if no size up to ``max_n`` reaches it.
    """
    return sample_size(outcome.treated_rate, outcome.base_rate, ratio=ratio, alpha=alpha,
                       target_power=target_power, alternative=alternative,
                       method=approximation(method), max_n=max_n)


def null_standard_error(outcome, n_treated, n_comparison):
    """Standard error of the estimated difference when there is no effect: the scale
    on which a study's power climbs from alpha to 1 as the effect grows."""
    p = outcome.base_rate
    return np.sqrt(p * (1 - p) * (1 / n_treated + 1 / n_comparison))


def normal_prior_chances(outcome, prior_mean, prior_sd, n_treated, n_comparison, *, alpha,
                         alternative):
    """Chances of a significantly lower and higher rate with the Wald test when the
    effect is ``N(prior_mean, prior_sd^2)``, with ``se`` at the prior mean's rate.

    Given the effect ``d`` the estimate is ``N(d, se^2)``, so averaged over the
    prior it is ``N(prior_mean, se^2 + prior_sd^2)`` (O'Hagan, Stevens and
    Campbell 2005); an approximation, as the prior is not truncated to valid
    rates and ``se`` is taken at one rate.
    """
    treated_at_mean = min(max(outcome.base_rate + prior_mean, 1e-12), 1 - 1e-12)
    z = critical_value(alpha, alternative)
    _, se0, se1, _ = z_test_parts(treated_at_mean, outcome.base_rate, n_treated, n_comparison,
                                  method="wald")
    spread = np.sqrt(se1 ** 2 + prior_sd ** 2)
    return one_sided(special.ndtr((-z * se0 - prior_mean) / spread),
                     special.ndtr((-z * se0 + prior_mean) / spread), alternative)
