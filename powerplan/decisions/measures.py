"""All three headline measures of one planned study: each one's chances, and together.

Published analyses report the rate, the frequency and the time to first
reoffence for the same people. :func:`compare_measures` gives each measure's
verdict chances and, by simulating the study once for all three (the same
people, the same matching weights; :mod:`powerplan.simulator.headline`), the
chance that at least one shows a significant improvement, with and without a
correction for testing three measures, and the chance that they disagree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .. import _format
from ..design.scenario import Scenario, check_scenario
from ..engines import ANALYTIC, Engine, as_engine, is_analytic
from ..errors import InvalidInputError
from ..outcomes.headline import Headline
from ..results.measures import JOINT_WORDS, JointChance, MeasuresResult

#: Corrections for testing the measures together, by name.
CORRECTIONS = ("holm", "bonferroni")


def compare_measures(scenario: Scenario, headline: Headline | None = None, *,
                     engine: Engine | str = ANALYTIC, n_sims: int | None = None,
                     seed: int | None = None, workers: int = 1,
                     progress=None) -> MeasuresResult:
    """The three headline measures of one planned study, side by side.

    Parameters
    ----------
    scenario : Scenario
        The planned study: cohort, funnel, comparison design, alpha and the
        simulation settings. Its outcome, unless ``headline`` is given, sets
        the measures' parameters (:meth:`Headline.of`).
    headline : Headline, optional
        The three measures' parameters and effects.
    engine : powerplan.analytic, Simulator, "analytic" or "simulate"
        The analytic engine gives each measure's chances in closed form and
        the joint chances by a normal approximation of the three estimates
        (:mod:`powerplan.decisions.joint_normal`, marked approximate); a
        :class:`~powerplan.Simulator` simulates each study once for all three
        measures, and gives every joint chance with its Monte Carlo error.
    n_sims, seed, workers, progress
        With ``engine="simulate"``, as for :func:`powerplan.simulate`.

    Returns
    -------
    MeasuresResult

    Raises
    ------
    InvalidInputError
        A one-sided alternative (the three measures' better directions
        differ: the data service tests each two-sided), or a setting the
        simulator cannot run.

    Examples
    --------
    >>> from powerplan import Scenario
    >>> result = compare_measures(Scenario(cohort=1000))
    >>> {name: round(r.p_better, 3) for name, r in result.results.items()}
    {'rate': 0.543, 'frequency': 0.315, 'time': 0.174}
    """
    check_scenario(scenario)
    if scenario.alternative != "two-sided":
        raise InvalidInputError("alternative", f"must be 'two-sided' to compare the three "
                                               f"measures (lower is better for two of them, "
                                               f"higher for the third); got "
                                               f"{scenario.alternative!r}")
    headline = Headline.of(scenario.outcome) if headline is None else headline
    if not isinstance(headline, Headline):
        raise InvalidInputError("headline", f"must be a Headline; got {headline!r}")
    engine = as_engine(engine, n_sims=n_sims, seed=seed, workers=workers, progress=progress)
    rate_scenario = scenario.replace(outcome=headline.rate, method=None)
    if is_analytic(engine):
        from ..formulas.analytic import analytic

        from .joint_normal import approximate_joint

        results = {o.name: analytic(scenario.replace(outcome=o, method=None))
                   for o in headline.measures}
        joint = {name: JointChance(value) for name, value in
                 approximate_joint(rate_scenario, headline, joint_chances).items()}
        return MeasuresResult(results, joint, "analytic", None, None, headline, rate_scenario)
    for outcome in headline.measures:
        engine.check(scenario.replace(outcome=outcome, method=None))
    return _simulated(rate_scenario, headline, engine)


def _simulated(scenario: Scenario, headline: Headline, simulator) -> MeasuresResult:
    from ..simulator import engine as simulation, headline as joint, replicate
    from ..simulator.person import NOT_REPORTED

    entropy = np.random.SeedSequence().entropy if simulator.seed is None else simulator.seed
    study = replicate.prepare(scenario, entropy)  # the rate's calibration: who reoffends
    model = joint.calibrate(scenario, headline, study.population, study.pool, None,
                            study.outcome_model)
    study = replace(study, outcome_model=model, outcome_module=joint)
    columns = simulation.replicate_columns(study, simulator)

    def integers(values):
        return np.nan_to_num(values).astype(np.int64)  # not analysed: inconclusive (0)

    results = {"rate": simulation._summarise(scenario, columns, entropy)}
    for outcome in headline.measures[1:]:
        prefix = outcome.name
        own = columns | {"verdict": integers(columns[f"{prefix}_verdict"]),
                         "estimate": columns[f"{prefix}_estimate"],
                         "standard_error": columns[f"{prefix}_standard_error"],
                         "ci_low": columns[f"{prefix}_ci_low"],
                         "ci_high": columns[f"{prefix}_ci_high"],
                         "p_value": columns[f"{prefix}_p_value"]}
        results[prefix] = simulation._summarise(scenario.replace(outcome=outcome, method=None),
                                                own, entropy)

    analysed = columns["reason"] == 0
    verdicts = np.column_stack([integers(columns["verdict"]),
                                integers(columns["frequency_verdict"]),
                                integers(columns["time_verdict"])])
    p_values = np.column_stack([columns["p_value"], columns["frequency_p_value"],
                                columns["time_p_value"]])
    estimates = np.column_stack([columns["estimate"], columns["frequency_estimate"],
                                 columns["time_estimate"]])
    better = np.array([o.better for o in headline.measures])
    reported = analysed[:, None] & (verdicts != NOT_REPORTED) & np.isfinite(p_values)
    shares = joint_chances(np.where(reported, p_values, np.nan),
                           np.where(reported, np.sign(estimates) * better, 0.0),
                           scenario.alpha)
    n = len(analysed)
    chances = {name: _chance(int(count), n) for name, count in shares.items()}
    return MeasuresResult(results, chances, "simulate", n, int(entropy), headline, scenario)


def joint_chances(p_values: np.ndarray, direction: np.ndarray, alpha: float) -> dict:
    """Counts of studies (rows) with each joint verdict.

    Parameters
    ----------
    p_values : (n, measures) array
        Two-sided p-values; NaN for a measure not reported in that study.
    direction : (n, measures) array
        +1 where the estimate is in the measure's better direction, -1 where
        worse, 0 where it is 0 or not reported.
    alpha : float

    Returns
    -------
    dict of int
        By the names of :data:`~powerplan.results.measures.JOINT_WORDS`. Holm's
        step-down and Bonferroni's correction count the measures reported in
        each study.

    Examples
    --------
    In the first study two measures are reported, so Holm compares 0.02 with
    0.025 and then 0.03 with 0.05 (both rejected), and Bonferroni 0.03 with
    0.025 (not); in the second Holm stops at once (0.02 > 0.05 / 3):

    >>> p = np.array([[0.03, 0.02, np.nan], [0.02, 0.04, 0.3], [0.2, 0.01, 0.04]])
    >>> d = np.array([[1, -1, 0], [1, -1, 1], [1, 1, -1]])
    >>> joint_chances(p, d, 0.05)
    {'any_better': 3, 'any_better_holm': 2, 'any_better_bonferroni': 1, 'opposite_verdicts': 3, 'directions_disagree': 3}
    """
    finite = np.isfinite(p_values)
    m = finite.sum(axis=1)
    significant = finite & (np.where(finite, p_values, 1.0) <= alpha)
    better = significant & (direction > 0)
    worse = significant & (direction < 0)
    bonferroni = finite & (np.where(finite, p_values, 1.0) <= alpha / np.maximum(m, 1)[:, None])
    # Holm: the j-th smallest p-value (j from 0) is compared with alpha / (m - j), and
    # rejection stops at the first that fails.
    order = np.argsort(np.where(finite, p_values, np.inf), axis=1)
    ranked = np.take_along_axis(np.where(finite, p_values, np.inf), order, axis=1)
    steps = np.arange(p_values.shape[1])
    passes = ranked <= alpha / np.maximum(m[:, None] - steps, 1)
    kept = np.cumprod(passes, axis=1).astype(bool)
    holm = np.zeros_like(kept)
    np.put_along_axis(holm, order, kept, axis=1)
    signs = np.where(direction != 0, direction, np.nan)
    disagree = (np.nanmax(np.where(finite, signs, -np.inf), axis=1) > 0) & \
        (np.nanmin(np.where(finite, signs, np.inf), axis=1) < 0)
    return {"any_better": int(better.any(axis=1).sum()),
            "any_better_holm": int((holm & (direction > 0)).any(axis=1).sum()),
            "any_better_bonferroni": int((bonferroni & (direction > 0)).any(axis=1).sum()),
            "opposite_verdicts": int((better.any(axis=1) & worse.any(axis=1)).sum()),
            "directions_disagree": int(disagree.sum())}


def _chance(count: int, n: int) -> JointChance:
    from statsmodels.stats.proportion import proportion_confint

    p = count / n
    low, high = proportion_confint(count, n, alpha=0.05, method="wilson")
    return JointChance(p, math.sqrt(p * (1 - p) / n), float(low), float(high))


# Submit now or wait, for the three measures ------------------------------------

@dataclass(frozen=True)
class MeasuresPlan:
    """The submission plan of each headline measure, month by month side by side.

    Attributes
    ----------
    plans : dict
        The rate's, the frequency's and the time's
        :class:`~powerplan.SubmissionPlan`, by measure name (the same intake,
        data rule and funnel).
    headline : Headline
    """

    plans: dict
    headline: Headline = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """One row per month: the people analysable and each measure's chance of a
        significant improvement (and the time's of not being reported)."""
        first = next(iter(self.plans.values()))
        frame = first.to_frame()[["month", "latest_index_date", "n_analysable",
                                  "expected_n_treated"]].copy()
        for name, plan in self.plans.items():
            frame[f"{name}_chance"] = [plan.chance(m) for m in plan.months]
            if name == "time":
                frame["time_not_reported"] = [m.p_not_reported for m in plan.months]
        return frame

    def to_dict(self) -> dict:
        return {"headline": self.headline.to_dict(),
                "recommended_months": {name: plan.recommended_month
                                       for name, plan in self.plans.items()},
                "plans": {name: plan.to_dict() for name, plan in self.plans.items()}}

    def summary(self) -> str:
        parts = [f"the {name} in {plan.recommended_month}" if plan.recommended_month
                 else f"the {name} in no month up to {plan.months[-1].month}"
                 for name, plan in self.plans.items()]
        first = next(iter(self.plans.values()))
        return (f"The earliest month reaching {_format.percent(first.target_power, 0)} power "
                f"with {first.minimum_request} people analysable: " + ", ".join(parts) + ".")

    def __str__(self) -> str:
        frame = self.to_frame()
        header = ["month", "index dates to", "analysable", "analysed", "rate", "frequency",
                  "time", "time not reported"]
        rows = [[row.month, row.latest_index_date or "-", f"{row.n_analysable:,}",
                 f"{row.expected_n_treated:,.1f}", _format.percent(row.rate_chance),
                 _format.percent(row.frequency_chance), _format.percent(row.time_chance),
                 _format.percent(row.time_not_reported)]
                for row in frame.itertuples()]
        effects = ", ".join(f"{name} {plan.scenario.outcome.describe_effect()}"
                            for name, plan in self.plans.items())
        return (f"{self.summary()}\n\nSubmit now or wait, the three headline measures "
                f"(analytic; chance of a significant improvement)\n  effects: {effects}\n"
                + _format.columns(header, rows, left=(0, 1)))


def measures_plan(scenario: Scenario, intake, headline: Headline | None = None,
                  **plan) -> MeasuresPlan:
    """:func:`powerplan.submission_plan` for each headline measure of one study.

    ``plan`` holds the keywords of :func:`~powerplan.submission_plan`
    (``now``, ``horizon_months``, ``lag_months``, ``windows``,
    ``target_power``); ``headline`` (default :meth:`Headline.of` the
    scenario's outcome) the three measures' parameters and effects.

    >>> from powerplan import Intake, Scenario
    >>> both = measures_plan(Scenario(), Intake.monthly(40, "2024-01"), now="2026-11",
    ...                      horizon_months=12)
    >>> {name: p.recommended_month for name, p in both.plans.items()}
    {'rate': None, 'frequency': None, 'time': None}
    >>> round(float(both.to_frame()["rate_chance"].iloc[-1]), 3)
    0.46
    """
    from .wait import submission_plan

    check_scenario(scenario)
    allowed = ("now", "horizon_months", "lag_months", "windows", "target_power", "engine")
    for key in plan:
        if key not in allowed:
            raise InvalidInputError(str(key), f"is not a setting of a submission plan; "
                                              f"allowed: {', '.join(allowed)}")
    if "now" not in plan:
        raise InvalidInputError("now", "must be given: the month of the submission (YYYY-MM)")
    headline = Headline.of(scenario.outcome) if headline is None else headline
    if not isinstance(headline, Headline):
        raise InvalidInputError("headline", f"must be a Headline; got {headline!r}")
    plans = {outcome.name: submission_plan(scenario.replace(outcome=outcome, method=None),
                                           intake, **plan)
             for outcome in headline.measures}
    return MeasuresPlan(plans, headline)
