"""Vary one setting of a planned study: power curves and MDE curves.

``sweep(scenario, field, values)`` computes power at each value of one
setting with :func:`dataclasses.replace`, analytically or by simulation;
``mde_curve(scenario, cohorts)`` solves for the minimum detectable effect at
each cohort.
"""

from __future__ import annotations

import contextlib
import numbers
from collections.abc import Iterable

import numpy as np

from .. import _validate
from ..design.scenario import Scenario, check_scenario
from ..engines import ANALYTIC, Engine, as_engine, is_analytic, refuse_unused
from ..errors import InvalidInputError
from ..results.curves import FIELDS, MDECurve, PowerCurve, PowerCurves
from .grid import Cell, cell_key, check_grid_options, run_cells
from .solve import solve

def vary(scenario: Scenario, field: str, value) -> Scenario:
    """``scenario`` with one setting changed, validated again.

    ``retention`` replaces the funnel by a single stage keeping ``value``.

    >>> vary(Scenario(), "retention", 0.5).funnel
    Funnel(stages=(Stage(name='analysed', share=0.5),))
    """
    _validate.choice("field", field, FIELDS)
    return scenario.replace(**{field: value})


def _values(values: Iterable, name: str = "values") -> list:
    """Numbers to put into a scenario, in increasing order and distinct."""
    values = _validate.sequence(name, values)
    if not values:
        raise InvalidInputError(name, "must hold at least one number; got none")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise InvalidInputError(name, f"must be numbers; got {value!r}")
    values = sorted(values)
    for before, after in zip(values, values[1:]):
        if before == after:
            shown = after.item() if isinstance(after, np.generic) else after
            raise InvalidInputError(name, f"must be distinct; got {shown} twice")
    return values


def _engine_iv(scenarios: list[Scenario], field: str, engine: Engine) -> Engine:
    """The engine ready to run every scenario: a simulator gets one seed for every
    value, and each scenario is checked before any is simulated (a pool too small
    for the largest cohort is found before the smaller ones have run)."""
    refuse_unused(engine, field)
    for scenario in scenarios:
        engine.check(scenario)
    return engine.seeded()


def _power(scenario: Scenario, *, engine: Engine):
    """One point of a sweep (a module-level function, so a Dask worker can import it)."""
    return engine.power(scenario)


