"""Input checks shared by the library and the command line.

Each checker returns the cleaned value or raises ``InvalidInputError`` whose
message names the field and its allowed range. The command line calls these
same functions, so a message is written once.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

from .errors import InvalidInputError


def _number(field: str, value, allowed: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidInputError(field, f"must be {allowed}; got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise InvalidInputError(field, f"must be {allowed}; got {value}")
    return value


def proportion(field: str, value) -> float:
    """A proportion strictly inside (0, 1), such as a reoffending rate."""
    allowed = "a proportion in (0, 1)"
    value = _number(field, value, allowed)
    if not 0.0 < value < 1.0:
        raise InvalidInputError(field, f"must be {allowed}; got {value:g}")
    return value


def share(field: str, value) -> float:
    """A share of people kept, in (0, 1]."""
    allowed = "a share in (0, 1]"
    value = _number(field, value, allowed)
    if not 0.0 < value <= 1.0:
        raise InvalidInputError(field, f"must be {allowed}; got {value:g}")
    return value


def positive(field: str, value) -> float:
    """A finite number greater than 0."""
    allowed = "a number > 0"
    value = _number(field, value, allowed)
    if value <= 0.0:
        raise InvalidInputError(field, f"must be {allowed}; got {value:g}")
    return value


def non_negative(field: str, value) -> float:
    """A finite number greater than or equal to 0."""
    allowed = "a number >= 0"
    value = _number(field, value, allowed)
    if value < 0.0:
        raise InvalidInputError(field, f"must be {allowed}; got {value:g}")
    return value


def _bound(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


def between(field: str, value, low: float, high: float) -> float:
    """A finite number in [low, high]."""
    allowed = f"a number in [{_bound(low)}, {_bound(high)}]"
    value = _number(field, value, allowed)
    if not low <= value <= high:
        raise InvalidInputError(field, f"must be {allowed}; got {value:g}")
    return value


def up_to(field: str, value, high: float, what: str = "a number") -> float:
    """A finite number in (0, high]: ``what`` names it in the message."""
    allowed = f"{what} in (0, {_bound(high)}]"
    value = _number(field, value, allowed)
    if not 0.0 < value <= high:
        raise InvalidInputError(field, f"must be {allowed}; got {value:g}")
    return value


def real(field: str, value) -> float:
    """Any finite number."""
    return _number(field, value, "a finite number")


def integer(field: str, value, minimum: int, maximum: int | None = None) -> int:
    """A whole number in [minimum, maximum]."""
    if maximum is None:
        allowed = f"a whole number >= {minimum:,}"
    else:
        allowed = f"a whole number in [{minimum:,}, {maximum:,}]"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidInputError(field, f"must be {allowed}; got {value!r}")
    value = int(value)
    if value < minimum or (maximum is not None and value > maximum):
        raise InvalidInputError(field, f"must be {allowed}; got {value:,}")
    return value


def flag(field: str, value) -> bool:
    """True or False (not 0/1 or text, which are easy to get wrong in a config file)."""
    if not isinstance(value, bool):
        raise InvalidInputError(field, f"must be true or false; got {value!r}")
    return value


def sequence(field: str, values, of: str = "numbers") -> list:
    """A list, tuple or other iterable (not text, and not a single value), as a list."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable) or \
            getattr(values, "ndim", 1) == 0:  # a numpy array of one value, not a sequence
        raise InvalidInputError(field, f"must be a sequence of {of}; got {shown(values)}")
    return list(values)


def shown(value) -> str:
    """``repr(value)``, cut to its first 60 characters and an ellipsis if longer."""
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "\u2026"


def choice(field: str, value, choices: Iterable[str]) -> str:
    """One of a fixed set of names (text: a numpy array holding one is not one)."""
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise InvalidInputError(field, f"must be one of {listed}; got {shown(value)}")
    return value
