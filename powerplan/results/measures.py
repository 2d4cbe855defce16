"""The three headline measures of one planned study, side by side, and their joint chances."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .. import _format
from ..design.scenario import Scenario


@dataclass(frozen=True)
class JointChance:
    """A chance about the three measures together, with its Monte Carlo error (simulated)
    or without (an approximation).

    Attributes
    ----------
    value : float
    mc_se : float or None
        Its Monte Carlo standard error; None for the analytic approximation.
    ci_low, ci_high : float or None
        Its 95% Wilson interval, when simulated.
    """

    value: float
    mc_se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None

    def text(self) -> str:
        if self.mc_se is None:
            return f"{_format.percent(self.value)} (approximate)"
        return (f"{_format.percent(self.value)} (95% CI {_format.percent(self.ci_low)} to "
                f"{_format.percent(self.ci_high)})")

    def to_dict(self) -> dict:
        return {"value": self.value, "mc_se": self.mc_se, "ci_low": self.ci_low,
                "ci_high": self.ci_high}


#: The joint chances, by name, in words.
JOINT_WORDS = {
    "any_better": "at least one significant improvement, no correction",
    "any_better_holm": "at least one significant improvement, Holm correction",
    "any_better_bonferroni": "at least one significant improvement, Bonferroni correction",
    "opposite_verdicts": "significant in opposite directions",
    "directions_disagree": "estimates disagree in direction",
}


@dataclass(frozen=True)
class MeasuresResult:
    """Each headline measure's verdict chances for one planned study, and what the three
    say together.

    Attributes
    ----------
    results : dict
        The rate's, the frequency's and the time's
        :class:`~powerplan.PowerResult` (simulated results from the same
        simulated studies), by measure name.
    joint : dict of JointChance
        By the names of :data:`JOINT_WORDS`: the chance that at least one
        measure shows a significant improvement (no correction; Holm's and
        Bonferroni's corrections for the measures reported, two or three),
        that two measures are significant in opposite directions, and that
        the reported measures' estimates do not all point the same way
        (better or worse). Simulated; with the analytic engine, a normal
        approximation or None (see :func:`powerplan.compare_measures`).
    engine : str
    n_sims : int or None
    seed : int or None
    headline : Headline
    scenario : Scenario
        The planned study (its outcome the rate's).
    """

    results: dict
    joint: dict
    engine: str
    n_sims: int | None
    seed: int | None
    headline: object = field(repr=False)
    scenario: Scenario = field(repr=False, compare=False)

    def summary(self) -> str:
        """One sentence in plain words."""
        first = self.results["rate"]
        chances = ", ".join(
            f"{_format.percent(r.p_better, 0)} for the {name}" for name, r in self.results.items())
        text = (f"With {_format.headcount(first.cohort)} submitted, the chance of a "
                f"significant improvement is {chances}")
        any_better = self.joint.get("any_better")
        if any_better is None:
            return text + "."
        holm = self.joint["any_better_holm"]
        about = "about " if any_better.mc_se is None else ""
        return (text + f"; at least one of them: {about}{_format.percent(any_better.value, 0)} "
                f"({_format.percent(holm.value, 0)} with Holm's correction).")

    def _measure_rows(self) -> list[list[str]]:
        rows = []
        for name, result in self.results.items():
            outcome = result.scenario.outcome
            better = (result.p_significant_reduction, result.p_significant_increase)
            better, worse = better if outcome.better < 0 else better[::-1]
            not_reported = (_format.percent(result.p_not_reported)
                            if outcome.min_treated_reoffenders else "-")
            rows.append([name, outcome.describe_effect(), _format.percent(better),
                         _format.percent(result.p_inconclusive), _format.percent(worse),
                         not_reported])
        return rows

    def plot(self, ax=None):
        """Draw each measure's verdicts; see :func:`powerplan.plotting.plot_measures`."""
        from ..plotting import plot_measures

        return plot_measures(self, ax=ax)

    def to_frame(self) -> pd.DataFrame:
        """One row per measure: its effect and the chance of each verdict."""
        return pd.DataFrame([
            {"measure": name, "effect": r.effect, "p_better": r.p_better,
             "p_inconclusive": r.p_inconclusive, "p_worse": r.p_worse,
             "p_not_reported": r.p_not_reported, "method": r.method}
            for name, r in self.results.items()])

    def to_dict(self) -> dict:
        return {"engine": self.engine, "n_sims": self.n_sims, "seed": self.seed,
                "headline": self.headline.to_dict(),
                "measures": {name: r.to_dict() for name, r in self.results.items()},
                "joint": {name: (None if chance is None else chance.to_dict())
                          for name, chance in self.joint.items()}}

    def __str__(self) -> str:
        s = self.scenario
        tests = ("weighted Welch t-tests, as the analysis runs them" if self.n_sims is not None
                 else "each measure's default test")
        head = f"The three headline measures ({self.engine}; {tests}, alpha {s.alpha:g})"
        if self.n_sims is not None:
            head += f", {self.n_sims:,} simulated studies, seed {self.seed}"
        header = ["measure", "effect", "improvement", "inconclusive", "worse", "not reported"]
        table = _format.columns(header, self._measure_rows(), left=(0, 1))
        first = self.results["rate"]
        lines = [head, f"  {_format.people(first.cohort)} submitted, about "
                       f"{first.expected_n_treated:,.0f} analysed", table, "",
                 "  Together:"]
        rows = []
        for name, words in JOINT_WORDS.items():
            chance = self.joint.get(name)
            rows.append((words, "by simulation only" if chance is None else chance.text()))
        return "\n".join(lines) + "\n" + _format.table(rows, indent=4)
