"""The frequency of proven reoffending: proven reoffences per person in the year.

One person's model, shared with the rate (so the measures can be simulated
together): a person reoffends with the reoffending rate; a reoffender has
``1 + X`` proven reoffences, ``X`` negative binomial with mean
``offences_per_reoffender - 1`` and variance ``mean + dispersion * mean**2``
(a hurdle model: nobody who reoffends has none). So a group whose rate is
``p`` and whose reoffenders average ``m`` offences has

    mean     = p m
    variance = p (Var X + m**2) - (p m)**2,   Var X = (m - 1) + dispersion (m - 1)**2.

The treated group's rate is ``base_rate + rate_effect`` (the rate's effect
in the same study); its frequency is the comparison frequency plus
``effect`` (offences per person, treated minus comparison), and its
reoffenders' mean count follows: ``(frequency + effect) / treated rate``,
which must stay in [1, 100]. Lower is better.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from .. import _validate
from ..design.effects import Effect
from ..design.settings import Setting
from ..errors import InvalidInputError
from ..limits import FREQUENCY_METHODS, MAX_DISPERSION, MAX_OFFENCES_PER_REOFFENDER
from .base import Outcome

_FORMS = "offences per person (-0.2) or a ratio of frequencies (rr=0.8)"


def reoffender_variance(mean_count: float, dispersion: float):
    """Variance of a reoffender's count ``1 + X``: ``(m - 1) + dispersion (m - 1)**2``."""
    extra = mean_count - 1.0
    return extra + dispersion * extra ** 2


def frequency_moments(rate, mean_count, dispersion):
    """Mean and variance of offences per person for a group (broadcasts over arrays).

    >>> frequency_moments(0.35, 3.0, 1.0)
    (1.05, 4.1475)
    """
    mean = rate * mean_count
    second = rate * (reoffender_variance(mean_count, dispersion) + mean_count ** 2)
    return mean, second - mean ** 2


def check_rate_effect(base_rate: float, rate_effect) -> float:
    """A change in the reoffending rate that keeps the treated rate in (0, 1)."""
    rate_effect = _validate.real("rate_effect", rate_effect)
    if not 0.0 < base_rate + rate_effect < 1.0:
        raise InvalidInputError(
            "rate_effect", f"must keep the treated rate (base rate {base_rate:g} + rate effect) "
                           f"in (0, 1), i.e. lie in ({-base_rate:g}, {1 - base_rate:g}); "
                           f"got {rate_effect:g}")
    return rate_effect


