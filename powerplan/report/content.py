"""What a report says: every number it shows, computed once, and its sentences.

:func:`make_report` computes the planned study's answers (the chance of
each verdict by the engine given; the people the target needs, the smallest
detectable effect, power by cohort, the sensitivity table and, with an
intake, the submission months, all analytic) into a frozen :class:`Report`,
which :mod:`.render` turns into HTML or Markdown. Nothing here reads the
clock or a file: the date and the sources of the settings are given.
"""

from __future__ import annotations

import datetime as dt
from importlib import metadata
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .. import _format
from ..design.presets import preset
from ..design.scenario import Scenario
from ..engines import ANALYTIC, as_engine, is_analytic
from ..errors import InvalidInputError, NoSolutionError
from ..solvers.solve import MIN_REQUEST, check_target_power
from ..outcomes import settings_for
from .words import formula_source

#: Where a setting came from when the caller says nothing of it.
DEFAULT_SOURCE = "default"
#: The prior of the sensitivity table: the published-results preset.
PRIOR_PRESET = "published"
#: Points on the power-by-cohort curve.
CURVE_POINTS = 60


@dataclass(frozen=True)
class Number:
    """A number shown in the text: its value (for tests and the page's ``data-value``),
    its name (``data-key``) and how it is written."""

    key: str
    value: float | str
    text: str


@dataclass(frozen=True)
class Sentence:
    """A sentence of the answer: text pieces and :class:`Number` pieces, in order."""

    parts: tuple

    @property
    def text(self) -> str:
        return "".join(part.text if isinstance(part, Number) else part for part in self.parts)


def _sentence(*parts) -> Sentence:
    return Sentence(tuple(parts))


@dataclass(frozen=True)
class SensitivityRow:
    """One line of the sensitivity table: an assumption about the effect and its answer."""

    assumption: str
    effect: str
    p_better: float
    p_inconclusive: float
    p_worse: float
    cohort_needed: int | None


@dataclass(frozen=True)
class Assumption:
    """One setting of the study: its name, value and where it came from."""

    setting: str
    value: str
    source: str


