"""Verdict chances over a long run of sizes, from a few of them.

The analytic engine asks for the chances at every number analysed in the
funnel's window: about a thousand numbers for a cohort of 20,000. The
noncentral t of the Welch test costs about a microsecond per number, so the
frequency and the time evaluate their chances at 32 Chebyshev points of the
window and interpolate (barycentric, along the sizes): a chance is a smooth
(analytic) function of the size, and the interpolant is within 1e-10 of the
direct values in the test suite. Short runs, and sizes the comparison size is
not a linear function of, are evaluated directly.
"""

from __future__ import annotations

import numpy as np

#: Runs of sizes at least this long are interpolated ...
LONG_RUN = 64
#: ... from the chances at this many Chebyshev points.
NODES = 32


def along_sizes(chances, n_treated, n_comparison):
    """``chances(n_treated, n_comparison)`` (a pair of arrays), interpolated along a long
    run of sizes (the first axis of ``n_treated``)."""
    n1 = np.asarray(n_treated, dtype=float)
    n2 = np.asarray(n_comparison, dtype=float)
    if n1.ndim == 0 or n1.shape[0] < LONG_RUN or n1.size != n1.shape[0]:
        return chances(n1, n2)
    k = n1.reshape(-1)
    comparison = np.broadcast_to(n2, n1.shape).reshape(-1)
    low, high = k[0], k[-1]
    slope = (comparison[-1] - comparison[0]) / (high - low) if high > low else np.nan
    if not (np.all(np.diff(k) > 0) and np.allclose(
            comparison, comparison[0] + slope * (k - low), rtol=1e-12, atol=0.0)):
        return chances(n1, n2)
    # Chebyshev points of the second kind on [low, high], and their barycentric weights.
    j = np.arange(NODES)
    nodes = low + (high - low) * (1 - np.cos(np.pi * j / (NODES - 1))) / 2
    weights = (-1.0) ** j
    weights[[0, -1]] *= 0.5
    shape = (NODES,) + (1,) * (n1.ndim - 1)
    at_nodes = chances(nodes.reshape(shape),
                       (comparison[0] + slope * (nodes - low)).reshape(shape))
    return tuple(_interpolate(nodes, weights, np.asarray(values), k, n1.ndim)
                 for values in at_nodes)


def _interpolate(nodes, weights, values, k, ndim):
    """The barycentric interpolant through (nodes, values) at ``k``, along axis 0."""
    values = np.broadcast_to(values, (len(nodes),) + values.shape[1:])
    difference = k[:, None] - nodes[None, :]
    exact = difference == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = weights[None, :] / difference
    terms[exact.any(axis=1)] = 0.0
    terms[exact] = 1.0  # a size on a node takes the node's value
    flat = values.reshape(len(nodes), -1)
    out = (terms @ flat) / terms.sum(axis=1)[:, None]
    return out.reshape((len(k),) + values.shape[1:])
