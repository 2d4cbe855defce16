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
from ..engines import ANALYTIC, Engine, as_engine
from ..errors import InvalidInputError, NoSolutionError
from ..design.scenario import MAX_COHORT, Scenario, check_scenario
from ..solvers.solve import check_target_power, solve
from ..limits import (DEFAULT_BASE_RATES, DEFAULT_COHORTS, DEFAULT_EFFECTS, DEFAULT_RETENTIONS,
                      MAX_VALUES, check_count, check_distinct)

QUANTITIES = ("cohort", "effect")

#: What the label of a cell without an answer means.
NO_ANSWER = {"none": "no answer within 10,000,000 people or at any effect",
             "n/a": "the effect leaves no valid treated rate"}


@dataclass(frozen=True)
class RequirementsTable:
    """A grid of minimum cohorts (``quantity="cohort"``) or MDEs (``"effect"``).

    Attributes
    ----------
    quantity : {"cohort", "effect"}
    target_power : float
    cells : pandas.DataFrame
        One row per cell: ``base_rate``, ``retention``, ``effect`` (for
        cohorts) or ``cohort`` (for MDEs), ``value`` (the answer, NaN where
        there is none), ``achieved_power`` and ``status`` (``ok``, or the
        reason there is no answer).
    scenario : Scenario
        The scenario supplying every other setting.
    """

    quantity: str
    target_power: float
    cells: pd.DataFrame = field(repr=False)
    scenario: Scenario = field(repr=False, compare=False)

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
        part = part.assign(label=[self._label(value, status) for value, status
                                  in zip(part["value"], part["status"])])
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

    def _part(self, retention: float) -> pd.DataFrame:
        return self.cells[_same(self.cells["retention"], retention)]

    def _pivot(self, part: pd.DataFrame, values: str) -> pd.DataFrame:
        return part.pivot(index="base_rate", columns=self.column_field, values=values)

    def to_dict(self) -> dict:
        records = []
        for row in self.cells.to_dict("records"):
            value = row["value"]
            row["value"] = None if pd.isna(value) else (int(value) if self.quantity == "cohort"
                                                        else float(value))
            row["achieved_power"] = (None if pd.isna(row["achieved_power"])
                                     else float(row["achieved_power"]))
            records.append(row)
        return {"quantity": self.quantity, "target_power": self.target_power,
                "method": self.scenario.method, "alpha": self.scenario.alpha,
                "cells": records}

    def _label(self, value, status) -> str:
        if status != "ok":
            return "n/a" if status.startswith("invalid") else "none"
        if self.quantity == "cohort":
            return f"{int(value):,}"
        return f"{100 * abs(value):.1f}"

    def _blocks(self):
        """(title, header, rows) for each retention."""
        column = self.column_field
        for retention in self.retentions:
            labels = self.labels(retention)
            columns = sorted(labels.columns, reverse=(column == "effect"))
            if column == "effect":
                header = ["base rate"] + [f"{100 * -c:g} pt" if c < 0 else f"+{100 * c:g} pt"
                                          for c in columns]
            else:
                header = ["base rate"] + [f"{int(c):,}" for c in columns]
            rows = [[f"{100 * base_rate:g}%", *labels.loc[base_rate, columns]]
                    for base_rate in labels.index]
            yield f"retention {100 * retention:g}%", header, rows

    def _title(self) -> str:
        power = f"{100 * self.target_power:g}%"
        if self.quantity == "cohort":
            effects = self.cells["effect"]
            columns = ("reductions" if (effects < 0).all() else
                       "increases" if (effects > 0).all() else "effects")
            return (f"Minimum people to submit for {power} power "
                    f"({self.scenario.method} test, {self.scenario.alternative}, "
                    f"alpha {self.scenario.alpha:g}); columns are {columns} in points")
        return (f"Minimum detectable {self.direction} (points) with {power} power "
                f"({self.scenario.method} test, {self.scenario.alternative}, "
                f"alpha {self.scenario.alpha:g}); columns are people submitted")

    def _footer(self) -> list[str]:
        lines = []
        if (self.cells["status"] != "ok").any():
            lines.append("; ".join(f"{label}: {meaning}" for label, meaning in NO_ANSWER.items()))
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
    return "increase" if scenario.alternative == "greater" else "reduction"


def _cell(scenario: Scenario, unknown: str, target: float, engine: Engine, **settings) -> dict:
    try:
        varied = scenario.replace(**settings)
    except InvalidInputError as error:
        return {"value": np.nan, "achieved_power": np.nan,
                "status": f"invalid: {error.field} {error.requirement}"}
    try:
        answer = solve(varied, unknown, target_power=target, direction=_mde_direction(scenario),
                       engine=engine)
    except NoSolutionError as why:
        return {"value": np.nan, "achieved_power": np.nan, "status": f"none: {why}"}
    return {"value": answer.value, "achieved_power": answer.achieved_power, "status": "ok"}


def requirements_table(scenario: Scenario, *, quantity: str = "cohort",
                       base_rates=DEFAULT_BASE_RATES, effects=DEFAULT_EFFECTS,
                       retentions=DEFAULT_RETENTIONS, cohorts=DEFAULT_COHORTS,
                       target_power: float = 0.8,
                       engine: Engine | str = ANALYTIC) -> RequirementsTable:
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
        ``effects`` is used for cohorts, ``cohorts`` for MDEs.
    target_power : float
    engine : powerplan.analytic, Simulator, "analytic" or "simulate"
        How each cell is solved: in closed form, or by simulation
        (:func:`powerplan.solve` with the simulator; every cell with its seed).

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
    engine = as_engine(engine).seeded()
    rows = []
    if quantity == "cohort":
        effects = _check_values("effects", effects, _validate.real)
        for retention, base_rate, effect in itertools.product(retentions, base_rates, effects):
            cell = _cell(scenario, "cohort", target, engine, retention=retention,
                         base_rate=base_rate, effect=effect)
            rows.append({"base_rate": base_rate, "retention": retention, "effect": effect} | cell)
    else:
        cohorts = _check_values("cohorts", cohorts,
                                lambda name, v: _validate.integer(name, v, 1, MAX_COHORT))
        for retention, base_rate, cohort in itertools.product(retentions, base_rates, cohorts):
            cell = _cell(scenario, "effect", target, engine, retention=retention,
                         base_rate=base_rate, cohort=cohort, effect=0.0)
            rows.append({"base_rate": base_rate, "retention": retention, "cohort": cohort} | cell)
    return RequirementsTable(quantity, target, pd.DataFrame(rows), scenario)
