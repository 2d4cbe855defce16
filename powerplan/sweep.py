"""Vary one setting of a planned study: power curves and MDE curves.

``sweep(scenario, field, values)`` computes power at each value of one
setting with :func:`dataclasses.replace`; ``mde_curve(scenario, cohorts)``
solves for the minimum detectable effect at each cohort.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable

from . import _validate
from .analytic import analytic
from .curves import FIELDS, MDECurve, PowerCurve
from .errors import InvalidInputError
from .funnel import Funnel
from .scenario import Scenario
from .solve import solve

#: Engines by name, each a function ``Scenario -> PowerResult``. The
#: simulation engine takes ``n_sims`` and ``seed`` as well; it plugs in here
#: (and in :func:`_results`, which would spread one seed over the values).
ENGINES = {"analytic": analytic}


def vary(scenario: Scenario, field: str, value) -> Scenario:
    """``scenario`` with one setting changed, validated again.

    ``retention`` replaces the funnel by a single stage keeping ``value``.

    >>> vary(Scenario(), "retention", 0.5).funnel
    Funnel(stages=(Stage(name='analysed', share=0.5),))
    """
    _validate.choice("field", field, FIELDS)
    if field == "retention":
        return scenario.replace(funnel=Funnel.single(value))
    return scenario.replace(**{field: value})


def _values(values: Iterable, name: str = "values") -> list:
    """Numbers to put into a scenario, in increasing order and distinct."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise InvalidInputError(name, f"must be a sequence of numbers; got {values!r}")
    values = list(values)
    if not values:
        raise InvalidInputError(name, "must hold at least one number; got none")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise InvalidInputError(name, f"must be numbers; got {value!r}")
    values = sorted(values)
    for before, after in zip(values, values[1:]):
        if before == after:
            raise InvalidInputError(name, f"must be distinct; got {after!r} twice")
    return values


def _results(scenarios: list[Scenario], engine: str) -> tuple:
    """The engine's result for each scenario."""
    run = ENGINES[engine]
    return tuple(run(scenario) for scenario in scenarios)


def sweep(scenario: Scenario, field: str, values: Iterable, *,
          engine: str = "analytic") -> PowerCurve:
    """Power of a planned study at several values of one setting.

    Parameters
    ----------
    scenario : Scenario
        The planned study; its own value of ``field`` is replaced.
    field : {"cohort", "effect", "retention", "base_rate", "comparison_ratio", "alpha"}
        The setting to vary. ``retention`` replaces the funnel by one stage;
        ``effect`` is a difference in proportion units and stays that
        difference when ``base_rate`` varies.
    values : sequence of numbers
        The values to try, each valid for the setting (whole numbers for
        ``cohort``); they are sorted and must be distinct.
    engine : {"analytic"}
        How power is computed at each value.

    Returns
    -------
    PowerCurve

    Raises
    ------
    InvalidInputError
        An unknown field or engine, or a value the scenario rejects (the
        message names the setting).

    Examples
    --------
    >>> from powerplan import Scenario
    >>> curve = sweep(Scenario(), "effect", [-0.10, -0.05, 0.0])
    >>> curve.power.round(3)
    array([0.665, 0.206, 0.05 ])
    >>> curve.to_frame().shape
    (3, 17)
    """
    _validate.choice("field", field, FIELDS)
    _validate.choice("engine", engine, ENGINES)
    values = _values(values)
    scenarios = [vary(scenario, field, value) for value in values]
    return PowerCurve(field, tuple(values), _results(scenarios, engine), scenario)


def mde_curve(scenario: Scenario, cohorts: Iterable[int], *, target_power: float = 0.8,
              direction: str = "reduction", engine: str = "analytic") -> MDECurve:
    """The minimum detectable effect (MDE) at each of several cohorts.

    Each MDE is ``solve(scenario.replace(cohort=c), "effect", ...)``.

    Parameters
    ----------
    scenario : Scenario
        The planned study; its cohort and effect are replaced.
    cohorts : sequence of int
        People submitted; sorted, distinct whole numbers >= 1.
    target_power : float
        Power each MDE reaches, in (alpha, 1).
    direction : {"reduction", "increase"}
        Solve for the smallest reduction (the default) or increase.
    engine : {"analytic"}
        How power is computed.

    Returns
    -------
    MDECurve

    Raises
    ------
    NoSolutionError
        At some cohort no effect reaches the target; the message names the
        cohort.

    Examples
    --------
    >>> from powerplan import Scenario
    >>> curve = mde_curve(Scenario(funnel=0.5), [200, 800], target_power=0.9)
    >>> (100 * curve.effects).round(2)
    array([-14.1 ,  -7.63])
    """
    cohorts = _values(cohorts, "cohorts")
    solutions = tuple(
        solve(vary(scenario, "cohort", cohort), "effect", target_power=target_power,
              direction=direction, engine=engine)
        for cohort in cohorts)
    return MDECurve(tuple(cohorts), solutions, solutions[0].target_power, direction, scenario)
