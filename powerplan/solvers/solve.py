"""One solver for every unknown of a planned study.

``solve(scenario, "cohort" | "effect" | "retention", target_power=...)``
varies one setting with :func:`dataclasses.replace` and finds where power
reaches the target:

* ``cohort`` (a whole number) by exponential search and integer bisection,
  keeping ``power(lower) < target <= power(upper)``, so the answer ``c``
  satisfies ``power(c) >= target > power(c - 1)``;
* ``effect`` and ``retention`` (continuous) by scanning for the first
  crossing of the target and refining it with Brent's method.

When no answer exists the solver raises :class:`NoSolutionError` saying why.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize

from .. import _format, _validate
from ..formulas.analytic import analytic, formulas, verdict_grid
from .assurance import assurance
from ..engines import ANALYTIC, Engine, as_engine, is_analytic
from ..errors import InvalidInputError, NoSolutionError
from ..design.priors import Prior
from ..results.power import PowerResult, Solution
from ..design.scenario import MAX_COHORT, Scenario, check_scenario
from ..limits import DIRECTIONS, UNKNOWNS
#: The keywords solve(engine="simulate") makes its Simulator of.
SOLVER_KEYWORDS = ("precision", "max_sims", "seed", "workers", "progress")

#: The data service's minimum request (people submitted).
MIN_REQUEST = 60
#: Treated reoffenders needed before secondary measures are reported.
MIN_REOFFENDERS_SECONDARY = 30


def solve(scenario: Scenario, unknown: str, *, target_power: float = 0.8,
          direction: str | None = None, engine: Engine | str = ANALYTIC,
          prior: Prior | None = None, **simulation) -> Solution:
    """Solve a planned study for one named unknown.

    Parameters
    ----------
    scenario : Scenario
        The planned study; the unknown's own value in it is ignored.
    unknown : {"cohort", "effect", "retention"}
        ``cohort``: the minimum number of people to submit. ``effect``: the
        minimum detectable effect (MDE) for the scenario's cohort.
        ``retention``: the overall share of the cohort that must be analysed.
    target_power : float
        Power to reach, in (alpha, 1).
    direction : {"reduction", "increase"}, optional
        For ``effect``: solve for a reduction (negative effect) or an
        increase. Default: the measure's better direction (a reduction of the
        rate or the frequency, an increase of the time to first reoffence),
        or the one the alternative tests.
    engine : powerplan.analytic, Simulator, "analytic" or "simulate"
        How power is computed. A :class:`~powerplan.Simulator` (cohort or
        effect only; ``"simulate"`` makes one of the keywords below) fits a
        smooth power curve to simulated studies around the analytic answer
        and returns a :class:`~powerplan.solvers.simulated.SimulatedSolution`
        with the answer's 95% interval; see :mod:`powerplan.solvers.simulated`.
    **simulation
        With ``engine="simulate"``: ``precision``, ``max_sims``, ``seed``,
        ``workers``, ``progress`` (see
        :func:`~powerplan.solvers.simulated.solve_by_simulation`).
    prior : NormalPrior or DiscretePrior, optional
        A belief about the effect (see :mod:`powerplan.design.priors`). When given,
        the target is *assurance* (the chance of a significant result in the
        hoped direction averaged over the prior) instead of power; not for
        ``unknown="effect"``.

    Returns
    -------
    Solution

    Raises
    ------
    InvalidInputError
        A setting outside its range (target power, unknown, direction).
    NoSolutionError
        No value reaches the target; the message says why.

    Examples
    --------
    >>> from powerplan import Scenario
    >>> answer = solve(Scenario(), "cohort", target_power=0.8)
    >>> answer.value, answer.achieved_power >= 0.8 > answer.power_below
    (1829, True)
    >>> round(solve(Scenario(), "effect").value, 4)
    -0.1153
    """
    check_scenario(scenario)
    _validate.choice("unknown", unknown, UNKNOWNS)
    direction = default_direction(scenario) if direction is None else direction
    _validate.choice("direction", direction, DIRECTIONS)
    if engine == "simulate":
        unknown_keywords = sorted(set(simulation) - set(SOLVER_KEYWORDS))
        if unknown_keywords:
            raise InvalidInputError(unknown_keywords[0], "is not a setting of the simulated "
                                    f"solver; it takes {', '.join(SOLVER_KEYWORDS)}")
    engine = as_engine(engine, **simulation)
    if not is_analytic(engine):
        if prior is not None:
            raise InvalidInputError("prior", "cannot be combined with engine 'simulate' when "
                                             "solving; use the analytic engine for assurance")
        from .simulated import SIMULATED_UNKNOWNS, solve_by_simulation

        if unknown not in SIMULATED_UNKNOWNS:
            raise InvalidInputError("unknown", f"must be 'cohort' or 'effect' with engine "
                                               f"'simulate'; got {unknown!r}")
        # The search starts from the analytic answer.
        start = solve(scenario, unknown, target_power=target_power, direction=direction).value
        # The search stops by max_sims at the latest: the bar's length.
        with engine.reporting(engine.max_sims) as simulator:
            return solve_by_simulation(scenario, unknown, start, target_power=target_power,
                                       direction=direction, simulator=simulator)
    target = check_target_power(target_power, scenario.alpha)
    measure = _Measure(prior)
    if prior is not None:
        if unknown == "effect":
            raise InvalidInputError("prior", "cannot be combined with solving for the effect: "
                                             "the prior already describes it")
        reachable = assurance(scenario, prior)
        if reachable.ceiling < target:
            raise NoSolutionError(
                f"no {unknown} reaches {_format.percent(target)} assurance: the prior puts only "
                f"{_format.percent(reachable.p_effect_in_direction)} of its weight on effects "
                f"in the direction tested (at most {_format.percent(reachable.ceiling)} "
                f"assurance, with the false positives at no effect)")
    elif unknown != "effect":
        _check_direction_testable(scenario, scenario.effect)
    if unknown == "cohort":
        return _solve_cohort(scenario, target, measure)
    if unknown == "effect":
        return _solve_effect(scenario, target, direction)
    return _solve_retention(scenario, target, measure)


def default_direction(scenario: Scenario) -> str:
    """The direction of an MDE when none is named: the one a one-sided test looks in,
    else the measure's better one."""
    tested = {"less": "reduction", "greater": "increase"}.get(scenario.alternative)
    return tested or ("reduction" if scenario.outcome.better < 0 else "increase")


