"""powerplan: power and sample-size planning for matched-cohort reoffending evaluations."""

from .analytic import analytic
from .effects import Effect, from_difference, to_difference
from .errors import InvalidInputError, NoSolutionError, PowerplanError
from .funnel import Funnel, Stage
from .results import PowerResult, SimulatedPowerResult, Solution
from .scenario import Scenario
from .simulate import simulate
from .simulation_settings import SimulationSettings
from .solve import solve

__version__ = "0.1.0"

__all__ = [
    "Effect", "Funnel", "InvalidInputError", "NoSolutionError", "PowerResult",
    "PowerplanError", "Scenario", "SimulatedPowerResult", "SimulationSettings", "Solution",
    "Stage", "analytic", "from_difference", "simulate", "solve", "to_difference",
]
