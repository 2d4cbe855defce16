"""The 95% interval of a simulated share, as every simulated result reports it."""

from __future__ import annotations

import numpy as np


def wilson_interval(count, n, *, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson score interval of ``count`` successes in ``n`` (arrays broadcast).

    statsmodels' ``proportion_confint(method="wilson")``, with its rounding
    repaired: at 0 or ``n`` successes it returns ``4e-19`` or
    ``0.9999999999999998`` where the bound is exactly 0 or 1, which a figure's
    error bar reads as a negative length. The bounds are clamped to [0, 1]
    and to contain the share itself.

    >>> float(wilson_interval(300, 300)[1]), float(wilson_interval(0, 500)[0])
    (1.0, 0.0)
    >>> [round(float(v), 4) for v in wilson_interval(30, 100)]
    [0.2189, 0.3958]
    """
    from statsmodels.stats.proportion import proportion_confint

    count, n = np.asarray(count, dtype=float), np.asarray(n, dtype=float)
    low, high = proportion_confint(count, n, alpha=alpha, method="wilson")
    share = count / n
    low = np.clip(np.minimum(np.where(count == 0, 0.0, low), share), 0.0, 1.0)
    high = np.clip(np.maximum(np.where(count == n, 1.0, high), share), 0.0, 1.0)
    return low[()], high[()]
