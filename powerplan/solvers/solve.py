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
from collections import OrderedDict

import numpy as np

from .._roots import brentq
from .. import _format, _validate
from ..formulas.ztest import UNCORRECTED, one_tail_size
from ..formulas.analytic import (analysed_chances, analytic, average, exact_share, formulas,
                                 verdict_grid, weighted_analysed)
from .assurance import assurance, hopes_higher, quadrature_nodes
from ..engines import ANALYTIC, Engine, as_engine, is_analytic
from ..errors import InvalidInputError, NoSolutionError
from ..design.priors import Prior
from ..results.power import PowerResult, Solution
from ..design.scenario import MAX_COHORT, MAX_N_COMPARISON, Scenario, check_scenario
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
    (1860, True)
    >>> round(solve(Scenario(), "effect").value, 4)
    -0.1186
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


#: The cohort solver checks every cohort from 1 until about this many are expected to
#: be analysed (at most SCAN_COHORTS cohorts): where small studies' power jumps about.
SCAN_ANALYSED = 200
#: ... and at most this many cohorts ...
SCAN_COHORTS = 2000
#: ... or this many when the target is assurance (each is a quadrature over the prior;
#: averaged over effects, assurance saw-tooths far less).
SCAN_COHORTS_ASSURANCE = 100
#: Below a crossing found by bisection where the chances are exact sums, it checks every
#: cohort down to where power is this far below the target (the sums' saw-tooth is
#: smaller, tests/test_solve.py) ...
LOCAL_MARGIN = 0.005
#: ... and at most this many cohorts.
LOCAL_COHORTS = 2000


class _Curve:
    """The measure (power or assurance) at any cohort and retention of the scenario,
    each computed once.

    The verdict chances at each number analysed do not depend on the cohort or
    the retention, so they are kept and shared: a solver's many cohorts and
    retentions then cost little more than one. For assurance the chances at each
    number are integrated over the prior with the quadrature's nodes for a study
    of that size's order (the nodes follow the null standard error, which changes
    by less than a factor 1.5 within a power of two of people analysed); the
    solver checks its answer with :func:`assurance` itself.
    """

    def __init__(self, scenario: Scenario, measure: _Measure):
        self.scenario, self.measure = scenario, measure
        self.values: dict[int, float] = {}  # by cohort, at the scenario's retention
        # by nodes' key: (numbers analysed, sorted; the chance with each), shared by
        # every curve of the same scenario but for the cohort and the retention (the
        # cells of a table that differ only by retention, a solve after a sweep)
        self._by_analysed, self._nodes = _shared_chances(scenario, measure)

    def __call__(self, cohort: int) -> float:
        if cohort not in self.values:
            self.many(np.array([cohort]))
        return self.values[cohort]

    def many(self, cohorts) -> np.ndarray:
        """The measure at each of ``cohorts`` (whole numbers), at the scenario's retention."""
        cohorts = [int(c) for c in cohorts]
        todo = [c for c in cohorts if c not in self.values]
        for cohort, value in zip(todo, self.at(todo, self.scenario.retention)):
            self.values[cohort] = value
        return np.array([self.values[c] for c in cohorts])

    def at(self, cohorts, retention: float) -> list[float]:
        """The measure at each of ``cohorts`` with ``retention``."""
        scenario = self.scenario.replace(retention=retention) \
            if retention != self.scenario.retention else self.scenario
        windows = [weighted_analysed(scenario, cohort) for cohort in cohorts]
        keys = [self._order(cohort * retention) for cohort in cohorts]
        for key in set(keys):
            self._know(key, _sorted_unique([k for (k, _), other in zip(windows, keys)
                                            if other == key]))
        return [min(1.0, float(average(weight, self._lookup(key, k))))
                for (k, weight), key in zip(windows, keys)]

    def highest_below(self, cohort: int) -> float | None:
        """The highest chance with any number analysed that a cohort up to ``cohort`` (at
        the scenario's retention) may have: no such cohort's measure, an average of those
        chances with weights summing to 1, is higher. None for assurance (its chances
        depend on the cohort's order of size)."""
        if self.measure.prior is not None:
            return None
        top = int(weighted_analysed(self.scenario, cohort)[0].max())
        # every cohort's window lies in 0..top (the windows of 1..cohort cover it)
        return float(self._know(0, np.arange(0.0, top + 1.0)).max())

    def _know(self, key: int, numbers: np.ndarray) -> np.ndarray:
        """The chances with ``numbers`` analysed (sorted), computing those not known yet."""
        # the numbers analysed known so far and their chances, both sorted by number
        known, chances = self._by_analysed.get(key, (np.empty(0), np.empty(0)))
        missing = numbers[~_among(numbers, known)]
        if missing.size:
            known = np.concatenate([known, missing])
            chances = np.concatenate([chances, self._chances(key, missing)])
            order = np.argsort(known, kind="stable")
            known, chances = known[order], chances[order]
            self._by_analysed[key] = known, chances
        return self._lookup(key, numbers)

    def _lookup(self, key: int, numbers: np.ndarray) -> np.ndarray:
        known, chances = self._by_analysed[key]
        return chances[np.searchsorted(known, numbers)]

    def _order(self, expected_n: float) -> int:
        """The key of the prior's nodes: the power of two nearest the people analysed."""
        if self.measure.prior is None:
            return 0
        return int(round(math.log2(max(expected_n, 1.0))))

    def _chances(self, key: int, numbers: np.ndarray) -> np.ndarray:
        """The measure's chance with each of ``numbers`` analysed."""
        scenario = self.scenario
        if self.measure.prior is None:
            lower, higher = analysed_chances(scenario, numbers, [scenario.effect])
            return lower[:, 0] + higher[:, 0]
        if key not in self._nodes:
            size = scenario.replace(cohort=min(MAX_COHORT,
                                               max(1, round(2.0 ** key / scenario.retention))))
            self._nodes[key] = quadrature_nodes(size, self.measure.prior)
        effects, weights = self._nodes[key]
        lower, higher = analysed_chances(scenario, numbers, effects)
        return (higher if hopes_higher(scenario) else lower) @ weights