@dataclass(frozen=True)
class Report:
    """A planned study's report: the answer, its figures' data, its assumptions and method.

    Build one with :func:`make_report`; :meth:`to_html` and
    :meth:`to_markdown` write it.

    Attributes
    ----------
    title : str
    date : datetime.date
        The report's date (given: powerplan never reads the clock).
    scenario : Scenario
        The study the answer is about (with an intake: the people analysable
        in the month the answer is for).
    result : PowerResult
        The chance of each verdict, by the engine given.
    target_power : float
    size, mde : Solution or None
        The people needed for the target power, and the smallest
        detectable effect (analytic); None with the reason in
        ``size_note`` / ``mde_note``.
    curve : PowerCurve
        Power by people submitted (analytic).
    measures : MeasuresResult or None
        The three headline measures, with ``--measure all``.
    plan : SubmissionPlan or None
        The submission months, when an intake was given.
    sensitivity : tuple of SensitivityRow
    assumptions : tuple of Assumption
    file_note : str or None
        What was read from the organisation's file (counts only).
    answer_month : str or None
        With a plan: the month whose people the answer is about.
    """

    title: str
    date: dt.date
    scenario: Scenario
    result: object
    target_power: float
    size: object
    size_note: str
    mde: object
    mde_note: str
    curve: object
    measures: object
    plan: object
    sensitivity: tuple
    assumptions: tuple
    file_note: str | None
    answer_month: str | None
    version: str = field(default_factory=lambda: metadata.version("powerplan"))
    _sentences: tuple = field(default=(), repr=False)

    # The answer, in plain words ------------------------------------------------

    @property
    def outcome(self):
        return self.scenario.outcome

    @property
    def simulated(self) -> bool:
        return self.result.engine == "simulate"

    def headline_numbers(self) -> dict[str, float]:
        """The numbers of the answer by key, as the page's ``data-key`` names them."""
        return {part.key: part.value for sentence in self.answer()
                for part in sentence.parts if isinstance(part, Number)}

    def answer(self) -> tuple[Sentence, ...]:
        """The answer's sentences, in the order the report gives them."""
        return self._sentences

    def method(self) -> list[tuple[str, str]]:
        """The method section's rows: what was computed and how."""
        outcome, scenario, result = self.outcome, self.scenario, self.result
        first, source = formula_source(outcome.name, scenario.method)
        sided = {"two-sided": "two-sided", "less": "one-sided (a reduction only)",
                 "greater": "one-sided (an increase only)"}[scenario.alternative]
        # the simulated studies run their own test (the simulation's), the formulas theirs
        test = result.method if self.simulated else scenario.method
        rows = [("Measure", f"The {outcome.measure}."),
                ("Test", f"The {test} test, {sided}; a result is significant when its "
                         f"p-value is at most {scenario.alpha:g}.")]
        if self.simulated:
            rows.append(("Engine", (
                f"Simulated: {result.n_sims:,} studies of the whole matched-cohort process "
                f"(funnel, propensity score, matching, weighted Welch t-test), seed "
                f"{result.seed}. Monte Carlo standard error of the chance of a "
                f"{self._better()}: {100 * self._better_se():.1f} points. The same seed "
                f"gives the same numbers.")))
            rows.append(("Also", "The people needed, the smallest detectable effect, power "
                                 "by cohort, the sensitivity table and the submission months "
                                 "are computed analytically (closed-form formulas)."))
        else:
            rows.append(("Engine", "Analytic: closed-form formulas, the chances averaged over "
                                   "the random number of people analysed (each person "
                                   "passes the funnel independently)."))
        rows.append(("Formulas", (f"{first} The {scenario.method} test: {source}"
                                  if source else first)))
        if self.plan is not None:
            rows.append(("Submission months", (
                "A person is analysable once a year of follow-up and six months more have "
                "passed after their index date and the data service has loaded them; each "
                "month's chance is for the people analysable then.")))
        rows.append(("Software", f"powerplan {self.version}."))
        rows.append(("Date", f"{self.date.isoformat()}."))
        return rows

    def _better(self) -> str:
        words = self.outcome.better_words
        return words if words.startswith("significant ") else f"{words} {self.outcome.measure}"

    def _better_se(self) -> float:
        lower = self.outcome.better < 0
        return self.result.reduction_mc_se if lower else self.result.increase_mc_se

    def to_html(self) -> str:
        """The report as one self-contained HTML page (figures inline as SVG)."""
        from .render import to_html

        return to_html(self)

    def to_markdown(self, figure_stem: str = "report") -> tuple[str, dict[str, str]]:
        """The report as Markdown, and its figures: ``{file name: SVG text}``, each named
        ``{figure_stem}-{figure}.svg`` and linked from the text by that name."""
        from .render import to_markdown

        return to_markdown(self, figure_stem)


# Building a report ---------------------------------------------------------------

