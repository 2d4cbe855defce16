"""The analytic engine: verdict chances by formula, averaged over the funnel.

The number of treated people analysed is ``Binomial(cohort, retention)``.
For each possible number ``k`` the verdict probabilities come from the
outcome's formulas (``verdict_chances`` of :mod:`powerplan.formulas.rate`
for the rate: exact sums for small studies, closed forms beyond) with ``k``
treated and ``comparison_ratio * k`` (or the fixed comparison size)
comparison records. They are averaged with the binomial weights: the
expected chance of each verdict. Numbers analysed whose binomial weight is
below ``1e-18`` are left out (at most ``1e-14`` of the mass in all), which
spares the exact sums work that cannot show. A study with fewer than
``min_n_treated`` analysed people is not analysable and counts as
inconclusive.

For many effects at once (:func:`verdict_grid`: an MDE, a curve over effects)
and chances that are smooth in the number analysed (the closed forms), a
Gauss rule of a dozen nodes of the window's binomial weights stands in for
its hundreds or thousands of numbers, checked against a rule of fewer nodes.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from . import frequency, rate, time
from ._binomial import _binom_pmf, _binom_ppf, _binom_sf
from ..results.power import PowerResult, scenario_fields
from ..design.scenario import Scenario, check_scenario

#: Each outcome's closed forms, by the outcome's name.
_FORMULAS = {"rate": rate, "frequency": frequency, "time": time}

# Binomial mass left out at each end of the averaging window. 1e-15 is below
# double-precision rounding of the result, so the average is exact in practice.
_TAIL = 1e-15
# Cohorts up to this size are summed over every possible number analysed ...
_EXACT_UP_TO = 5000
# ... whose chance is at least this share of the likeliest number's.
_NEGLIGIBLE = 1e-20
# Numbers analysed with less binomial weight than this are left out of the average.
_NEGLIGIBLE_WEIGHT = 1e-18


#: Most numbers analysed at which a funnel average evaluates exact sums one by one; a
#: wider window (a cohort of many thousands against a small fixed comparison group)
#: is evaluated at this many evenly spaced numbers and interpolated linearly.
EXACT_NODES = 512


def analysed_distribution(scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """Numbers of analysed treated people and their probabilities.

    Covers all but ``2e-15`` of the binomial mass (all but 1e-16 of it for
    cohorts up to 5,000: numbers less than 1e-20 as likely as the likeliest
    are left out).
    """
    return analysed_numbers(scenario.cohort, scenario.retention)


def analysed_numbers(n: int, p: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`analysed_distribution` of a cohort of ``n`` with retention ``p``.

    Kept for the last 4,096 (cohort, retention) pairs asked for (a sweep, a solver and a
    table ask for the same ones again); the arrays are read-only.
    """
    return _analysed_numbers(int(n), float(p))


def _read_only(*arrays):
    for array in arrays:
        array.flags.writeable = False
    return arrays


@lru_cache(maxsize=4096)
def _analysed_numbers(n: int, p: float) -> tuple[np.ndarray, np.ndarray]:
    k, weight, most = _window(n, p)
    # Numbers analysed this unlikely add less than double rounding to any average (at most
    # 5,001 of them below 1e-20 of each other); leaving them out spares every formula.
    keep = weight >= _NEGLIGIBLE * most
    return _read_only(k[keep], weight[keep])


def _window(n: int, p: float) -> tuple[np.ndarray, np.ndarray, float]:
    """The numbers analysed around the likeliest, their chances and the largest chance."""
    if p == 1.0:
        k = np.array([n])
        weight = _binom_pmf(k, n, p)
    elif n <= _EXACT_UP_TO:
        return _around_mode(n, p, n)
    elif n * p < 1:
        # Fewer than one analysed expected: the quantile function cannot bracket
        # so thin a tail (scipy warns), and 5,000 lies far beyond it anyway.
        return _around_mode(n, p, _EXACT_UP_TO)
    else:
        low, high = _binom_ppf(np.array([_TAIL, 1 - _TAIL]), n, p)
        k, weight = _binomial_chances(int(low), int(high), n, p)
    return k, weight, float(weight.max())


