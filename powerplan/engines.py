"""Engines as values: how a planned study's power is computed.

Two engines share one shape, ``engine.power(scenario) -> PowerResult``:

``analytic`` (:data:`ANALYTIC`; the function :func:`powerplan.analytic` names it too)
    Verdict chances by formula (exact sums of the test's outcomes for small
    studies, closed forms beyond) averaged over the funnel, in milliseconds.
:class:`Simulator`
    The whole matched-cohort study simulated replicate by replicate, with its
    run settings (replicates, seed, processes, ...) validated once, where the
    simulator is made.

Solvers, sweeps, assurance, requirement tables and the submission plan take
``engine=`` as one of these values; the names ``"analytic"`` and
``"simulate"`` (with the run settings as keywords) stay as shorthand, turned
into a value by :func:`as_engine`, the one place that refuses run settings
given to the analytic engine. This module imports neither engine's insides
until one is used, so ``import powerplan`` stays light.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Callable
from typing import ClassVar

from . import _validate
from .errors import InvalidInputError
from .limits import (BLOCK, DEFAULT_CHUNK, DEFAULT_MAX_SIMS, DEFAULT_PRECISION, DEFAULT_SIMS,
                     ENGINES, MAX_SIMS, MAX_WORKERS, MIN_MAX_SIMS)

@dataclasses.dataclass(frozen=True)
class Analytic:
    """The analytic engine: power by formula, averaged over the funnel.

    >>> from powerplan import Scenario
    >>> round(ANALYTIC.power(Scenario()).power, 4)
    0.2174
    """

    name: ClassVar[str] = "analytic"
    #: Scenario settings this engine does not use (``simulation`` is only read by the simulator).
    unused_settings: ClassVar[tuple[str, ...]] = ()

    def power(self, scenario):
        """The :class:`~powerplan.PowerResult` of ``scenario``."""
        from .formulas.analytic import analytic

        return analytic(scenario)

    def check(self, scenario) -> None:
        """Nothing to check: every valid scenario has an analytic answer."""

    def seeded(self) -> "Analytic":
        """Itself: the analytic engine draws nothing."""
        return self


#: The analytic engine.
ANALYTIC = Analytic()


@dataclasses.dataclass(frozen=True)
class Simulator:
    """The simulation engine with its run settings, checked when it is made.

    Parameters
    ----------
    n_sims : int
        Replicates a power estimate runs, 1 to 10,000,000. The Monte Carlo
        standard error of power is at most ``0.5 / sqrt(n_sims)`` (1.6
        points at 1,000). Assurance shares them among its effects; a
        simulated solve chooses its own rounds (see ``max_sims``).
    seed : int or None
        Whole number >= 0; the same seed gives the same result. None draws a
        fresh one at each run (reported as ``result.seed``).
    workers : int
        Processes to run chunks of replicates in, 1 to 256; 1 runs in this process.
        No more are started than the machine has cores, and each runs on one BLAS
        thread (as the simulator does in this process, restoring the user's
        limit after): workers x BLAS threads never exceeds the cores.
    chunk_size : int or None
        Replicates handed out at a time (to a worker, and between
        ``progress`` calls), rounded up to a multiple of 16. The result does
        not depend on it. Default 64.
    progress : bool, callable or None
        ``True`` shows a progress bar (tqdm's ``auto`` bar: a widget in a
        notebook, text in a terminal) over the whole run; a function is
        called with the number of replicates just finished.
    precision : float
        For solving: stop when the 95% interval of the answer is within this
        fraction of it, in (0, 1).
    max_sims : int
        For solving: replicates the whole search may use (>= 2,000).

    Examples
    --------
    >>> Simulator(n_sims=500, seed=1)
    Simulator(n_sims=500, seed=1, workers=1, chunk_size=64, precision=0.05, max_sims=20000)
    >>> Simulator(n_sims=0)
    Traceback (most recent call last):
    ...
    powerplan.errors.InvalidInputError: n_sims must be a whole number in [1, 10,000,000]; got 0
    """

    n_sims: int = DEFAULT_SIMS
    seed: int | None = None
    workers: int = 1
    chunk_size: int | None = None
    progress: Callable[[int], None] | None = dataclasses.field(default=None, repr=False,
                                                               compare=False)
    precision: float = DEFAULT_PRECISION
    max_sims: int = DEFAULT_MAX_SIMS

    name: ClassVar[str] = "simulate"
    #: Scenario settings the simulator does not use: its comparison group comes
    #: from matching, and its test from ``scenario.simulation.test``.
    unused_settings: ClassVar[tuple[str, ...]] = ("comparison_ratio", "n_comparison", "method")

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "n_sims", _validate.integer("n_sims", self.n_sims, 1, MAX_SIMS))
        if self.seed is not None:
            set_(self, "seed", _validate.integer("seed", self.seed, 0))
        set_(self, "workers", _validate.integer("workers", self.workers, 1, MAX_WORKERS))
        chunk = DEFAULT_CHUNK if self.chunk_size is None else self.chunk_size
        chunk = _validate.integer("chunk_size", chunk, 1)
        set_(self, "chunk_size", math.ceil(chunk / BLOCK) * BLOCK)
        if not (self.progress is None or self.progress is True or callable(self.progress)):
            raise InvalidInputError("progress", f"must be True (a progress bar), a function "
                                                f"or None; got {self.progress!r}")
        set_(self, "precision", _validate.proportion("precision", self.precision))
        set_(self, "max_sims", _validate.integer("max_sims", self.max_sims, MIN_MAX_SIMS))

    def power(self, scenario):
        """The :class:`~powerplan.SimulatedPowerResult` of ``scenario``."""
        from .simulator.engine import run

        with self.reporting(self.n_sims) as simulator:
            return run(scenario, simulator)

    def check(self, scenario) -> None:
        """Refuse a scenario this simulator cannot run, before anything runs."""
        from .simulator.engine import check_scenario_runs

        check_scenario_runs(scenario)

    def seeded(self) -> "Simulator":
        """This simulator with a fixed seed (a fresh one drawn if it has none), so
        that several runs share it (common random numbers)."""
        if self.seed is not None:
            return self
        import numpy as np

        return self.replace(seed=int(np.random.SeedSequence().entropy))

    def replace(self, **changes) -> "Simulator":
        """A copy with some run settings changed (validated again)."""
        return dataclasses.replace(self, **changes)

    @contextlib.contextmanager
    def reporting(self, total: int, what: str = "simulated studies"):
        """This simulator, its ``progress=True`` turned into one bar of ``total`` studies
        for the run inside the block (other settings of ``progress`` pass through)."""
        if self.progress is not True:
            yield self
            return
        from tqdm.auto import tqdm

        with tqdm(total=total, desc=what, unit=" studies", dynamic_ncols=True) as bar:
            yield self.replace(progress=bar.update)


def simulate(scenario, *, n_sims: int = DEFAULT_SIMS, seed: int | None = None,
             workers: int = 1, chunk_size: int | None = None,
             progress: Callable[[int], None] | None = None):
    """Power of a planned study by simulating it replicate by replicate.

    The same as ``Simulator(n_sims=..., seed=..., ...).power(scenario)``
    (see :class:`powerplan.Simulator`).

    Parameters
    ----------
    scenario : Scenario
        The planned study; ``scenario.simulation`` sets the pool, covariates,
        matching and test. ``comparison_ratio``, ``n_comparison`` and
        ``method`` are not used: the comparison group comes from matching.
    n_sims : int
        Replicates to run, 1 to 10,000,000. The Monte Carlo standard error of
        power is at most ``0.5 / sqrt(n_sims)`` (1.6 points at 1,000).
    seed : int or None
        Whole number >= 0; the same seed gives the same result. None draws a
        fresh one, reported as ``result.seed``.
    workers : int
        Processes to run chunks in parallel (>= 1, at most the machine's cores
        are started); 1 runs in this process.
    chunk_size : int or None
        Replicates handed out at a time (to a worker, and between
        ``progress`` calls), rounded up to a multiple of 16 (replicates are
        computed in blocks of 16, which bounds memory whatever ``n_sims``).
        The result does not depend on it. Default 64.
    progress : bool, callable or None
        ``True`` for a progress bar; a function is called with the number of
        replicates just finished, after each chunk.

    Returns
    -------
    SimulatedPowerResult

    Raises
    ------
    InvalidInputError
        For a setting outside its range, a pool smaller than the expected
        number of treated people analysed, or a bias that takes the treated
        rate outside (0, 1).

    Examples
    --------
    >>> from powerplan import Scenario, SimulationSettings
    >>> scenario = Scenario(cohort=300, simulation=SimulationSettings(pool=5000))
    >>> result = simulate(scenario, n_sims=64, seed=1)
    >>> round(result.power, 3), round(result.mc_se, 3), result.n_sims
    (0.281, 0.056, 64)
    """
    from .design.scenario import check_scenario

    check_scenario(scenario)
    return Simulator(n_sims=n_sims, seed=seed, workers=workers, chunk_size=chunk_size,
                     progress=progress).power(scenario)


#: What ``engine=`` accepts.
Engine = Analytic | Simulator


def as_engine(engine, **run) -> Engine:
    """The engine value for ``engine`` and the run settings given beside it.

    ``engine`` is :data:`ANALYTIC` (or :func:`powerplan.analytic`, or
    ``"analytic"``), a :class:`Simulator`, or ``"simulate"``, which makes a
    :class:`Simulator` of ``run``. Run settings that are None (and one
    worker) count as not given; any other is refused with the analytic
    engine, and with a :class:`Simulator` value, which carries its own.

    >>> as_engine("simulate", n_sims=200, seed=3)
    Simulator(n_sims=200, seed=3, workers=1, chunk_size=64, precision=0.05, max_sims=20000)
    >>> as_engine("analytic", seed=3)
    Traceback (most recent call last):
    ...
    powerplan.errors.InvalidInputError: seed applies only with engine 'simulate'
    """
    given = {name: value for name, value in run.items()
             if value is not None and not (name == "workers" and isinstance(value, int)
                                           and value == 1)}
    if isinstance(engine, str):
        _validate.choice("engine", engine, ENGINES)
        if engine == "simulate":
            return Simulator(**_simulator_settings(given))
        engine = ANALYTIC
    elif engine is _analytic_function():
        engine = ANALYTIC
    if isinstance(engine, Analytic):
        if given:
            raise InvalidInputError(sorted(given)[0], "applies only with engine 'simulate'")
        return engine
    if isinstance(engine, Simulator):
        if given:
            raise InvalidInputError(sorted(given)[0], "is a setting of the Simulator given as "
                                                      "engine; set it there")
        return engine
    raise InvalidInputError("engine", f"must be 'analytic', 'simulate', powerplan.analytic or a "
                                      f"powerplan.Simulator; got {engine!r}")


def _simulator_settings(given: dict) -> dict:
    fields = {f.name for f in dataclasses.fields(Simulator)}
    unknown = sorted(set(given) - fields)
    if unknown:
        raise InvalidInputError(unknown[0], f"is not a setting of the simulator; it takes "
                                            f"{', '.join(sorted(fields))}")
    return given


def is_analytic(engine) -> bool:
    """Whether ``engine`` names the analytic engine (its value, function or name)."""
    return (isinstance(engine, Analytic) or (isinstance(engine, str) and engine == "analytic")
            or engine is _analytic_function())


def _analytic_function():
    from .formulas.analytic import analytic

    return analytic


def refuse_unused(engine: Engine, field: str) -> None:
    """Refuse to vary ``field`` with an engine that does not use it (the simulator's
    comparison group comes from matching, so it has no comparison ratio)."""
    if field in engine.unused_settings:
        raise InvalidInputError("field", f"{field} is not used by the simulator (its comparison "
                                         f"group comes from matching); vary it with the "
                                         f"analytic engine")