class _Measure:
    """What the target is compared with: power, or assurance under a prior."""

    def __init__(self, prior: Prior | None):
        self.prior = prior
        self.name = "power" if prior is None else "assurance"

    def result(self, scenario: Scenario) -> PowerResult:
        if self.prior is None:
            return analytic(scenario)
        return assurance(scenario, self.prior)

    def value(self, result: PowerResult) -> float:
        return result.power if self.prior is None else result.assurance

    def __call__(self, scenario: Scenario) -> float:
        return self.value(self.result(scenario))


def check_target_power(target_power: float, alpha: float) -> float:
    """A target power in (alpha, 1): at or below alpha even a zero effect reaches it."""
    target = _validate.proportion("target_power", target_power)
    if target <= alpha:
        raise InvalidInputError(
            "target_power", f"must be in (alpha, 1) = ({alpha:g}, 1): at or below alpha "
                            f"even a zero effect reaches it; got {target:g}")
    return target


def _notes(result: PowerResult) -> tuple[str, ...]:
    notes = []
    if result.cohort < MIN_REQUEST:
        notes.append(f"the data service needs at least {MIN_REQUEST} people submitted; "
                     f"this answer is {result.cohort}")
    reoffenders = result.expected_n_treated * result.treated_rate
    if reoffenders < MIN_REOFFENDERS_SECONDARY:
        notes.append(f"about {reoffenders:.0f} treated reoffenders are expected; secondary "
                     f"measures are only reported with at least {MIN_REOFFENDERS_SECONDARY}")
    return tuple(notes)


def _check_direction_testable(scenario: Scenario, effect: float):
    if effect == 0:
        raise NoSolutionError(
            f"the effect is 0, so power stays at alpha ({scenario.alpha:g}) whatever the "
            f"cohort; give the effect to detect (for example -0.05)")
    wrong = {"less": effect > 0, "greater": effect < 0}.get(scenario.alternative, False)
    if wrong:
        kind = "an increase" if effect > 0 else "a reduction"
        looks = "reductions" if scenario.alternative == "less" else "increases"
        raise NoSolutionError(
            f"the effect is {kind} ({scenario.outcome.describe_effect(effect)}) but the test "
            f"(alternative={scenario.alternative!r}) looks only for {looks}")


