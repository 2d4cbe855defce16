"""The Outcome protocol: one value describes a measure and its effect.

The statistical layers speak of the estimate as *lower* or *higher* in the
treated group (the sign of treated minus comparison); an outcome says which
of the two is *better* (for the reoffending rate, lower; for the time to
first reoffence, longer). The verdicts are "better / inconclusive / worse"
inside, and the public words ("significant reduction", "significant
increase" in reoffending) come from the outcome.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from ..design.effects import Effect
from ..errors import InvalidInputError

#: Signs of the estimate (treated minus comparison) that count as better, and as worse,
#: for an outcome whose lower values are better; ``Outcome.better`` flips them.
BETTER, WORSE = "better", "worse"


class Outcome:
    """A measure compared between the treated and the comparison group.

    Subclasses are frozen dataclasses whose fields are the measure's
    parameters and ``effect``, the treated value minus the comparison value
    on the measure's own scale (``effect`` last); they set the class
    attributes below and implement :meth:`effect_range` and
    :meth:`describe_effect`.

    Attributes
    ----------
    name : str
        Short name, as settings files and ``--measure`` spell it: ``"rate"``.
    measure : str
        The measure in words: ``"one-year proven reoffending rate"``.
    unit : str
        Unit of the effect in words: ``"points"``.
    better : int
        ``-1`` when a lower treated value is better (fewer reoffenders), ``+1``
        when a higher one is (a longer time to first reoffence).
    parameters : tuple of str
        Names of the fields other than ``effect``, in order.
    methods : tuple of str
        Names of the analytic methods for this measure; the first is the default.
    settings : tuple of Setting
        How its parameters and its effect are named, printed, drawn and typed
        (see :mod:`powerplan.design.settings`).
    """

    name: ClassVar[str]
    measure: ClassVar[str]
    unit: ClassVar[str]
    better: ClassVar[int]
    parameters: ClassVar[tuple[str, ...]]
    methods: ClassVar[tuple[str, ...]]
    settings: ClassVar[tuple]
    #: The verdicts with a significantly lower and a significantly higher treated value,
    #: in words (for the rate, fewer reoffenders: a significant reduction).
    lower_words: ClassVar[str] = "significant reduction"
    higher_words: ClassVar[str] = "significant increase"
    #: Treated reoffenders the data service needs before it reports the measure (0: always
    #: reported once analysed); below it the verdict is "not reported".
    min_treated_reoffenders: ClassVar[int] = 0

    # What every outcome must say ------------------------------------------
    def effect_range(self) -> tuple[float, float]:
        """The open interval of valid effects at these parameters."""
        raise NotImplementedError

    def describe_effect(self, effect: float | None = None) -> str:
        """An effect (default this one's) in words with its sign: ``'-5.0 points'``."""
        raise NotImplementedError

    def values_row(self, effect: float | None = None) -> tuple[str, str]:
        """The comparison and treated values in a printed table: ``(label, text)``."""
        raise NotImplementedError

    def describe_change(self, effect: float) -> str:
        """The size of an effect and the values it joins, after 'the smallest reduction
        detectable is': ``'5.0 points (35.0% to 30.0%)'``."""
        raise NotImplementedError

    #: The treated group's value in words, after 'treated': ``"rate"``.
    treated_words: ClassVar[str] = "value"

    def describe_treated(self, effect: float | None = None) -> str:
        """The treated group's value at an effect (default this one's): ``'30.0%'``."""
        raise NotImplementedError

    @classmethod
    def parse_effect(cls, text: str):
        """An effect typed as text, in a form this measure takes (see :class:`Effect`)."""
        return Effect.parse(text)

    # Shared behaviour --------------------------------------------------------
    @property
    def better_words(self) -> str:
        """The verdict in the better direction, in words."""
        return self.lower_words if self.better < 0 else self.higher_words

    @property
    def treated_reoffenders_share(self) -> float:
        """The treated group's reoffending rate (for the reporting gate and notes)."""
        return self.treated_rate

    @property
    def default_method(self) -> str:
        """The analytic method used when none is named."""
        return self.methods[0]

    def direction(self, sign: float) -> str:
        """:data:`BETTER` or :data:`WORSE` for an estimate of this sign (non-zero)."""
        return BETTER if sign * self.better > 0 else WORSE

    def sign_of(self, verdict: str) -> int:
        """The sign of an estimate that is :data:`BETTER` or :data:`WORSE`."""
        return self.better if verdict == BETTER else -self.better

    def largest_effect(self, sign: int, margin: float = 1e-9) -> float:
        """The largest valid effect of the given sign, ``margin`` inside its range."""
        low, high = self.effect_range()
        return (low if sign < 0 else high) * (1 - margin)

    def allows(self, effects):
        """Whether each effect (a number or a numpy array) lies inside :meth:`effect_range`."""
        low, high = self.effect_range()
        return (low < effects) & (effects < high)

    def check_effect(self, effect: float) -> float:
        """``effect`` if the outcome :meth:`allows` it, else an error naming it."""
        if not self.allows(effect):
            raise InvalidInputError("effect", self._range_words(effect))
        return effect

    def _range_words(self, effect: float) -> str:
        low, high = self.effect_range()
        return f"must lie in ({low:g}, {high:g}); got {effect:g}"

    def valid_effects_words(self) -> str:
        """What valid effects do, after 'effects that': ``'lie in (-1, 1)'``."""
        low, high = self.effect_range()
        return f"lie in ({low:g}, {high:g})"

    def extreme_words(self, sign: int) -> str:
        """The largest valid effect of the given sign in words: ``'a treated rate of 0%'``."""
        return f"an effect of {self.describe_effect(self.largest_effect(sign))}"

    def invalid_effect_words(self, effect: float) -> str:
        """Why ``effect`` is not valid, as a sentence starting with the effect."""
        return f"effect {effect:+g} lies outside ({', '.join(map(format, self.effect_range()))})"

    def replace(self, **changes) -> "Outcome":
        """A copy with some parameters or the effect changed (validated again)."""
        allowed = (*self.parameters, "effect")
        for key in changes:
            if key not in allowed:
                raise InvalidInputError(
                    str(key), f"is not a setting of the {self.name} outcome; "
                              f"allowed: {', '.join(allowed)}")
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """The parameters and the effect, in the order of the fields."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
