"""powerplan: power and sample-size planning for matched-cohort reoffending evaluations."""

from .formulas.analytic import analytic
from .solvers.assurance import AssuranceResult, assurance
from .results.curves import MDECurve, PowerCurve
from .design.effects import Effect, from_difference, to_difference
from .engines import Simulator
from .errors import InvalidInputError, NoSolutionError, PowerplanError
from .design.funnel import Funnel, Stage
from .decisions.check import CheckSettings, PeopleCheck, check_people
from .decisions.intake import Intake
from .decisions.people import FieldCount, PeopleCounts, count_people
from .decisions.portfolio import PortfolioResult, portfolio
from .design.priors import DiscretePrior, NormalPrior, parse_prior
from .decisions.published import PublishedReview, review_published
from .results.power import PowerResult, SimulatedPowerResult, Solution
from .design.scenario import Scenario
from .simulator.engine import simulate
from .design.simulation_settings import SimulationSettings
from .solvers.solve import solve
from .solvers.sweep import mde_curve, sweep
from .decisions.tables import RequirementsTable, requirements_table
from .decisions.wait import (DataWindow, SubmissionMonth, SubmissionPlan, analysable_from,
                     submission_plan)

__version__ = "0.1.0"

__all__ = [
    "AssuranceResult", "CheckSettings", "DataWindow", "DiscretePrior", "Effect", "FieldCount",
    "Funnel", "Intake", "InvalidInputError", "MDECurve", "NoSolutionError", "NormalPrior",
    "PeopleCheck", "PeopleCounts", "PortfolioResult", "PowerCurve", "PowerResult",
    "PowerplanError", "PublishedReview", "RequirementsTable", "Scenario",
    "SimulatedPowerResult", "SimulationSettings", "Simulator", "Solution", "Stage",
    "SubmissionMonth", "SubmissionPlan", "analysable_from", "analytic", "assurance",
    "check_people", "count_people", "from_difference", "mde_curve", "parse_prior", "portfolio",
    "requirements_table", "review_published", "simulate", "solve", "submission_plan", "sweep",
    "to_difference",
]
