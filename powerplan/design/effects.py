"""Effects on several scales, and the one conversion between them.

powerplan works internally with the *difference*: treated rate minus
comparison rate, in proportion units (-0.05 is a 5-point reduction). People
also state effects in percentage points, as a relative risk (treated rate /
comparison rate) or as an odds ratio. Those depend on the base rate, so they
are converted at it by :func:`to_difference`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import _validate
from ..errors import InvalidInputError

SCALES = ("difference", "points", "relative-risk", "odds-ratio")

_FORMS = (
    "a difference in proportion units (-0.05), points (-5pp), "
    "a relative risk (rr=0.9) or an odds ratio (or=0.8)"
)


def to_difference(value: float, scale: str, base_rate: float) -> float:
    """Convert an effect to the difference treated rate minus comparison rate.

    Parameters
    ----------
    value : float
        The effect on its own scale.
    scale : {"difference", "points", "relative-risk", "odds-ratio"}
        ``difference`` is in proportion units (-0.05), ``points`` in
        percentage points (-5), ``relative-risk`` is treated rate / comparison
        rate (0.9), ``odds-ratio`` is treated odds / comparison odds (0.8).
    base_rate : float
        Comparison group's rate, a proportion in (0, 1).

    Returns
    -------
    float
        The difference in proportion units.

    Examples
    --------
    >>> round(to_difference(0.9, "relative-risk", 0.35), 6)
    -0.035
    >>> round(to_difference(-5, "points", 0.35), 6)
    -0.05
    >>> p1 = 0.35 + to_difference(0.8, "odds-ratio", 0.35)
    >>> round((p1 / (1 - p1)) / (0.35 / 0.65), 12)
    0.8
    """
    _validate.choice("scale", scale, SCALES)
    base_rate = _validate.proportion("base_rate", base_rate)
    if scale == "difference":
        return _validate.real("effect", value)
    if scale == "points":
        return _validate.real("effect", value) / 100.0
    if scale == "relative-risk":
        ratio = _validate.positive("relative risk", value)
        return base_rate * (ratio - 1.0)
    odds = _validate.positive("odds ratio", value) * base_rate / (1.0 - base_rate)
    return odds / (1.0 + odds) - base_rate


def from_difference(difference: float, scale: str, base_rate: float) -> float:
    """The inverse of :func:`to_difference`: a difference on another scale.

    >>> round(from_difference(-0.035, "relative-risk", 0.35), 12)
    0.9
    """
    _validate.choice("scale", scale, SCALES)
    base_rate = _validate.proportion("base_rate", base_rate)
    difference = _validate.real("difference", difference)
    treated = base_rate + difference
    if not 0.0 < treated < 1.0:
        raise InvalidInputError("difference", f"must keep the treated rate (base rate "
                                              f"{base_rate:g} + difference) in (0, 1), i.e. lie "
                                              f"in ({-base_rate:g}, {1 - base_rate:g}); got "
                                              f"{difference:g}")
    if scale == "difference":
        return difference
    if scale == "points":
        return 100.0 * difference
    if scale == "relative-risk":
        return treated / base_rate
    return (treated / (1.0 - treated)) / (base_rate / (1.0 - base_rate))


@dataclass(frozen=True)
class Effect:
    """An effect stated on any scale; :class:`~powerplan.Scenario` converts it.

    >>> Effect.parse("rr=0.9")
    Effect(value=0.9, scale='relative-risk')
    >>> Effect.parse("-5pp").difference(0.35)
    -0.05
    """

    value: float
    scale: str = "difference"

    def __post_init__(self):
        _validate.choice("scale", self.scale, SCALES)
        object.__setattr__(self, "value", _validate.real("effect", self.value))

    def difference(self, base_rate: float) -> float:
        """The difference in proportion units at ``base_rate``."""
        return to_difference(self.value, self.scale, base_rate)

    @classmethod
    def parse(cls, text: str) -> "Effect":
        """Read ``-0.05``, ``-5pp``, ``rr=0.9`` or ``or=0.8``."""
        cleaned = str(text).strip().lower().replace(" ", "")
        match = re.fullmatch(r"(rr|or)=(.+)", cleaned)
        if match:
            scale = "relative-risk" if match.group(1) == "rr" else "odds-ratio"
            number = match.group(2)
        elif cleaned.endswith(("pp", "points")):
            scale, number = "points", cleaned.removesuffix("points").removesuffix("pp")
        else:
            scale, number = "difference", cleaned
        try:
            value = float(number)
        except ValueError:
            raise InvalidInputError("effect", f"must be {_FORMS}; got {text!r}") from None
        if scale in ("relative-risk", "odds-ratio") and not value > 0:
            raise InvalidInputError("effect", f"{match.group(1)}= must be a ratio > 0; got {text!r}")
        if scale == "difference" and not -1.0 < value < 1.0:
            raise InvalidInputError(
                "effect",
                f"must be a difference in (-1, 1) in proportion units, or points "
                f"such as -5pp; got {text!r}",
            )
        return cls(value, scale)
