"""One person's outcomes beyond reoffending: how many offences, and how soon.

Every simulated study draws whether each analysed treated person and each
matched comparison record reoffends exactly as the rate's model does
(:mod:`powerplan.simulator.rate`: the same uniforms from the replicate's
own generator), so the rate's results, seeded, never change. A reoffender's
number of proven reoffences and days to the first come from two further
generators of each replicate, derived from its seed (spawn keys ``(...,
0)`` for counts and ``(..., 1)`` for days), so that the frequency, the time
to first reoffence and the three measures together see the same people with
the same outcomes, and drawing one measure never moves another's draws.

Counts and days do not depend on the covariates: matching acts through
whether a person reoffends.

Each group is summarised by its (weighted) mean and variance, and the
measure is tested by the weighted Welch t-test the analysis runs (see
:func:`welch_means`).
"""

from __future__ import annotations

import numpy as np

from ..limits import FOLLOW_UP_DAYS
from .rate import RateComparison, comparison

#: The verdict of a measure that is not reported (fewer than 30 treated reoffenders).
NOT_REPORTED = 2
COUNTS, DAYS = 0, 1


def outcome_generator(rng: np.random.Generator, which: int) -> np.random.Generator:
    """The replicate's generator for counts (``which=0``) or days (``1``): a child of the
    replicate's seed, independent of everything the replicate's own generator draws."""
    seed = rng.bit_generator.seed_seq
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(
        seed.entropy, spawn_key=(*seed.spawn_key, which))))


def draw_extra_offences(rng: np.random.Generator, mean_extra, dispersion: float, n: int):
    """Offences after the first of ``n`` reoffenders: negative binomial with mean
    ``mean_extra`` (a number or ``n`` values) and variance ``mean + dispersion mean**2``,
    as a gamma mixture of Poissons (always ``n`` gamma then ``n`` Poisson draws)."""
    mean_extra = np.broadcast_to(np.asarray(mean_extra, dtype=float), (n,))
    if dispersion > 0:
        shape = 1.0 / dispersion
        intensity = rng.gamma(shape, 1.0, n) * (mean_extra / shape)
    else:
        rng.gamma(1.0, 1.0, n)  # keep the stream's shape whatever the dispersion
        intensity = mean_extra
    return rng.poisson(intensity)


def days_from_uniforms(uniforms, rate_per_day):
    """Days in (0, 365] from uniforms, by the inverse distribution function of the
    exponential with this rate (any sign) truncated to the follow-up year."""
    u = np.asarray(uniforms, dtype=float)
    lam = np.asarray(rate_per_day, dtype=float)
    flat = np.abs(lam) < 1e-12
    safe = np.where(flat, 1.0, lam)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        days = -np.log1p(u * np.expm1(-safe * FOLLOW_UP_DAYS)) / safe
    # 1 - u keeps every draw above 0 (u lies in [0, 1))
    days = np.where(flat, FOLLOW_UP_DAYS * (1.0 - u), days)
    return np.clip(days, np.finfo(float).tiny, FOLLOW_UP_DAYS)


def group_moments(values, weights, rows, n_rows: int):
    """Per study: the sum of weights, the weighted mean and the (ddof 0) weighted
    variance of ``values``, and Kish's effective size of the weights."""
    total = np.bincount(rows, weights=weights, minlength=n_rows)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(rows, weights=weights * values, minlength=n_rows) / total
        second = np.bincount(rows, weights=weights * values ** 2, minlength=n_rows) / total
        ess = total ** 2 / np.bincount(rows, weights=weights ** 2, minlength=n_rows)
    return total, mean, np.maximum(second - mean ** 2, 0.0), ess


def welch_means(mean1, var1, n1, mean2, var2, n2, *, alpha=0.05,
                alternative="two-sided") -> RateComparison:
    """The weighted Welch t-test on two groups' means (vectorised).

    ``var1``, ``var2`` are the groups' (weighted, ddof 0) variances and
    ``n1``, ``n2`` their sizes (for weights, Kish's effective size): the
    standard error is ``sqrt(var1 / (n1 - 1) + var2 / (n2 - 1))``, which is
    statsmodels' ``CompareMeans(DescrStatsW(y1), DescrStatsW(y2, weights=w))
    .ttest_ind(usevar="unequal")`` with the weights scaled to sum to their
    effective size (as for the rate, :func:`~powerplan.simulator.rate.weighted_welch`):

    >>> from statsmodels.stats.weightstats import CompareMeans, DescrStatsW
    >>> y1, y2 = np.array([0, 1, 3, 0, 2, 0.]), np.array([1, 0, 0, 4, 1, 0, 2.])
    >>> w = np.array([1, 1, 2, 2, 0.5, 0.5, 1])
    >>> _, m2, v2, ess = group_moments(y2, w, np.zeros(7, int), 1)
    >>> ours = welch_means(y1.mean(), y1.var(), 6, m2[0], v2[0], ess[0])
    >>> t, p, df = CompareMeans(DescrStatsW(y1), DescrStatsW(y2, weights=w * ess[0] / w.sum())
    ...                         ).ttest_ind(usevar="unequal")
    >>> bool(abs(ours.p_value - p) < 1e-12), round(ours.p_value, 4)
    (True, 0.6458)
    """
    m1, v1, n1, m2, v2, n2 = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (
        mean1, var1, n1, mean2, var2, n2)))
    estimate = m1 - m2
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b = v1 / (n1 - 1), v2 / (n2 - 1)
        se = np.sqrt(a + b)
        statistic = estimate / se
        df = (a + b) ** 2 / (a ** 2 / (n1 - 1) + b ** 2 / (n2 - 1))
        degenerate = se == 0
        statistic = np.where(degenerate, np.sign(estimate) * np.inf, statistic)
        statistic = np.where(degenerate & (estimate == 0), 0.0, statistic)
        df = np.where(degenerate | ~np.isfinite(df), np.inf, df)
    return comparison(estimate, se, statistic, df, alpha=alpha, alternative=alternative)


def placeholders(ok, *values):
    """``values`` where the study can be analysed (``ok``), harmless numbers elsewhere."""
    filler = (0.5, 0.25, 2.0, 0.5, 0.25, 2.0)
    return [np.where(ok, v, f) for v, f in zip(values, filler)]
