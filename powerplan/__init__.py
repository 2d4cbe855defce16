"""powerplan: power and sample-size planning for matched-cohort reoffending evaluations."""

from .analytic import analytic
from .assurance import AssuranceResult, assurance
from .curves import MDECurve, PowerCurve
from .effects import Effect, from_difference, to_difference
from .errors import InvalidInputError, NoSolutionError, PowerplanError
from .funnel import Funnel, Stage
from .portfolio import PortfolioResult, portfolio
from .priors import DiscretePrior, NormalPrior, parse_prior
from .published import PublishedReview, review_published
from .results import PowerResult, Solution
from .scenario import Scenario
from .solve import solve
from .sweep import mde_curve, sweep
from .tables import RequirementsTable, requirements_table

__version__ = "0.1.0"

__all__ = [
    "AssuranceResult", "DiscretePrior", "Effect", "Funnel", "InvalidInputError", "MDECurve",
    "NoSolutionError", "NormalPrior", "PortfolioResult", "PowerCurve", "PowerResult",
    "PowerplanError", "PublishedReview", "RequirementsTable", "Scenario", "Solution", "Stage",
    "analytic", "assurance", "from_difference", "mde_curve", "parse_prior", "portfolio",
    "requirements_table", "review_published", "solve", "sweep", "to_difference",
]
