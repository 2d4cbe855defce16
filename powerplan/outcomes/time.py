"""Time to first proven reoffence: average days from the index date, among reoffenders.

One person's model, shared with the rate: a person reoffends with the
reoffending rate, and a reoffender's days to the first proven reoffence lie
in (0, 365], drawn from an exponential distribution truncated to the
follow-up year, ``density ~ exp(-lam * t)`` on (0, 365]. Its one parameter
``lam`` is set by the group's mean days (any mean in (0, 365): ``lam`` is 0
for a mean of 182.5, the uniform distribution, and negative above it), so
each group's variance follows from its mean:

    mean / T     = 1/u - 1/(e**u - 1),
    variance / T**2 = 1/u**2 - e**u / (e**u - 1)**2,      u = lam * T, T = 365.

A front-loaded distribution (means below 182.5 days) is what published
analyses show: most first reoffences come early in the year.

The data service reports the measure only when the treated group has at
least 30 reoffenders, and measures it among reoffenders only: it conditions
on reoffending, so a programme that prevents reoffending can shorten the
average time among those who still reoffend (``docs/measures.md``). Longer
is better.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import ClassVar

from .. import _validate
from ..design.settings import Setting
from ..errors import InvalidInputError
from ..limits import FOLLOW_UP_DAYS, MIN_TREATED_REOFFENDERS, TIME_METHODS
from .base import Outcome
from .frequency import check_rate_effect

_FORMS = "days, such as +20d, 20 or -10days"


def _mean_share(u: float) -> float:
    """Mean over T of the exponential with rate u/T truncated to (0, T]."""
    if abs(u) < 1e-4:
        return 0.5 - u / 12.0 + u ** 3 / 720.0
    return 1.0 / u - 1.0 / math.expm1(u)


def _variance_share(u: float) -> float:
    """Variance over T**2 of the same distribution."""
    if abs(u) < 1e-3:
        return 1.0 / 12.0 - u ** 2 / 240.0
    if u > 700:  # e**u overflows; the second term is then e**-u
        return 1.0 / u ** 2 - math.exp(-u)
    if u < -700:
        return 1.0 / u ** 2 - math.exp(u)
    e = math.expm1(u)
    return 1.0 / u ** 2 - (e + 1.0) / e ** 2


@functools.lru_cache(maxsize=4096)
def truncated_exponential(mean_days: float, follow_up: float = FOLLOW_UP_DAYS):
    """The rate ``lam`` (per day) whose exponential truncated to (0, follow_up] has this
    mean, and that distribution's variance (days squared).

    >>> lam, var = truncated_exponential(182.5)
    >>> lam, round(var, 6) == round(365 ** 2 / 12, 6)
    (0.0, True)
    >>> lam, var = truncated_exponential(140.0)
    >>> round(lam * 365, 6), round(math.sqrt(var), 2)
    (1.445189, 100.16)
    """
    share = mean_days / follow_up
    if not 0.0 < share < 1.0:
        raise InvalidInputError("days_to_first", f"must lie in (0, {follow_up:g}); "
                                                 f"got {mean_days:g}")
    if share == 0.5:
        return 0.0, follow_up ** 2 / 12.0
    # _mean_share falls from 1 to 0 as u goes from -inf to inf; bisect on u.
    low, high = -1.0, 1.0
    while _mean_share(low) < share:
        low *= 2.0
    while _mean_share(high) > share:
        high *= 2.0
    for _ in range(200):
        middle = 0.5 * (low + high)
        if _mean_share(middle) > share:
            low = middle
        else:
            high = middle
        if high - low <= 1e-15 * max(1.0, abs(middle)):
            break
    u = 0.5 * (low + high)
    return u / follow_up, _variance_share(u) * follow_up ** 2


@dataclass(frozen=True)
class TimeToFirst(Outcome):
    """Average days to the first proven reoffence, among reoffenders.

    Parameters
    ----------
    base_rate : float
        Comparison group's one-year reoffending rate, a proportion in (0, 1):
        how many of each group are reoffenders, whose days are compared.
    rate_effect : float
        Treated rate minus ``base_rate`` in the same study; the treated rate
        must stay in (0, 1). Default -0.05, the rate's default effect.
    days_to_first : float
        Comparison reoffenders' mean days to the first proven reoffence, in
        (0, 365). Default 140 (published analyses: see ``docs/measures.md``).
    effect : float
        Treated minus comparison mean days (+20 is 20 days longer, better);
        the treated mean must stay in (0, 365). Default +10.

    Examples
    --------
    >>> t = TimeToFirst()
    >>> t.treated_days, round(t.treated_rate, 12)
    (150.0, 0.3)
    >>> TimeToFirst.parse_effect("+20d"), TimeToFirst.parse_effect("-1.5 days")
    (20.0, -1.5)
    >>> TimeToFirst(effect=240)
    Traceback (most recent call last):
    ...
    powerplan.errors.InvalidInputError: effect must keep the treated mean days (140 + effect) in (0, 365), i.e. lie in (-140, 225); got 240
    """

    name: ClassVar[str] = "time"
    measure: ClassVar[str] = "time to first proven reoffence"
    unit: ClassVar[str] = "days"
    better: ClassVar[int] = 1
    parameters: ClassVar[tuple[str, ...]] = ("base_rate", "rate_effect", "days_to_first")
    methods: ClassVar[tuple[str, ...]] = TIME_METHODS
    lower_words: ClassVar[str] = "significantly shorter"
    higher_words: ClassVar[str] = "significantly longer"
    min_treated_reoffenders: ClassVar[int] = MIN_TREATED_REOFFENDERS
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting("base_rate", "base rate", "Comparison group's reoffending rate", "--base-rate",
                "percent", "a proportion in (0, 1)"),
        Setting("rate_effect", "rate effect", "Effect on the rate (percentage points)",
                "--rate-effect", "points", "a difference that keeps the treated rate in (0, 1)"),
        Setting("days_to_first", "days to first reoffence",
                "Comparison reoffenders' mean days to first reoffence", "--days-to-first",
                "number", f"a number of days in (0, {FOLLOW_UP_DAYS:g})"),
        Setting("effect", "effect", "Effect (days)", "--effect", "number",
                f"a difference that keeps the treated mean days in (0, {FOLLOW_UP_DAYS:g})"),
    )

    base_rate: float = 0.35
    rate_effect: float = -0.05
    days_to_first: float = 140.0
    effect: float = 10.0

    def __post_init__(self):
        set_ = object.__setattr__
        base_rate = _validate.proportion("base_rate", self.base_rate)
        set_(self, "base_rate", base_rate)
        set_(self, "rate_effect", check_rate_effect(base_rate, self.rate_effect))
        days = _validate.real("days_to_first", self.days_to_first)
        if not 0.0 < days < FOLLOW_UP_DAYS:
            raise InvalidInputError("days_to_first", f"must be a number of days in "
                                                     f"(0, {FOLLOW_UP_DAYS:g}); got {days:g}")
        set_(self, "days_to_first", days)
        set_(self, "effect", self.check_effect(_validate.real("effect", self.effect)))

    @classmethod
    def parse_effect(cls, text: str) -> float:
        """Days: ``+20d``, ``20``, ``-10days``."""
        cleaned = str(text).strip().lower().replace(" ", "")
        match = re.fullmatch(r"([-+]?[0-9.]+(?:e[-+]?\d+)?)(d|days?)?", cleaned)
        try:
            return float(match.group(1))
        except (AttributeError, ValueError):
            raise InvalidInputError("effect", f"of the time to first reoffence must be "
                                              f"{_FORMS}; got {text!r}") from None

    @property
    def treated_rate(self) -> float:
        """The treated group's reoffending rate: base rate + rate effect."""
        return self.base_rate + self.rate_effect

    @property
    def treated_days(self) -> float:
        return self.days_to_first + self.effect

    def moments(self, effect=None):
        """``(treated mean, comparison mean, treated variance, comparison variance)`` of the
        days among reoffenders; ``effect`` (default this one's) may be an array."""
        import numpy as np

        effect = self.effect if effect is None else effect
        treated = self.days_to_first + np.asarray(effect, dtype=float)
        variance = np.vectorize(lambda mean: truncated_exponential(float(mean))[1],
                                otypes=[float])
        comparison_var = truncated_exponential(self.days_to_first)[1]
        return treated, self.days_to_first, variance(treated)[()], comparison_var

    def effect_range(self) -> tuple[float, float]:
        """Effects keeping the treated mean days in (0, 365)."""
        return -self.days_to_first, FOLLOW_UP_DAYS - self.days_to_first

    def _range_words(self, effect: float) -> str:
        low, high = self.effect_range()
        return (f"must keep the treated mean days ({self.days_to_first:g} + effect) in "
                f"(0, {FOLLOW_UP_DAYS:g}), i.e. lie in ({low:g}, {high:g}); got {effect:g}")

    def valid_effects_words(self) -> str:
        return f"keep the treated mean days in (0, {FOLLOW_UP_DAYS:g})"

    def invalid_effect_words(self, effect: float) -> str:
        return (f"effect {effect:+g} days puts the treated mean days outside "
                f"(0, {FOLLOW_UP_DAYS:g})")

    def extreme_words(self, sign: int) -> str:
        return ("treated reoffenders reoffending at once" if sign < 0 else
                f"treated reoffenders reoffending only on day {FOLLOW_UP_DAYS:g}")

    def describe_effect(self, effect: float | None = None) -> str:
        """An effect in days with its sign: ``'+10.0 days'``."""
        return f"{(self.effect if effect is None else effect):+.1f} days"

    def values_row(self, effect: float | None = None) -> tuple[str, str]:
        effect = self.effect if effect is None else effect
        return ("days to first reoffence",
                f"{self.days_to_first:.1f} comparison, {self.days_to_first + effect:.1f} "
                f"treated ({effect:+.1f}; among reoffenders, rates {100 * self.base_rate:.1f}% "
                f"and {100 * self.treated_rate:.1f}%)")

    treated_words: ClassVar[str] = "days to first reoffence"

    def describe_treated(self, effect: float | None = None) -> str:
        return f"{self.days_to_first + (self.effect if effect is None else effect):.1f}"

    def describe_change(self, effect: float) -> str:
        return (f"{abs(effect):.1f} days ({self.days_to_first:.1f} to "
                f"{self.days_to_first + effect:.1f})")
