"""Beliefs about a service's true effect, for assurance.

Nobody knows a service's true effect before it is evaluated. A prior states
what is plausible: a normal distribution (mean and standard deviation), or a
list of effects with weights. Effects are differences in proportion units
(treated minus comparison rate); the constructors named ``points`` take
percentage points. A prior is always restricted to effects that keep the
treated rate inside (0, 1) at the scenario's base rate.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
from scipy import special

from .. import _format, _validate
from ..errors import InvalidInputError
from ..limits import SIMULATION_NODES

@dataclass(frozen=True)
class NormalPrior:
    """Normal belief about the effect, truncated to valid treated rates.

    Parameters
    ----------
    mean : float
        Expected effect on the measure's own scale: for the rate in proportion
        units (-0.04 is a 4-point reduction), for the frequency in offences per
        person, for the time to first reoffence in days.
    sd : float
        Standard deviation on the same scale, > 0.

    Whether the prior puts weight on effects the measure allows is checked
    where it meets the measure (:meth:`nodes`).
    """

    mean: float
    sd: float

    def __post_init__(self):
        object.__setattr__(self, "mean", _validate.real("prior mean", self.mean))
        object.__setattr__(self, "sd", _validate.positive("prior sd", self.sd))

    @classmethod
    def points(cls, mean: float, sd: float) -> "NormalPrior":
        """A normal prior given in percentage points: ``NormalPrior.points(-4, 3)``."""
        return cls(_validate.real("prior mean", mean) / 100.0,
                   _validate.positive("prior sd", sd) / 100.0)

    def describe(self, outcome=None) -> str:
        """The prior in words: in points for the rate (``outcome`` None or a rate), in
        ``outcome``'s units otherwise."""
        if _outcome(outcome) is None or outcome.name == "rate":
            return f"normal(mean {_format.points(self.mean)}, sd {100 * self.sd:.1f} points)"
        return (f"normal(mean {outcome.describe_effect(self.mean)}, "
                f"sd {self.sd:.3g} {outcome.unit})")

    def mass(self, low: float, high: float) -> float:
        """Prior probability of an effect in (low, high), before truncation."""
        return float(_normal_cdf(high, self) - _normal_cdf(low, self))

    def nodes(self, outcome, count: int = 16,
              breakpoints=()) -> tuple[np.ndarray, np.ndarray]:
        """Effects and weights integrating the truncated prior.

        Composite Gauss-Legendre rule with ``count`` nodes on each panel of
        the valid range intersected with mean +/- 12 sd, the panels split at
        the mean and at ``breakpoints`` (where the integrand changes fast,
        such as where a study's power rises from alpha to 1); weights times
        the density, renormalised.
        """
        low, high = self._integration_range(outcome)
        edges = np.unique([low, high, *(b for b in (self.mean, *breakpoints) if low < b < high)])
        x, w = np.polynomial.legendre.leggauss(count)
        half = np.diff(edges) / 2
        middle = (edges[:-1] + edges[1:]) / 2
        effects = (middle[:, None] + half[:, None] * x[None, :]).ravel()
        weights = (half[:, None] * w[None, :]).ravel() * _normal_pdf(effects, self)
        return effects, weights / weights.sum()

    def few_nodes(self, outcome,
                  count: int = SIMULATION_NODES) -> tuple[np.ndarray, np.ndarray]:
        """A handful of effects and weights for integrating by simulation."""
        self._integration_range(outcome)  # the prior must have valid weight
        return _quantile_nodes(self, outcome, count)

    def _integration_range(self, outcome) -> tuple[float, float]:
        """The valid effects of ``outcome`` within 12 sd of the mean; an error if the
        prior has no weight on valid effects."""
        valid_low, valid_high = outcome.effect_range()
        low = max(valid_low, self.mean - 12 * self.sd)
        high = min(valid_high, self.mean + 12 * self.sd)
        if not low < high or self.mass(valid_low, valid_high) < 1e-12:
            raise InvalidInputError(
                "prior", f"{self.describe(outcome)} puts no weight on effects that "
                         f"{outcome.valid_effects_words()}")
        return low, high


