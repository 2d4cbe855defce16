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

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy import optimize, special, stats

COVARIATES = ("age", "male", "prior_offences", "custody")

#: Lowest age in the records (adults).
MIN_AGE = 18


def _unit(weights):
    weights = np.asarray(weights, dtype=float)
    return weights / np.linalg.norm(weights)


#: Direction in which the treated differ from the pool (standardised covariates).
SELECTION_WEIGHTS = _unit([-0.4, 0.3, 0.6, 0.6])
#: Direction of higher reoffending risk (standardised covariates): youth and
#: criminal history predict reoffending most, as in published risk scores.
RISK_WEIGHTS = _unit([-0.5, 0.2, 0.8, 0.3])

_TAIL = 1e-12


def _negative_binomial(mean: float, sd: float) -> tuple[float, float]:
    """numpy's ``(n, p)`` for a negative binomial count with this mean and SD."""
    n = mean ** 2 / (sd ** 2 - mean)
    return n, n / (n + mean)


@dataclass(frozen=True)
class CovariateModel:
    """Independent covariates of one group (the pool, or the treated).

    Ages above 18 and prior offences are negative binomial with numpy's
    parameters ``(n, p)``: ``age_dispersion, age_success`` and
    ``prior_dispersion, prior_success``; the two shares are Bernoulli
    probabilities.
    """

    age_dispersion: float
    age_success: float
    male_share: float
    prior_dispersion: float
    prior_success: float
    custody_share: float

    @classmethod
    def from_moments(cls, *, age_mean, age_sd, male_share, prior_offences_mean,
                     prior_offences_dispersion, custody_share) -> "CovariateModel":
        """The pool's model from the documented settings."""
        age_n, age_p = _negative_binomial(age_mean - MIN_AGE, age_sd)
        r = prior_offences_dispersion
        return cls(age_dispersion=age_n, age_success=age_p, male_share=male_share,
                   prior_dispersion=r, prior_success=r / (r + prior_offences_mean),
                   custody_share=custody_share)

    def _counts(self):
        return ((self.age_dispersion, self.age_success),
                (self.prior_dispersion, self.prior_success))

    def means(self) -> np.ndarray:
        (an, ap), (rn, rp) = self._counts()
        return np.array([MIN_AGE + an * (1 - ap) / ap, self.male_share,
                         rn * (1 - rp) / rp, self.custody_share])

    def sds(self) -> np.ndarray:
        (an, ap), (rn, rp) = self._counts()
        return np.sqrt([an * (1 - ap) / ap ** 2, self.male_share * (1 - self.male_share),
                        rn * (1 - rp) / rp ** 2, self.custody_share * (1 - self.custody_share)])

    def tilted(self, coefficients) -> "CovariateModel":
        """The model whose density is this one's times ``exp(coefficients . x)``.

        A negative binomial's ``1 - p`` is multiplied by ``exp(coefficient)``
        and a Bernoulli share's log odds shifted by the coefficient.
        """
        age, male, prior, custody = coefficients
        shift = lambda share, c: float(special.expit(special.logit(share) + c))  # noqa: E731
        return replace(self, age_success=1.0 - (1.0 - self.age_success) * math.exp(age),
                       male_share=shift(self.male_share, male),
                       prior_success=1.0 - (1.0 - self.prior_success) * math.exp(prior),
                       custody_share=shift(self.custody_share, custody))

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` people's covariates, an ``(n, 4)`` array in :data:`COVARIATES` order."""
        out = np.empty((n, 4))
        out[:, 0] = MIN_AGE + rng.negative_binomial(self.age_dispersion, self.age_success, n)
        out[:, 1] = rng.random(n) < self.male_share
        out[:, 2] = rng.negative_binomial(self.prior_dispersion, self.prior_success, n)
        out[:, 3] = rng.random(n) < self.custody_share
        return out

    def support(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each covariate's values and probabilities (count tails beyond 1e-12 left out)."""
        out = []
        for column, (n, p) in ((0, (self.age_dispersion, self.age_success)),
                               (2, (self.prior_dispersion, self.prior_success))):
            values = np.arange(int(stats.nbinom.isf(_TAIL, n, p)) + 1)
            prob = stats.nbinom.pmf(values, n, p)
            out.append((column, values + (MIN_AGE if column == 0 else 0), prob / prob.sum()))
        for column, share in ((1, self.male_share), (3, self.custody_share)):
            out.append((column, np.array([0.0, 1.0]), np.array([1.0 - share, share])))
        return [(values, prob) for _, values, prob in sorted(out, key=lambda c: c[0])]


def max_selection(pool: CovariateModel) -> float:
    """Largest selection strength whose tilt keeps the treated distribution proper.

    Tilting a negative binomial towards higher counts multiplies its
    ``1 - p`` by ``exp(coefficient)``, which must stay below 1.
    """
    sds = pool.sds()
    limit = math.inf
    for column, success in ((0, pool.age_success), (2, pool.prior_success)):
        if SELECTION_WEIGHTS[column] > 0:
            limit = min(limit, -math.log1p(-success) * sds[column] / SELECTION_WEIGHTS[column])
    return limit


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
