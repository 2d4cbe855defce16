"""Results of varying one setting: power curves and minimum detectable effects.

:func:`powerplan.sweep` returns a :class:`PowerCurve`, :func:`powerplan.mde_curve`
an :class:`MDECurve`. Like every result they print themselves, convert to
dicts and DataFrames, and draw themselves through :mod:`powerplan.plotting`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pandas as pd

from .. import _format, _validate
from .power import PowerResult, Solution, _plain
from ..design.scenario import Scenario
from ..design.settings import settings_for
# Settings a power curve can vary, as Scenario spells them.
from ..errors import InvalidInputError
from ..limits import FIELDS, UNKNOWNS
from .display import Displays


#: Column headings of the printed verdict probabilities.
_VERDICTS = (("power", "power"), ("significant reduction", "p_significant_reduction"),
             ("inconclusive", "p_inconclusive"),
             ("significant increase", "p_significant_increase"))


def _verdict_columns(outcome) -> tuple:
    """The verdict columns of a printed curve, in the measure's words (the rate's are
    :data:`_VERDICTS`), with "not reported" for a measure with a reporting gate."""
    columns = ((_VERDICTS[0], (outcome.lower_words, _VERDICTS[1][1]), _VERDICTS[2],
                (outcome.higher_words, _VERDICTS[3][1])))
    if outcome.min_treated_reoffenders:
        columns += (("not reported", "p_not_reported"),)
    return columns


def _spread(record: dict) -> dict:
    """``record`` with each table in it spread into columns named ``table.key``."""
    spread = {}
    for key, value in record.items():
        if isinstance(value, dict):
            spread.update({f"{key}.{name}": item for name, item in value.items()})
        else:
            spread[key] = value
    return spread


@dataclasses.dataclass(frozen=True, repr=False)
class PowerCurve(Displays):
    """Power of a planned study as one setting takes several values.

    Attributes
    ----------
    field : str
        The setting varied: one of ``FIELDS``.
    values : tuple
        Its values, in increasing order (effects in proportion units).
    results : tuple of PowerResult
        The result at each value, from the engine named in ``engine``. A
        result that carries a Monte Carlo interval (``ci_low``, ``ci_high``,
        as a :class:`~powerplan.SimulatedPowerResult` does) is drawn as a
        point with an error bar and printed with its interval.
    scenario : Scenario
        The planned study the values were put into.

    Examples
    --------
    >>> from powerplan import Scenario, sweep
    >>> curve = sweep(Scenario(), "cohort", [300, 1000, 2000])
    >>> curve.power.round(3)
    array([0.217, 0.543, 0.827])
    >>> print(curve)
    Power against people submitted (analytic; welch test, two-sided, alpha 0.05)
      40% analysed, base rate 35%, effect -5.0 points, 10 comparison records each
      people submitted  power  significant reduction  inconclusive  significant increase
                   300  21.7%                  21.7%         78.3%                  0.1%
                 1,000  54.3%                  54.3%         45.7%                 <0.1%
                 2,000  82.7%                  82.7%         17.3%                 <0.1%
    """

    field: str
    values: tuple
    results: tuple[PowerResult, ...] = dataclasses.field(repr=False)
    scenario: Scenario = dataclasses.field(repr=False, compare=False)
    #: The solver :meth:`solve` asks (:func:`powerplan.sweep` gives its curves
    #: :func:`powerplan.solve`): the curve holds it rather than importing the
    #: solvers, which build results and so stand above them.
    solver: Callable | None = dataclasses.field(default=None, repr=False, compare=False)

    def __post_init__(self):
        _validate.choice("field", self.field, FIELDS)
        values = tuple(_plain(v) for v in self.values)
        results = tuple(self.results)
        if not values or len(values) != len(results):
            raise ValueError(f"a power curve needs one result per value; got {len(values)} "
                             f"values and {len(results)} results")
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "results", results)

    def _column(self, name: str) -> np.ndarray:
        return np.array([getattr(result, name) for result in self.results], dtype=float)

    @property
    def power(self) -> np.ndarray:
        """Chance of a significant result at each value."""
        return self._column("power")

    @property
    def p_significant_reduction(self) -> np.ndarray:
        """Chance of the verdict "significant reduction" at each value."""
        return self._column("p_significant_reduction")

    @property
    def p_inconclusive(self) -> np.ndarray:
        """Chance of the verdict "inconclusive" at each value."""
        return self._column("p_inconclusive")

    @property
    def p_significant_increase(self) -> np.ndarray:
        """Chance of the verdict "significant increase" at each value."""
        return self._column("p_significant_increase")

    @property
    def engine(self) -> str:
        """How the results were computed (``"analytic"``, ...)."""
        return self.results[0].engine

    @property
    def has_intervals(self) -> bool:
        """Whether every result carries a Monte Carlo interval (``ci_low``, ``ci_high``)."""
        return all(hasattr(r, "ci_low") and hasattr(r, "ci_high") for r in self.results)

    def varies(self, scenario: Scenario) -> bool:
        """Whether ``scenario`` is the planned study this curve varies, whatever its
        own value of the curve's setting.

        A solution's scenario carries its answer in that setting, so this is
        how a figure checks that a solution belongs to the curve.

        >>> from powerplan import Scenario, sweep
        >>> curve = sweep(Scenario(), "cohort", [1000, 2000])
        >>> curve.varies(Scenario(cohort=1829)), curve.varies(Scenario(base_rate=0.4))
        (True, False)
        """
        if not isinstance(scenario, Scenario):
            raise InvalidInputError("scenario", f"must be a Scenario; got {scenario!r}")
        # Put one value of the setting into both, so only the other settings compare.
        probe = {self.field: self.values[0]}
        return scenario.replace(**probe) == self.scenario.replace(**probe)

    def solve(self, target_power: float = 0.8, *, direction: str | None = None) -> Solution:
        """Where the curve's setting reaches ``target_power``, by :func:`powerplan.solve`
        (the curve's ``solver``).

        The minimum cohort, the minimum detectable effect or the retention
        needed, for the scenario the curve varies; ``direction`` is passed on
        for an effect. Only curves over cohort, effect or retention have one.
        The answer is analytic whatever the curve's engine (solving by
        simulation takes its own budget: ``solve(..., engine="simulate")``).

        >>> from powerplan import Scenario, sweep
        >>> sweep(Scenario(), "cohort", [1000, 2000]).solve(0.8).value
        1860
        """
        _validate.choice("field", self.field, UNKNOWNS)
        if self.solver is None:
            raise InvalidInputError("solver", "this curve was not made by powerplan.sweep; "
                                              "solve its scenario with powerplan.solve")
        return self.solver(self.scenario, self.field, target_power=target_power,
                           direction=direction)

    def to_dict(self) -> dict:
        """The setting varied, its values and each result, as plain values (JSON-ready)."""
        return {"field": self.field, "values": list(self.values), "engine": self.engine,
                "results": [result.to_dict() for result in self.results],
                "scenario": self.scenario.to_dict()}

    def to_frame(self) -> pd.DataFrame:
        """One row per value: the value, then every column of ``PowerResult.to_dict()``.

        A simulated result's tables are spread into columns as
        :meth:`SimulatedPowerResult.to_frame` spreads them
        (``mean_funnel.analysed``, ``unanalysable_reasons.<reason>``); a
        reason that did not occur at a value counts 0 there.
        """
        frame = pd.DataFrame([_spread({self.field: value} | result.to_dict())
                              for value, result in zip(self.values, self.results)])
        counts = [name for name in frame.columns if name.startswith("unanalysable_reasons.")]
        frame[counts] = frame[counts].fillna(0).astype(int)
        return frame

    def _headline(self) -> str:
        setting = settings_for(self.scenario.outcome)[self.field]
        pairs = [f"{setting.format(v)}: {_format.percent(r.power)}"
                 for v, r in zip(self.values, self.results)]
        if len(pairs) > 6:
            pairs = [*pairs[:3], "...", *pairs[-2:]]
        return f"power by {setting.words} ({self.engine}): " + ", ".join(pairs)

    def __str__(self) -> str:
        s = self.scenario
        setting = settings_for(s.outcome)[self.field]
        label = setting.words
        simulated = self.engine == "simulate"
        test = s.simulation.test if simulated else s.method
        alpha = "" if self.field == "alpha" else f", alpha {s.alpha:g}"
        head = f"Power against {label} ({self.engine}; {test} test, {s.alternative}{alpha})"
        fixed = ", ".join(_format.scenario_phrases(s, omit=(self.field, "test"),
                                                   simulated=simulated))
        lines = [head, f"  {fixed}"]
        if simulated:
            first = self.results[0]
            lines.append(f"  {first.n_sims:,} simulated studies at each value, seed "
                         f"{first.seed} (the same at every value)")
        verdicts = _verdict_columns(s.outcome)
        header = [label] + [heading for heading, _ in verdicts]
        rows = [[setting.format(value)]
                + [_format.percent(getattr(result, name)) for _, name in verdicts]
                for value, result in zip(self.values, self.results)]
        if self.has_intervals:
            header.insert(2, "95% interval")
            for row, result in zip(rows, self.results):
                row.insert(2, f"{_format.percent(result.ci_low)} to "
                              f"{_format.percent(result.ci_high)}")
        return "\n".join(lines) + "\n" + _format.columns(header, rows)

    def plot(self, ax=None, **options):
        """Draw power against the setting; see :func:`powerplan.plotting.plot_power_curve`."""
        from ..plotting import plot_power_curve

        return plot_power_curve(self, ax=ax, **options)


@dataclasses.dataclass(frozen=True, repr=False)
class MDECurve(Displays):
    """The minimum detectable effect (MDE) at each of several cohorts.

    Attributes
    ----------
    cohorts : tuple of int
        People submitted, in increasing order.
    solutions : tuple of Solution
        :func:`powerplan.solve` for ``"effect"`` at each cohort.
    target_power : float
        The power each MDE reaches.
    direction : {"reduction", "increase"}
        Whether the MDEs are reductions (negative effects) or increases.
    scenario : Scenario
        The planned study the cohorts were put into.

    Examples
    --------
    >>> from powerplan import Scenario, mde_curve
    >>> curve = mde_curve(Scenario(), [500, 2000])
    >>> (100 * curve.effects).round(1)
    array([-9.4, -4.8])
    >>> print(curve)
    Minimum detectable reduction with 80% power (analytic; welch test, two-sided, alpha 0.05)
      40% analysed, base rate 35%, 10 comparison records each
      people submitted  expected analysed  minimum detectable effect  treated rate
                   500                200                -9.4 points         25.6%
                 2,000                800                -4.8 points         30.2%
    """

    cohorts: tuple[int, ...]
    solutions: tuple[Solution, ...] = dataclasses.field(repr=False)
    target_power: float
    direction: str
    scenario: Scenario = dataclasses.field(repr=False, compare=False)

    def __post_init__(self):
        cohorts = tuple(_plain(c) for c in self.cohorts)
        solutions = tuple(self.solutions)
        if not cohorts or len(cohorts) != len(solutions):
            raise ValueError(f"an MDE curve needs one solution per cohort; got {len(cohorts)} "
                             f"cohorts and {len(solutions)} solutions")
        object.__setattr__(self, "cohorts", cohorts)
        object.__setattr__(self, "solutions", solutions)

    @property
    def effects(self) -> np.ndarray:
        """The minimum detectable effect at each cohort (proportion units, signed)."""
        return np.array([solution.value for solution in self.solutions], dtype=float)

    @property
    def engine(self) -> str:
        return self.solutions[0].result.engine

    def to_dict(self) -> dict:
        """Cohorts, target and each solution, as plain values (JSON-ready)."""
        return {"cohorts": list(self.cohorts), "target_power": self.target_power,
                "direction": self.direction,
                "solutions": [solution.to_dict() for solution in self.solutions],
                "scenario": self.scenario.to_dict()}

    def to_frame(self) -> pd.DataFrame:
        """One row per cohort: every column of ``Solution.to_frame()``."""
        return pd.concat([solution.to_frame() for solution in self.solutions], ignore_index=True)

    def _headline(self) -> str:
        pairs = [f"{_format.people(c)}: {_format.points(s.value)}"
                 for c, s in zip(self.cohorts, self.solutions)]
        if len(pairs) > 6:
            pairs = [*pairs[:3], "...", *pairs[-2:]]
        return (f"minimum detectable {self.direction} with "
                f"{_format.percent(self.target_power, 0)} power by people submitted: "
                + ", ".join(pairs))

    def __str__(self) -> str:
        s = self.scenario
        head = (f"Minimum detectable {self.direction} with "
                f"{_format.percent(self.target_power, 0)} power ({self.engine}; {s.method} test, "
                f"{s.alternative}, alpha {s.alpha:g})")
        fixed = ", ".join(_format.scenario_phrases(s, omit=("cohort", "effect", "test")))
        outcome = s.outcome
        rows = [[_format.people(c), f"{sol.n_treated:,.0f}", outcome.describe_effect(sol.value),
                 outcome.describe_treated(sol.value)]
                for c, sol in zip(self.cohorts, self.solutions)]
        header = ["people submitted", "expected analysed", "minimum detectable effect",
                  f"treated {outcome.treated_words}"]
        return f"{head}\n  {fixed}\n{_format.columns(header, rows)}"

    def plot(self, ax=None, **options):
        """Draw the MDE against cohort; see :func:`powerplan.plotting.plot_mde_curve`."""
        from ..plotting import plot_mde_curve

        return plot_mde_curve(self, ax=ax, **options)


@dataclasses.dataclass(frozen=True, repr=False)
class PowerCurves(Displays):
    """Power curves over one setting, one curve for each value of a second setting:
    the analyst's usual figure (power by cohort for several effects).

    Made by :func:`powerplan.sweep_by`. ``to_frame()`` is one tidy table (a
    column for the second setting, then a curve's columns); ``plot()`` draws
    every curve on one figure, each labelled by its value, under one title
    that states what they share.

    Attributes
    ----------
    by : str
        The second setting: one curve for each of its ``levels``.
    levels : tuple
        Its values, in the order given.
    curves : tuple of PowerCurve
        One curve per level, each over the same values of the first setting.

    Examples
    --------
    >>> from powerplan import Scenario, sweep_by
    >>> family = sweep_by(Scenario(), "cohort", [500, 1000], by="effect", levels=[-0.05, -0.1])
    >>> family.to_frame()[["effect", "cohort", "power"]].round(3)
       effect  cohort  power
    0   -0.05     500  0.318
    1   -0.05    1000  0.543
    2   -0.10     500  0.851
    3   -0.10    1000  0.988
    """

    by: str
    levels: tuple
    curves: tuple[PowerCurve, ...]

    def __post_init__(self):
        _validate.choice("by", self.by, FIELDS)
        if not self.curves or len(self.curves) != len(self.levels):
            raise ValueError("power curves need one curve per level")

    @property
    def field(self) -> str:
        """The setting each curve varies."""
        return self.curves[0].field

    @property
    def scenario(self) -> Scenario:
        """The planned study the curves vary."""
        return self.curves[0].scenario

    def label(self, level) -> str:
        """A level in words, as the legend shows it: ``'effect -5.0 points'``."""
        setting = settings_for(self.scenario.outcome)[self.by]
        return f"{setting.words} {setting.format(level)}"

    def to_frame(self) -> pd.DataFrame:
        """One row per (level, value): the level, then each curve's :meth:`PowerCurve.to_frame`."""
        parts = []
        for level, curve in zip(self.levels, self.curves):
            part = curve.to_frame()
            if self.by in part.columns:  # a result restates it: the same value, moved first
                part.pop(self.by)
            part.insert(0, self.by, level)
            parts.append(part)
        return pd.concat(parts, ignore_index=True)

    def to_dict(self) -> dict:
        return {"by": self.by, "levels": list(self.levels),
                "curves": [curve.to_dict() for curve in self.curves]}

    def _headline(self) -> str:
        setting = settings_for(self.scenario.outcome)[self.field]
        return (f"power by {setting.words} for {len(self.levels)} values of "
                f"{settings_for(self.scenario.outcome)[self.by].words}")

    def __str__(self) -> str:
        return "\n\n".join(f"{self.label(level)}:\n{curve}"
                           for level, curve in zip(self.levels, self.curves))

    def plot(self, ax=None, **options):
        """Draw every curve on one figure; see :func:`powerplan.plotting.plot_power_curves`."""
        from ..plotting import plot_power_curves

        return plot_power_curves(self, ax=ax, **options)
