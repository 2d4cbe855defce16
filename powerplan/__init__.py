"""powerplan: power and sample-size planning for matched-cohort reoffending evaluations."""

from .analytic import analytic
from .assurance import AssuranceResult, assurance
from .curves import MDECurve, PowerCurve
from .effects import Effect, from_difference, to_difference
from .errors import InvalidInputError, NoSolutionError, PowerplanError
from .funnel import Funnel, Stage
from .intake import Intake
from .portfolio import PortfolioResult, portfolio
from .priors import DiscretePrior, NormalPrior, parse_prior
from .published import PublishedReview, review_published
from .results import PowerResult, SimulatedPowerResult, Solution
from .scenario import Scenario
from .simulate import simulate
from .simulation_settings import SimulationSettings
from .solve import solve
from .sweep import mde_curve, sweep
from .tables import RequirementsTable, requirements_table
from .timing import (DataWindow, SubmissionMonth, SubmissionPlan, analysable_from,
                     submission_plan)

__version__ = "0.1.0"

__all__ = [
    "AssuranceResult", "DataWindow", "DiscretePrior", "Effect", "Funnel", "Intake",
    "InvalidInputError", "MDECurve", "NoSolutionError", "NormalPrior", "PortfolioResult",
    "PowerCurve", "PowerResult", "PowerplanError", "PublishedReview", "RequirementsTable",
    "Scenario", "SimulatedPowerResult", "SimulationSettings", "Solution", "Stage",
    "SubmissionMonth", "SubmissionPlan", "analysable_from", "analytic", "assurance",
    "from_difference", "mde_curve", "parse_prior", "portfolio", "requirements_table",
    "review_published", "simulate", "solve", "submission_plan", "sweep", "to_difference",
]