def _around_mode(n: int, p: float, top: int) -> tuple[np.ndarray, np.ndarray, float]:
    """The numbers ``0..top`` analysed, their chances and the largest, on a window around the mode
    that holds every number at least ``_NEGLIGIBLE`` as likely as the likeliest: the
    binomial's chances fall away from the mode on both sides (it is log-concave), so
    once both ends of the window (or 0 and ``top``) are below that share, every
    number beyond is too. Spares evaluating the thousands of numbers of a cohort of
    thousands that the share would leave out anyway."""
    mode = min(top, int(math.floor((n + 1) * p)))
    half = int(10.0 * math.sqrt(n * p * (1.0 - p))) + 16
    while True:
        low, high = max(0, mode - half), min(top, mode + half)
        k, weight = _binomial_chances(low, high, n, p)
        most = float(weight.max())
        least = _NEGLIGIBLE * most
        if (low == 0 or weight[0] < least) and (high == top or weight[-1] < least):
            return k, weight, most
        half *= 2


#: The binomial chances of a window are computed exactly (scipy's) at every this many
#: numbers, and from each by the ratio of successive chances up to the next.
_ANCHOR_EVERY = 128


def _binomial_chances(low: int, high: int, n: int, p: float) -> tuple[np.ndarray, np.ndarray]:
    """The numbers ``low..high`` and their ``Binomial(n, p)`` chances.

    scipy's binomial chance (Boost's) costs about 50 ns a number; most of a
    funnel's window is reached instead from the nearest exact chance below it by
    ``P(k + 1) = P(k) (n - k) / (k + 1) p / (1 - p)``, at most
    :data:`_ANCHOR_EVERY` - 1 steps, each adding a few units of rounding
    (tests/test_analytic.py measures them: the window's chances within 1e-12 of
    scipy's in total, relative to their sum).
    """
    k = np.arange(low, high + 1)
    size = k.size
    if size <= _ANCHOR_EVERY:
        return k, _binom_pmf(k, n, p)
    rows = -(-size // _ANCHOR_EVERY)
    steps = np.empty(rows * _ANCHOR_EVERY)
    steps[size:] = 1.0  # the last row's padding
    # the steps to k = low + 1 .. high: (n - k + 1) / k, whole numbers as floats, times p / q
    ratio = steps[1:size]
    np.divide(np.arange(n - low, n - high, -1.0), np.arange(low + 1.0, high + 1.0), out=ratio)
    ratio *= p / (1.0 - p)
    steps = steps.reshape(rows, _ANCHOR_EVERY)
    steps[:, 0] = _binom_pmf(k[::_ANCHOR_EVERY], n, p)
    return k, np.cumprod(steps, axis=1).ravel()[:size]


def weighted_analysed(scenario: Scenario, cohort: int | None = None
                      ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`analysed_distribution` (of ``cohort`` people submitted, default the
    scenario's) without the numbers of negligible weight."""
    return _weighted_numbers(scenario.cohort if cohort is None else int(cohort),
                             float(scenario.retention))


@lru_cache(maxsize=4096)
def _weighted_numbers(n: int, p: float) -> tuple[np.ndarray, np.ndarray]:
    # _analysed_numbers' share of the likeliest and this weight, in one pass
    k, weight, most = _window(n, p)
    # the numbers kept are a run (the binomial's chances fall away from the mode): views
    kept = np.flatnonzero(weight >= max(_NEGLIGIBLE * most, _NEGLIGIBLE_WEIGHT))
    run = slice(kept[0], kept[-1] + 1)
    return _read_only(k[run], weight[run])


def analysed_chances(scenario: Scenario, k, effects) -> tuple[np.ndarray, np.ndarray]:
    """Chances of a significantly lower and higher treated value with ``k`` analysed
    (increasing whole numbers, 1-d) at each of ``effects`` (1-d): arrays k x effects.

    Where the chances are exact sums and a run of consecutive numbers is longer
    than :data:`EXACT_NODES`, they are summed at that many evenly spaced numbers
    of the run and interpolated linearly in between (tests/test_analytic.py
    measures the difference from summing at every number).
    """
    k = np.asarray(k, dtype=float)
    effects = np.atleast_1d(np.asarray(effects, dtype=float))
    if k.size <= EXACT_NODES or _optional(scenario.outcome, "exact_at")(
            scenario.outcome, k[:1], scenario.comparison_size(k[:1]),
            method=scenario.method) is None:
        return _verdicts(scenario, k[:, None], effects[None, :])
    # Which numbers to evaluate: a short run's own, a long run's nodes. They are
    # evaluated in one call (an evaluation's fixed cost is most of a short run's).
    runs = np.split(np.arange(k.size), np.flatnonzero(np.diff(k) != 1) + 1)
    asked, direct = [], []
    for run in runs:
        numbers = k[run]
        direct.append(numbers.size <= EXACT_NODES)
        if direct[-1]:
            asked.append(numbers)
            continue
        nodes = np.unique(np.round(np.linspace(numbers[0], numbers[-1], EXACT_NODES)))
        # the first analysable number is a node: the chances jump from 0 there
        first = scenario.min_n_treated
        if numbers[0] < first <= numbers[-1]:
            nodes = np.union1d(nodes, [first - 1, first])
        asked.append(nodes)
    low, high = _verdicts(scenario, np.concatenate(asked)[:, None], effects[None, :])
    lower = np.empty((k.size, effects.size))
    higher = np.empty((k.size, effects.size))
    start = 0
    for run, numbers, as_they_are in zip(runs, asked, direct):
        these = slice(start, start + numbers.size)
        start += numbers.size
        if as_they_are:
            lower[run], higher[run] = low[these], high[these]
            continue
        for j in range(effects.size):
            lower[run, j] = np.interp(k[run], numbers, low[these, j])
            higher[run, j] = np.interp(k[run], numbers, high[these, j])
    return lower, higher


def average(weight, values):
    """``weight @ values`` (the funnel average of chances given along the first axis) by
    numpy's own loop: a BLAS dot product starts threads for the long windows of large
    cohorts, which on a busy machine cost milliseconds where the sum costs microseconds."""
    return np.einsum("k,k...->...", weight, values)


def formulas(outcome):
    """The module of closed forms for ``outcome`` (``formulas/<outcome name>.py``)."""
    return _FORMULAS[outcome.name]


def _none(*args, **kwargs):
    return None


def _optional(outcome, name: str):
    """The function ``name`` of ``outcome``'s formulas where its module has one (the rate's
    ``exact_at``, ``null_chances``, ``proportional_chances``, ``smooth_in_size``), else
    one answering None: what each of them answers where it does not apply."""
    return getattr(formulas(outcome), name, _none)


def _verdicts(scenario: Scenario, n_treated, effects=None):
    """Chances of a significantly lower and higher treated value for given analysed n.

    ``effects`` (default the scenario's) may be an array broadcasting
    against ``n_treated``.
    """
    n_treated = np.asarray(n_treated, dtype=float)
    analysable = n_treated >= scenario.min_n_treated
    everyone = bool(analysable.all())  # the usual case
    safe_n = n_treated if everyone else np.where(analysable, n_treated, scenario.min_n_treated)
    module = formulas(scenario.outcome)
    settings = {"alpha": scenario.alpha, "alternative": scenario.alternative,
                "method": scenario.method, "effects": effects}
    # A comparison group proportional to the treated: some tests have a form per size.
    chances = None if scenario.n_comparison is not None else _optional(
        scenario.outcome, "proportional_chances")(
        scenario.outcome, safe_n, scenario.comparison_ratio, **settings)
    lower, higher = chances if chances is not None else module.verdict_chances(
        scenario.outcome, safe_n, scenario.comparison_size(safe_n), **settings)
    if everyone and np.shape(lower) == np.shape(higher) == analysable.shape:
        return np.asarray(lower), np.asarray(higher)  # what np.where would give
    return np.where(analysable, lower, 0.0), np.where(analysable, higher, 0.0)


def verdict_grid(scenario: Scenario, effects) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Verdict probabilities for many effects at once.

    Returns
    -------
    (reduction, increase, power_at_expected_n) : arrays, one value per effect
        The first two averaged over the binomial number analysed, as
        :func:`analytic` does for a single effect.
    """
    effects = np.asarray(effects, dtype=float)
    k, weight = weighted_analysed(scenario)
    averaged = _gauss_averages(scenario, k, weight, effects)
    if averaged is None:
        reduction, increase = analysed_chances(scenario, k, effects)
        averaged = average(weight, reduction), average(weight, increase)
    low, high = _verdicts(scenario, scenario.expected_n_treated, effects)
    return averaged[0], averaged[1], low + high


#: Gauss quadrature stands in for the funnel's window in :func:`verdict_grid` when the
#: chances are smooth in the number analysed, the window holds at least this many
#: numbers, all analysable, and there are at least GAUSS_EFFECTS effects ...
GAUSS_FROM = 256
GAUSS_EFFECTS = 8
#: ... with this many nodes (exact for polynomials of degree 23 in the number analysed),
#: checked against the rule of GAUSS_CHECK nodes: where the two differ by more than
#: GAUSS_AGREEMENT for any effect, every number of the window is evaluated instead.
GAUSS_NODES = 12
GAUSS_CHECK = 8
GAUSS_AGREEMENT = 1e-13


def _gauss_averages(scenario: Scenario, k, weight, effects):
    """The funnel averages of the lower and higher verdict chances at ``effects`` by the
    window's Gauss rules, or None where they do not apply or disagree.

    The closed forms' chances are analytic functions of the number analysed over a
    window that stays far from 0 (``Phi`` of a smooth function of it), so a Gauss
    rule of the window's binomial weights with a dozen nodes gives their average at a
    dozen evaluations an effect instead of the window's hundreds or thousands. The
    check against the rule of fewer nodes is an estimate, not a bound: measured within
    1.7e-13 of every number's sum where accepted, over random studies and a review's
    1,100 aimed at the edges (tests/test_analytic.py compares them)."""
    if (k.size < GAUSS_FROM or effects.ndim != 1 or effects.size < GAUSS_EFFECTS
            or k[0] < scenario.min_n_treated
            or not _optional(scenario.outcome, "smooth_in_size")(scenario.outcome,
                                                                  method=scenario.method)):
        return None
    nodes, weights = _gauss_rules(scenario.cohort, float(scenario.retention))
    lower, higher = _verdicts(scenario, nodes[:, None], effects[None, :])
    rule, check = slice(0, GAUSS_NODES), slice(GAUSS_NODES, None)
    averaged = [weights[rule] @ chances[rule] for chances in (lower, higher)]
    checked = [weights[check] @ chances[check] for chances in (lower, higher)]
    if max(float(np.max(np.abs(a - b))) for a, b in zip(averaged, checked)) > GAUSS_AGREEMENT:
        return None
    return averaged


@lru_cache(maxsize=256)
def _gauss_rules(n: int, p: float) -> tuple[np.ndarray, np.ndarray]:
    """The nodes and weights of the Gauss rules of :data:`GAUSS_NODES` and
    :data:`GAUSS_CHECK` nodes (in that order, concatenated) for the window of numbers
    analysed of ``n`` submitted with retention ``p`` and their binomial weights.

    The rules come from the recurrence of the polynomials orthogonal on the window
    (Lanczos' process on the window scaled to [-1, 1], the Stieltjes procedure made
    orthonormal; Gautschi 2004, *Orthogonal Polynomials*, section 2.2.3), whose Jacobi
    matrix's eigenvalues are the nodes and the first components of its eigenvectors
    the weights (Golub and Welsch 1969)."""
    k, weight = _weighted_numbers(n, p)
    low, high = float(k[0]), float(k[-1])
    x = (2.0 * k - (low + high)) / (high - low)
    total = float(weight.sum())
    share = weight / total
    diagonal, off = np.empty(GAUSS_NODES), np.empty(GAUSS_NODES)
    before, current, step = np.zeros_like(x), np.ones_like(x), 0.0
    for j in range(GAUSS_NODES):
        diagonal[j] = share @ (x * current * current)
        after = (x - diagonal[j]) * current - step * before
        step = off[j] = math.sqrt(share @ (after * after))
        before, current = current, after / step
    nodes, weights = [], []
    for size in (GAUSS_NODES, GAUSS_CHECK):
        jacobi = np.diag(diagonal[:size]) + np.diag(off[:size - 1], 1) + np.diag(off[:size - 1], -1)
        points, vectors = np.linalg.eigh(jacobi)
        nodes.append((points * (high - low) + (low + high)) / 2.0)
        weights.append(total * vectors[0] ** 2)
    return _read_only(np.concatenate(nodes), np.concatenate(weights))


def analytic(scenario: Scenario) -> PowerResult:
    """Power of a planned study by formula: the method's exact sums for small studies,
    closed forms beyond (see :mod:`powerplan.formulas.exact`).

    Parameters
    ----------
    scenario : Scenario
        The planned study.

    Returns
    -------
    PowerResult
        ``power`` and the verdict probabilities averaged exactly over the
        binomial number analysed, and ``power_at_expected_n``.

    Examples
    --------
    >>> from powerplan import Scenario
    >>> result = analytic(Scenario())
    >>> round(result.power, 4), round(result.power_at_expected_n, 4)
    (0.2174, 0.2173)
    """
    check_scenario(scenario)
    k, weight = weighted_analysed(scenario)
    expected_n = scenario.expected_n_treated
    # The chances at the scenario's effect and, for the false positives, at none:
    # one call, as the exact sums' boundaries do not depend on the effect. For the
    # rate, whose chances at each size are computed on their own, the expected number
    # analysed joins the same call (the frequency's and the time's are interpolated
    # along the numbers analysed, so their expected number is evaluated apart).
    joined = scenario.outcome.name == "rate"
    # With no effect some tests' chances are the same at every size (null_chances): the
    # false positives are then those chances times the chance of an analysable study.
    null = _optional(scenario.outcome, "null_chances")(
        scenario.outcome, alpha=scenario.alpha, alternative=scenario.alternative,
        method=scenario.method)
    numbers = np.concatenate((k, (expected_n,))) if joined else k
    if null:
        # Such a test is a closed form at every size (no exact sums to interpolate): the
        # chances at the scenario's effect, one per number (1-d).
        lower, higher = _verdicts(scenario, numbers)
    else:  # at the effect and at none: numbers x 2
        lower, higher = analysed_chances(scenario, numbers, [scenario.effect, 0.0])
    if joined:
        last = -1 if null else (-1, 0)
        at_mean_chances = lower[last], higher[last]
        lower, higher = lower[:-1], higher[:-1]
    else:
        at_mean_chances = _verdicts(scenario, expected_n)
    # dot products of probabilities can round a hair past 1
    if null:
        # the chance of an analysable study in the window (k is sorted)
        analysed = float(weight.sum() if k[0] >= scenario.min_n_treated else
                         weight[np.searchsorted(k, scenario.min_n_treated):].sum())
        p_reduction, p_increase = float(average(weight, lower)), float(average(weight, higher))
        false_reduction, false_increase = null[0] * analysed, null[1] * analysed
        p_reduction, p_increase = min(1.0, p_reduction), min(1.0, p_increase)
    else:
        p_reduction, false_reduction = np.minimum(1.0, average(weight, lower))
        p_increase, false_increase = np.minimum(1.0, average(weight, higher))
    analysable_at_mean = expected_n >= scenario.min_n_treated
    at_mean = (min(1.0, float(at_mean_chances[0]) + float(at_mean_chances[1]))
               if analysable_at_mean else None)
    power = float(min(1.0, p_reduction + p_increase))  # the sum can round past 1
    rest = {"p_inconclusive": 1.0 - power} | _not_reported(scenario, k, weight, power)
    return PowerResult(
        power=power,
        p_significant_reduction=float(p_reduction),
        p_significant_increase=float(p_increase),
        **rest,
        power_at_expected_n=at_mean,
        p_analysable=float(_binom_sf(scenario.min_n_treated - 1, scenario.cohort,
                                     scenario.retention)),
        n_comparison=float(scenario.comparison_size(expected_n)),
        method=scenario.method,
        engine="analytic",
        p_false_reduction=float(false_reduction),
        p_false_increase=float(false_increase),
        exact_share=None if null else exact_share(scenario, k, weight),  # a closed form
        **scenario_fields(scenario),
    )


def exact_share(scenario: Scenario, k=None, weight=None) -> float | None:
    """The chance that the study is analysable and its verdict chances are the exact
    sums (None for a method that is a closed form throughout)."""
    small = _optional(scenario.outcome, "exact_at")
    if small is _none:
        return None
    if k is None:
        k, weight = weighted_analysed(scenario)
    k = np.asarray(k, dtype=float)
    exact = small(scenario.outcome, k, scenario.comparison_size(k), method=scenario.method)
    if exact is None:
        return None
    analysable = k >= scenario.min_n_treated
    return float(average(weight, (analysable & exact).astype(float)))


def _not_reported(scenario: Scenario, k, weight, power) -> dict:
    """For a measure reported only with enough treated reoffenders (time to first
    reoffence): the chance of an analysed study that is not reported, which the
    verdict chances (already multiplied by the chance of being reported) leave out."""
    if not scenario.outcome.min_treated_reoffenders:
        return {}
    analysable = k >= scenario.min_n_treated
    reported = formulas(scenario.outcome).reporting_chance(
        scenario.outcome, np.where(analysable, k, scenario.min_n_treated))
    missing = min(1.0 - power, float(average(weight, np.where(analysable, 1.0 - reported, 0.0))))
    return {"p_not_reported": missing, "p_inconclusive": 1.0 - power - missing}
