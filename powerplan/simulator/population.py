"""The simulated population: covariates, selection into treatment, outcomes.

Each person has four covariates, whole numbers as the records hold them, in
this column order:

``age``
    Years at the index date: ``18 +`` a negative binomial count with the
    settings' mean and standard deviation (skewed to the young, as people in
    the justice system are).
``male``
    1 for men, 0 for women.
``prior_offences``
    Proven offences before the index date, negative binomial (over-dispersed:
    most people have a few, some very many).
``custody``
    1 if the index date is a release from custody, 0 for a community
    sentence or caution.

In the comparison pool the covariates are independent. The treated are the
pool *tilted* towards a selection index: their density is the pool's times
``exp(selection * s(x))``, where ``s`` is a weighted sum of the standardised
covariates with unit norm (:data:`SELECTION_WEIGHTS`: treated people are
younger, more often male, with more prior offences and more often leaving
custody). For normal covariates the treated mean of ``s`` would sit exactly
``selection`` pool standard deviations higher. Bernoulli and negative
binomial distributions stay in their family when tilted, so the treated are
drawn exactly, and the log odds of being treated rather than in the pool are
linear in the covariates: the logistic propensity model the analysis fits is
correctly specified.

Reoffending follows ``P(reoffend | x) = expit(intercept + outcome_strength *
r(x))`` with a risk index ``r`` built like ``s`` from :data:`RISK_WEIGHTS`.
The comparison intercept is chosen so that the expected rate over the
*treated* covariate distribution is the base rate (matched comparison records
have the treated people's covariates), and the treated intercept so that it
is the treated rate. The expectation is exact: a sum over the covariate
values (tails beyond probability 1e-12 left out).

Because the covariates are whole numbers, many pool records share all four;
the simulator groups them into *patterns*, which makes the propensity fit and
matching several times cheaper and changes neither.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

# The covariate model is the settings' (they are checked against it); named here too,
# where the population that draws from it is described.
from ..design.covariates import (COVARIATES, MIN_AGE, RISK_WEIGHTS,  # noqa: F401
                                 SELECTION_WEIGHTS, CovariateModel, max_selection)


@dataclass(frozen=True)
class Population:
    """The pool and treated covariate models and the outcome model's index.

    Examples
    --------
    >>> from powerplan.design.simulation_settings import SimulationSettings
    >>> population = Population.from_settings(SimulationSettings())
    >>> [round(float(m), 2) for m in population.pool.means()]
    [32.0, 0.85, 10.0, 0.3]
    >>> [round(float(m), 2) for m in population.treated.means()]
    [30.21, 0.9, 13.55, 0.45]
    >>> a = population.intercept(0.35, strength=1.0)
    >>> round(population.expected_rate(a, strength=1.0), 12)
    0.35
    """

    pool: CovariateModel
    treated: CovariateModel
    means: np.ndarray
    sds: np.ndarray

    @classmethod
    def from_settings(cls, settings) -> "Population":
        pool = settings.pool_covariates()
        means, sds = pool.means(), pool.sds()
        treated = pool.tilted(settings.selection * SELECTION_WEIGHTS / sds)
        return cls(pool, treated, means, sds)

    def standardise(self, x: np.ndarray) -> np.ndarray:
        """Covariates centred and scaled by the pool's (population) mean and SD."""
        return (x - self.means) / self.sds

    def risk(self, x: np.ndarray) -> np.ndarray:
        """The reoffending risk index ``r(x)``: unit SD in the pool."""
        return self.standardise(x) @ RISK_WEIGHTS

    def treated_risk_support(self) -> tuple[np.ndarray, np.ndarray]:
        """Values of ``r(x)`` over the treated distribution and their probabilities."""
        value, prob = np.zeros(1), np.ones(1)
        for column, (values, p) in enumerate(self.treated.support()):
            part = RISK_WEIGHTS[column] * (values - self.means[column]) / self.sds[column]
            value = np.add.outer(value, part).ravel()
            prob = np.multiply.outer(prob, p).ravel()
        return value, prob

    def expected_rate(self, intercept: float, *, strength: float) -> float:
        """Expected reoffending rate of people with the treated covariates."""
        value, prob = self.treated_risk_support()
        return float(prob @ special.expit(intercept + strength * value))

    def intercept(self, rate: float, *, strength: float) -> float:
        """The intercept whose expected rate over the treated covariates is ``rate``."""
        value, prob = self.treated_risk_support()
        return calibrated_intercept(strength * value, prob, rate)


def calibrated_intercept(index, weights, rate: float) -> float:
    """``a`` with ``sum(weights * expit(a + index)) / sum(weights) == rate``.

    Some weights may be negative corrections, as long as their total stays
    positive. Brent's method on a bracket that holds whatever the spread of
    ``index``: with P the share carried by the positive weights, every
    person's rate below ``rate / P`` puts the weighted rate below ``rate``,
    and every rate above ``(rate + P - 1) / P`` puts it above. (Newton's
    method from ``logit(rate)`` overshoots when ``index`` spreads over many
    logits and the rate is near 0 or 1.)

    >>> a = calibrated_intercept(np.array([-1.0, 0.0, 2.0]), np.array([1, 2, 1]), 0.4)
    >>> round(float(np.average(special.expit(a + np.array([-1.0, 0, 2])), weights=[1, 2, 1])), 12)
    0.4
    """
    index = np.asarray(index, dtype=float)
    weights = np.asarray(weights, dtype=float) / np.sum(weights)
    positive = weights[weights > 0].sum()
    low = special.logit(rate / positive) - index.max() - 1.0
    high = special.logit((rate + positive - 1.0) / positive) - index.min() + 1.0
    # The arrays go as args, not in a closure: brentq's wrapper is a reference
    # cycle, which would hold a closure's arrays until the garbage collector runs.
    return optimize.brentq(_excess_rate, low, high, args=(index, weights, rate), xtol=1e-13,
                           rtol=4 * np.finfo(float).eps)


def _excess_rate(a: float, index: np.ndarray, weights: np.ndarray, rate: float) -> float:
    return weights @ special.expit(a + index) - rate
