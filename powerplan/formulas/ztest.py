"""The z-tests of two proportions: critical values, rejection chances and their pieces.

The formulas are those of :mod:`powerplan.formulas.rate` (whose docstring gives them
and which re-exports these functions); they live here so that the exact sums of
:mod:`powerplan.formulas.exact`, which the rate's formulas call, can use them too.
"""

from __future__ import annotations

import numpy as np
from scipy import special


#: The z-tests without a continuity correction. With ``n2 = ratio * n1`` both their standard
#: errors scale as ``1 / sqrt(n1)``, and with no effect the one the test uses is the
#: estimate's own: their power rises with the size and their false positives are at
#: their level whatever it is.
UNCORRECTED = ("wald", "pooled", "arcsine")


def tail_level(alpha, alternative: str):
    """The level of each tail a test looks at: ``alpha / 2`` two-sided, else ``alpha``."""
    return alpha / 2.0 if alternative == "two-sided" else alpha


def critical_value(alpha: float, alternative: str) -> float:
    """The normal critical value: ``z_{1-alpha/2}`` two-sided, else ``z_{1-alpha}``."""
    # scipy.stats.norm.isf(q) is -ndtri(q); the ufunc spares the frozen distribution's
    # argument checks, most of a closed form's cost.
    return float(-special.ndtri(tail_level(alpha, alternative)))


def rejection_probabilities(p1, p2, n1, n2, *, alpha, alternative, method):
    """Chances of a significant reduction and of a significant increase.

    Parameters
    ----------
    p1, p2 : float or array
        Treated and comparison rates, proportions in (0, 1).
    n1, n2 : float or array
        Treated and comparison sizes (> 0; need not be whole numbers).
    alpha : float
        Significance level.
    alternative : {"two-sided", "less", "greater"}
        ``less`` tests only for ``p1 < p2`` (its increase chance is 0);
        ``greater`` only for ``p1 > p2``.
    method : {"wald", "pooled", "arcsine", "fleiss-cc"}

    Returns
    -------
    (reduction, increase) : tuple of float or arrays
        Chance of a significant result with the treated rate below the
        comparison rate, and above it. Power is their sum.

    Examples
    --------
    Hmisc::bpower(p1=0.75, p2=0.5, n1=50, n2=50) gives 0.740167193453611:

    >>> low, high = rejection_probabilities(0.75, 0.5, 50, 50, alpha=0.05,
    ...                                     alternative="two-sided", method="pooled")
    >>> round(float(low + high), 12)
    0.740167193454
    """
    shift, se0, se1, cc = z_test_parts(p1, p2, n1, n2, method=method)
    z = critical_value(alpha, alternative)
    edge = -z * se0
    if method == "fleiss-cc":  # the other tests' cc is 0, and x - 0.0 is x
        edge = edge - cc
    return _looked_at(alternative, lambda: (edge - shift) / se1, lambda: (edge + shift) / se1)


def _looked_at(alternative, reduction, increase):
    """The chances of the tails a test looks at, ``Phi`` of ``reduction()`` and of
    ``increase()`` (each computed only if the test looks that way), and 0 for a tail a
    one-sided test does not look at."""
    if alternative == "greater":
        higher = np.asarray(special.ndtr(increase()))
        return np.zeros_like(higher)[()], higher[()]
    lower = np.asarray(special.ndtr(reduction()))
    if alternative == "less":
        return lower[()], np.zeros_like(lower)[()]
    return lower[()], np.asarray(special.ndtr(increase()))[()]


def proportional_rejection(p1, p2, n1, ratio, *, alpha, alternative, method):
    """:func:`rejection_probabilities` with ``n2 = ratio * n1``, for the tests of
    :data:`UNCORRECTED`, the same to rounding at a fraction of the array operations.

    Both standard errors are then those at ``n1 = 1`` (``s0``, ``s1``) over
    ``sqrt(n1)``, so the tails are ``Phi(-b - a sqrt(n1))`` (reduction) and
    ``Phi(-b + a sqrt(n1))`` (increase) with ``a = shift / s1`` and ``b = z s0 / s1``
    computed once for all sizes: an analytic evaluation's sizes are the hundreds or
    thousands of numbers a funnel may analyse.

    Hmisc::bpower(p1=0.75, p2=0.5, n1=50, n2=50) gives 0.740167193453611, as
    :func:`rejection_probabilities` does:

    >>> low, high = proportional_rejection(0.75, 0.5, 50, 1, alpha=0.05,
    ...                                    alternative="two-sided", method="pooled")
    >>> round(float(low + high), 12)
    0.740167193454
    """
    if method not in UNCORRECTED:
        raise ValueError(f"no proportional form for {method!r}")
    shift, s0, s1, _ = z_test_parts(p1, p2, 1.0, ratio, method=method)
    slope = shift / s1
    offset = critical_value(alpha, alternative) * s0 / s1
    distance = slope * np.sqrt(n1)
    return _looked_at(alternative, lambda: -offset - distance, lambda: distance - offset)


