"""Result values: they print themselves and convert to dicts and DataFrames."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from . import _format
from .scenario import Scenario


def _plain(value):
    """A JSON-friendly Python scalar."""
    if hasattr(value, "item"):
        return value.item()
    return value


def _one_row(record: dict) -> pd.DataFrame:
    """A one-row DataFrame of a ``to_dict()`` record, lists joined by '; '."""
    return pd.DataFrame([{k: "; ".join(v) if isinstance(v, list) else v
                          for k, v in record.items()}])


@dataclass(frozen=True)
class PowerResult:
    """Chance that a planned study reports a significant difference.

    The analysed number of treated people is random; ``power`` and the
    verdict probabilities are averaged over its distribution (the expected
    chance of each verdict), while ``power_at_expected_n`` plugs in its
    expectation.

    Attributes
    ----------
    power : float
        Chance of a significant result (in the direction(s) tested).
    p_significant_reduction, p_significant_increase, p_inconclusive : float
        Chances of the three published verdicts; they sum to 1.
    power_at_expected_n : float
        Power when exactly ``expected_n_treated`` people are analysed.
    p_analysable : float
        Chance that at least ``min_n_treated`` people are analysed.
    cohort, retention, expected_n_treated, n_comparison
        People submitted, overall retention, expected analysed treated
        people, expected effective comparison size.
    base_rate, treated_rate, effect, alpha, alternative, method, engine
        The scenario's settings and how the result was computed.
    scenario : Scenario
        The scenario computed.
    """

    power: float
    p_significant_reduction: float
    p_significant_increase: float
    p_inconclusive: float
    power_at_expected_n: float
    p_analysable: float
    cohort: int
    retention: float
    expected_n_treated: float
    n_comparison: float
    base_rate: float
    treated_rate: float
    effect: float
    alpha: float
    alternative: str
    method: str
    engine: str
    scenario: Scenario = field(repr=False, compare=False)

    def to_dict(self) -> dict:
        """Every figure as a plain Python value (JSON-ready); no scenario object."""
        return {k: _plain(v) for k, v in self.__dict__.items() if k != "scenario"}

    def to_frame(self) -> pd.DataFrame:
        """A one-row DataFrame of :meth:`to_dict`."""
        return _one_row(self.to_dict())

    def summary(self) -> str:
        """One sentence in plain words."""
        return (
            f"With {_format.people(self.cohort)} people submitted, about "
            f"{self.expected_n_treated:,.0f} are analysed; the chance of a significant "
            f"reduction is {_format.percent(self.p_significant_reduction, 0)}."
        )

    def _rows(self) -> list[tuple[str, str]]:
        return [
            ("people submitted", _format.people(self.cohort)),
            ("retention", self._retention_text()),
            ("expected analysed", f"{self.expected_n_treated:,.1f} treated, "
                                  f"{self.n_comparison:,.1f} comparison (effective)"),
            ("reoffending rate", f"{_format.percent(self.base_rate)} comparison, "
                                 f"{_format.percent(self.treated_rate)} treated "
                                 f"({_format.points(self.effect)})"),
            ("power", f"{_format.percent(self.power)} (at the expected n: "
                      f"{_format.percent(self.power_at_expected_n)})"),
            ("significant reduction", _format.percent(self.p_significant_reduction)),
            ("inconclusive", _format.percent(self.p_inconclusive)),
            ("significant increase", _format.percent(self.p_significant_increase)),
        ]

    def _retention_text(self) -> str:
        stages = self.scenario.funnel.stages
        overall = _format.percent(self.retention)
        if len(stages) == 1:
            return overall
        return overall + " (" + " x ".join(
            f"{stage.name} {_format.percent(stage.share, 0)}" for stage in stages) + ")"

    def __str__(self) -> str:
        head = (f"Power ({self.engine}; {self.method} test, {self.alternative}, "
                f"alpha {self.alpha:g})")
        return head + "\n" + _format.table(self._rows())


@dataclass(frozen=True)
class Solution:
    """The answer of :func:`powerplan.solve` for one named unknown.

    Attributes
    ----------
    unknown : {"cohort", "effect", "retention"}
        What was solved for.
    value : int or float
        The answer: the minimum cohort (people submitted), the minimum
        detectable effect (a difference in proportion units) or the retention
        needed.
    target_power : float
        The power asked for.
    achieved_power : float
        Power at the answer (>= target; equal up to 1e-9 for continuous
        unknowns).
    power_below : float or None
        For the cohort: power with one person fewer (< target), the check that
        the answer is the smallest.
    result : PowerResult
        Full result at the answer.
    scenario : Scenario
        The scenario with the answer filled in.
    notes : tuple of str
        Caveats a user should read (for example the data service's minimum
        of 60 people submitted).
    measure : {"power", "assurance"}
        What the target applies to: power, or assurance under a prior.
    """

    unknown: str
    value: float
    target_power: float
    achieved_power: float
    power_below: float | None
    result: PowerResult = field(repr=False)
    scenario: Scenario = field(repr=False, compare=False)
    notes: tuple[str, ...] = ()
    measure: str = "power"

    @property
    def n_treated(self) -> float:
        """Expected analysed treated people at the answer."""
        return self.result.expected_n_treated

    @property
    def n_comparison(self) -> float:
        """Expected effective comparison size at the answer."""
        return self.result.n_comparison

    def to_dict(self) -> dict:
        """The answer and the figures at it, as plain values (JSON-ready)."""
        out = {"unknown": self.unknown, self.unknown: _plain(self.value),
               "measure": self.measure, "target_power": self.target_power,
               "achieved_power": _plain(self.achieved_power),
               "power_below": _plain(self.power_below), "n_treated": _plain(self.n_treated)}
        for key, value in self.result.to_dict().items():
            out.setdefault(key, value)
        out["notes"] = list(self.notes)
        return out

    def to_frame(self) -> pd.DataFrame:
        """A one-row DataFrame of :meth:`to_dict` (notes joined)."""
        return _one_row(self.to_dict())

    def summary(self) -> str:
        """One sentence in plain words."""
        r = self.result
        target = _format.percent(self.target_power, 0)
        if self.unknown == "cohort":
            return (
                f"To reach {target} {self.measure}, submit at least {_format.people(self.value)} people: "
                f"about {r.expected_n_treated:,.0f} would be analysed against "
                f"{r.n_comparison:,.0f} comparison records."
            )
        if self.unknown == "effect":
            kind = "reduction" if self.value < 0 else "increase"
            return (
                f"With {_format.people(r.cohort)} people submitted (about "
                f"{r.expected_n_treated:,.0f} analysed), the smallest {kind} detectable with "
                f"{target} power is {abs(100 * self.value):.1f} points "
                f"({_format.percent(r.base_rate)} to {_format.percent(r.treated_rate)})."
            )
        return (
            f"With {_format.people(r.cohort)} people submitted, at least "
            f"{_format.percent(self.value)} of them must be analysed to reach {target} "
            f"{self.measure}."
        )

    def __str__(self) -> str:
        rows = [(f"target {self.measure}", _format.percent(self.target_power)),
                (f"achieved {self.measure}", _format.percent(self.achieved_power, 3))]
        if self.power_below is not None:
            rows.append(("with one person fewer", _format.percent(self.power_below, 3)))
        rows += [row for row in self.result._rows() if row[0] not in ("power", "assurance")]
        text = f"Solved for {self.unknown} ({self.result.engine}; {self.result.method} test)\n"
        text += _format.table(rows)
        for note in self.notes:
            text += f"\nNote: {note}"
        return text
