"""Student's t quantile at one level for many large degrees of freedom.

The closed forms beyond the exact sums (the Welch test's skewness-corrected
approximation, the frequency's Welch test) need Student's critical value at the
Welch-Satterthwaite degrees of freedom of every number a funnel may analyse:
thousands of values, each costing ``scipy.special.stdtrit`` about 400 ns (a root
search of the distribution function), most of an evaluation's time.

From :data:`LARGE_DF` degrees of freedom up, the quantile is a smooth function of
``v = LARGE_DF / df`` on ``[0, 1]`` (its Cornish-Fisher expansion in ``1 / df``
falls by a factor of about ``z^2 / df`` a term), so a polynomial in ``v``, the
Chebyshev interpolant through :data:`NODES` of ``stdtrit``'s own values made once
per level, gives them in a few array operations: tests/test_student.py measures it
within 1e-14 of ``stdtrit`` (about 4e-15, ``stdtrit``'s own rounding) for levels
from 0.5 to 1 - 5e-11. Fewer degrees of freedom are ``stdtrit``'s.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.polynomial import Chebyshev, Polynomial
from scipy import special

#: Degrees of freedom from which the quantile is a polynomial in ``LARGE_DF / df``.
LARGE_DF = 1000.0
#: Chebyshev nodes of the interpolant (its degree is one fewer).
NODES = 10


def t_quantile(df, level: float):
    """``scipy.special.stdtrit(df, level)`` (``df`` an array or a number), interpolated
    where ``df >= LARGE_DF`` when ``level`` is one number (an array of levels is
    ``stdtrit``'s, as before).

    >>> bool(abs(t_quantile(5000.0, 0.975) - special.stdtrit(5000.0, 0.975)) < 1e-13)
    True
    """
    df = np.asarray(df, dtype=float)
    large = df >= LARGE_DF
    if not large.any() or np.ndim(level):  # levels broadcasting against df: stdtrit's
        return special.stdtrit(df, level)
    # Horner's rule in v (an infinite df is v = 0: the normal quantile)
    with np.errstate(divide="ignore", invalid="ignore"):  # the small ones are stdtrit's
        v = LARGE_DF / df
    coefficients = _coefficients(float(level))
    values = np.full(df.shape, coefficients[-1])
    for coefficient in coefficients[-2::-1]:
        values *= v
        values += coefficient
    if large.all():
        return values
    values[~large] = special.stdtrit(df[~large], level)
    return values


@lru_cache(maxsize=256)
def _coefficients(level: float) -> np.ndarray:
    """The coefficients, lowest power first, of the polynomial in ``v = LARGE_DF / df``
    through ``stdtrit(df, level)`` at the Chebyshev nodes of ``v`` in [0, 1]."""
    v = (np.cos(np.pi * (np.arange(NODES) + 0.5) / NODES) + 1.0) / 2.0
    fit = Chebyshev.fit(v, special.stdtrit(LARGE_DF / v, level), NODES - 1, domain=[0.0, 1.0])
    return fit.convert(kind=Polynomial, domain=[0.0, 1.0], window=[0.0, 1.0]).coef
