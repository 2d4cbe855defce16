"""powerplan: power and sample-size planning for matched-cohort reoffending evaluations."""

from .analytic import analytic
from .curves import MDECurve, PowerCurve
from .effects import Effect, from_difference, to_difference
from .errors import InvalidInputError, NoSolutionError, PowerplanError
from .funnel import Funnel, Stage
from .results import PowerResult, Solution
from .scenario import Scenario
from .solve import solve
from .sweep import mde_curve, sweep

__version__ = "0.1.0"

__all__ = [
    "Effect", "Funnel", "InvalidInputError", "MDECurve", "NoSolutionError", "PowerCurve",
    "PowerResult", "PowerplanError", "Scenario", "Solution", "Stage", "analytic",
    "from_difference", "mde_curve", "solve", "sweep", "to_difference",
]
