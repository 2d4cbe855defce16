"""Every public function and class of powerplan, called with arguments it does not expect,
raises powerplan's own errors (an InvalidInputError naming the argument, or a
NoSolutionError), never a TypeError, ValueError or ZeroDivisionError from deep inside.

Arguments are drawn, per parameter, from values of the wrong kind (None, text, NaN, a
numpy array where one value is meant, a huge number, ...) and from values a caller
might pass (a scenario, a prior, a list of cohorts), so that a call gets past its first
check as often as it fails it.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import powerplan
from powerplan.errors import InvalidInputError, PowerplanError

#: Results and errors the library builds (a caller receives them, never makes them); and
#: dask_client, which starts a cluster.
BUILT_BY_THE_LIBRARY = {
    "PowerResult", "SimulatedPowerResult", "Solution", "MDECurve", "PowerCurve",
    "PowerCurves", "AssuranceResult", "MeasuresResult", "PortfolioResult", "PublishedReview",
    "RequirementsTable", "PeopleCheck", "PeopleCounts", "FieldCount", "SubmissionMonth",
    "SubmissionPlan", "MeasuresPlan", "CellReport", "GridError", "dask_client"}

WRONG = [None, -1, 0, 0.5, 2, "x", "", float("nan"), float("inf"), -float("inf"), True, [],
         [1, 2], {"a": 1}, np.array([1.0, 2.0]), np.array(["a"]), np.array(0.3),
         np.float64(0.3), np.int64(3), object(), "a" * 5000, (1,), 1e300, -1e300, b"x"]
SMALL = powerplan.Scenario(cohort=60, simulation=powerplan.SimulationSettings(pool=200, k=2))
PLAUSIBLE = [
    powerplan.Scenario(), SMALL, powerplan.NormalPrior.points(-4, 3),
    powerplan.DiscretePrior.points([0, -5], [1, 1]), powerplan.analytic, "analytic", "cohort",
    "effect", "retention", "rate", "frequency", "time", "reduction", "increase", "2024-01",
    "2024-01-15", 100, 0.05, 0.8, -0.05, [100, 200], [0.2, 0.4], np.array([100, 200]),
    {"found": 0.5}, powerplan.Rate(), powerplan.Frequency(), powerplan.Funnel.single(0.5),
    {"cohort": 100}, [("2024-01-01", 5)], powerplan.Intake.monthly(20, "2024-01"),
    powerplan.Effect(-0.05), "normal:-4,3"]
#: Run settings get small values: a simulation of the default 1,000 studies is slow.
RUN = {"n_sims": [2, 4, 0, -1, "x", np.array([2, 3]), 2.5, None],
       "max_sims": [2000, 1, "x", None], "workers": [1, 0, "x", np.array([1, 2]), None],
       "engine": [powerplan.analytic, "analytic", "x", 0, None, np.array(["analytic"])]}


def targets():
    """(name, callable) for each public function and class, and each class's public
    class and static methods."""
    found = []
    for names in powerplan._PUBLIC.values():
        for name in names:
            value = getattr(powerplan, name)
            if name in BUILT_BY_THE_LIBRARY or not callable(value):
                continue
            found.append((name, value))
            if inspect.isclass(value):
                found += [(f"{name}.{method}", getattr(value, method))
                          for method, member in vars(value).items()
                          if isinstance(member, (classmethod, staticmethod))
                          and not method.startswith("_")]
    return found


TARGETS = targets()


def test_every_public_name_is_fuzzed_or_said_to_be_built_by_the_library():
    fuzzed = {name.split(".")[0] for name, _ in TARGETS}
    public = {name for names in powerplan._PUBLIC.values() for name in names
              if callable(getattr(powerplan, name))}
    assert public - fuzzed <= BUILT_BY_THE_LIBRARY
    assert len(TARGETS) > 40


def value_for(name: str):
    if name in RUN:
        return st.sampled_from(RUN[name])
    return st.one_of(st.sampled_from(WRONG), st.sampled_from(PLAUSIBLE))


@st.composite
def arguments(draw, function):
    """Keyword arguments for ``function``: every required parameter and some others."""
    chosen = {}
    for parameter in inspect.signature(function).parameters.values():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if parameter.default is parameter.empty or draw(st.booleans()) or \
                parameter.name == "n_sims":
            chosen[parameter.name] = draw(value_for(parameter.name))
    return chosen


@pytest.mark.parametrize("name, function", TARGETS, ids=[name for name, _ in TARGETS])
def test_bad_arguments_raise_powerplans_own_errors(name, function, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a store or a file named by a drawn text lands here

    @settings(max_examples=40, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(arguments(function))
    def call(kwargs):
        try:
            function(**kwargs)
        except PowerplanError as error:
            if isinstance(error, InvalidInputError):
                assert error.field and error.requirement
                assert len(str(error)) <= 600  # a value echoed in full is cut
        # anything else is a bug: hypothesis reports the arguments

    call()


def _instances():
    """A value of each kind a caller holds, built by the library's own functions."""
    scenario = powerplan.Scenario()
    return {
        "Scenario": scenario, "Funnel": powerplan.Funnel.from_shares({"found": 0.8}),
        "Intake": powerplan.Intake.monthly(20, "2024-01"),
        "NormalPrior": powerplan.NormalPrior.points(-4, 3),
        "DiscretePrior": powerplan.DiscretePrior.points([0, -5], [1, 1]),
        "Simulator": powerplan.Simulator(n_sims=4, seed=1), "Effect": powerplan.Effect(-0.05),
        "SimulationSettings": powerplan.SimulationSettings(),
        "PowerResult": powerplan.analytic(scenario),
        "Solution": powerplan.solve(scenario, "cohort"),
        "PowerCurve": powerplan.sweep(scenario, "cohort", [100, 200, 400]),
        "MDECurve": powerplan.mde_curve(scenario, [200, 400]),
        "AssuranceResult": powerplan.assurance(scenario, powerplan.NormalPrior.points(-4, 3)),
        "PortfolioResult": powerplan.portfolio([scenario, scenario.replace(cohort=900)]),
        "PublishedReview": powerplan.review_published(114, 0.25, 0.28),
    }


#: Methods not fuzzed: drawing (matplotlib, slow; tests/test_plotting.py checks its
#: arguments), and the plumbing the formulas call in their inner loops with numpy arrays,
#: unchecked for speed (an outcome's effect helpers, a prior's quadrature nodes, the
#: comparison size of an array of treated counts).
NOT_FUZZED_METHODS = {"plot", "comparison_size", "nodes", "few_nodes", "mass"}


def _methods():
    found = []
    for kind, value in _instances().items():
        for name in dir(value):
            member = getattr(type(value), name, None)
            if name.startswith("_") or name in NOT_FUZZED_METHODS or \
                    not inspect.isfunction(member):
                continue
            found.append((f"{kind}.{name}", getattr(value, name)))
    return found


METHODS = _methods()


@pytest.mark.parametrize("name, method", METHODS, ids=[name for name, _ in METHODS])
def test_bad_arguments_to_methods_raise_powerplans_own_errors(name, method, tmp_path,
                                                              monkeypatch):
    test_bad_arguments_raise_powerplans_own_errors(name, method, tmp_path, monkeypatch)