def make_report(scenario: Scenario, *, date, engine=ANALYTIC, target_power: float = 0.8,
                headline=None, intake=None, plan_rule: Mapping | None = None,
                title: str | None = None, sources: Mapping[str, str] | None = None,
                file_note: str | None = None) -> Report:
    """Compute a planned study's report.

    Parameters
    ----------
    scenario : Scenario
        The planned study. With ``intake``, its funnel is the share of the
        people analysable who are analysed (the data window is counted from
        the dates), as for :func:`powerplan.submission_plan`.
    date : datetime.date or str
        The report's date, ``YYYY-MM-DD`` (given, so that the same inputs give
        the same report).
    engine : powerplan.analytic or Simulator
        How the chance of each verdict is computed; the other figures are
        analytic.
    target_power : float
        Power to reach, in (alpha, 1).
    headline : Headline, optional
        The three measures' parameters: the report then also gives each
        measure's chances (and, simulated, the chance of at least one).
    intake : Intake, optional
        The organisation's people by index date: the report then says when to
        submit, and the answer is for the people analysable now.
    plan_rule : mapping, optional
        With ``intake``: :func:`powerplan.submission_plan`'s ``now``,
        ``horizon_months``, ``lag_months`` and ``windows``.
    title : str, optional
    sources : mapping, optional
        Where each setting came from, by setting name (``"base_rate"``,
        ``"effect"``, ``"retention"``, ``"intake"``, ...), such as
        ``"option --base-rate"``, ``"config file study.toml"`` or
        ``"organisation's file"``; unnamed settings are defaults.
    file_note : str, optional
        What was read from the organisation's file, in counts only.

    Returns
    -------
    Report

    Examples
    --------
    >>> from powerplan import Scenario
    >>> report = make_report(Scenario(cohort=300), date="2026-01-31")
    >>> print(report.answer()[0].text[:51])
    With 300 people submitted, about 120 are analysed.
    >>> sorted(report.headline_numbers())[:4]
    ['cohort_needed', 'mde', 'n_analysed', 'p_inconclusive']
    >>> html = report.to_html()     # one page; report.to_markdown() for text and SVG files
    """
    from ..decisions.wait import submission_plan
    from ..formulas.analytic import analytic

    date = _date(date)
    engine = as_engine(engine)
    sources = dict(sources or {})
    if not isinstance(scenario, Scenario):
        raise InvalidInputError("scenario", f"must be a Scenario; got {scenario!r}")
    target_power = check_target_power(target_power, scenario.alpha)
    plan, month = None, None
    if intake is not None:
        plan = submission_plan(scenario, intake, target_power=target_power,
                               **dict(plan_rule or {}))
        chosen = plan.current if plan.current.n_analysable >= 1 else (plan.recommended
                                                                      or plan.best)
        if chosen.n_analysable < 1:
            raise NoSolutionError("nobody in the intake is analysable within the horizon")
        scenario = scenario.replace(cohort=chosen.n_analysable)
        month = chosen.month
    measures = None
    if headline is not None:
        from ..decisions.measures import compare_measures

        measures = compare_measures(scenario, headline, engine=engine)
        result = measures.results["rate"] if scenario.outcome.name == "rate" else \
            measures.results[scenario.outcome.name]
    else:
        result = engine.power(scenario)
    size, size_note = _solved(scenario, "cohort", target_power)
    mde, mde_note = _solved(scenario, "effect", target_power)
    curve = _curve(scenario, size)
    report = Report(
        title=title or (f"What an evaluation of {_format.headcount(scenario.cohort)} could show"
                        if plan is None else "What an evaluation could show, and when to "
                                             "submit"),
        date=date, scenario=scenario, result=result, target_power=target_power,
        size=size, size_note=size_note, mde=mde, mde_note=mde_note, curve=curve,
        measures=measures, plan=plan, sensitivity=_sensitivity(scenario, target_power, analytic),
        assumptions=_assumptions(scenario, target_power, sources, plan, engine),
        file_note=file_note, answer_month=month)
    return _with_sentences(report)


def _date(date) -> dt.date:
    if isinstance(date, dt.datetime):
        return date.date()
    if isinstance(date, dt.date):
        return date
    try:
        return dt.date.fromisoformat(str(date))
    except ValueError:
        raise InvalidInputError("date", f"must be a date as YYYY-MM-DD; got {date!r}") from None


def _solved(scenario, unknown, target_power):
    """The solution, or None and why there is none (in words)."""
    from ..solvers.solve import solve

    try:
        return solve(scenario, unknown, target_power=target_power), ""
    except NoSolutionError as error:
        return None, str(error)


def _curve(scenario, size):
    """Power by people submitted, from the data service's minimum to beyond both the
    cohort and the people the target needs."""
    from ..solvers.sweep import sweep

    top = max(3 * scenario.cohort, 2 * size.value if size is not None else 0, 200)
    low = min(MIN_REQUEST, scenario.cohort)
    cohorts = np.unique(np.rint(np.linspace(low, top, CURVE_POINTS)).astype(int))
    cohorts = np.unique(np.append(cohorts, scenario.cohort))
    return sweep(scenario, "cohort", cohorts)


def _sensitivity(scenario, target_power, analytic) -> tuple[SensitivityRow, ...]:
    """The answer as assumed, with half the effect, with none, and (for the rate) averaged
    over the belief the published results give."""
    from ..solvers.assurance import assurance

    outcome = scenario.outcome
    rows = []

    def row(name, study, result, prior=None):
        needed, _ = _solved_cohort(study, target_power, prior)
        better = getattr(result, "assurance", None) if prior is not None else None
        rows.append(SensitivityRow(
            name, outcome.describe_effect(study.effect) if prior is None else prior_words,
            result.p_better if better is None else better, result.p_inconclusive,
            result.p_worse, needed))

    prior_words = ""
    row("As assumed", scenario, analytic(scenario))
    half = scenario.replace(effect=scenario.effect / 2)
    row("Half the effect", half, analytic(half))
    none = scenario.replace(effect=0.0)
    row("No effect at all", none, analytic(none))
    if outcome.name == "rate":
        prior = preset(PRIOR_PRESET)
        prior_words = f"{100 * prior.mean:+.1f} points on average, SD {100 * prior.sd:.1f}"
        row("What published results suggest", scenario, assurance(scenario, prior), prior)
    return tuple(rows)


