"""Outcome measures: what a study compares between the treated and the comparison group.

An :class:`~powerplan.outcomes.base.Outcome` is a value inside the
:class:`~powerplan.Scenario`: its parameters, its effect on its own scale and
the range of valid effects, which direction is better, and its words. Each
statistical layer has one module per outcome, named after it
(``formulas/rate.py``, ``simulator/rate.py``).
"""

from ..design.settings import settings_for
from .base import BETTER, WORSE, Outcome
from .frequency import Frequency
from .rate import Rate
from .time import TimeToFirst

#: Every outcome by its name (``Outcome.name``), as settings files spell it.
OUTCOMES = {Rate.name: Rate, Frequency.name: Frequency, TimeToFirst.name: TimeToFirst}

#: The registry of settings for the default measure, the reoffending rate.
SETTINGS = settings_for(Rate)

__all__ = ["BETTER", "OUTCOMES", "SETTINGS", "WORSE", "Frequency", "Outcome", "Rate",
           "TimeToFirst", "settings_for"]
