"""Result values: they print themselves and convert to dicts and DataFrames."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import _format
from ..design.scenario import Scenario
from .display import Displays


def _plain(value):
    """A JSON-friendly Python scalar."""
    if hasattr(value, "item"):
        return value.item()
    return value


def _one_row(record: dict) -> pd.DataFrame:
    """A one-row DataFrame of a ``to_dict()`` record, lists joined by '; '."""
    return pd.DataFrame([{k: "; ".join(v) if isinstance(v, list) else v
                          for k, v in record.items()}])


def scenario_fields(scenario: Scenario) -> dict:
    """The fields of a :class:`PowerResult` that restate its scenario, by any engine."""
    return {"cohort": scenario.cohort, "retention": scenario.retention,
            "expected_n_treated": scenario.expected_n_treated,
            "base_rate": scenario.base_rate, "treated_rate": scenario.treated_rate,
            "effect": scenario.effect, "alpha": scenario.alpha,
            "alternative": scenario.alternative, "scenario": scenario}


@dataclass(frozen=True, repr=False)
class PowerResult(Displays):
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
    #: Chance of an analysed study whose measure is not reported (time to first
    #: reoffence needs 30 treated reoffenders); 0 for the rate and the frequency.
    p_not_reported: float = field(default=0.0, kw_only=True)

    # The verdicts inside are lower / higher (the sign of treated minus comparison);
    # which of them is better is the outcome's to say.
    @property
    def p_better(self) -> float:
        """Chance of a significant result in the better direction (for the rate, a
        significant reduction)."""
        return (self.p_significant_reduction if self.scenario.outcome.better < 0
                else self.p_significant_increase)

    @property
    def p_worse(self) -> float:
        """Chance of a significant result in the worse direction."""
        return (self.p_significant_increase if self.scenario.outcome.better < 0
                else self.p_significant_reduction)

    def to_dict(self) -> dict:
        """Every figure as a plain Python value (JSON-ready); no scenario object
        (``p_not_reported`` only for a measure with a reporting gate)."""
        return {k: _plain(v) for k, v in self.__dict__.items()
                if k not in ("scenario", *self._not_shown())}

    def _not_shown(self) -> tuple[str, ...]:
        """Fields a measure without a reporting gate leaves out of its figures."""
        return () if self.scenario.outcome.min_treated_reoffenders else ("p_not_reported",)

    def to_frame(self) -> pd.DataFrame:
        """A one-row DataFrame of :meth:`to_dict`."""
        return _one_row(self.to_dict())

    def summary(self) -> str:
        """One sentence in plain words."""
        return (
            f"With {_format.headcount(self.cohort)} submitted, about "
            f"{self.expected_n_treated:,.0f} are analysed; the chance of a "
            f"{self._better_words()} is {_format.percent(self.p_better, 0)}."
            + self._measure_note()
        )

    def _better_words(self, higher: bool | None = None) -> str:
        """'significant reduction' (the rate), 'significantly longer time to first
        reoffence' (the time): the better verdict, or the verdict with a higher
        (``higher=True``) or lower treated value."""
        outcome = self.scenario.outcome
        if higher is None:
            words = outcome.better_words
        else:
            words = outcome.higher_words if higher else outcome.lower_words
        return words if words.startswith("significant ") else f"{words} {outcome.measure}"

    def _measure_note(self) -> str:
        """For a measure other than the rate, a sentence naming it (and the gate)."""
        outcome = self.scenario.outcome
        if outcome.name == "rate":
            return ""
        text = f" The measure is the {outcome.measure}"
        if outcome.min_treated_reoffenders:
            text += (f"; it is not reported (fewer than {outcome.min_treated_reoffenders} "
                     f"treated reoffenders) with chance {_format.percent(self.p_not_reported, 0)}")
        return text + "."

    def _verdict_rows(self) -> list[tuple[str, str]]:
        """The verdicts' chances, in the outcome's words, with 'not reported' for a gated
        measure."""
        outcome = self.scenario.outcome
        rows = [(outcome.lower_words, _format.percent(self.p_significant_reduction)),
                ("inconclusive", _format.percent(self.p_inconclusive)),
                (outcome.higher_words, _format.percent(self.p_significant_increase))]
        if outcome.min_treated_reoffenders:
            rows.append((f"not reported (< {outcome.min_treated_reoffenders} treated "
                         f"reoffenders)", _format.percent(self.p_not_reported)))
        return rows

    def _rows(self) -> list[tuple[str, str]]:
        return [
            ("people submitted", _format.people(self.cohort)),
            ("retention", self._retention_text()),
            ("expected analysed", f"{self.expected_n_treated:,.1f} treated, "
                                  f"{self.n_comparison:,.1f} comparison (effective)"),
            self.scenario.outcome.values_row(self.effect),
            ("power", f"{_format.percent(self.power)} (at the expected n: "
                      f"{_format.percent(self.power_at_expected_n)})"),
            *self._verdict_rows(),
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


@dataclass(frozen=True, repr=False)
class Solution(Displays):
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
                f"To reach {target} {self.measure}, submit at least "
                f"{_format.headcount(self.value)}: "
                f"about {r.expected_n_treated:,.0f} would be analysed against "
                f"{r.n_comparison:,.0f} comparison records."
            )
        if self.unknown == "effect":
            kind = "reduction" if self.value < 0 else "increase"
            outcome = self.scenario.outcome
            measure = "" if outcome.name == "rate" else f" in the {outcome.measure}"
            return (
                f"With {_format.headcount(r.cohort)} submitted (about "
                f"{r.expected_n_treated:,.0f} analysed), the smallest {kind}{measure} "
                f"detectable with {target} power is {outcome.describe_change(self.value)}."
            )
        return (
            f"With {_format.headcount(r.cohort)} submitted, at least "
            f"{_format.percent(self.value)} of them must be analysed to reach {target} "
            f"{self.measure}."
        )

    def _answer_rows(self) -> list[tuple[str, str]]:
        rows = [(f"target {self.measure}", _format.percent(self.target_power)),
                (f"achieved {self.measure}", _format.percent(self.achieved_power, 3))]
        if self.power_below is not None:
            rows.append(("with one person fewer", _format.percent(self.power_below, 3)))
        return rows

    def __str__(self) -> str:
        rows = self._answer_rows()
        rows += [row for row in self.result._rows()
                 if row[0] not in ("power", "assurance", "seed")]
        text = f"Solved for {self.unknown} ({self.result.engine}; {self.result.method} test)\n"
        text += _format.table(rows)
        for note in self.notes:
            text += f"\nNote: {note}"
        return text


#: Published verdicts as the replicates table spells them.
VERDICTS = {-1: "significant reduction", 0: "inconclusive", 1: "significant increase"}


@dataclass(frozen=True, repr=False)
class SimulatedPowerResult(PowerResult):
    """Power of a planned study estimated by simulating it, with its Monte Carlo error.

    Every field of :class:`PowerResult` is filled, with these meanings:
    ``power`` and the verdict probabilities are shares of ``n_sims``
    replicates (a replicate that could not be analysed counts as
    inconclusive, not significant); ``p_analysable`` is the share of
    replicates analysed; ``expected_n_treated`` is the funnel's expectation
    before matching; ``n_comparison`` is the mean Kish effective size of the
    matched comparison group; ``power_at_expected_n`` is not estimated
    (None); ``method`` is the test the simulated studies ran.

    Attributes
    ----------
    n_sims : int
        Replicates simulated.
    seed : int
        The seed's entropy: ``simulate(scenario, n_sims=..., seed=seed)``
        repeats the result exactly.
    ci_low, ci_high : float
        95% Wilson interval of ``power``.
    mc_se : float
        Monte Carlo standard error of ``power``, ``sqrt(p (1 - p) / n_sims)``.
    reduction_ci_low, reduction_ci_high, reduction_mc_se,
    increase_ci_low, increase_ci_high, increase_mc_se,
    inconclusive_ci_low, inconclusive_ci_high, inconclusive_mc_se : float
        The same for each verdict's probability.
    n_unanalysable : int
        Replicates that could not be analysed.
    unanalysable_reasons : dict
        Their count by reason (only reasons that occurred).
    mean_funnel : dict
        Mean people submitted (``"submitted"``) and left after each funnel
        stage, by stage name; matching comes after the last stage.
    mean_n_treated : float
        Mean treated people analysed: left after the funnel and matched.
    mean_matching_loss : float
        Mean treated people dropped by matching (none within the caliper).
    mean_comparison_records : float
        Mean distinct comparison records matched.
    mean_max_abs_std_diff : float
        Mean, over replicates with matches, of the largest absolute
        standardised difference of the covariates after matching.
    """

    n_sims: int
    seed: int
    ci_low: float
    ci_high: float
    mc_se: float
    reduction_ci_low: float
    reduction_ci_high: float
    reduction_mc_se: float
    increase_ci_low: float
    increase_ci_high: float
    increase_mc_se: float
    inconclusive_ci_low: float
    inconclusive_ci_high: float
    inconclusive_mc_se: float
    n_unanalysable: int
    unanalysable_reasons: dict
    mean_funnel: dict
    mean_n_treated: float
    mean_matching_loss: float
    mean_comparison_records: float
    mean_max_abs_std_diff: float
    replicates: pd.DataFrame = field(repr=False, compare=False)

    def replicates_frame(self) -> pd.DataFrame:
        """One row per replicate: funnel counts, matching, rates, estimate, test.

        Columns: ``replicate``; ``submitted`` and the people left after each
        funnel stage (by stage name); ``n_treated`` (analysed, after
        matching); ``n_comparison_records``; ``comparison_ess`` (Kish);
        ``treated_rate``; ``comparison_rate`` (weighted); ``estimate``
        (their difference); ``standard_error``, ``ci_low``, ``ci_high`` (the
        confidence interval published with the verdict: 95% for a two-sided
        test at alpha 0.05) and ``p_value`` of the test;
        ``verdict`` (or ``"not analysable"``) and ``reason`` (why not, else
        empty), both categorical; ``max_abs_std_diff``; ``converged`` (the
        propensity fit).
        """
        return self.replicates.copy()

    @property
    def critical_value(self) -> float:
        """The normal critical value of the test: a study whose estimate is more than
        this many standard errors from no difference (in the direction tested) is
        significant, 1.96 two-sided at alpha 0.05.

        >>> from powerplan import Scenario, SimulationSettings, simulate
        >>> result = simulate(Scenario(cohort=300, simulation=SimulationSettings(pool=5000)),
        ...                   n_sims=64, seed=1)
        >>> round(result.critical_value, 3), round(100 * result.median_standard_error, 2)
        (1.96, 4.51)
        """
        from scipy import stats

        sides = 2 if self.alternative == "two-sided" else 1
        return float(stats.norm.isf(self.alpha / sides))

    @property
    def median_standard_error(self) -> float:
        """The analysed studies' median standard error of the difference in rates
        (proportion units); NaN when no study was analysed.

        The arcsine test's standard error, of ``2 asin(sqrt(rate))``, is converted
        to rates at each study's comparison rate; fleiss-cc's is taken without
        its continuity correction. Times :attr:`critical_value`, it is the
        smallest difference a study of median precision finds significant.
        """
        analysed = self.replicates[self.replicates["verdict"] != "not analysable"]
        if analysed.empty:
            return float("nan")
        se = analysed["standard_error"].to_numpy(dtype=float)
        if self.scenario.simulation.test == "arcsine":
            # d(rate) = sqrt(rate (1 - rate)) d(2 asin(sqrt(rate))).
            rate = analysed["comparison_rate"].to_numpy(dtype=float)
            se = se * np.sqrt(rate * (1.0 - rate))
        return float(np.nanmedian(se))

    def plot_estimates(self, ax=None):
        """Draw the studies' estimates by verdict; see :func:`powerplan.plotting.plot_estimates`."""
        from ..plotting import plot_estimates

        return plot_estimates(self, ax=ax)

    def to_dict(self) -> dict:
        """Every figure as a plain Python value (JSON-ready); no scenario, no replicates."""
        skip = ("scenario", "replicates", *self._not_shown())
        out = {}
        for key, value in self.__dict__.items():
            if key not in skip:
                out[key] = ({k: _plain(v) for k, v in value.items()} if isinstance(value, dict)
                            else _plain(value))
        return out

    def to_frame(self) -> pd.DataFrame:
        """A one-row DataFrame of :meth:`to_dict` (tables flattened as ``mean_funnel.found``)."""
        return pd.json_normalize(self.to_dict())

    def summary(self) -> str:
        """One sentence in plain words, with the Monte Carlo error."""
        lower = self.scenario.outcome.better < 0
        return (
            f"With {_format.headcount(self.cohort)} submitted, about "
            f"{self.mean_n_treated:,.0f} are analysed after matching; the chance of a "
            f"{self._better_words()} is {_format.percent(self.p_better, 0)} "
            f"(Monte Carlo SE "
            f"{100 * (self.reduction_mc_se if lower else self.increase_mc_se):.1f} points, "
            f"{self.n_sims:,} simulations)." + self._measure_note()
        )

    def _interval(self, p, low, high) -> str:
        return f"{_format.percent(p)} (95% CI {_format.percent(low)} to {_format.percent(high)})"

    def _rows(self) -> list[tuple[str, str]]:
        rows = [("power", self._interval(self.power, self.ci_low, self.ci_high))]
        for name, mean in self.mean_funnel.items():
            label = "people submitted" if name == "submitted" else f"stage {name!r}"
            rows.append((label, _format.people(mean)))
        rows += [
            ("after matching", f"{self.mean_n_treated:,.1f} treated analysed "
                               f"({self.mean_matching_loss:,.1f} dropped by the caliper)"),
            # NaN (no study matched anyone, or balance not measured) is never shown
            ("comparison", f"{self.mean_comparison_records:,.1f} records, "
                           f"effective size {self.n_comparison:,.1f} (Kish)"
             if math.isfinite(self.n_comparison) else "none: no simulated study matched "
                                                       "a treated person"),
            ("balance", f"max |standardised difference| {self.mean_max_abs_std_diff:.3f}"
             if math.isfinite(self.mean_max_abs_std_diff) else "not measured: no simulated "
                                                               "study matched a treated person"),
            self.scenario.outcome.values_row(self.effect),
            (self.scenario.outcome.lower_words,
             self._interval(self.p_significant_reduction, self.reduction_ci_low,
                            self.reduction_ci_high)),
            ("inconclusive", self._interval(self.p_inconclusive, self.inconclusive_ci_low,
                                            self.inconclusive_ci_high)),
            (self.scenario.outcome.higher_words,
             self._interval(self.p_significant_increase, self.increase_ci_low,
                            self.increase_ci_high)),
        ]
        gate = self.scenario.outcome.min_treated_reoffenders
        if gate:
            rows.append((f"not reported (< {gate} treated reoffenders)",
                         _format.percent(self.p_not_reported)))
        lost = f"{self.n_unanalysable:,} of {self.n_sims:,} replicates"
        if self.n_unanalysable:
            reasons = "; ".join(f"{why} ({n:,})" for why, n in self.unanalysable_reasons.items())
            lost += f", counted as not significant: {reasons}"
        rows += [("not analysable", lost), ("seed", str(self.seed))]
        return rows

    def __str__(self) -> str:
        head = (f"Power (simulate; {self.method} test, {self.alternative}, alpha {self.alpha:g}): "
                f"{_format.percent(self.power)} ± {100 * self.mc_se:.1f} points "
                f"(Monte Carlo SE), {self.n_sims:,} simulations")
        return head + "\n" + _format.table(self._rows())
