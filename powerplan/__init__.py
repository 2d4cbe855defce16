"""powerplan: power and sample-size planning for matched-cohort reoffending evaluations."""

from .analytic import analytic
from .effects import Effect, from_difference, to_difference
from .errors import InvalidInputError, NoSolutionError, PowerplanError
from .funnel import Funnel, Stage
from .intake import Intake
from .results import PowerResult, Solution
from .scenario import Scenario
from .solve import solve
from .timing import (DataWindow, SubmissionMonth, SubmissionPlan, analysable_from,
                     submission_plan)

__version__ = "0.1.0"

__all__ = [
    "DataWindow", "Effect", "Funnel", "Intake", "InvalidInputError", "NoSolutionError",
    "PowerResult", "PowerplanError", "Scenario", "Solution", "Stage", "SubmissionMonth",
    "SubmissionPlan", "analysable_from", "analytic", "from_difference", "solve",
    "submission_plan", "to_difference",
]