def _solved_cohort(scenario, target_power, prior):
    from ..solvers.solve import solve

    try:
        return solve(scenario, "cohort", target_power=target_power, prior=prior).value, ""
    except NoSolutionError as error:
        return None, str(error)


def _assumptions(scenario, target_power, sources, plan, engine) -> tuple[Assumption, ...]:
    """Each setting with its value and source."""
    registry = settings_for(scenario.outcome)
    values = scenario.to_dict()
    rows = []

    def add(name, words, text):
        rows.append(Assumption(words, text, sources.get(name, DEFAULT_SOURCE)))

    if plan is None:
        add("cohort", "people submitted", registry["cohort"].format(scenario.cohort))
    else:
        add("intake", "people, by index date", plan.intake.describe())
        add("cohort", "people analysable in the month answered",
            _format.people(scenario.cohort))
    stages = scenario.funnel.stages
    funnel = _format.percent(scenario.retention)
    if len(stages) > 1:
        funnel += " (" + " x ".join(f"{s.name} {_format.percent(s.share, 0)}"
                                    for s in stages) + ")"
    add("retention", "found and matched (of those analysable)" if plan is not None
        else "retention (share analysed)", funnel)
    skip = {"cohort", "retention", "n_comparison" if scenario.n_comparison is None
            else "comparison_ratio"}
    for name, setting in registry.items():
        if name in skip or name not in values:
            continue
        add(name, setting.words, setting.format(values[name]))
    add("target_power", "target power", _format.percent(target_power, 0))
    if plan is not None:
        rule = (f"data loaded {plan.lag_months} months before the submission month"
                if plan.lag_months is not None else
                "; ".join(f"from {w.release} up to index dates {w.end}" for w in plan.windows))
        add("data_window", "data windows", rule)
        add("now", "first month considered", plan.now)
        add("horizon_months", "months ahead considered", f"{len(plan.months) - 1}")
    if not is_analytic(engine):
        add("n_sims", "simulated studies", f"{engine.n_sims:,}")
    return tuple(rows)


# The answer's sentences -----------------------------------------------------------

def _with_sentences(report: Report) -> Report:
    from dataclasses import replace

    return replace(report, _sentences=tuple(_answer(report)))


def _pct(key: str, value: float) -> Number:
    return Number(key, float(value), _format.percent(value, 0))


def _answer(r: Report):
    scenario, result, outcome = r.scenario, r.result, r.outcome
    cohort = scenario.cohort
    who = (f"With {_format.headcount(cohort)} submitted" if r.plan is None else
           f"With the {_format.headcount(cohort)} analysable in {r.answer_month}")
    analysed = getattr(result, "mean_n_treated", None) or result.expected_n_treated
    # the better verdict first: a reduction for the rate, a longer time for the time
    sides = [("lower", "p_significant_reduction"), ("higher", "p_significant_increase")]
    (first, first_key), (last, last_key) = sides if outcome.better < 0 else sides[::-1]
    yield _sentence(
        f"{who}, about ", Number("n_analysed", float(analysed), f"{analysed:,.0f}"),
        f" are analysed. If the assumed effect is right ({outcome.describe_effect()}), the "
        f"chance that the analysis reports a {_verdict(outcome, first)} is ",
        _pct(first_key, getattr(result, first_key)),
        "; that it is inconclusive, ", _pct("p_inconclusive", result.p_inconclusive),
        f"; that it reports a {_verdict(outcome, last)}, ",
        _pct(last_key, getattr(result, last_key)), ".")
    if r.plan is None and cohort < MIN_REQUEST:
        yield _sentence(f"The data service needs at least {MIN_REQUEST} people submitted: "
                        f"with {cohort:,} it would not take the request.")
    # said when it could happen (a chance that rounds to 0% is not worth a sentence)
    if outcome.min_treated_reoffenders and result.p_not_reported >= 0.005:
        yield _sentence(
            f"The {outcome.measure} is reported only with at least "
            f"{outcome.min_treated_reoffenders} treated reoffenders: it would not be reported "
            f"with chance ", _pct("p_not_reported", result.p_not_reported), ".")
    better = result.p_better
    yield _sentence(
        "Put another way: if 100 organisations like yours submitted, about ",
        Number("per_100_better", round(100 * better), f"{round(100 * better)}"),
        f" would get a {_verdict(outcome, 'better')}, and about ",
        Number("per_100_inconclusive", round(100 * result.p_inconclusive),
               f"{round(100 * result.p_inconclusive)}"),
        " an inconclusive result.")
    yield _typical_people(outcome)
    if r.measures is not None:
        yield from _measures_sentences(r)
    if r.plan is not None:
        yield from _plan_sentences(r)
    target = _format.percent(r.target_power, 0)
    if r.size is not None:
        size = r.size
        yield _sentence(
            f"To reach {target} power (the chance of a significant result), "
            + ("submit at least " if r.plan is None else "you need at least "),
            Number("cohort_needed", size.value, _format.people(size.value)),
            (f" people (about {size.n_treated:,.0f} analysed); you have "
             f"{_format.people(cohort)}." if r.plan is None else
             f" people analysable (about {size.n_treated:,.0f} analysed); in "
             f"{r.answer_month} you have {_format.people(cohort)}."))
    else:
        yield _sentence(f"No number of people reaches {target} power here: {r.size_note}")
    if r.mde is not None:
        yield _sentence(
            f"With these people, the smallest {'reduction' if r.mde.value < 0 else 'increase'}"
            f"{'' if outcome.name == 'rate' else ' in the ' + outcome.measure} the analysis "
            f"would find with {target} power is ",
            Number("mde", r.mde.value, outcome.describe_change(r.mde.value)), ".")
    else:
        yield _sentence(f"No effect reaches {target} power with these people: {r.mde_note}")


