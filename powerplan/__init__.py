"""powerplan: power and sample-size planning for matched-cohort reoffending evaluations.

Every public name is loaded from its module when it is first used (PEP 562),
so ``import powerplan`` (and the command line's ``--help``) loads none of
numpy's, scipy's, pandas', statsmodels' or matplotlib's code until a name
that needs it is asked for. docs/architecture.md draws the layers.
"""

from __future__ import annotations

import importlib

from .errors import InvalidInputError, NoSolutionError, PowerplanError

__version__ = "0.1.0"

#: Where each public name lives, by module (relative to this package).
_PUBLIC = {
    ".design.effects": ("Effect", "from_difference", "to_difference"),
    ".design.funnel": ("Funnel", "Stage"),
    ".design.presets": ("parse_prior",),
    ".design.priors": ("DiscretePrior", "NormalPrior"),
    ".design.scenario": ("Scenario",),
    ".design.simulation_settings": ("SimulationSettings",),
    ".outcomes": ("OUTCOMES", "SETTINGS", "Frequency", "Rate", "TimeToFirst"),
    ".engines": ("Simulator", "simulate"),
    ".formulas.analytic": ("analytic",),
    ".results.power": ("PowerResult", "SimulatedPowerResult", "Solution"),
    ".results.curves": ("MDECurve", "PowerCurve", "PowerCurves"),
    ".solvers.assurance": ("AssuranceResult", "assurance"),
    ".solvers.cluster": ("dask_client",),
    ".solvers.grid": ("GridError",),
    ".solvers.progress": ("CellReport", "GridProgress", "ProgressBar"),
    ".solvers.store": ("ResultStore",),
    ".solvers.solve": ("solve",),
    ".solvers.sweep": ("mde_curve", "sweep", "sweep_by"),
    ".design.check_settings": ("CheckSettings",),
    ".decisions.check": ("PeopleCheck", "check_people"),
    ".decisions.intake": ("Intake",),
    ".decisions.people": ("FieldCount", "PeopleCounts", "count_people"),
    ".decisions.measures": ("MeasuresPlan", "compare_measures", "measures_plan"),
    ".outcomes.headline": ("Headline",),
    ".results.measures": ("MeasuresResult",),
    ".decisions.portfolio": ("PortfolioResult", "portfolio"),
    ".decisions.published": ("PublishedReview", "review_published"),
    ".decisions.tables": ("RequirementsTable", "requirements_table"),
    ".decisions.wait": ("DataWindow", "SubmissionMonth", "SubmissionPlan", "analysable_from",
                        "submission_plan"),
    ".report": ("Report", "make_report"),
}
_MODULE_OF = {name: module for module, names in _PUBLIC.items() for name in names}

__all__ = sorted(["InvalidInputError", "NoSolutionError", "PowerplanError", *_MODULE_OF])


def __getattr__(name: str):
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'powerplan' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # the next look-up is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
