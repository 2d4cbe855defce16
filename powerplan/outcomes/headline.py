"""The three headline measures of one planned study, with one person model.

Published analyses report the rate, the frequency and the time to first
reoffence side by side, for the same people. :class:`Headline` holds the
parameters they share (the base rate, the effect on the rate) and each
measure's own (offences per reoffender and their dispersion, days to first
reoffence) with each measure's effect on its own scale, and gives the three
:class:`~powerplan.outcomes.Outcome` values of that one study.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from .frequency import Frequency
from .rate import Rate
from .time import TimeToFirst
from .base import Outcome
from ..errors import InvalidInputError


@dataclass(frozen=True)
class Headline:
    """The rate, the frequency and the time to first reoffence of one study.

    Parameters
    ----------
    base_rate : float
        Comparison group's one-year reoffending rate, in (0, 1).
    rate_effect : float
        Treated rate minus ``base_rate`` (proportion units).
    offences_per_reoffender, dispersion : float
        Comparison reoffenders' mean proven reoffences, in [1, 100], and the
        dispersion of those after the first (see :class:`Frequency`).
    frequency_effect : float
        Treated minus comparison offences per person.
    days_to_first : float
        Comparison reoffenders' mean days to the first proven reoffence.
    time_effect : float
        Treated minus comparison mean days (positive is longer, better).

    The defaults are those of :class:`Rate`, :class:`Frequency` and
    :class:`TimeToFirst`: one typical study.

    Examples
    --------
    >>> h = Headline(rate_effect=-0.04, frequency_effect=-0.2)
    >>> h.rate, h.time.rate_effect
    (Rate(base_rate=0.35, effect=-0.04), -0.04)
    >>> round(h.frequency.treated_offences_per_reoffender, 4)
    2.7419
    """

    base_rate: float = 0.35
    rate_effect: float = -0.05
    offences_per_reoffender: float = 3.0
    dispersion: float = 1.0
    frequency_effect: float = -0.15
    days_to_first: float = 140.0
    time_effect: float = 10.0

    def __post_init__(self):
        self.measures  # each measure checks its own parameters, naming them

    @property
    def rate(self) -> Rate:
        return Rate(base_rate=self.base_rate, effect=self.rate_effect)

    @property
    def frequency(self) -> Frequency:
        return Frequency(base_rate=self.base_rate, rate_effect=self.rate_effect,
                         offences_per_reoffender=self.offences_per_reoffender,
                         dispersion=self.dispersion, effect=self.frequency_effect)

    @property
    def time(self) -> TimeToFirst:
        return TimeToFirst(base_rate=self.base_rate, rate_effect=self.rate_effect,
                           days_to_first=self.days_to_first, effect=self.time_effect)

    @property
    def measures(self) -> tuple[Rate, Frequency, TimeToFirst]:
        """The three outcomes, in the order the data service reports them."""
        return self.rate, self.frequency, self.time

    @classmethod
    def of(cls, outcome) -> "Headline":
        """The headline measures of the study that ``outcome`` describes (the others'
        own parameters and effects at their defaults)."""
        if not isinstance(outcome, Outcome):
            raise InvalidInputError("outcome", f"must be an Outcome such as Rate(); got "
                                               f"{outcome!r}")
        shared = {"base_rate": outcome.base_rate,
                  "rate_effect": outcome.effect if outcome.name == "rate" else outcome.rate_effect}
        own = {name: getattr(outcome, name) for name in outcome.parameters
               if name in {f.name for f in fields(cls)} and name not in shared}
        effect = {"frequency": "frequency_effect", "time": "time_effect"}.get(outcome.name)
        if effect:
            own[effect] = outcome.effect
        return cls(**shared, **own)

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}