@dataclass(frozen=True)
class Frequency(Outcome):
    """Proven reoffences per person in the follow-up year.

    Parameters
    ----------
    base_rate : float
        Comparison group's one-year reoffending rate, a proportion in (0, 1).
    rate_effect : float
        Treated rate minus ``base_rate`` in the same study (proportion units);
        the treated rate must stay in (0, 1). Default -0.05, the rate's
        default effect.
    offences_per_reoffender : float
        Comparison reoffenders' mean number of proven reoffences in the year,
        in [1, 100]. Default 3 (a comparison frequency of 1.05 at the default
        base rate; see ``docs/measures.md`` for the published figures).
    dispersion : float
        Negative binomial dispersion of the reoffences after the first, in
        [0, 100]: their variance is ``mean + dispersion * mean**2`` (0 is
        Poisson). Default 1.
    effect : float or Effect
        Treated minus comparison offences per person; an
        :class:`~powerplan.Effect` ratio (``rr=0.8``) is converted at the
        comparison frequency. The treated reoffenders' mean count must stay
        in [1, 100]. Default -0.15: with the default rate effect, reoffenders
        offend as often as before.

    Examples
    --------
    >>> f = Frequency()
    >>> f.comparison_frequency, round(f.treated_frequency, 12), f.treated_offences_per_reoffender
    (1.05, 0.9, 3.0)
    >>> Frequency(effect=Effect(0.8, "relative-risk")).effect
    -0.21
    >>> Frequency(effect=-0.8)
    Traceback (most recent call last):
    ...
    powerplan.errors.InvalidInputError: effect must keep the treated reoffenders' mean count ((1.05 + effect) / treated rate 0.3) in [1, 100], i.e. lie in [-0.75, 28.95]; got -0.8
    """

    name: ClassVar[str] = "frequency"
    measure: ClassVar[str] = "frequency of proven reoffending"
    unit: ClassVar[str] = "offences per person"
    better: ClassVar[int] = -1
    parameters: ClassVar[tuple[str, ...]] = ("base_rate", "rate_effect",
                                             "offences_per_reoffender", "dispersion")
    methods: ClassVar[tuple[str, ...]] = FREQUENCY_METHODS
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting("base_rate", "base rate", "Comparison group's reoffending rate", "--base-rate",
                "percent", "a proportion in (0, 1)"),
        Setting("rate_effect", "rate effect", "Effect on the rate (percentage points)",
                "--rate-effect", "points", "a difference that keeps the treated rate in (0, 1)"),
        Setting("offences_per_reoffender", "offences per reoffender",
                "Comparison reoffenders' mean proven reoffences", "--offences-per-reoffender",
                "number", f"a number in [1, {MAX_OFFENCES_PER_REOFFENDER:g}]"),
        Setting("dispersion", "dispersion", "Dispersion of reoffences after the first",
                "--dispersion", "number", f"a number in [0, {MAX_DISPERSION:g}]"),
        Setting("effect", "effect", "Effect (offences per person)", "--effect", "number",
                "a difference that keeps the treated reoffenders' mean count in [1, 100]"),
    )

    base_rate: float = 0.35
    rate_effect: float = -0.05
    offences_per_reoffender: float = 3.0
    dispersion: float = 1.0
    effect: float = -0.15

    def __post_init__(self):
        set_ = object.__setattr__
        base_rate = _validate.proportion("base_rate", self.base_rate)
        set_(self, "base_rate", base_rate)
        set_(self, "rate_effect", check_rate_effect(base_rate, self.rate_effect))
        set_(self, "offences_per_reoffender", _validate.between(
            "offences_per_reoffender", self.offences_per_reoffender, 1.0,
            MAX_OFFENCES_PER_REOFFENDER))
        set_(self, "dispersion", _validate.between("dispersion", self.dispersion, 0.0,
                                                   MAX_DISPERSION))
        effect = self.effect
        if isinstance(effect, Effect):
            if effect.scale == "relative-risk":
                effect = self.comparison_frequency * (effect.value - 1.0)
            elif effect.scale == "difference":
                effect = effect.value
            else:
                raise InvalidInputError("effect", f"of the frequency must be {_FORMS}; "
                                                  f"got a {effect.scale}")
        set_(self, "effect", self.check_effect(_validate.real("effect", effect)))

    @classmethod
    def parse_effect(cls, text: str):
        """``-0.2`` (offences per person) or ``rr=0.8`` (a ratio of frequencies)."""
        cleaned = str(text).strip().lower().replace(" ", "")
        match = re.fullmatch(r"rr=(.+)", cleaned)
        try:
            value = float(match.group(1) if match else cleaned)
        except ValueError:
            raise InvalidInputError("effect", f"of the frequency must be {_FORMS}; "
                                              f"got {text!r}") from None
        if match:
            if not value > 0:
                raise InvalidInputError("effect", f"rr= must be a ratio > 0; got {text!r}")
            return Effect(value, "relative-risk")
        return value

    # The two groups ------------------------------------------------------
    @property
    def treated_rate(self) -> float:
        """The treated group's reoffending rate: base rate + rate effect."""
        return self.base_rate + self.rate_effect

    @property
    def comparison_frequency(self) -> float:
        """Comparison offences per person: base rate x offences per reoffender."""
        return self.base_rate * self.offences_per_reoffender

    @property
    def treated_frequency(self) -> float:
        return self.comparison_frequency + self.effect

    @property
    def treated_offences_per_reoffender(self) -> float:
        return self.treated_frequency / self.treated_rate

    def moments(self, effect=None):
        """``(treated mean, comparison mean, treated variance, comparison variance)`` of
        offences per person; ``effect`` (default this one's) may be an array."""
        effect = self.effect if effect is None else effect
        treated_count = (self.comparison_frequency + effect) / self.treated_rate
        mean1, var1 = frequency_moments(self.treated_rate, treated_count, self.dispersion)
        mean2, var2 = frequency_moments(self.base_rate, self.offences_per_reoffender,
                                        self.dispersion)
        return mean1, mean2, var1, var2

    # The Outcome protocol ------------------------------------------------
    def effect_range(self) -> tuple[float, float]:
        """Effects keeping the treated reoffenders' mean count in [1, 100] (closed at 1:
        every reoffender with one offence is a valid, if extreme, group)."""
        low = self.treated_rate - self.comparison_frequency
        high = self.treated_rate * MAX_OFFENCES_PER_REOFFENDER - self.comparison_frequency
        return low, high

    def allows(self, effects):
        low, high = self.effect_range()
        tolerance = 1e-12 * max(1.0, abs(low))
        return (low - tolerance <= effects) & (effects <= high + tolerance)

    def _range_words(self, effect: float) -> str:
        low, high = self.effect_range()
        return (f"must keep the treated reoffenders' mean count (({self.comparison_frequency:g} "
                f"+ effect) / treated rate {self.treated_rate:g}) in "
                f"[1, {MAX_OFFENCES_PER_REOFFENDER:g}], i.e. lie in [{low:.4g}, {high:.4g}]; "
                f"got {effect:g}")

    def valid_effects_words(self) -> str:
        return (f"keep the treated reoffenders' mean count in [1, "
                f"{MAX_OFFENCES_PER_REOFFENDER:g}]")

    def invalid_effect_words(self, effect: float) -> str:
        return (f"effect {effect:+g} offences per person puts the treated reoffenders' mean "
                f"count outside [1, {MAX_OFFENCES_PER_REOFFENDER:g}]")

    def extreme_words(self, sign: int) -> str:
        return ("every treated reoffender with a single offence" if sign < 0 else
                f"treated reoffenders with {MAX_OFFENCES_PER_REOFFENDER:g} offences each")

    def describe_effect(self, effect: float | None = None) -> str:
        """An effect in offences per person with its sign: ``'-0.15 offences per person'``."""
        return f"{(self.effect if effect is None else effect):+.3g} offences per person"

    def values_row(self, effect: float | None = None) -> tuple[str, str]:
        effect = self.effect if effect is None else effect
        return ("offences per person",
                f"{self.comparison_frequency:.3g} comparison, "
                f"{self.comparison_frequency + effect:.3g} treated ({effect:+.3g}; "
                f"reoffending rate {100 * self.base_rate:.1f}% and "
                f"{100 * self.treated_rate:.1f}%)")

    treated_words: ClassVar[str] = "offences per person"

    def describe_treated(self, effect: float | None = None) -> str:
        return f"{self.comparison_frequency + (self.effect if effect is None else effect):.3g}"

    def describe_change(self, effect: float) -> str:
        return (f"{abs(effect):.3g} offences per person ({self.comparison_frequency:.3g} to "
                f"{self.comparison_frequency + effect:.3g})")