def _verdict(outcome, side: str) -> str:
    """'significant reduction' / 'significantly longer time to first reoffence'."""
    if side == "better":
        side = "lower" if outcome.better < 0 else "higher"
    if outcome.name == "rate":
        return "significant reduction" if side == "lower" else "significant increase"
    words = outcome.lower_words if side == "lower" else outcome.higher_words
    return words if words.startswith("significant ") else f"{words} {outcome.measure}"


def _typical_people(outcome) -> Sentence:
    """The effect for 100 typical people, as the data service's reports put it."""
    base, treated = 100 * outcome.base_rate, 100 * outcome.treated_rate
    text = (f"For 100 typical people like yours, the assumption is that about {base:.0f} "
            f"would reoffend within a year without the service and {treated:.0f} with it")
    name = outcome.name
    if name == "frequency":
        comparison = 100 * outcome.comparison_frequency
        text += (f"; between them they would commit about {comparison:.0f} proven "
                 f"reoffences without it and {comparison + 100 * outcome.effect:.0f} with it")
    elif name == "time":
        text += (f"; those who reoffend would do so after {outcome.days_to_first:.0f} days "
                 f"on average without it and {outcome.treated_days:.0f} with it")
    return _sentence(text + ".")


def _measures_sentences(r: Report):
    parts = ["For each headline measure, the chance of a significant improvement: "]
    for index, (name, result) in enumerate(r.measures.results.items()):
        if index:
            parts.append(", " if index < len(r.measures.results) - 1 else " and ")
        parts += [f"the {result.scenario.outcome.measure} ", _pct(f"p_better_{name}",
                                                                  result.p_better)]
    parts.append(".")
    yield _sentence(*parts)
    any_better = r.measures.joint.get("any_better")
    if any_better is not None:
        interval = ("" if any_better.ci_low is None else
                    f", 95% interval {_format.percent(any_better.ci_low, 0)} to "
                    f"{_format.percent(any_better.ci_high, 0)}")
        yield _sentence("The chance that at least one of them shows a significant "
                        "improvement: ", _pct("p_any_better", any_better.value),
                        f" (no correction for looking at three measures{interval}).")
    else:
        yield _sentence("The chance that at least one of them shows a significant "
                        "improvement needs the three tests of the same studies: simulate "
                        "the study to have it.")


def _plan_sentences(r: Report):
    plan = r.plan
    chosen = plan.recommended
    if chosen is plan.current:
        yield _sentence("Recommendation: submit now (", Number("recommended_month", chosen.month,
                                                               chosen.month), ").")
    elif chosen is not None:
        yield _sentence("Recommendation: wait, and submit in ",
                        Number("recommended_month", chosen.month, chosen.month), ".")
    else:
        yield _sentence("Recommendation: no month up to ", Number(
            "recommended_month", "none", plan.months[-1].month), f" reaches "
            f"{_format.percent(plan.target_power, 0)} power; see below.")
    yield _sentence(plan.summary())
