"""The one-year proven reoffending rate: a yes/no outcome per person.

Its parameter is the comparison group's rate (``base_rate``, a proportion in
(0, 1)); its effect is the treated rate minus the base rate in proportion
units (-0.05 is a 5-point reduction), so valid effects keep the treated rate
in (0, 1). Lower is better. An :class:`~powerplan.Effect` on another scale
(points, relative risk, odds ratio) is converted at the base rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .. import _format, _validate
from ..design.effects import Effect
from ..design.settings import Setting
# The analytic methods for a rate (see powerplan.formulas.rate); the first is the default.
from ..limits import METHODS
from .base import Outcome


@dataclass(frozen=True)
class Rate(Outcome):
    """The one-year proven reoffending rate.

    Parameters
    ----------
    base_rate : float
        Comparison group's one-year reoffending rate, a proportion in (0, 1).
    effect : float or Effect
        Treated rate minus comparison rate in proportion units; an
        :class:`~powerplan.Effect` on another scale is converted at
        ``base_rate``. The treated rate must stay inside (0, 1).

    Examples
    --------
    >>> Rate(base_rate=0.2, effect=Effect(0.75, "relative-risk"))
    Rate(base_rate=0.2, effect=-0.05)
    >>> Rate().effect_range(), Rate().describe_effect()
    ((-0.35, 0.65), '-5.0 points')
    >>> Rate(effect=-0.4)
    Traceback (most recent call last):
    ...
    powerplan.errors.InvalidInputError: effect must keep the treated rate (base rate 0.35 + effect) in (0, 1), i.e. lie in (-0.35, 0.65); got -0.4
    """

    name: ClassVar[str] = "rate"
    measure: ClassVar[str] = "one-year proven reoffending rate"
    unit: ClassVar[str] = "points"
    better: ClassVar[int] = -1
    parameters: ClassVar[tuple[str, ...]] = ("base_rate",)
    methods: ClassVar[tuple[str, ...]] = METHODS
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting("base_rate", "base rate", "Comparison group's reoffending rate", "--base-rate",
                "percent", "a proportion in (0, 1)"),
        Setting("effect", "effect", "Effect (percentage points)", "--effect", "points",
                "a difference that keeps the treated rate in (0, 1)"),
    )

    base_rate: float = 0.35
    effect: float = -0.05

    def __post_init__(self):
        base_rate = _validate.proportion("base_rate", self.base_rate)
        object.__setattr__(self, "base_rate", base_rate)
        effect = self.effect
        if isinstance(effect, Effect):
            effect = effect.difference(base_rate)
        object.__setattr__(self, "effect", self.check_effect(_validate.real("effect", effect)))

    def effect_range(self) -> tuple[float, float]:
        """Effects that keep the treated rate in (0, 1): ``(-base_rate, 1 - base_rate)``."""
        return -self.base_rate, 1.0 - self.base_rate

    def allows(self, effects):
        """Whether each effect keeps the treated rate (base rate + effect) in (0, 1)."""
        treated = self.base_rate + effects
        return (0.0 < treated) & (treated < 1.0)

    def _range_words(self, effect: float) -> str:
        low, high = self.effect_range()
        return (f"must keep the treated rate (base rate {self.base_rate:g} + effect) in (0, 1), "
                f"i.e. lie in ({low:g}, {high:g}); got {effect:g}")

    def valid_effects_words(self) -> str:
        return f"keep the treated rate in (0, 1) at base rate {self.base_rate:g}"

    def invalid_effect_words(self, effect: float) -> str:
        return (f"effect {100 * effect:+g} points puts the treated rate outside (0, 1) at "
                f"base rate {self.base_rate:g}")

    def extreme_words(self, sign: int) -> str:
        return "a treated rate of 0%" if sign < 0 else "a treated rate of 100%"

    @property
    def treated_rate(self) -> float:
        """The treated group's expected rate: base rate + effect."""
        return self.base_rate + self.effect

    def describe_effect(self, effect: float | None = None) -> str:
        """An effect in percentage points with its sign: ``'-5.0 points'``."""
        return f"{100 * (self.effect if effect is None else effect):+.1f} points"

    def values_row(self, effect: float | None = None) -> tuple[str, str]:
        effect = self.effect if effect is None else effect
        return "reoffending rate", _format.rates(self.base_rate, self.base_rate + effect, effect)

    treated_words: ClassVar[str] = "rate"

    def describe_treated(self, effect: float | None = None) -> str:
        return _format.percent(self.base_rate + (self.effect if effect is None else effect))

    def describe_change(self, effect: float) -> str:
        return (f"{abs(100 * effect):.1f} points ({_format.percent(self.base_rate)} to "
                f"{_format.percent(self.base_rate + effect)})")