def one_sided(reduction, increase, alternative):
    """Zero the tail a one-sided test does not look at."""
    reduction, increase = np.asarray(reduction), np.asarray(increase)
    if alternative == "less":
        increase = np.zeros_like(increase)
    elif alternative == "greater":
        reduction = np.zeros_like(reduction)
    return reduction[()], increase[()]


def _as_float(x):
    """``x`` as floats: a float array as it is, another array as floats, a number as a
    numpy float (whose arithmetic is a 0-d array's, at a fraction of the cost)."""
    kind = type(x)
    if kind is np.ndarray:
        return x if x.dtype == np.float64 else x.astype(float)
    if kind is float or kind is np.float64 or kind is int:
        return np.float64(x)
    return np.float64(x) if np.ndim(x) == 0 else np.asarray(x, dtype=float)


def z_test_parts(p1, p2, n1, n2, *, method):
    """The pieces of each method's z-test: ``(shift, se0, se1, cc)``.

    ``shift`` is the quantity tested (``p1 - p2``, or Cohen's h for
    ``arcsine``), ``se1`` its standard error under the alternative, ``se0``
    the standard error the test uses under the null hypothesis and ``cc``
    the continuity correction (see the module docstring).
    """
    p1, p2, n1, n2 = _as_float(p1), _as_float(p2), _as_float(n1), _as_float(n2)
    q1, q2 = 1.0 - p1, 1.0 - p2
    if method == "arcsine":
        shift = 2.0 * np.arcsin(np.sqrt(p1)) - 2.0 * np.arcsin(np.sqrt(p2))
        se1 = se0 = np.sqrt(1.0 / n1 + 1.0 / n2)
        return shift, se0, se1, 0.0
    shift = p1 - p2
    se1 = np.sqrt(p1 * q1 / n1 + p2 * q2 / n2)
    if method == "wald":
        return shift, se1, se1, 0.0
    pbar = (n1 * p1 + n2 * p2) / (n1 + n2)
    se0 = np.sqrt(pbar * (1.0 - pbar) * (1.0 / n1 + 1.0 / n2))
    cc = 0.5 * (1.0 / n1 + 1.0 / n2) if method == "fleiss-cc" else 0.0
    return shift, se0, se1, cc


def one_tail_size(p1, p2, *, ratio, alpha, target_power, alternative, method) -> float:
    """Treated size (not rounded) at which the tail in the effect's direction alone reaches
    ``target_power``, in closed form, for the tests whose standard errors both scale as
    ``1 / sqrt(n1)`` when ``n2 = ratio * n1`` (``wald``, ``pooled``, ``arcsine``):

        sqrt(n1) = (z s0 + z_power s1) / |shift|,

    with ``s0``, ``s1`` the standard errors at ``n1 = 1`` (the textbook closed form,
    without a continuity correction). A start for a search, not
    :func:`powerplan.formulas.rate.sample_size`'s root, which also counts the other
    tail and so is a hair smaller. ValueError when the test cannot see the effect
    (none, or in the direction a one-sided test does not look).

    >>> from powerplan.formulas.rate import sample_size
    >>> round(one_tail_size(0.3, 0.35, ratio=10, alpha=0.05, target_power=0.8,
    ...                     alternative="two-sided", method="wald"), 4)
    730.7307
    >>> round(sample_size(0.3, 0.35, ratio=10, method="wald"), 4)
    730.7289
    """
    if method not in UNCORRECTED:
        raise ValueError(f"no closed form for {method!r}")
    shift, s0, s1, _ = z_test_parts(p1, p2, 1.0, ratio, method=method)
    shift = float(shift)
    if shift == 0 or (alternative == "less" and shift > 0) or (
            alternative == "greater" and shift < 0):
        raise ValueError("the test does not look for this effect")
    root = (critical_value(alpha, alternative) * float(s0)
            + float(special.ndtri(target_power)) * float(s1)) / abs(shift)
    return root * root if root > 0 else 1.0
