"""Exceptions raised by powerplan.

Every error carries a one-line message a user can act on. ``InvalidInputError``
also names the offending setting (``field``) separately from what it requires,
so the command line can restate the message with the option's own name.
"""

from __future__ import annotations


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
        self.field = field
        self.requirement = requirement
        super().__init__(f"{field} {requirement}")


class NoSolutionError(PowerplanError):
    """A solver cannot reach the target; the message says why."""
