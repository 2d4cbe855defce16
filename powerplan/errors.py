"""Exceptions raised by powerplan.

Every error carries a one-line message a user can act on. ``InvalidInputError``
also names the offending setting (``field``) separately from what it requires,
so the command line can restate the message with the option's own name.
"""

from __future__ import annotations

import re

#: A word (a run without spaces) longer than this in a message is a value echoed back ...
LONGEST_WORD = 100
#: ... and is cut to its first ``SHOWN`` characters and an ellipsis.
SHOWN = 60
#: Longest message: a bad value with spaces in it is cut too.
LONGEST_MESSAGE = 500

_LONG_WORD = re.compile(r"\S{%d,}" % (LONGEST_WORD + 1))


def shorten(message: str) -> str:
    """``message`` with any value echoed in it cut: each word of more than 100
    characters to its first 60 and an ellipsis, and the whole to 500 characters.

    >>> shorten("must be a number; got " + "9" * 5000)
    'must be a number; got 999999999999999999999999999999999999999999999999999999999999…'
    """
    message = _LONG_WORD.sub(lambda match: match.group(0)[:SHOWN] + "\u2026", message)
    if len(message) > LONGEST_MESSAGE:
        message = message[:LONGEST_MESSAGE] + "\u2026"
    return message


class PowerplanError(Exception):
    """Base class of every error powerplan raises on purpose."""


class InvalidInputError(PowerplanError, ValueError):
    """A setting is outside its allowed range.

    Attributes
    ----------
    field : str
        The setting's name as the library spells it (``"base_rate"``).
    requirement : str
        What the setting must be and what it was (``"must be a proportion in
        (0, 1); got 1.5"``).
    """

    def __init__(self, field: str, requirement: str):
        self.field = shorten(str(field))
        self.requirement = shorten(str(requirement))
        super().__init__(f"{self.field} {self.requirement}")


class NoSolutionError(PowerplanError):
    """A solver cannot reach the target; the message says why."""