def _solve_cohort(scenario: Scenario, target: float, measure: _Measure) -> Solution:
    cache: dict[int, PowerResult] = {}

    def result_at(cohort: int) -> PowerResult:
        if cohort not in cache:
            cache[cohort] = measure.result(scenario.replace(cohort=cohort))
        return cache[cohort]

    def reaches(cohort: int) -> bool:
        return measure.value(result_at(cohort)) >= target

    if not reaches(MAX_COHORT):
        best = measure.value(result_at(MAX_COHORT))
        if scenario.n_comparison is not None:
            why = (f"with a fixed comparison group of {scenario.n_comparison:,} the power "
                   f"cannot pass {_format.percent(best)} however many people are submitted")
        elif result_at(MAX_COHORT).expected_n_treated < scenario.min_n_treated:
            why = (f"even {MAX_COHORT:,} people submitted give about "
                   f"{result_at(MAX_COHORT).expected_n_treated:,.0f} analysed, fewer than the "
                   f"{scenario.min_n_treated:,} the analysis needs (min_n_treated)")
        else:
            why = (f"even {MAX_COHORT:,} people submitted give only {_format.percent(best)} "
                   f"{measure.name}; the effect is too small")
        raise NoSolutionError(f"no cohort reaches {_format.percent(target)} {measure.name}: {why}")

    # Closed-form start: the treated size at which power at the expected n
    # reaches the target, scaled up by the retention.
    high = MIN_REQUEST
    if scenario.n_comparison is None:
        try:
            guess = scenario if measure.prior is None else scenario.replace(
                effect=measure.prior.mean)
            n1 = formulas(guess.outcome).treated_size(
                guess.outcome, ratio=scenario.comparison_ratio, alpha=scenario.alpha,
                target_power=target, alternative=scenario.alternative, method=scenario.method,
                max_n=MAX_COHORT)
            high = max(1, min(MAX_COHORT, math.ceil(n1 / scenario.retention)))
        except (ValueError, InvalidInputError):
            high = MAX_COHORT
    low = 0  # power with nobody submitted is 0 < target
    while not reaches(high):
        low, high = high, min(MAX_COHORT, 2 * high)
    # Step down from the guess until below the target (power at 0 is 0).
    step = max(1, high // 8)
    while low == 0 and high - step >= 1 and reaches(high - step):
        high -= step
        step *= 2
    if low == 0 and high - step >= 1:
        low = high - step
    while high - low > 1:
        middle = (low + high) // 2
        if reaches(middle):
            high = middle
        else:
            low = middle
    result = result_at(high)
    below = measure.value(result_at(high - 1)) if high > 1 else 0.0
    return Solution("cohort", high, target, measure.value(result), below, result,
                    result.scenario, _notes(result), measure.name)


def _first_crossing(power_of, grid: np.ndarray, target: float, powers=None) -> float:
    """Where ``power_of`` first reaches ``target`` along ``grid``, refined by Brent.

    ``powers`` may hold the values on the grid already (computed in one
    vectorised call).
    """
    if powers is None:
        powers = np.array([power_of(x) for x in grid])
    index = int(np.argmax(powers >= target))
    return optimize.brentq(lambda x: power_of(x) - target, grid[index - 1], grid[index],
                           xtol=1e-13, rtol=1e-13)


def _solve_effect(scenario: Scenario, target: float, direction: str) -> Solution:
    testable = {"less": "reduction", "greater": "increase"}.get(scenario.alternative, direction)
    if testable != direction:
        raise InvalidInputError(
            "direction", f"must be {testable!r} when alternative is "
                         f"{scenario.alternative!r}; got {direction!r}")
    # The effect can go almost to the end of its valid range (for the rate, a treated
    # rate of almost 0 for a reduction, almost 1 for an increase).
    sign = -1 if direction == "reduction" else 1
    largest = scenario.outcome.largest_effect(sign)

    def power_of(effect: float) -> float:
        return analytic(scenario.replace(effect=effect)).power

    best = power_of(largest)
    if best < target:
        raise NoSolutionError(
            f"no {direction} is detectable with {_format.percent(target)} power: even "
            f"{scenario.outcome.extreme_words(sign)} gives only {_format.percent(best)} with "
            f"{_format.headcount(scenario.cohort)} submitted")
    grid = np.linspace(0.0, largest, 201)
    reduction, increase, _ = verdict_grid(scenario, grid)
    effect = _first_crossing(power_of, grid, target, powers=np.minimum(1.0, reduction + increase))
    result = analytic(scenario.replace(effect=effect))
    return Solution("effect", effect, target, result.power, None, result,
                    result.scenario, _notes(result))


def _analysed_all(cohort: int) -> str:
    """'the 1 person analysed', 'all 300 people analysed'."""
    return "the 1 person analysed" if cohort == 1 else f"all {cohort:,} people analysed"


def _solve_retention(scenario: Scenario, target: float, measure: _Measure) -> Solution:
    def power_of(retention: float) -> float:
        return measure(scenario.replace(retention=retention))

    best = power_of(1.0)
    if best < target:
        raise NoSolutionError(
            f"no retention reaches {_format.percent(target)} {measure.name}: even with "
            f"{_analysed_all(scenario.cohort)} it is {_format.percent(best)}; "
            f"submit more people")
    # Power rises with retention, so a coarse scan only guards the bracket.
    grid = np.linspace(0.0, 1.0, 41)
    grid[0] = 1e-12
    retention = _first_crossing(power_of, grid, target)
    result = measure.result(scenario.replace(retention=retention))
    return Solution("retention", retention, target, measure.value(result), None, result,
                    result.scenario, _notes(result), measure.name)
