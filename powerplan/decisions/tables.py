"""Requirement tables for commissioners: minimum cohorts or MDEs over a grid.

A commissioner setting evaluation requirements wants one table: for each
plausible base rate, effect and retention, the number of people a programme
must submit (or, for each cohort size, the smallest detectable reduction).
Cells with no answer are kept and marked with the reason.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import _format, _validate
from ..engines import ANALYTIC, Engine, Simulator, as_engine
from ..errors import InvalidInputError, NoSolutionError
from ..design.effects import Effect
from ..design.scenario import MAX_COHORT, Scenario, check_scenario
from ..solvers.grid import Cell, cell_key, cell_seed, check_grid_options, run_cells
from ..solvers.solve import check_target_power, solve
from ..limits import (DEFAULT_BASE_RATES, DEFAULT_COHORTS, DEFAULT_EFFECTS, DEFAULT_RETENTIONS,
                      MAX_VALUES, check_count, check_distinct)
from ..results.display import Displays

QUANTITIES = ("cohort", "effect")

#: What the label of a cell without an answer means.
NO_ANSWER = {"none": "no answer within 10,000,000 people or at any effect",
             "n/a": "the effect leaves no valid treated rate"}
#: The mark after a cohort whose answer carries a note questioning it (the solver's
#: flags: power not monotone in the cohort, the target reached only by counting
#: significant results opposite the effect, or false positives above twice alpha).
FLAGGED = "*"
#: What the mark means.
FLAGGED_MEANING = ("power is not monotone in the cohort there, or the target is reached only "
                   "by counting significant results opposite the effect or with false "
                   "positives above twice alpha: `powerplan size` with that cell's settings "
                   "says which")
#: What the label of a cell that raised an error means (its status holds the error).
FAILED = "the cell raised an error (its status says which); run the table again to retry it"


@dataclass(frozen=True, repr=False)
class RequirementsTable(Displays):
    """A grid of minimum cohorts (``quantity="cohort"``) or MDEs (``"effect"``).

    Attributes
    ----------
    quantity : {"cohort", "effect"}
    target_power : float
    cells : pandas.DataFrame
        One row per cell: ``base_rate``, ``retention``, ``effect`` (for
        cohorts) or ``cohort`` (for MDEs), ``value`` (the answer, NaN where
        there is none), ``achieved_power``, ``status`` (``ok``, or the
        reason there is no answer) and ``flags`` (the solver's
        :attr:`~powerplan.Solution.flags`, marked ``*`` in the printed table).
        When an effect was given as a ratio (``Effect(0.8, "relative-risk")``,
        ``"rr=0.8"``), also ``effect_scale`` and ``effect_value``, each
        column's effect as given (``relative-risk`` and 0.8; ``difference``
        and the number for a difference), and ``effect`` is then the
        difference the cell used, converted at the cell's base rate.
    scenario : Scenario
        The scenario supplying every other setting.
    engine : {"analytic", "simulate"}
        How the cells were solved.
    seed : int or None
        The simulator's seed (each cell's own is drawn from it); None for
        the analytic engine.
    """

    quantity: str
    target_power: float
    cells: pd.DataFrame = field(repr=False)
    scenario: Scenario = field(repr=False, compare=False)
    engine: str = "analytic"
    seed: int | None = None

    @property
    def _test(self) -> str:
        """The test the cells assumed, as the title names it."""
        if self.engine == "simulate":
            return f"{self.scenario.simulation.test} test, by simulation with seed {self.seed}"
        return f"{self.scenario.method} test"

    @property
    def direction(self) -> str:
        """The direction of the MDEs: ``increase`` when the test looks only for increases."""
        return _mde_direction(self.scenario)

    @property
    def column_field(self) -> str:
        return "effect" if self.quantity == "cohort" else "cohort"

    def to_frame(self) -> pd.DataFrame:
        """The cells in long form (a copy)."""
        return self.cells.copy()

    @property
    def retentions(self) -> tuple[float, ...]:
        """The retentions tabulated, in increasing order."""
        return tuple(sorted(float(r) for r in self.cells["retention"].unique()))

    def grid(self, retention: float) -> pd.DataFrame:
        """Values for one retention: base rates down, effects (or cohorts) across."""
        return self._pivot(self._part(retention), "value")

    def labels(self, retention: float) -> pd.DataFrame:
        """The printed text of each cell of :meth:`grid`: the value, ``none`` or ``n/a``."""
        part = self._part(retention)
        part = part.assign(label=[self._label(value, status, flags) for value, status, flags
                                  in zip(part["value"], part["status"], self._flags(part))])
        return self._pivot(part, "label")

    @property
    def no_answer_labels(self) -> dict[str, str]:
        """What each label of a cell without an answer means, by label (``none``, ``n/a``).

        >>> from powerplan import Scenario
        >>> table = requirements_table(Scenario(), base_rates=[0.05], effects=[-0.1],
        ...                            retentions=[0.4])
        >>> label = table.labels(0.4).iloc[0, 0]
        >>> label, table.no_answer_labels[label]
        ('n/a', 'the effect leaves no valid treated rate')
        """
        return dict(NO_ANSWER)

    @staticmethod
    def _flags(part: pd.DataFrame):
        """Each cell's flags (none for tables made before cells had them)."""
        if "flags" not in part:
            return [()] * len(part)
        return [tuple(f) if isinstance(f, (list, tuple)) else () for f in part["flags"]]

    def _part(self, retention: float) -> pd.DataFrame:
        return self.cells[_same(self.cells["retention"], retention)]

    @property
    def _given(self) -> bool:
        """Whether the columns are effects as given, some of them ratios (``rr=0.8``)."""
        return self.column_field == "effect" and SCALE in self.cells

    def _pivot(self, part: pd.DataFrame, values: str) -> pd.DataFrame:
        if self._given:  # a ratio's difference varies by row: the columns are as given
            order = list(dict.fromkeys(_given_labels(self.cells)))
            return part.assign(given=_given_labels(part)).pivot(
                index="base_rate", columns="given", values=values)[order].rename_axis(
                columns="effect as given")
        return part.pivot(index="base_rate", columns=self.column_field, values=values)

    def to_dict(self) -> dict:
        records = []
        for row in self.cells.to_dict("records"):
            value = row["value"]
            row["value"] = None if pd.isna(value) else (int(value) if self.quantity == "cohort"
                                                        else float(value))
            row["achieved_power"] = (None if pd.isna(row["achieved_power"])
                                     else float(row["achieved_power"]))
            if "flags" in row:
                row["flags"] = list(row["flags"]) if isinstance(row["flags"], (list, tuple)) \
                    else []
            records.append(row)
        method = (self.scenario.simulation.test if self.engine == "simulate"
                  else self.scenario.method)
        return {"quantity": self.quantity, "target_power": self.target_power,
                "engine": self.engine, "seed": self.seed, "method": method,
                "alpha": self.scenario.alpha,
                "cells": records}

    def _label(self, value, status, flags=()) -> str:
        if status != "ok":
            return ("n/a" if status.startswith("invalid") else
                    "failed" if status.startswith("failed") else "none")
        if self.quantity == "cohort":
            return f"{int(value):,}{FLAGGED if flags else ''}"
        if self._rate:
            return f"{100 * abs(value):.1f}"
        return f"{abs(value):.3g}"

    @property
    def _rate(self) -> bool:
        """Whether the measure is the rate, whose effects print in points."""
        return self.scenario.outcome.name == "rate"

    def _effect_heading(self, effect) -> str:
        if isinstance(effect, str):  # as given: a ratio, or a difference's number
            if "=" in effect:
                return effect
            effect = float(effect)
        if self._rate:
            return f"{100 * -effect:g} pt" if effect < 0 else f"+{100 * effect:g} pt"
        return f"{effect:+g}"

    def _blocks(self):
        """(title, header, rows) for each retention."""
        column = self.column_field
        for retention in self.retentions:
            labels = self.labels(retention)
            # reductions from the smallest (the rate's every effect, as it always has);
            # effects as given keep their order
            columns = list(labels.columns) if self._given else sorted(
                labels.columns, reverse=(column == "effect" and (
                    self._rate or max(labels.columns) <= 0)))
            if column == "effect":
                header = ["base rate"] + [self._effect_heading(c) for c in columns]
            else:
                header = ["base rate"] + [f"{int(c):,}" for c in columns]
            rows = [[f"{100 * base_rate:g}%", *labels.loc[base_rate, columns]]
                    for base_rate in labels.index]
            yield f"retention {100 * retention:g}%", header, rows

    def _title(self) -> str:
        power = f"{100 * self.target_power:g}%"
        outcome = self.scenario.outcome
        unit = "points" if self._rate else outcome.unit
        measure = "" if self._rate else f" ({outcome.measure})"
        if self.quantity == "cohort":
            effects = self.cells["effect"]
            columns = ("reductions" if (effects < 0).all() else
                       "increases" if (effects > 0).all() else "effects")
            scale = (f" as given, a ratio converted to {unit} at each row's base rate"
                     if self._given else f" in {unit}")
            return (f"Minimum people to submit for {power} power{measure} "
                    f"({self._test}, {self.scenario.alternative}, "
                    f"alpha {self.scenario.alpha:g}); columns are {columns}{scale}")
        return (f"Minimum detectable {self.direction} ({unit}){measure} with {power} power "
                f"({self._test}, {self.scenario.alternative}, "
                f"alpha {self.scenario.alpha:g}); columns are people submitted")

    def _footer(self) -> list[str]:
        lines = []
        failed = self.cells["status"].str.startswith("failed")
        if ((self.cells["status"] != "ok") & ~failed).any():
            lines.append("; ".join(f"{label}: {meaning}" for label, meaning in NO_ANSWER.items()))
        if failed.any():
            lines.append(f"failed: {FAILED}")
        if any(self._flags(self.cells)):
            lines.append(f"{FLAGGED} {FLAGGED_MEANING}")
        return lines

    def to_text(self) -> str:
        out = [self._title()]
        for title, header, rows in self._blocks():
            out += ["", title, _format.columns(header, rows, indent=0)]
        return "\n".join(out + self._footer())

    def to_markdown(self) -> str:
        out = [self._title()]
        for title, header, rows in self._blocks():
            out += ["", f"**{title}**", "", "| " + " | ".join(header) + " |",
                    "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
            out += ["| " + " | ".join(row) + " |" for row in rows]
        footer = self._footer()
        return "\n".join(out + ([""] + footer if footer else []))

    def __str__(self) -> str:
        return self.to_text()

    def plot(self, ax=None, **options):
        """Draw one retention as a heatmap; see
        :func:`powerplan.plotting.plot_requirements_heatmap`."""
        from ..plotting import plot_requirements_heatmap

        return plot_requirements_heatmap(self, ax=ax, **options)


#: The columns of the effects as given, when some are ratios: scale and value.
SCALE, VALUE = "effect_scale", "effect_value"


def _effects(scenario: Scenario, effects) -> tuple:
    """The table's effects: numbers on the measure's scale, or :class:`Effect` ratios
    (text such as ``rr=0.8`` is read as the measure reads it), each distinct."""
    effects = tuple(_validate.sequence("effects", effects))
    check_count("effects", len(effects))
    read = tuple(scenario.outcome.parse_effect(e) if isinstance(e, str) else e
                 for e in effects)
    read = tuple(e if isinstance(e, Effect) and e.scale not in ("difference", "points")
                 else _validate.real("effects", e.difference(0.5) if isinstance(e, Effect)
                                     else e)
                 for e in read)
    check_distinct("effects", tuple(e for e in read if not isinstance(e, Effect)))
    ratios = [e for e in read if isinstance(e, Effect)]
    for i, ratio in enumerate(ratios):
        if ratio in ratios[:i]:
            label = _given_labels(pd.DataFrame([_given(ratio)]))[0]
            raise InvalidInputError("effects", f"must be distinct; got {label} twice")
    return read


def _given(effect) -> dict:
    """An effect as given, as its scale and value."""
    if isinstance(effect, Effect):
        return {SCALE: effect.scale, VALUE: effect.value}
    return {SCALE: "difference", VALUE: effect}


def _given_labels(cells: pd.DataFrame) -> list[str]:
    """Each cell's effect as given, as a column is headed: ``rr=0.8``, ``or=0.9``, or a
    difference's number."""
    prefix = {"relative-risk": "rr=", "odds-ratio": "or="}
    return [f"{prefix[scale]}{value:g}" if scale in prefix else f"{value:.12g}"
            for scale, value in zip(cells[SCALE], cells[VALUE])]


def _converted(scenario: Scenario, base_rate: float, effect):
    """The difference a ratio means at ``base_rate`` (the scenario's one conversion); a
    ratio that leaves no valid treated value stays as it is, for its cell to say why."""
    if not isinstance(effect, Effect):
        return effect
    try:
        return float(scenario.replace(base_rate=base_rate, effect=effect).effect)
    except InvalidInputError:
        return effect


def _same(a, b):
    """Whether grid values are the same (0.1 + 0.2 is 0.3; 0.3 and 0.3001 differ)."""
    return np.isclose(a, b, rtol=1e-9, atol=1e-12)


def _check_values(name: str, values, check) -> tuple:
    values = tuple(_validate.sequence(name, values))
    check_count(name, len(values))
    values = tuple(check(name, v) for v in values)
    check_distinct(name, values)
    return values


def _mde_direction(scenario: Scenario) -> str:
    """The direction the test looks in, else the measure's better one."""
    tested = {"less": "reduction", "greater": "increase"}.get(scenario.alternative)
    return tested or ("reduction" if scenario.outcome.better < 0 else "increase")


def _cell(scenario: Scenario, unknown: str, target: float, direction: str, settings: dict,
          varied: Scenario | None = None, *, engine: Engine) -> dict:
    """One cell's answer: the solve at ``settings`` (``varied``, the cell's scenario, when
    already made), or why there is none."""
    try:
        if varied is None:
            varied = _varied(scenario, unknown, settings)
    except InvalidInputError as error:
        return {"value": np.nan, "achieved_power": np.nan,
                "status": f"invalid: {error.field} {error.requirement}", "flags": ()}
    try:
        answer = solve(varied, unknown, target_power=target, direction=direction, engine=engine)
    except NoSolutionError as why:
        return {"value": np.nan, "achieved_power": np.nan, "status": f"none: {why}",
                "flags": ()}
    return {"value": answer.value, "achieved_power": answer.achieved_power, "status": "ok",
            "flags": tuple(answer.flags)}


def _varied(scenario: Scenario, unknown: str, settings: dict) -> Scenario:
    """The cell's scenario; for an MDE the effect is set to 0 (the solver replaces it), so
    that the scenario's own effect is not refused for a low base rate."""
    return scenario.replace(**settings, **({"effect": 0.0} if unknown == "effect" else {}))


def _cells(scenario: Scenario, unknown: str, target: float, engine: Engine,
           grid: list[dict]) -> list[Cell]:
    """The grid's cells, each simulator seeded from the run's seed and the cell's own values."""
    direction = _mde_direction(scenario)
    cells = []
    for settings in grid:
        own = engine.replace(seed=cell_seed(engine.seed, settings)) if isinstance(
            engine, Simulator) else engine
        try:
            varied = _varied(scenario, unknown, settings)
        except InvalidInputError:
            varied = None  # the cell reports why; its key needs only to be its own
        key = cell_key(f"table-{unknown}", settings, scenario if varied is None else varied,
                       own, target_power=target, direction=direction)
        cells.append(Cell(settings, _cell, (scenario, unknown, target, direction, settings,
                                            varied), own, key, grid=f"table-{unknown}"))
    return cells


def requirements_table(scenario: Scenario, *, quantity: str = "cohort",
                       base_rates=DEFAULT_BASE_RATES, effects=DEFAULT_EFFECTS,
                       retentions=DEFAULT_RETENTIONS, cohorts=DEFAULT_COHORTS,
                       target_power: float = 0.8, engine: Engine | str = ANALYTIC,
                       client=None, store=None, progress=None) -> RequirementsTable:
    """Minimum cohorts over base rates x effects x retentions, or MDEs over
    base rates x cohorts x retentions.

    Parameters
    ----------
    scenario : Scenario
        Supplies every setting not varied (comparison design, test, alpha).
    quantity : {"cohort", "effect"}
        ``cohort``: the minimum people to submit for each base rate, effect
        and retention. ``effect``: the minimum detectable reduction (an
        increase when ``scenario.alternative`` is ``"greater"``) for each
        base rate, cohort and retention.
    base_rates, effects, retentions, cohorts : sequences
        The grid, each of 1 to ``MAX_VALUES`` (100) distinct values;
        ``effects`` is used for cohorts, ``cohorts`` for MDEs. An effect is
        a number on the measure's scale, or a ratio, an :class:`Effect` or
        text (``"rr=0.8"``, ``"or=0.9"``): its column keeps it as given, and
        each cell converts it to a difference at the cell's base rate, as
        :class:`Scenario` converts an effect (``cells`` then has an
        ``effect_given`` column, and ``effect`` is each cell's difference).
    target_power : float
    engine : powerplan.analytic, Simulator, "analytic" or "simulate"
        How each cell is solved: in closed form, or by simulation
        (:func:`powerplan.solve` with the simulator). Each simulated cell
        has its own seed, drawn from the simulator's seed and the cell's
        base rate, retention and effect (or cohort) by
        :func:`~powerplan.solvers.grid.cell_seed`: the same seed gives the
        same table however the cells are run, and a cell keeps its answer
        when values are added to the grid.
    client : dask.distributed.Client, optional
        Solve the cells on its cluster (simulated tables only); each cell
        is one task, with the answers equal to a run in this process.
    store : ResultStore or path, optional
        A results store (simulated tables with a fixed seed only): cells in
        it are read back instead of solved, and each solved cell is written
        to it as it finishes, so a run stopped part-way resumes where it
        stopped.
    progress : None, True, GridProgress or function
        ``True`` draws progress bars of cells and replicates; a
        :class:`~powerplan.GridProgress` is told each cell as it ends (see
        :mod:`powerplan.solvers.progress`).

    A cell that raises an error does not stop the others: its status is
    ``failed: `` and the error, and its label ``failed``.

    Returns
    -------
    RequirementsTable

    Examples
    --------
    >>> from powerplan import Scenario
    >>> table = requirements_table(Scenario(), base_rates=[0.25, 0.35],
    ...                            effects=[-0.05, -0.10], retentions=[0.4])
    >>> print(table)
    Minimum people to submit for 80% power (welch test, two-sided, alpha 0.05); columns are reductions in points
    <BLANKLINE>
    retention 40%
    base rate   5 pt  10 pt
          25%  1,449    315
          35%  1,860    435
    """
    check_scenario(scenario)
    _validate.choice("quantity", quantity, QUANTITIES)
    base_rates = _check_values("base_rates", base_rates, _validate.proportion)
    retentions = _check_values("retentions", retentions, _validate.share)
    target = check_target_power(target_power, scenario.alpha)  # alpha is not varied
    engine = as_engine(engine)
    client, store, progress = check_grid_options(engine, client, store, progress)
    engine = engine.seeded()
    if quantity == "cohort":
        effects = _effects(scenario, effects)
        column, values = "effect", effects
    else:
        column = "cohort"
        values = _check_values("cohorts", cohorts,
                               lambda name, v: _validate.integer(name, v, 1, MAX_COHORT))
    given = column == "effect" and any(isinstance(e, Effect) for e in values)
    grid, labels = [], []
    for retention, base_rate, value in itertools.product(retentions, base_rates, values):
        labels.append(_given(value) if given else {})
        if given:  # a ratio is a difference at each base rate
            value = _converted(scenario, base_rate, value)
        grid.append({"base_rate": base_rate, "retention": retention, column: value})
    run = run_cells(_cells(scenario, quantity, target, engine, grid), client=client,
                    store=store, progress=progress)
    rows = []
    for settings, label, answer, report in zip(grid, labels, run.answers, run.reports):
        if report.status == "failed":
            answer = {"value": np.nan, "achieved_power": np.nan,
                      "status": f"failed: {report.error}", "flags": ()}
        value = settings[column]
        rows.append({"base_rate": settings["base_rate"], "retention": settings["retention"],
                     column: np.nan if isinstance(value, Effect) else value}
                    | label | answer)
    return RequirementsTable(quantity, target, pd.DataFrame(rows), scenario, engine.name,
                             engine.seed if isinstance(engine, Simulator) else None)
