"""Outcome measures: what a study compares between the treated and the comparison group.

An :class:`~powerplan.outcomes.base.Outcome` is a value inside the
:class:`~powerplan.Scenario`: its parameters, its effect on its own scale and
the range of valid effects, which direction is better, and its words. Each
statistical layer has one module per outcome, named after it
(``formulas/rate.py``, ``simulator/rate.py``).
"""

from .base import BETTER, WORSE, Outcome
from .rate import Rate

#: Every outcome by its name (``Outcome.name``), as settings files spell it.
OUTCOMES = {Rate.name: Rate}

__all__ = ["BETTER", "OUTCOMES", "WORSE", "Outcome", "Rate"]
