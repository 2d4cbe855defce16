"""A normal approximation of the three headline measures' joint chances.

The analytic engine gives each measure's verdict chances on its own; what the
three say together (at least one significant improvement, with or without a
correction, opposite verdicts, disagreeing estimates) depends on how the
three estimates of the same study move together. This module approximates
their joint distribution from the outcome model of one person
(:mod:`powerplan.outcomes`) and integrates the verdicts over it numerically.

The model, per group (treated, and comparison at its effective size):

* the reoffending rate ``p`` and offences per person ``m`` are sample means
  of ``Y`` (reoffended) and ``C`` (offences, 0 unless ``Y = 1``), so they
  are jointly normal with variances ``p(1-p)/n``, ``var(C)/n`` and
  covariance ``cov(Y, C)/n = (1 - p) E[C] / n``;
* the mean days to first reoffence among the ``K = n p`` reoffenders is
  normal with variance ``var(days)/K`` and, to first order, uncorrelated
  with ``p`` and ``m`` (the days of a reoffender do not depend on their
  count of offences in the model, and a ratio estimator's first-order
  covariance with its denominator's mean then vanishes); it is reported
  only when the treated group has at least the gate's reoffenders, and
  ``K`` comes from the same draw of ``p``, so the gate follows the rate;
* each test is a z-test of the difference of the groups' means with the
  model's standard errors, two-sided.

The number analysed follows the funnel, Binomial(cohort, retention), as in
the analytic engine. The joint verdicts are counted over ``DRAWS`` draws of
this normal model with a fixed seed (so the same scenario always gives the
same figures; the integration's standard error is at most 0.1 points at 2**18
draws),
with the same rules as the simulator (:func:`.measures.joint_chances`).

What it leaves out: the Welch tests' small-sample behaviour and the
skewness of counts (the frequency's lopsided false positives), and the
matching's weights beyond the effective size. ``tests/test_joint_normal.py``
checks it against simulated studies.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from ..design.scenario import Scenario
from ..outcomes.headline import Headline

#: Draws of the normal model the joint chances are counted over.
DRAWS = 2 ** 18
#: Its seed: fixed, so an approximation is a function of the scenario.
SEED = 20261201


def approximate_joint(scenario: Scenario, headline: Headline, joint_chances) -> dict:
    """Each joint chance's share of the draws, by the names ``joint_chances`` counts."""
    rng = np.random.default_rng(SEED)
    rate, frequency, time = headline.measures
    n1 = rng.binomial(scenario.cohort, scenario.retention, DRAWS).astype(float)
    analysed = n1 >= scenario.min_n_treated
    n1 = np.where(analysed, n1, scenario.min_n_treated)
    n2 = np.asarray(scenario.comparison_size(n1), dtype=float)

    m1, m2, c1, c2 = frequency.moments()
    p1, p2 = rate.treated_rate, rate.base_rate
    rates, counts = [], []
    for p, m, var_c, n in ((p1, m1, c1, n1), (p2, m2, c2, n2)):
        # (Y, C) per person: var Y, var C and cov(Y, C) = E[YC] - E[Y]E[C] = (1 - p) E[C]
        var_y, cov = p * (1 - p), (1 - p) * m
        z_y, z_c = rng.standard_normal((2, DRAWS))
        slope = cov / var_y
        rates.append(p + np.sqrt(var_y / n) * z_y)
        counts.append(m + slope * (rates[-1] - p)
                      + np.sqrt(max(var_c - slope * cov, 0.0) / n) * z_c)

    d1, d2, v1, v2 = time.moments()
    reoffenders = [np.maximum(np.rint(n * r), 0.0) for n, r in zip((n1, n2), rates)]
    reported = analysed & (reoffenders[0] >= time.min_treated_reoffenders) & (reoffenders[1] > 1)
    k1, k2 = (np.where(reported, k, 2.0) for k in reoffenders)
    days_se = np.sqrt(v1 / k1 + v2 / k2)
    days = d1 - d2 + days_se * rng.standard_normal(DRAWS)

    rate_se = np.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    count_se = np.sqrt(c1 / n1 + c2 / n2)
    estimates = np.column_stack([rates[0] - rates[1], counts[0] - counts[1], days])
    z = estimates / np.column_stack([rate_se, count_se, days_se])
    p_values = 2 * special.ndtr(-np.abs(z))
    shown = np.column_stack([analysed, analysed, reported])
    better = np.array([o.better for o in headline.measures])
    counted = joint_chances(np.where(shown, p_values, np.nan),
                            np.where(shown, np.sign(estimates) * better, 0.0), scenario.alpha)
    return {name: count / DRAWS for name, count in counted.items()}
