"""Power of tests comparing the frequency of reoffending: offences per person.

The treated group has mean ``mu1``, variance ``var1`` and size ``n1``; the
comparison group ``mu2``, ``var2`` and (effective) size ``n2``; the means
and variances come from the hurdle model of
:class:`~powerplan.outcomes.Frequency`.

``welch`` (the default; as real analyses run it)
    The two-sample Welch t-test on offences per person. Its power is that of
    the noncentral t: with ``se = sqrt(var1/n1 + var2/n2)``, Welch-
    Satterthwaite degrees of freedom ``nu`` and ``ncp = (mu1 - mu2) / se``,

        P(significantly lower)  = P(T'(nu, ncp) <= -t)
        P(significantly higher) = P(T'(nu, ncp) >= t),   t = t_{1-alpha/2, nu}.

    This is ``powerSurvEpi::powerWelchT`` (and ``MKpower::power.welch.t.test``).
``negbin-alt``, ``negbin-control``, ``negbin-pooled``
    The Wald test of the log rate ratio for negative binomial counts, Zhu
    and Lakkis (2014, *Statistics in Medicine* 33: 376-387), approaches 1,
    2 and 3: with exposure ``t`` (one year) and dispersions ``k`` (variance
    ``mu + k mu**2``),

        V1 = (1/(t mu1) + k1) / n1 + (1/(t mu2) + k2) / n2
        P(significantly lower) = Phi((-log(mu1/mu2) - z sqrt(V0)) / sqrt(V1))

    where ``V0`` is ``V1`` (approach 1, "alt"), the variance at the
    comparison rate ``(1/(t mu2) + k2)(1/n1 + 1/n2)`` (approach 2), or at the
    pooled rate ``mu = (n1 mu1 + n2 mu2)/(n1 + n2)``: ``(1/(t mu) + k2)(1/n1 +
    1/n2)`` (approach 3). Each group's ``k`` is the hurdle model's variance
    matched to a negative binomial's, ``(var - mu) / mu**2``; with equal
    dispersions these are Zhu and Lakkis' formulas, which statsmodels
    ``power_negbin_ratio_2indep`` (approach 3 is its "score") and R
    ``PASSED::power_NegativeBinomial`` / ``MKmisc::power.nb.test``
    implement.

All functions broadcast over array arguments.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from .._roots import brentq
from ._smooth import along_sizes
from .rate import critical_value, one_sided, tail_level


def welch_rejection(mean1, mean2, var1, var2, n1, n2, *, alpha, alternative):
    """Chances that the Welch t-test finds the treated mean significantly lower, and higher.

    Examples
    --------
    powerSurvEpi::powerWelchT(n1 = 64, n2 = 30, meanDiff = 1, sd1 = 2, sd2 = 1) gives
    0.8918191 (the two tails):

    >>> low, high = welch_rejection(1.0, 0.0, 4.0, 1.0, 64, 30, alpha=0.05,
    ...                             alternative="two-sided")
    >>> round(float(low + high), 7)
    0.8918191
    """
    mean1, mean2, var1, var2, n1, n2 = (np.asarray(x, dtype=float) for x in (
        mean1, mean2, var1, var2, n1, n2))
    v1, v2 = var1 / n1, var2 / n2
    se = np.sqrt(v1 + v2)
    # n <= 1 leaves no degrees of freedom: take a sliver, so the test is (almost) powerless.
    df = (v1 + v2) ** 2 / (v1 ** 2 / np.maximum(n1 - 1, 1e-9) + v2 ** 2 / np.maximum(n2 - 1, 1e-9))
    t = special.stdtrit(df, 1.0 - tail_level(alpha, alternative))
    with np.errstate(invalid="ignore", divide="ignore"):
        ncp = np.where(se > 0, (mean1 - mean2) / se, 0.0)
    lower = _tail(df, ncp, -t)
    higher = _tail(df, -ncp, -t)  # P(T'(ncp) >= t) = P(T'(-ncp) <= -t)
    return one_sided(lower, higher, alternative)


def _tail(df, ncp, x):
    """``P(T'(df, ncp) <= x)`` for ``x < 0``; scipy's nctdtr returns NaN, not 0, where the
    chance underflows (ncp above about 37), so such values are 0."""
    chance = special.nctdtr(df, ncp, x)
    return np.where(np.isnan(chance) & (ncp > 0), 0.0, chance)


def negbin_dispersion(mean, variance):
    """The negative binomial dispersion with this mean and variance: ``(var - mu) / mu**2``."""
    return (variance - mean) / mean ** 2


def negbin_rejection(mean1, mean2, n1, n2, dispersion1, dispersion2, *, alpha, alternative,
                     method, exposure=1.0):
    """Chances of a significantly lower and higher treated rate by Zhu and Lakkis' tests.

    Examples
    --------
    R ``PASSED::power_NegativeBinomial(n1 = 100, n2 = 50, mu1 = 0.5, mu2 = 0.3, theta = 2,
    duration = 2, approach = 3)`` gives 0.6207448, the tail of the effect's direction
    (the rates here are per unit of exposure; ``theta`` is 1 / dispersion):

    >>> low, high = negbin_rejection(0.5, 0.3, 100, 50, 0.5, 0.5, alpha=0.05,
    ...                              alternative="two-sided", method="negbin-pooled",
    ...                              exposure=2)
    >>> round(float(high), 7)
    0.6207448
    """
    mean1, mean2, n1, n2, k1, k2 = (np.asarray(x, dtype=float) for x in (
        mean1, mean2, n1, n2, dispersion1, dispersion2))
    v1 = (1 / (exposure * mean1) + k1) / n1 + (1 / (exposure * mean2) + k2) / n2
    both = 1 / n1 + 1 / n2
    if method == "negbin-alt":
        v0 = v1
    elif method == "negbin-control":
        v0 = (1 / (exposure * mean2) + k2) * both
    else:
        pooled = (n1 * mean1 + n2 * mean2) / (n1 + n2)
        v0 = (1 / (exposure * pooled) + k2) * both
    z = critical_value(alpha, alternative)
    shift = np.log(mean1 / mean2)
    lower = special.ndtr((-z * np.sqrt(v0) - shift) / np.sqrt(v1))
    higher = special.ndtr((-z * np.sqrt(v0) + shift) / np.sqrt(v1))
    return one_sided(lower, higher, alternative)


def rejection(mean1, mean2, var1, var2, n1, n2, *, alpha, alternative, method):
    """The chances of either verdict for any method of this module."""
    if method == "welch":
        return welch_rejection(mean1, mean2, var1, var2, n1, n2, alpha=alpha,
                               alternative=alternative)
    return negbin_rejection(mean1, mean2, n1, n2, negbin_dispersion(mean1, var1),
                            negbin_dispersion(mean2, var2), alpha=alpha,
                            alternative=alternative, method=method)


def size_for_power(power_of, target_power: float, max_n: float) -> float:
    """The (not rounded) treated size at which ``power_of(n1)`` reaches the target:
    an exponential bracket, then Brent's method. ValueError when ``max_n`` does not."""
    def gap(n1):
        return float(power_of(n1)) - target_power

    high = 4.0
    while gap(high) < 0:
        high *= 2.0
        if high > max_n:
            raise ValueError(f"no sample size up to {max_n:g} reaches power {target_power:g}")
    low = high / 2.0
    while low > 2.0 and gap(low) >= 0:
        low /= 2.0
    if gap(low) >= 0:
        return low
    return brentq(gap, low, high, xtol=1e-10, rtol=1e-14)


def welch_sample_size(mean_difference, sd1, sd2, *, ratio=1.0, alpha=0.05, target_power=0.8,
                      alternative="two-sided", max_n=1e9) -> float:
    """Treated size ``n1`` (not rounded; ``n2 = ratio n1``) at which the Welch t-test
    reaches the target power.

    powerSurvEpi::ssizeWelchT at the power of ``powerWelchT(n1 = 64, n2 = 30, meanDiff
    = 1, sd1 = 2, sd2 = 1)`` gives n1 = 64, n2 = 30:

    >>> import math
    >>> n1 = welch_sample_size(1.0, 2.0, 1.0, ratio=30 / 64, target_power=0.8918191)
    >>> math.ceil(n1), math.ceil(30 / 64 * n1)
    (64, 30)
    """
    def power_of(n1):
        low, high = welch_rejection(mean_difference, 0.0, sd1 ** 2, sd2 ** 2, n1, ratio * n1,
                                    alpha=alpha, alternative=alternative)
        return low + high

    return size_for_power(power_of, target_power, max_n)


# The analytic engine's interface (see formulas/analytic.py) ---------------------

def verdict_chances(outcome, n_treated, n_comparison, *, alpha, alternative, method,
                    effects=None):
    """Chances of a significantly lower and a significantly higher treated frequency.

    ``effects`` (offences per person, default the outcome's) may be an array
    broadcasting against the sizes.
    """
    mean1, mean2, var1, var2 = outcome.moments(effects)

    def chances(n1, n2):
        return rejection(mean1, mean2, var1, var2, n1, n2, alpha=alpha,
                         alternative=alternative, method=method)

    return along_sizes(chances, n_treated, n_comparison)


def size_from_chances(verdict_chances, outcome, *, ratio, alpha, target_power, alternative,
                      method, max_n) -> float:
    """Treated size (not rounded) at which a module's ``verdict_chances`` add up to the
    target with ``ratio`` comparison records each (:func:`size_for_power`)."""
    def power_of(n1):
        low, high = verdict_chances(outcome, n1, ratio * n1, alpha=alpha,
                                    alternative=alternative, method=method)
        return low + high

    return size_for_power(power_of, target_power, max_n)


def treated_size(outcome, *, ratio, alpha, target_power, alternative, method, max_n):
    """Treated size (not rounded) whose power reaches the target with ``ratio`` comparison
    records each: the cohort solver's start. ValueError if none up to ``max_n`` does."""
    return size_from_chances(verdict_chances, outcome, ratio=ratio, alpha=alpha,
                             target_power=target_power, alternative=alternative,
                             method=method, max_n=max_n)


def null_standard_error(outcome, n_treated, n_comparison):
    """Standard error of the difference in offences per person with no effect."""
    _, _, _, variance = outcome.moments(0.0)
    return np.sqrt(variance * (1 / n_treated + 1 / n_comparison))