def sweep(scenario: Scenario, field: str, values: Iterable, *, engine: Engine | str = ANALYTIC,
          n_sims: int | None = None, seed: int | None = None, workers: int = 1,
          progress=None, client=None, store=None) -> PowerCurve:
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
    engine : powerplan.analytic, Simulator, "analytic" or "simulate"
        How power is computed at each value: in closed form, or by a
        :class:`~powerplan.Simulator`, whose results carry a 95% Wilson
        interval and are drawn as points with error bars. ``"simulate"``
        makes one from ``n_sims``, ``seed``, ``workers`` and ``progress``.
    n_sims, seed, workers
        With ``engine="simulate"`` only: simulated studies at each value
        (default 1,000), the seed and processes. Every value is simulated
        with the same seed, None
        drawing one fresh seed for them all (``curve.results[0].seed``):
        study ``i`` at each value draws from the same random streams and the
        same comparison pool, so neighbouring values share most of their
        Monte Carlo error (common random numbers). The curve is then
        smoother, and differences between values more precise, than with a
        seed per value; each value's interval is its own, and the intervals
        are not independent of each other. So a sweep point's seed is the
        run's seed itself, not one drawn for the point as a requirement
        table's cells are.
    progress : None, True, GridProgress or function
        Simulation only. A function is given the number of studies just
        finished (``n_sims`` times the number of values in all); ``True``
        draws progress bars of values and studies; a
        :class:`~powerplan.GridProgress` is told each value as it ends (see
        :mod:`powerplan.solvers.progress`).
    client : dask.distributed.Client, optional
        Simulation only: simulate the values on its cluster, one task each,
        with results equal to a run in this process.
    store : ResultStore or path, optional
        Simulation with a fixed seed only: values found in the results
        store are read back instead of simulated, and each value simulated
        is written to it as it finishes.

    Returns
    -------
    PowerCurve

    Raises
    ------
    InvalidInputError
        An unknown field or engine, a value the scenario rejects (the
        message names the setting), a simulation setting with the analytic
        engine, or a value the simulator cannot run (checked at every value
        before any is simulated).

    Examples
    --------
    >>> from powerplan import Scenario
    >>> curve = sweep(Scenario(), "effect", [-0.10, -0.05, 0.0])
    >>> curve.power.round(3)
    array([0.65 , 0.217, 0.051])
    >>> curve.to_frame().shape
    (3, 20)

    By simulation, with one seed for every value:

    >>> from powerplan import SimulationSettings
    >>> small = Scenario(simulation=SimulationSettings(pool=5000))
    >>> simulated = sweep(small, "effect", [-0.10, 0.0], engine="simulate", n_sims=64, seed=1)
    >>> simulated.power.round(3), [result.seed for result in simulated.results]
    (array([0.688, 0.109]), [1, 1])
    """
    check_scenario(scenario)
    _validate.choice("field", field, FIELDS)
    values = _values(values)
    scenarios = [vary(scenario, field, value) for value in values]
    engine = as_engine(engine, n_sims=n_sims, seed=seed, workers=workers)
    client, store, progress = check_grid_options(engine, client, store, progress)
    engine = _engine_iv(scenarios, field, engine)
    # A store key hashes the whole scenario (a third of an analytic value's time); the
    # analytic engine runs without a store or a cluster, and the values are distinct, so
    # its cells need only keys of their own.
    keyed = not is_analytic(engine)
    cells = [Cell({field: value}, _power, (varied,), engine,
                  cell_key("sweep", {field: value}, varied, engine) if keyed else f"value {i}",
                  grid="sweep")
             for i, (value, varied) in enumerate(zip(values, scenarios))]
    with _sharing_pools(engine):
        run = run_cells(cells, client=client, store=store, progress=progress)
    run.raise_failures()
    return PowerCurve(field, tuple(values), run.answers, scenario, solver=solve)


def _sharing_pools(engine):
    """A simulator's values share one seed, so, run here, they draw their pool once
    (exact: the pool depends only on the simulation settings and the seed)."""
    if is_analytic(engine):
        return contextlib.nullcontext()
    from ..simulator.replicate import sharing_pools

    return sharing_pools()


def sweep_by(scenario: Scenario, field: str, values: Iterable, *, by: str, levels: Iterable,
             engine: Engine | str = ANALYTIC, n_sims: int | None = None,
             seed: int | None = None, workers: int = 1, progress=None) -> PowerCurves:
    """Power over one setting, one curve for each value of a second: the analyst's usual
    figure and table (power by cohort for several effects) in one call.

    Each curve is ``sweep(scenario.replace(**{by: level}), field, values, ...)``,
    with the same engine (a simulator with one seed for every curve and
    value, drawn once when it has none).

    Parameters
    ----------
    scenario : Scenario
    field : str
        The setting each curve varies (as for :func:`sweep`).
    values : sequence of numbers
        Its values.
    by : str
        The second setting, one of the same ones, other than ``field``.
    levels : sequence of numbers
        Its values, one curve each, in the order given (distinct).
    engine, n_sims, seed, workers, progress
        As for :func:`sweep`.

    Returns
    -------
    PowerCurves
        ``to_frame()`` is one tidy table; ``plot()`` one figure with a legend
        entry per level.
    """
    check_scenario(scenario)
    _validate.choice("by", by, FIELDS)
    if by == field:
        raise InvalidInputError("by", f"must be another setting than the one each curve "
                                      f"varies ({field!r})")
    levels = tuple(_validate.sequence("levels", levels))
    if not levels:
        raise InvalidInputError("levels", "must hold at least one value; got none")
    _values(levels, "levels")  # numbers, distinct
    engine = as_engine(engine, n_sims=n_sims, seed=seed, workers=workers, progress=progress)
    engine = engine.seeded()
    curves = tuple(sweep(vary(scenario, by, level), field, values, engine=engine)
                   for level in levels)
    return PowerCurves(by, levels, curves)


def mde_curve(scenario: Scenario, cohorts: Iterable[int], *, target_power: float = 0.8,
              direction: str | None = None, engine: Engine | str = ANALYTIC) -> MDECurve:
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
    direction : {"reduction", "increase"}, optional
        Solve for the smallest reduction or increase; default the measure's
        better direction (see :func:`~powerplan.solve`).
    engine : powerplan.analytic or "analytic"
        How power is computed. Not by simulation: solve one cohort at a time
        with ``solve(..., "effect", engine="simulate")``.

    Returns
    -------
    MDECurve

    Raises
    ------
    InvalidInputError
        An engine other than ``"analytic"``.
    NoSolutionError
        At some cohort no effect reaches the target; the message names the
        cohort.

    Examples
    --------
    >>> from powerplan import Scenario
    >>> curve = mde_curve(Scenario(funnel=0.5), [200, 800], target_power=0.9)
    >>> (100 * curve.effects).round(2)
    array([-14.74,  -7.77])
    """
    check_scenario(scenario)
    if not is_analytic(engine):
        raise InvalidInputError(
            "engine", f"must be 'analytic' for an MDE curve; got {engine!r} (solve one cohort "
                      f"at a time with solve(..., 'effect', engine='simulate'))")
    cohorts = _values(cohorts, "cohorts")
    solutions = tuple(
        solve(vary(scenario, "cohort", cohort), "effect", target_power=target_power,
              direction=direction)
        for cohort in cohorts)
    direction = "reduction" if solutions[0].value < 0 else "increase"
    return MDECurve(tuple(cohorts), solutions, solutions[0].target_power, direction, scenario)