#: The chances by number analysed are kept for this many scenarios (each but for the
#: cohort and the retention, which they do not depend on).
CURVES_KEPT = 256
_curves: OrderedDict = OrderedDict()


def _shared_chances(scenario: Scenario, measure: _Measure) -> tuple[dict, dict]:
    """The chances by number analysed of ``scenario`` at any cohort and retention: the
    same dictionaries for every curve of it. (Not for assurance: the prior's nodes are
    chosen for a cohort at the retention.)"""
    if measure.prior is not None:
        return {}, {}
    key = scenario.replace(cohort=1, retention=1.0)
    found = _curves.get(key)
    if found is None:
        found = _curves[key] = ({}, {})
        if len(_curves) > CURVES_KEPT:
            _curves.popitem(last=False)
    else:
        _curves.move_to_end(key)
    return found


def _among(values: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Whether each of ``values`` is in ``known`` (sorted): ``np.isin`` by binary search,
    which for the few hundred numbers of a window costs a fifth of isin's sort."""
    at = np.minimum(np.searchsorted(known, values), max(known.size - 1, 0))
    return known[at] == values if known.size else np.zeros(values.shape, dtype=bool)


def _sorted_unique(arrays: list[np.ndarray]) -> np.ndarray:
    """The distinct values of sorted arrays, sorted (one window as it is: np.unique's
    hashing costs milliseconds on the long windows of large cohorts)."""
    if len(arrays) == 1:
        return arrays[0]
    values = np.sort(np.concatenate(arrays), kind="stable")
    return values[np.concatenate([[True], values[1:] != values[:-1]])]


def largest_cohort(scenario: Scenario) -> int:
    """The largest cohort a solver considers: MAX_COHORT, or fewer when the comparison
    group grows with the cohort and would pass MAX_N_COMPARISON records, more than any
    national pool (the bound a fixed ``n_comparison`` has)."""
    if scenario.n_comparison is not None:
        return MAX_COHORT
    cap = MAX_N_COMPARISON / (scenario.comparison_ratio * scenario.retention)
    return max(1, min(MAX_COHORT, math.floor(cap * (1 + 1e-12))))


def _solve_cohort(scenario: Scenario, target: float, measure: _Measure) -> Solution:
    curve = _Curve(scenario, measure)
    largest = largest_cohort(scenario)
    # None when even the largest cohort falls short (its power is then curve(largest))
    crossing = _bisect_cohort(scenario, target, measure, curve, largest)
    # Small studies' power need not rise with the cohort (the exact sums saw-tooth,
    # and a few analysed people give many false positives; a fixed comparison group
    # can make even the normal approximation fall): check the first cohorts one by one.
    scan_to = min(SCAN_COHORTS if measure.prior is None else SCAN_COHORTS_ASSURANCE,
                  math.ceil(SCAN_ANALYSED / scenario.retention),
                  largest if crossing is None else crossing - 1)
    if crossing is not None and _rises_with_cohort(scenario, measure):
        scan_to = 0
    scanned = np.arange(1, scan_to + 1)
    highest = curve.highest_below(scan_to) if scan_to else None
    if highest is not None and highest * (1 + 1e-9) < target:
        # no cohort scanned can reach the target (none of the chances it averages does):
        # the same answer without averaging each of them (most of a default table's time)
        scanned = scanned[:0]
    values = curve.many(scanned)
    if (values >= target).any():
        answer = int(scanned[np.argmax(values >= target)])
    elif crossing is not None:
        # Closed forms are smooth and rise with the cohort once studies are not
        # tiny; the exact sums saw-tooth, so there the cohorts just below are checked.
        sums = measure.prior is None and exact_share(scenario.replace(cohort=crossing))
        answer = (_first_near(curve, crossing, target, max(scan_to, crossing - LOCAL_COHORTS))
                  if sums else crossing)
    elif scenario.n_comparison is not None:
        raise NoSolutionError(
            f"no cohort reaches {_format.percent(target)} {measure.name}: with a fixed "
            f"comparison group of {scenario.n_comparison:,} the {measure.name} cannot pass "
            f"{_format.percent(curve(largest))} however many people are submitted")
    elif largest < MAX_COHORT and curve(MAX_COHORT) >= target:
        raise NoSolutionError(
            f"no cohort reaches {_format.percent(target)} {measure.name} within "
            f"{MAX_N_COMPARISON:,} comparison records (the largest comparison group "
            f"powerplan allows): at {scenario.comparison_ratio:g} per analysed person, "
            f"{largest:,} people submitted give only {_format.percent(curve(largest))}")
    else:
        capped = "" if largest == MAX_COHORT else (
            f" (the most whose comparison group, at {scenario.comparison_ratio:g} records "
            f"each, stays within {MAX_N_COMPARISON:,})")
        why = (f"even {largest:,} people submitted{capped} give only "
               f"{_format.percent(curve(largest))} "
               f"{measure.name}; {_too_small(scenario, target, measure)}")
        raise NoSolutionError(f"no cohort reaches {_format.percent(target)} {measure.name}: {why}")
    # The curve is the engine's own power; for assurance its quadrature differs from
    # assurance()'s in the last digits, so the answer is checked with assurance() itself.
    result = measure.result(scenario.replace(cohort=answer))
    while measure.value(result) < target:
        answer += 1
        result = measure.result(scenario.replace(cohort=answer))
    below = measure.value(measure.result(scenario.replace(cohort=answer - 1))) \
        if answer > 1 else 0.0
    while below >= target:
        answer -= 1
        result = measure.result(scenario.replace(cohort=answer))
        below = measure.value(measure.result(scenario.replace(cohort=answer - 1))) \
            if answer > 1 else 0.0
    dips = _monotone_notes(curve, answer, target, largest, measure.name)
    leans = _leaning_notes(result, target, measure)
    flags = (("not monotone",) if dips else ()) + tuple(flag for flag, _ in leans)
    notes = _notes(result) + dips + tuple(note for _, note in leans)
    return Solution("cohort", answer, target, measure.value(result), below, result,
                    result.scenario, notes, measure.name, flags)


#: An answer whose false positives (significant results when there is no effect) pass
#: this multiple of alpha rests on them, and says so.
FALSE_POSITIVE_FACTOR = 2.0


def _leaning_notes(result: PowerResult, target: float, measure: _Measure
                   ) -> tuple[tuple[str, str], ...]:
    """(flag, note) pairs when the answer leans on what the planner did not ask for:
    significant results in the direction opposite the effect (counted toward power,
    a two-sided test's convention) or a false-positive rate far above alpha (a handful
    of people analysed)."""
    if measure.prior is not None:
        return ()
    scenario, out = result.scenario, []
    lower = scenario.effect < 0
    planned = result.p_significant_reduction if lower else result.p_significant_increase
    if planned < target <= result.power:
        near, far = _verdict_words(scenario, lower), _verdict_words(scenario, not lower)
        out.append(("wrong direction", (
            f"{_format.percent(result.power - planned)} of the {_format.percent(result.power)} "
            f"{measure.name} at {_format.headcount(result.cohort)} submitted is the chance of a "
            f"{far}, the direction opposite the effect; the chance of a {near} alone is "
            f"{_format.percent(planned)}, below the target (counting only the planned "
            f"direction, this cohort would not do)")))
    false = (None if result.p_false_reduction is None
             else result.p_false_reduction + result.p_false_increase)
    if false is not None and false > FALSE_POSITIVE_FACTOR * scenario.alpha:
        out.append(("false positives", (
            f"with no effect at all, {_format.headcount(result.cohort)} submitted would give "
            f"{_format.percent(false)} significant results (alpha {_format.percent(scenario.alpha)}): "
            f"with so few analysed, much of this {measure.name} is false positives")))
    return tuple(out)


def _verdict_words(scenario: Scenario, lower: bool) -> str:
    """'significant reduction' (the rate), 'significantly shorter time to first
    reoffence' (the time)."""
    outcome = scenario.outcome
    words = outcome.lower_words if lower else outcome.higher_words
    return words if words.startswith("significant ") else f"{words} {outcome.measure}"


def _too_small(scenario: Scenario, target: float, measure: _Measure) -> str:
    """Why the largest cohort is not enough: too few analysed for the analysis at all,
    the retention, when analysing everyone submitted would reach the target, else the
    effect."""
    largest = largest_cohort(scenario)
    if largest * scenario.retention < scenario.min_n_treated:
        return (f"only about {largest * scenario.retention:,.0f} of them would be analysed, "
                f"fewer than the {scenario.min_n_treated:,} the analysis needs "
                f"(min_n_treated)")
    everyone = scenario.replace(cohort=largest, retention=1.0)
    if scenario.retention < 1 and measure(everyone) >= target:
        analysed = largest_cohort(scenario) * scenario.retention
        return (f"the retention ({scenario.retention:g}) leaves only about {analysed:,.1f} of "
                f"them analysed")
    return "the effect is too small"


def _bisect_cohort(scenario: Scenario, target: float, measure: _Measure,
                   curve: _Curve, largest: int) -> int | None:
    """A cohort ``c`` with ``curve(c) >= target > curve(c - 1)``, by a galloping search from
    a closed-form start and integer bisection (the first crossing when power rises
    with the cohort); None when ``curve(largest)`` is below the target."""
    def reaches(cohort: int) -> bool:
        return curve(cohort) >= target

    # Closed-form start: the treated size at which power at the expected n
    # reaches the target, scaled up by the retention.
    high = MIN_REQUEST
    if scenario.n_comparison is None:
        try:
            guess = scenario if measure.prior is None else scenario.replace(
                effect=measure.prior.mean)
            if _rises_with_cohort(scenario, measure):
                # the search finds the one crossing from any start: the closed form of the
                # effect's tail will do, without a root search (a table's every cell)
                n1 = one_tail_size(scenario.treated_rate, scenario.base_rate,
                                   ratio=scenario.comparison_ratio, alpha=scenario.alpha,
                                   target_power=target, alternative=scenario.alternative,
                                   method=scenario.method)
            else:
                n1 = formulas(guess.outcome).treated_size(
                    guess.outcome, ratio=scenario.comparison_ratio, alpha=scenario.alpha,
                    target_power=target, alternative=scenario.alternative,
                    method=scenario.method, max_n=MAX_COHORT)
            high = max(1, min(largest, math.ceil(n1 / scenario.retention)))
        except (ValueError, InvalidInputError):
            high = largest
    high = min(high, largest)
    low = 0  # power with nobody submitted is 0 < target
    # Gallop from the guess, in steps doubling from a 500th of it (the closed form is
    # usually within a few people of the answer), up until the target is reached ...
    step = max(1, high // 512)
    while not reaches(high):
        if high == largest:
            return None
        low, high = high, min(largest, high + step)
        step *= 2
    # ... or down until it is not (power at 0 is 0).
    step = max(1, high // 512)
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
    return high


def _rises_with_cohort(scenario: Scenario, measure: _Measure) -> bool:
    """Whether power rises with the cohort, so that the first crossing is the bisection's.

    For the rate's ``wald``, ``pooled`` and ``arcsine`` formulas with a comparison
    group proportional to the treated one, both standard errors scale as
    ``1 / sqrt(n)``, so power is ``Phi(s - c) + Phi(-s - c)`` with ``c`` fixed and
    ``s`` (the effect over the standard error) rising with ``n``; its derivative
    ``phi(s - c) - phi(s + c)`` is positive for ``s, c > 0``. Power then rises with
    the number analysed, and its average over ``Binomial(cohort, retention)`` rises
    with the cohort (a larger cohort's number analysed is stochastically larger).
    Not for a fixed comparison group (power can fall, issue 12), the exact sums
    (they saw-tooth) or assurance.
    """
    return (measure.prior is None and scenario.outcome.name == "rate"
            and scenario.n_comparison is None and scenario.method in UNCORRECTED)


def _first_near(curve: _Curve, crossing: int, target: float, floor: int) -> int:
    """The first cohort reaching the target among those below ``crossing`` whose power is
    within :data:`LOCAL_MARGIN` of it (down to ``floor``, already checked)."""
    first, top, block = crossing, crossing - 1, 64
    while top > floor:
        cohorts = np.arange(max(floor + 1, top - block + 1), top + 1)
        values = curve.many(cohorts)
        if (values >= target).any():
            first = int(cohorts[np.argmax(values >= target)])
        if values.max() < target - LOCAL_MARGIN:
            break
        top = int(cohorts[0]) - 1
    return first


def _monotone_notes(curve: _Curve, answer: int, target: float, largest: int,
                    measure: str) -> tuple[str, ...]:
    """A note when some larger cohort checked falls below the target again."""
    dips = [c for c in curve.values if c > answer and curve.values[c] < target]
    if not dips:
        return ()
    best = curve(largest)
    larger = sorted(c for c in curve.values if c > answer)
    dips = [c for c in larger if curve.values[c] < target]
    first = dips[0]
    said = (f"{measure} is not monotone in the cohort here: {answer:,} people submitted give "
            f"{_format.percent(curve.values[answer] if answer in curve.values else target)}, "
            f"but {first:,} give {_format.percent(curve.values[first])}")
    if best < target:
        return (said + f", and no larger cohort checked reaches {_format.percent(target)} "
                       f"again ({_format.percent(best)} with {largest:,})",)
    stays = next(c for c in reversed(larger) if curve.values[c] < target)
    from_on = min(c for c in larger if c > stays)
    return (said + f"; every cohort checked from {from_on:,} on reaches "
                   f"{_format.percent(target)}",)


def _first_crossing(power_of, grid: np.ndarray, target: float, powers=None) -> float:
    """Where ``power_of`` first reaches ``target`` along ``grid``, refined by Brent.

    ``powers`` may hold the values on the grid already (computed in one
    vectorised call).
    """
    if powers is None:
        powers = np.array([power_of(x) for x in grid])
    index = int(np.argmax(powers >= target))
    # Given powers (verdict_grid's Gauss rule) may differ from power_of's in the last
    # digits: with a target between the two the bracket would hold no root, so its ends
    # are checked with power_of itself (kept, Brent's method starts from them).
    known = {}

    def gap(x):
        if x not in known:
            known[x] = power_of(x) - target
        return known[x]

    while index + 1 < grid.size and gap(grid[index]) < 0:
        index += 1
    while index > 1 and gap(grid[index - 1]) >= 0:
        index -= 1
    return brentq(gap, grid[index - 1], grid[index], xtol=1e-13, rtol=1e-13)


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


def _refine(gap, near: float) -> float:
    """The root of ``gap`` (a retention's shortfall from the target) next to ``near``, by
    Brent's method on the narrowest bracket around it that changes sign."""
    for width in (1e-4, 1e-3, 1e-2, 1e-1, 1.0):
        low, high = max(1e-12, near * (1 - width)), min(1.0, near * (1 + width))
        if gap(low) < 0 <= gap(high):
            return brentq(gap, low, high, xtol=1e-13, rtol=1e-13)
    return near


def _analysed_all(cohort: int) -> str:
    """'the 1 person analysed', 'all 300 people analysed'."""
    return "the 1 person analysed" if cohort == 1 else f"all {cohort:,} people analysed"


def _solve_retention(scenario: Scenario, target: float, measure: _Measure) -> Solution:
    curve = _Curve(scenario, measure)

    def power_of(retention: float) -> float:
        return curve.at([scenario.cohort], retention)[0]

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
    if measure.prior is not None:
        # the curve's quadrature differs from assurance()'s in the last digits
        retention = _refine(lambda r: measure(scenario.replace(retention=r)) - target,
                            retention)
    result = measure.result(scenario.replace(retention=retention))
    return Solution("retention", retention, target, measure.value(result), None, result,
                    result.scenario, _notes(result), measure.name)