# The normal distribution by scipy.special, as scipy.stats.norm computes it (the same
# values; scipy.stats costs a fifth of a second to import, for every command).

def _normal_cdf(x, prior: "NormalPrior"):
    return special.ndtr((x - prior.mean) / prior.sd)


def _normal_pdf(x, prior: "NormalPrior"):
    z = (x - prior.mean) / prior.sd
    return np.exp(-z ** 2 / 2.0) / math.sqrt(2.0 * math.pi) / prior.sd


def _outcome(outcome):
    """``outcome`` if it is None or an outcome (Rate(), ...), else an error naming it."""
    from ..outcomes.base import Outcome

    if outcome is not None and not isinstance(outcome, Outcome):
        raise InvalidInputError("outcome", f"must be an outcome such as Rate(), or None; got "
                                           f"{_validate.shown(outcome)}")
    return outcome


def _quantile_nodes(prior: "NormalPrior", outcome, count: int):
    """Effects at Gauss-Legendre nodes on the truncated prior's quantile scale, and weights.

    A few nodes suffice for the smooth verdict probabilities (12 nodes are
    within 1e-3 of quadrature up to 10,000 people; see the test suite), which
    is what simulating at each node needs.
    """
    low, high = outcome.effect_range()
    lower, upper = _normal_cdf(np.array([low, high]), prior)
    x, w = np.polynomial.legendre.leggauss(count)
    quantiles = lower + (x + 1) / 2 * (upper - lower)
    return prior.mean + prior.sd * special.ndtri(quantiles), w / 2


@dataclass(frozen=True)
class DiscretePrior:
    """A list of possible effects (on the measure's scale, as :class:`NormalPrior`) with
    weights (normalised)."""

    effects: tuple[float, ...]
    weights: tuple[float, ...]

    def __post_init__(self):
        effects = tuple(_validate.real("prior effect", e)
                        for e in _validate.sequence("prior effects", self.effects))
        weights = _validate.sequence("prior weights", self.weights)
        if any(isinstance(w, bool) or not isinstance(w, numbers.Real) for w in weights):
            raise InvalidInputError("prior", f"weights must be numbers; got {weights!r}")
        weights = tuple(float(w) for w in weights)
        if not effects or len(effects) != len(weights):
            raise InvalidInputError("prior", "needs as many weights as effects, at least one")
        if any(not math.isfinite(w) or w < 0 for w in weights) or sum(weights) <= 0:
            raise InvalidInputError("prior", f"weights must be >= 0 with a positive sum; "
                                             f"got {list(weights)}")
        total = sum(weights)
        object.__setattr__(self, "effects", effects)
        object.__setattr__(self, "weights", tuple(w / total for w in weights))

    @classmethod
    def points(cls, effects, weights) -> "DiscretePrior":
        """Effects in percentage points: ``DiscretePrior.points([-6, -3, 0], [0.3, 0.5, 0.2])``."""
        return cls(tuple(_validate.real("prior effect", e) / 100.0
                         for e in _validate.sequence("prior effects", effects)),
                   tuple(_validate.sequence("prior weights", weights)))

    @property
    def mean(self) -> float:
        return float(np.dot(self.effects, self.weights))

    def describe(self, outcome=None) -> str:
        """The prior in words, as :meth:`NormalPrior.describe`."""
        words = (_format.points if _outcome(outcome) is None or outcome.name == "rate"
                 else outcome.describe_effect)
        parts = ", ".join(f"{words(e)} ({w:.0%})" for e, w in zip(self.effects, self.weights))
        return f"discrete({parts})"

    def few_nodes(self, outcome) -> tuple[np.ndarray, np.ndarray]:
        """The prior's own effects and weights (as :meth:`nodes`)."""
        return self.nodes(outcome)

    def nodes(self, outcome) -> tuple[np.ndarray, np.ndarray]:
        """The prior's effects and weights; an error naming the first effect that
        ``outcome`` does not allow."""
        effects = np.array(self.effects)
        bad = ~outcome.allows(effects)
        if bad.any():
            raise InvalidInputError("prior", outcome.invalid_effect_words(float(effects[bad][0])))
        return effects, np.array(self.weights)


Prior = NormalPrior | DiscretePrior
