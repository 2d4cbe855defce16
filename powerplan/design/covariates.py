"""The simulated population's covariates: the model its settings define.

Four whole-number covariates per person, in :data:`COVARIATES` order (see
:mod:`powerplan.simulator.population` for what they mean and how the treated
are selected). The model lives with the settings because they are checked
against it when made (the largest selection strength whose treated
distribution stays proper); the simulator draws from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

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
        from scipy import special

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

    def support_size(self) -> int:
        """Number of covariate combinations :meth:`support` spans (their product)."""
        from scipy import stats

        size = 4  # the two shares
        for n, p in ((self.age_dispersion, self.age_success),
                     (self.prior_dispersion, self.prior_success)):
            size *= int(stats.nbinom.isf(_TAIL, n, p)) + 1
        return size

    def support(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each covariate's values and probabilities (count tails beyond 1e-12 left out)."""
        from scipy import stats

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
