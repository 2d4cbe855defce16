"""Small-sample verdict chances of the tests of two rates: exact sums, and beyond them
a skewness-corrected normal approximation.

A study analyses ``n1`` treated people, ``X1 ~ Binomial(n1, p1)`` of whom
reoffend, against a comparison group of effective size ``n2`` with
``X2 ~ Binomial(n2, p2)`` reoffenders, and runs a test on the observed rates
``X1 / n1`` and ``X2 / n2`` (the tests of :mod:`powerplan.simulator.rate`:
``welch``, as real analyses run it, and the z-tests). The chance of each
verdict is a finite sum over the outcomes of both groups,

    P(significantly lower) = sum over x1, x2 of
        Binomial(x1; n1, p1) Binomial(x2; n2, p2) [the test finds x1/n1 lower],

which :func:`exact_chances` computes exactly: no normal approximation, which
for 30 people analysed at a 10% base rate puts the chance of a false
reduction at 2.5% when the Welch test gives 8.0%.

How the sum is done
    For every test here and each treated count ``x1``, the comparison counts
    that make the treated rate significantly lower form an upper tail
    ``x2 >= c(x1)``, and those that make it higher a lower tail, and the same
    the other way round (each statistic grows with the gap between the rates;
    tests/test_exact.py checks every treated size up to 150 for the Welch test,
    every seventh for the z-tests, against five comparison sizes up to 301,
    and a sample of other lattices). So the inner sum is one binomial tail,
    whose boundary is guessed from the closed-form root of the statistic at
    the critical value the test uses there (for Welch, Student's at the
    Welch-Satterthwaite degrees of freedom of the root itself, by one round
    of root, degrees of freedom, critical value) and checked with the test
    (significant on one side of it, not on the other); bisection runs only
    where the check fails and the count next to the guess is not the boundary
    either (for the Welch and Wald tests between the roots at the normal and
    the smallest Student critical values): for none of the 3.9 million
    boundaries of 10 random solves and 100 random analytic calls. This is done only for the treated
    counts whose boundary falls inside the comparison group's binomial window:
    below and above that band the tail is 1 or 0 to within ``2e-15``. When the
    band is wider than the comparison window (a small comparison group
    against a large treated one) the sum runs over the comparison counts
    instead, each with a binomial tail of treated counts. The boundaries do
    not depend on the treated rate, so many effects cost little more than one;
    they are kept by pair of sizes (:data:`KEPT_ELEMENTS`), so a solver's
    rounds and a table's cells pay only for the sizes they have not met.

Tiny levels
    Below a level of :data:`MONOTONE_LEVEL` (1e-3) for each tail, the Welch
    test's verdicts need not be monotone in the counts for small groups (a
    group with no variance drops the degrees of freedom, and at a tiny level
    the critical value jumps), so pairs whose smaller group has at most
    :data:`LATTICE_SMALLER_GROUP` people are summed over every count instead
    (:class:`_LatticeTable`; tests/test_exact.py checks both against the
    double sum).

Fractional sizes
    A weighted comparison group's effective size need not be a whole number:
    the chances are interpolated linearly between the whole numbers either
    side (as are a fractional treated size's), so they are continuous in
    both sizes.

The switch (:func:`uses_exact`)
    The exact sum is used while the smaller group has at most
    :data:`EXACT_MAX_SMALLER_GROUP` (3,000) people, or expects fewer than
    :data:`EXACT_MIN_EVENTS` (30) of the rarer outcome (reoffenders, or
    non-reoffenders) at the base rate. Beyond, :func:`skew_corrected_chances`
    gives the normal approximation of the same test with a one-term
    Edgeworth correction for the skewness of the binomial counts and of the
    estimated standard error; tests/test_exact.py checks it is within half a
    point of the exact sum just beyond the switch, for base rates from 0.2%
    to 99.5% and comparison groups from a tenth to 100 times the treated
    group (measured: at most 0.41 points, with equal groups at a 50% rate,
    where the lattice of outcomes lines up). The plain normal approximation
    (:mod:`powerplan.formulas.rate`) is off by more than half a point well
    beyond: by 1.1 points at 3,000 treated against 30,000 at a 10% rate.

Cost
    An exact evaluation costs a guess and two evaluations of the test for each
    count in a band a few standard deviations wide, and its tail: for
    comparison groups up to :data:`CUMULATIVE_TAILS_UP_TO` people one
    cumulative sum of binomial chances over the group's window (a few window
    counts per band count), beyond it one incomplete beta function per band
    count; vectorised over all the analysed numbers a funnel average needs: a
    few milliseconds for a study of 30, tens of milliseconds for one of 3,000.
    docs/performance.md counts the terms and gives the floor they put under
    any implementation (benchmarks/exact_floor.py).
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from scipy import special

from ._binomial import _binom_pmf
from ._student import t_quantile
from .ztest import (critical_value, one_sided, rejection_probabilities, tail_level,
                    z_test_parts)

#: The exact sum is used while the smaller group has at most this many people ...
EXACT_MAX_SMALLER_GROUP = 3000
#: ... or expects fewer than this many of the rarer outcome at the base rate.
EXACT_MIN_EVENTS = 30
#: Largest (effects x counts) block of probabilities held at once.
_BLOCK = 2_000_000


# The tests, on counts ----------------------------------------------------------

def count_verdicts(x1, n1, x2, n2, *, test, alpha, alternative):
    """What the analysis concludes from ``x1`` of ``n1`` treated and ``x2`` of ``n2``
    comparison reoffenders (arrays broadcast).

    The tests of :func:`powerplan.simulator.rate.compare_rates`, on counts:
    ``welch`` (unpooled variance with ``n - 1``, Welch-Satterthwaite degrees of
    freedom, Student t) and the z-tests ``wald``, ``pooled``, ``arcsine``,
    ``fleiss-cc``. A zero standard error (every outcome alike in both groups)
    is significant only when the rates differ.

    Returns
    -------
    (lower, higher) : boolean arrays
        Whether the treated rate is significantly lower, and higher, at ``alpha``.

    Examples
    --------
    No reoffender among 30 treated against 28 of 275: a significant reduction.

    >>> lower, higher = count_verdicts(0, 30, 28, 275, test="welch", alpha=0.05,
    ...                                alternative="two-sided")
    >>> bool(lower), bool(higher)
    (True, False)
    """
    return _verdicts(x1, n1, x2, n2, test, alpha, alternative)


def _verdicts(x1, n1, x2, n2, test, alpha, alternative, welch_bound=None):
    """:func:`count_verdicts`; ``welch_bound`` (optional, broadcasting) is Student's
    critical value at ``min(n1, n2) - 1`` degrees of freedom, below which every
    Welch-Satterthwaite value lies: a statistic beyond it (or inside the normal
    critical value) is decided without its p-value, the slow part."""
    if welch_bound is not None:
        return _welch_verdicts(x1, n1, x2, n2, alpha, alternative, welch_bound)
    n1 = np.asarray(n1, dtype=float)
    n2 = np.asarray(n2, dtype=float)
    r1 = np.asarray(x1, dtype=float) / n1
    r2 = np.asarray(x2, dtype=float) / n2
    estimate = r1 - r2
    with np.errstate(divide="ignore", invalid="ignore"):
        if test == "welch":
            v1 = r1 * (1.0 - r1) / (n1 - 1.0)
            v2 = r2 * (1.0 - r2) / (n2 - 1.0)
            se = np.sqrt(v1 + v2)
            statistic = estimate / se
            df = (v1 + v2) ** 2 / (v1 ** 2 / (n1 - 1.0) + v2 ** 2 / (n2 - 1.0))
        else:
            shift, se, _, cc = z_test_parts(r1, r2, n1, n2, method=test)
            statistic = np.sign(shift) * np.maximum(np.abs(shift) - cc, 0.0) / se
            df = np.inf
        degenerate = se == 0
        statistic = np.where(degenerate,
                             np.where(estimate == 0, 0.0, np.sign(estimate) * np.inf), statistic)
        df = np.where(degenerate, np.inf, df)
    # Significant when the tail beyond ``toward`` (the statistic in the
    # direction tested) is at most ``level``: the p-value is at most alpha.
    if alternative == "two-sided":
        toward, level = np.abs(statistic), alpha / 2.0
    elif alternative == "less":
        toward, level = -statistic, alpha
    else:
        toward, level = statistic, alpha
    finite = np.isfinite(df)
    if welch_bound is None:
        unsure = finite
        significant = ~finite & (special.ndtr(-toward) <= level)
    else:
        sure = toward >= welch_bound * (1.0 + 1e-9)
        unsure = finite & ~sure & (toward >= special.ndtri(1.0 - level) * (1.0 - 1e-9))
        significant = (~finite & (special.ndtr(-toward) <= level)) | (finite & sure)
    if unsure.any():
        tail = special.stdtr(np.broadcast_to(df, toward.shape)[unsure], -toward[unsure])
        significant = np.array(significant, copy=True)
        significant[unsure] = tail <= level
    # A one-sided test never reports the other direction (at alpha of 0.5 or more its
    # p-value could be below alpha there), as the normal approximations' chances
    return one_sided(significant & (estimate < 0), significant & (estimate > 0), alternative)


def _welch_comparison_predicate(x1, n1, n2, alpha, alternative, bound, side, flip):
    """``holds(b, i)`` of searches over the comparison counts ``b`` at the treated counts
    ``x1`` (arrays, one per search; ``i`` the searches evaluated): the Welch test's
    higher verdict where ``side``, its lower one elsewhere, negated where ``flip``.

    The verdicts of :func:`_welch_verdicts`, the same operations on the same numbers,
    with what depends only on the treated count and the sizes computed once."""
    r1 = x1 / n1
    v1 = r1 * (1.0 - r1) / (n1 - 1.0)
    a1, a2 = n1 - 1.0, n2 - 1.0
    limit = (bound * (1.0 + 1e-9)) ** 2
    level = tail_level(alpha, alternative)
    normal = special.ndtri(1.0 - level) * (1.0 - 1e-9)
    # the direction each search asks about; one a one-sided test never reports
    never = {"less": side, "greater": ~side}.get(alternative, np.zeros(side.shape, bool))

    def holds(b, i):
        r2 = b / n2[i]
        estimate = r1[i] - r2
        v2 = r2 * (1.0 - r2) / a2[i]
        known = v1[i]
        variance = known + v2
        square = estimate * estimate
        significant = square >= limit[i] * variance
        unsure = ~significant & (square >= normal * normal * variance)
        if unsure.any():
            u1, u2 = known[unsure], v2[unsure]
            df = (u1 + u2) ** 2 / (u1 * u1 / a1[i][unsure] + u2 * u2 / a2[i][unsure])
            significant[unsure] = _t_significant(np.sqrt(square[unsure] / (u1 + u2)), df,
                                                 level)
        up = side[i]
        wanted = significant & np.where(up, estimate > 0, estimate < 0) & ~never[i]
        return wanted ^ flip[i]
    return holds


def _welch_verdicts(x1, n1, x2, n2, alpha, alternative, bound):
    """:func:`count_verdicts` of the Welch test, decided on squares: significant when
    ``estimate^2 >= c^2 variance`` with ``c`` Student's critical value at the
    Welch-Satterthwaite degrees of freedom, which lies between the normal
    critical value and ``bound``; only statistics in between need the t
    distribution. (A zero variance with rates that differ is significant, as
    an infinite statistic is.)"""
    r1 = x1 / n1
    r2 = x2 / n2
    estimate = r1 - r2
    v1 = r1 * (1.0 - r1) / (n1 - 1.0)
    v2 = r2 * (1.0 - r2) / (n2 - 1.0)
    variance = v1 + v2
    square = estimate * estimate
    level = tail_level(alpha, alternative)
    normal = special.ndtri(1.0 - level) * (1.0 - 1e-9)
    significant = square >= (bound * (1.0 + 1e-9)) ** 2 * variance
    unsure = ~significant & (square >= normal * normal * variance)
    if unsure.any():
        v1, v2 = np.broadcast_to(v1, unsure.shape)[unsure], np.broadcast_to(v2, unsure.shape)[unsure]
        a1 = np.broadcast_to(n1, unsure.shape)[unsure] - 1.0
        a2 = np.broadcast_to(n2, unsure.shape)[unsure] - 1.0
        df = (v1 + v2) ** 2 / (v1 * v1 / a1 + v2 * v2 / a2)
        t = np.sqrt(square[unsure] / (v1 + v2))
        significant[unsure] = _t_significant(t, df, level)
    return one_sided(significant & (estimate < 0), significant & (estimate > 0), alternative)


#: Degrees of freedom at which Student's critical values are tabulated: geometric steps of
#: 0.1% from 1 to 10^8 (about 18,400 values, computed once per significance level).
_DF_STEP = np.log(1.001)
_DF_GRID = np.exp(np.arange(0.0, np.log(1e8) / _DF_STEP + 2.0) * _DF_STEP)
_critical_tables: dict[float, np.ndarray] = {}


def _critical_table(level):
    """Student's critical values of upper tail ``level`` at the degrees of freedom
    :data:`_DF_GRID`, computed once per level."""
    table = _critical_tables.get(level)
    if table is None:
        table = _critical_tables[level] = special.stdtrit(_DF_GRID, 1.0 - level)
    return table


def _t_significant(t, df, level):
    """Whether Student's upper tail beyond ``t`` at ``df`` degrees of freedom is at most
    ``level`` (arrays), as ``stdtr(df, -t) <= level``, with few t distribution calls.

    The critical value falls as the degrees of freedom rise, so between two tabulated
    degrees of freedom it lies between their critical values: a statistic above the
    larger one (by a relative 1e-9, beyond the quantile's rounding) is significant, one
    below the smaller not, and only those in between, a 0.1% step wide, are decided
    by the tail itself, as before.
    """
    table = _critical_table(level)
    step = np.clip(np.floor(np.log(np.maximum(df, 1.0)) / _DF_STEP).astype(np.int64), 0,
                   _DF_GRID.size - 2)
    # _DF_GRID[step] <= df < _DF_GRID[step + 1] up to rounding: widen one step each way
    larger = table[np.maximum(step - 1, 0)] * (1.0 + 1e-9)
    smaller = table[np.minimum(step + 2, _DF_GRID.size - 1)] * (1.0 - 1e-9)
    significant = t >= larger
    unsure = ~significant & (t >= smaller) & (df >= 1.0)
    if unsure.any():
        significant[unsure] = special.stdtr(df[unsure], -t[unsure]) <= level
    # below one degree of freedom (never for Welch-Satterthwaite with n >= 2) the tail
    low = (df < 1.0) & ~significant
    if low.any():
        significant[low] = special.stdtr(df[low], -t[low]) <= level
    return significant


#: Student's critical values at whole degrees of freedom 0, 1, 2, ... by level (grown
#: as larger studies ask; the value at 0 is not used).
_bound_tables: dict[float, np.ndarray] = {}


#: Most degrees of freedom the table of Welch bounds holds (800 kB); beyond, stdtrit itself
#: (a rare-outcome study of millions would otherwise make a table of millions).
_BOUND_TABLE_MOST = 100_000


def _welch_bound(n1, n2, alpha, alternative):
    """Student's critical value at ``min(n1, n2) - 1`` degrees of freedom (arrays; at
    whole degrees of freedom from a table of ``stdtrit``'s values made once)."""
    level = tail_level(alpha, alternative)
    df = np.maximum(np.minimum(n1, n2) - 1.0, 1.0)
    if not np.all(df == np.floor(df)) or df.max() > _BOUND_TABLE_MOST:
        return special.stdtrit(df, 1.0 - level)
    table = _bound_tables.get(level)
    need = int(df.max()) + 1
    if table is None or table.size < need:
        table = _bound_tables[level] = special.stdtrit(
            np.arange(max(4096, 2 * need), dtype=float), 1.0 - level)
    return table[df.astype(np.int64)]


# The switch ----------------------------------------------------------------------

def uses_exact(n1, n2, base_rate):
    """Whether the verdict chances at these sizes are the exact sum (arrays broadcast).

    True while the smaller group has at most :data:`EXACT_MAX_SMALLER_GROUP`
    people or expects fewer than :data:`EXACT_MIN_EVENTS` of the rarer outcome
    at ``base_rate``, and both groups have at least 2 (the Welch test needs
    them; below, the plain normal approximation stands in).

    >>> bool(uses_exact(30, 300, 0.1)), bool(uses_exact(3001, 30010, 0.1))
    (True, False)
    >>> bool(uses_exact(5000, 50000, 0.005))  # 25 expected reoffenders
    True
    """
    smaller = np.minimum(n1, n2)
    events = smaller * min(base_rate, 1.0 - base_rate)
    return ((smaller <= EXACT_MAX_SMALLER_GROUP) | (events < EXACT_MIN_EVENTS)) & (smaller >= 2)


def small_sample_chances(p1, p2, n1, n2, *, test, alpha, alternative):
    """Chances of a significantly lower and higher treated rate by the method named
    after ``test``: the exact sum where :func:`uses_exact`, else the skew-corrected
    normal approximation (arrays broadcast; ``p2`` a float).

    Where a group has fewer than 2 people (a comparison ratio far below 1) the
    Welch test cannot be run and the plain normal approximation of
    :mod:`powerplan.formulas.rate` stands in (``wald`` for ``welch``).
    """
    p1, n1, n2 = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (p1, n1, n2)))
    shape = p1.shape
    p1, n1, n2 = p1.ravel(), n1.ravel(), n2.ravel()
    lower, higher = np.zeros(p1.size), np.zeros(p1.size)
    exact = uses_exact(n1, n2, p2)
    tiny = np.minimum(n1, n2) < 2
    rest = ~exact & ~tiny
    if exact.any():
        lower[exact], higher[exact] = exact_chances(p1[exact], p2, n1[exact], n2[exact],
                                                    test=test, alpha=alpha,
                                                    alternative=alternative)
    if rest.any():
        lower[rest], higher[rest] = skew_corrected_chances(p1[rest], p2, n1[rest], n2[rest],
                                                           test=test, alpha=alpha,
                                                           alternative=alternative)
    if tiny.any():
        lower[tiny], higher[tiny] = rejection_probabilities(
            p1[tiny], p2, n1[tiny], n2[tiny], alpha=alpha, alternative=alternative,
            method="wald" if test == "welch" else test)
    return lower.reshape(shape)[()], higher.reshape(shape)[()]


# The exact sum -------------------------------------------------------------------

def _window(n, p):
    """Counts ``[low, high]`` of ``Binomial(n, p)`` (arrays) outside which less than
    ``1e-15`` of its mass lies at either end: a normal bound widened for skewed
    tails (tests/test_exact.py checks the mass left out)."""
    mean = n * p
    spread = 9.0 * np.sqrt(n * p * (1.0 - p)) + 14.0
    return (np.maximum(0, np.floor(mean - spread)).astype(np.int64),
            np.minimum(n, np.ceil(mean + spread)).astype(np.int64))


def _last_true(holds, low, high):
    """Per element, the largest integer ``b`` in ``[low, high]`` with ``holds``, for a
    predicate true on ``[low, t]`` and false above; ``low - 1`` where it is false
    throughout.

    ``holds(b, index)`` evaluates the predicate of the elements ``index`` at
    the integer array ``b``. Bisection, vectorised over the elements.
    """
    low = np.asarray(low, dtype=np.int64)
    high = np.asarray(high, dtype=np.int64)
    answer = low - 1
    index = np.arange(low.size)
    start = holds(low, index)
    lo, hi, index = low[start], high[start], index[start]
    top = holds(hi, index)
    answer[index[top]] = hi[top]
    # Open elements: holds(lo) is true and holds(hi + 1) false.
    lo, hi, index = lo[~top], hi[~top] - 1, index[~top]
    while index.size:
        middle = (lo + hi + 1) // 2
        ok = holds(middle, index)
        lo = np.where(ok, middle, lo)
        hi = np.where(ok, hi, middle - 1)
        done = lo >= hi
        answer[index[done]] = lo[done]
        lo, hi, index = lo[~done], hi[~done], index[~done]
    return answer


def _hinted_last_true(holds, low, high, hint):
    """:func:`_last_true` searching first inside ``hint = (hint_low, hint_high)``
    (arrays, may be None), where the answer is expected: the hint is checked
    (the predicate true at its low end, false just past its high end) and the
    whole range searched where it fails, so a hint only saves time.

    ``hint = (guess, hinting)`` gives instead the answer's likely value, checked
    first (true at it, false just past it: two evaluations), and where it is wrong
    searches ``hinting(elements)``, the hint of those elements."""
    low = np.asarray(low, dtype=np.int64)
    high = np.asarray(high, dtype=np.int64)
    if hint is None:
        return _last_true(holds, low, high)
    if callable(hint[1]):
        return _guessed_last_true(holds, low, high, *hint)
    hint_low = np.clip(hint[0], low, high)
    hint_high = np.clip(hint[1], hint_low, high)
    index = np.arange(low.size)
    inside = holds(hint_low, index)
    past = hint_high < high
    check = np.flatnonzero(inside & past)
    inside[check] &= ~holds(hint_high[check] + 1, check)
    answer = np.empty(low.size, dtype=np.int64)
    found = np.flatnonzero(inside)
    if found.size:
        answer[found] = _last_true(lambda b, i: holds(b, found[i]), hint_low[found],
                                   hint_high[found])
    rest = np.flatnonzero(~inside)
    if rest.size:
        answer[rest] = _last_true(lambda b, i: holds(b, rest[i]), low[rest], high[rest])
    return answer


def _guessed_last_true(holds, low, high, guess, hinting):
    """:func:`_hinted_last_true` with a guess (floats, any value): the predicate
    checked true at the guess (unless below ``low``) and false just past it (unless
    it is ``high``). Where the guess is one off (most wrong ones), the count next to
    it is checked; ``hinting(elements)`` searched where that fails too."""
    guess = np.clip(np.where(np.isfinite(guess), guess, low - 1), low - 1, high).astype(np.int64)
    right = np.ones(low.size, dtype=bool)
    below = np.zeros(low.size, dtype=bool)  # false at the guess: the answer is below it
    for check in (0, 1):  # true at the guess, then false just past it
        at = np.flatnonzero(guess >= low) if check == 0 else np.flatnonzero(right & (guess < high))
        if at.size == low.size:  # all of them (the usual case): no copies
            at = slice(None)
        elif not at.size:
            continue
        right[at] = holds(guess[at] + check, at) ^ bool(check)
        if check == 0:
            below[at] = ~right[at]
    wrong = np.flatnonzero(~right)
    if wrong.size:
        # One down (false at the guess): right if true there, or it is low - 1. One up
        # (true just past the guess): right if false past that, or it is high.
        down = below[wrong]
        moved = guess[wrong] + np.where(down, -1, 1)
        fixed = np.where(down, moved < low[wrong], moved >= high[wrong])
        ask = np.flatnonzero(~fixed)
        if ask.size:
            at = wrong[ask]
            fixed[ask] = holds(moved[ask] + ~down[ask], at) ^ ~down[ask]
        guess[wrong[fixed]] = moved[fixed]
        wrong = wrong[~fixed]
    if wrong.size:
        guess[wrong] = _hinted_last_true(lambda b, i: holds(b, wrong[i]), low[wrong],
                                         high[wrong], hinting(wrong))
    return guess


def _roots(known, a_known, a_unknown, critical):
    """Rates ``u`` of one group at which the Wald-type statistic of the known group's
    rate ``known`` equals ``critical``: the roots of
    ``(u - known)^2 = critical^2 (known (1 - known) / a_known + u (1 - u) / a_unknown)``,
    with ``a`` the sizes (``n - 1`` for Welch). Returns (smaller, larger), clipped to [0, 1]."""
    lin, root, twice_quad = _quadratic(known, a_known, a_unknown, critical)
    return (np.clip((lin - root) / twice_quad, 0.0, 1.0),
            np.clip((lin + root) / twice_quad, 0.0, 1.0))


def _root(known, a_known, a_unknown, critical, larger):
    """The smaller root of :func:`_roots`, or the larger where ``larger`` (a bool): the
    one a search needs, at half the cost."""
    lin, root, twice_quad = _quadratic(known, a_known, a_unknown, critical)
    return np.clip((lin + root if larger else lin - root) / twice_quad, 0.0, 1.0)


def _quadratic(known, a_known, a_unknown, critical):
    """The roots of :func:`_roots` as ``(lin -/+ root) / twice_quad``: those three."""
    c2 = critical * critical
    per_unknown = c2 / a_unknown
    quad = 1.0 + per_unknown
    lin = 2.0 * known + per_unknown
    const = known * known - c2 * known * (1.0 - known) / a_known
    root = np.sqrt(np.maximum(lin * lin - 4.0 * quad * const, 0.0))
    return lin, root, 2.0 * quad


class _Hints:
    """Where the tests' boundaries lie, from their statistics' closed-form roots.

    Each search gets a guess: the root of the statistic at the critical value the
    test uses there (for Welch, Student's at the Welch-Satterthwaite degrees of
    freedom of the root), rounded to the count it predicts. Where the guess is
    wrong the Welch and Wald tests' searches get a bracket: the critical value is
    between the normal one and Student's at the fewest degrees of freedom, so
    each boundary lies between the counts the two give (widened by 2 for
    rounding); the other tests' search their whole range."""

    def __init__(self, test, n1, n2, alpha, alternative, bound):
        level = tail_level(alpha, alternative)
        self.test = test
        self.z = special.ndtri(1.0 - level)
        self.welch = test == "welch"
        self.bracketed = test in ("welch", "wald")
        self.t = bound if self.welch else np.full(n1.shape, self.z)
        self.table = _critical_table(level) if self.welch else None
        shift = 1.0 if self.welch else 0.0
        self.a1, self.a2 = n1 - shift, n2 - shift
        self.n1, self.n2 = n1, n2

    def _roots_by_side(self, rate, a_known, a_unknown, side):
        """:meth:`_root` of each element, the larger where ``side`` (a boolean array, one
        run of each value at most, as the searches run them: each run in one go)."""
        change = np.flatnonzero(side[1:] != side[:-1]) + 1
        if change.size > 1:
            raise ValueError("sides must come in at most two runs")
        cut = change[0] if change.size else side.size
        parts = [self._root(rate[part], a_known[part], a_unknown[part], bool(side[part][0]))
                 for part in (slice(0, cut), slice(cut, None)) if side[part].size] or [rate]
        return np.concatenate(parts) if len(parts) != 1 else parts[0]

    def _root(self, rate, a_known, a_unknown, side):
        """The root (the smaller, or the larger where ``side``), in the unknown group's
        rate, of the statistic at the critical value the test uses there (``a`` the
        sizes, less 1 for Welch). For Welch, Student's at the Welch-Satterthwaite
        degrees of freedom of the root, found by going from the normal root to its degrees
        of freedom, their critical value and back."""
        z, sign = self.z, 1.0 if side else -1.0
        if self.test == "arcsine":  # 2 asin(sqrt(u)) - 2 asin(sqrt(rate)) = +-z se
            angle = np.arcsin(np.sqrt(rate)) + sign * 0.5 * z * np.sqrt(1.0 / a_known + 1.0 / a_unknown)
            return np.sin(np.clip(angle, 0.0, 0.5 * np.pi)) ** 2
        if self.test in ("pooled", "fleiss-cc"):
            # (u - s)^2 = z^2 h pbar (1 - pbar), pbar = A + B u, s the rate moved by the
            # continuity correction, away from it on each side
            h = 1.0 / a_known + 1.0 / a_unknown
            shifted = rate + sign * (0.5 * h if self.test == "fleiss-cc" else 0.0)
            big_a, big_b = rate * a_known / (a_known + a_unknown), a_unknown / (a_known + a_unknown)
            c2h = z * z * h
            quad = 1.0 + c2h * big_b * big_b
            lin = -2.0 * shifted - c2h * big_b + 2.0 * c2h * big_a * big_b
            const = shifted * shifted - c2h * big_a + c2h * big_a * big_a
            root = np.sqrt(np.maximum(lin * lin - 4.0 * quad * const, 0.0))
            return np.clip((-lin + sign * root) / (2.0 * quad), 0.0, 1.0)
        root = _root(rate, a_known, a_unknown, z, side)
        if not self.welch:
            return root
        # One round (the rounds converge fast: a second one put right 350 of the
        # 3.9 million boundaries of 10 solves and 100 analytic calls, that 0.07%
        # then searched for, and costs more than that search)
        known = rate * (1.0 - rate) / a_known
        unknown = root * (1.0 - root) / a_unknown
        with np.errstate(divide="ignore", invalid="ignore"):
            df = (known + unknown) ** 2 / (known * known / a_known + unknown * unknown / a_unknown)
        where = np.log(np.fmax(np.fmin(df, 1e8), 1.0)) / _DF_STEP  # fmax: 0 / 0 is 1
        step = np.minimum(where.astype(np.int64), _DF_GRID.size - 2)
        share = where - step
        critical = (1.0 - share) * self.table[step] + share * self.table[step + 1]
        return _root(rate, a_known, a_unknown, critical, side)

    def treated(self, side, x2, index):
        """Hint for the search over treated counts at comparison count ``x2``: the last
        count with the lower verdict, or where ``side`` the last without the higher one."""
        return self._hint(x2, (self.n2, self.a2), (self.n1, self.a1), index, side)

    def comparison(self, side, x1, index):
        """Hint for the search over comparison counts at treated count ``x1``: the last
        count without the lower verdict, or where ``side`` the last with the higher one."""
        return self._hint(x1, (self.n1, self.a1), (self.n2, self.a2), index, ~side)

    def _hint(self, count, known, unknown, index, upper):
        """(guess, bracket) of searches over the counts of one group (``unknown``: its
        sizes and ``a``) at the other's ``count``: the last count at or below the
        smaller root, or where ``upper`` the last below the larger one."""
        def bracket(elements):
            if not self.bracketed:
                return None
            at, up = index[elements], upper[elements]
            size = unknown[0][at]
            rate, a_known, a_unknown = count[elements] / known[0][at], known[1][at], unknown[1][at]
            at_z = _roots(rate, a_known, a_unknown, self.z)
            at_t = _roots(rate, a_known, a_unknown, self.t[at])
            return (np.where(up, np.ceil(size * at_z[1]) - 3, np.floor(size * at_t[0]) - 2),
                    np.where(up, np.ceil(size * at_t[1]) + 1, np.floor(size * at_z[0]) + 2))

        root = self._roots_by_side(count / known[0][index], known[1][index], unknown[1][index],
                                   upper)
        size = unknown[0][index]
        return np.where(upper, np.ceil(size * root) - 1, np.floor(size * root)), bracket


def _ranges(start, stop):
    """The integers of ``[start[i], stop[i])`` for every ``i``, concatenated, and the
    index ``i`` each came from."""
    length = np.maximum(stop - start, 0)
    owner = np.repeat(np.arange(start.size), length)
    offset = np.arange(owner.size) - np.repeat(np.cumsum(length) - length, length)
    return start[owner] + offset, owner


def _log_choose(counts, n):
    """``log(n choose counts)`` (arrays, floats)."""
    return special.gammaln(n + 1.0) - special.gammaln(counts + 1.0) - special.gammaln(n - counts + 1.0)


#: Most whole numbers whose log-factorials :func:`_whole_log_choose` keeps in a table
#: (800 kB); beyond, ``gammaln`` itself.
_LOG_FACTORIALS_MOST = 100_000
_log_factorials = [np.empty(0)]


def _whole_log_choose(counts, n):
    """:func:`_log_choose` of whole numbers ``0 <= counts <= n`` (integer arrays), from a
    table of ``gammaln``'s own values at whole numbers: the same numbers, a gather instead
    of three gamma functions each."""
    top = int(n.max()) if n.size else 0
    if top >= _LOG_FACTORIALS_MOST:
        return _log_choose(counts.astype(float), n.astype(float))
    table = _log_factorials[0]
    if table.size <= top:
        table = _log_factorials[0] = special.gammaln(
            np.arange(min(_LOG_FACTORIALS_MOST, max(4096, 2 * top + 2))) + 1.0)
    return table[n] - table[counts] - table[n - counts]


def _binomial_pmf(counts, n, rates, log_choose=None):
    """``Binomial(counts; n, rate)``: rates along the first axis, (counts, n) the second;
    ``log_choose`` their :func:`_log_choose` when known."""
    counts = counts.astype(float)
    n = np.asarray(n, dtype=float)
    if log_choose is None:
        log_choose = _log_choose(counts, n)
    rest = n - counts
    with np.errstate(divide="ignore", invalid="ignore"):
        log_p, log_q = np.log(rates), np.log1p(-rates)
        if np.all((rates > 0.0) & (rates < 1.0)):  # the logs finite: adding 0 * log is adding 0
            log_pmf = (log_choose + np.multiply.outer(log_p, counts)
                       + np.multiply.outer(log_q, rest))
        else:  # 0 * log(0) is 0: a count of 0 has probability 1 at a rate of 0.
            log_pmf = (log_choose + np.where(counts > 0, np.multiply.outer(log_p, counts), 0.0)
                       + np.where(rest > 0, np.multiply.outer(log_q, rest), 0.0))
    return np.exp(log_pmf)


def _by_owner(values, owner, count):
    """Sum the columns of ``values`` (rates x elements) by their owner: rates x owners."""
    out = np.zeros((values.shape[0], count))
    for row in range(values.shape[0]):
        out[row] = np.bincount(owner, weights=values[row], minlength=count)
    return out


def _sum_blocks(term, owner, count, rates):
    """``sum over elements j of owner i of term(rates, j)``, rates x owners, computed in
    blocks of at most ``_BLOCK`` probabilities."""
    out = np.zeros((rates.size, count))
    step = max(1, _BLOCK // max(rates.size, 1))
    for first in range(0, owner.size, step):
        part = slice(first, first + step)
        out += _by_owner(term(rates, part), owner[part], count)
    return out


#: Comparison groups up to this size have their tails from cumulative sums of their
#: binomial chances over their window (:func:`_window_tails`, 15 to 25 ns a count of the
#: window), larger ones from scipy's ``bdtr``/``bdtrc`` (Cephes' incomplete beta
#: function, 200 to 700 ns a tail). Both agree to 1e-13 up to about 700 people; beyond,
#: Cephes' own rounding grows (1.4e-11 of a tail at 10,000, 6e-11 at 60,000, against
#: exact rational arithmetic, which the sums match to about 1e-15) and would show in the
#: chances (7.7e-12 in benchmarks/exact_reference.py's cases with sums throughout, 4e-13
#: with them up to this size; the answers are held to 1e-12 of the code before them).
CUMULATIVE_TAILS_UP_TO = 10_000

#: The binomial chances of a window are Boost's at every this many counts, and reached
#: from each by the ratio of successive chances up to the next (a few units of
#: rounding a step, tests/test_exact.py measures the tails against exact arithmetic).
_TAIL_ANCHOR_EVERY = 64
#: Most (sizes x counts) chances :func:`_window_tails` holds at once (in the cache).
_TAILS_BLOCK = 65536


def _window_tails(n, p, low, high, upper_at, lower_at):
    """Tails of ``Binomial(n, p)`` at counts of the windows ``[low, high]`` (integer
    arrays, one window per size) by a cumulative sum of its chances over each window:
    ``P(X >= c)`` at ``upper_at = (rows, c)``, ``c`` in ``[low, high + 1]`` of its row,
    and ``P(X <= c)`` at ``lower_at = (rows, c)``, ``c`` in ``[low - 1, high]``.

    The chances beyond the window (less than 2e-15) come in as one tail each, from
    ``bdtr``/``bdtrc``; an upper tail is the window's total less the sum below it
    (the chances are summed to within about 1e-16 absolute, as the sums they enter
    need). The chances are Boost's binomial chance (accurate to a few units of
    rounding) at every :data:`_TAIL_ANCHOR_EVERY`-th count, and reached from each by
    the ratio of successive chances up to the next.
    """
    out_upper, out_lower = np.empty(upper_at[0].size), np.empty(lower_at[0].size)
    if not n.size:
        return out_upper, out_lower
    width = high - low + 1
    inner = 0.0 < p < 1.0
    odds = p / (1.0 - p) if inner else 0.0
    # rows in blocks (the pairs come sorted by size, so of similar widths), each padded
    # to its widest and to a whole number of anchors
    step = max(1, _TAILS_BLOCK // max(int(width.max()), 1))
    for first in range(0, n.size, step):
        part = slice(first, first + step)
        rows = np.arange(first, min(first + step, n.size))
        columns = -(-int(width[part].max()) // _TAIL_ANCHOR_EVERY) * _TAIL_ANCHOR_EVERY
        sizes, lows, widths = n[part].astype(float), low[part], width[part]
        anchors = lows[:, None] + np.arange(0, columns, _TAIL_ANCHOR_EVERY)
        start = _binom_pmf(np.minimum(anchors, sizes[:, None]).astype(float), sizes[:, None], p)
        start[anchors > high[part, None]] = 0.0
        ahead = np.arange(columns, dtype=float)
        if inner:
            # chance[c + 1] / chance[c] = (n - c) / (c + 1) p / (1 - p), c = low + j - 1
            chance = np.subtract.outer(sizes - lows + 1.0, ahead)
            with np.errstate(divide="ignore"):  # a window from 0: its first is an anchor
                chance /= np.add.outer(lows.astype(float), ahead)
            chance *= odds
            short = widths < columns
            chance[rows[short] - first, widths[short]] = 0.0  # past the window: none
            chance = chance.reshape(rows.size, -1, _TAIL_ANCHOR_EVERY)
            chance[:, :, 0] = start
            np.cumprod(chance, axis=2, out=chance)
            chance = chance.reshape(rows.size, columns)
        else:  # a rate of 0 or 1: the window is a handful of counts
            counts = lows[:, None] + ahead
            chance = _binom_pmf(np.minimum(counts, sizes[:, None]), sizes[:, None], p)
            chance[counts > high[part, None]] = 0.0
        below = np.cumsum(chance, axis=1)  # below[r, j]: the window's chances up to low + j
        below_low = np.where(lows > 0, special.bdtr(np.maximum(lows - 1, 0), n[part], p), 0.0)
        above_high = special.bdtrc(high[part], n[part], p)
        for out, (at_rows, at_count), upper in ((out_upper, upper_at, True),
                                                (out_lower, lower_at, False)):
            these = np.flatnonzero((at_rows >= first) & (at_rows < first + step))
            if not these.size:
                continue
            row = at_rows[these] - first
            # the window's chances up to c - 1 (upper) or c (lower), none below it
            column = at_count[these] - lows[row] - (1 if upper else 0)
            value = np.where(column >= 0, below[row, np.maximum(column, 0)], 0.0)
            out[these] = ((below[row, -1] - value) + above_high[row] if upper
                          else value + below_low[row])
    return out_upper, out_lower


class _WholeTable:
    """The parts of the exact sums that do not depend on the treated rate, for whole
    sizes: ``n1``, ``n2`` integer arrays (one entry per pair of sizes), ``p2`` the
    comparison rate. :meth:`chances` then sums them for any treated rates."""

    def __init__(self, n1, n2, p2, test, alpha, alternative):
        self.n1, self.n2, self.p2 = n1, n2, p2
        pairs = n1.size
        bound = _welch_bound(n1, n2, alpha, alternative) if test == "welch" else None

        def searched(x1, x2, pair, side, flip):
            """The predicate of searches over the comparison counts at treated counts ``x1``
            (or over the treated counts at ``x2``) of the pairs ``pair``: the lower
            verdict, or the higher one where ``side``, negated where ``flip``."""
            sizes1, sizes2 = n1[pair], n2[pair]
            bounds = None if bound is None else bound[pair]

            def holds(b, i):
                lower, higher = _verdicts(b if x1 is None else x1[i], sizes1[i],
                                          b if x2 is None else x2[i], sizes2[i], test, alpha,
                                          alternative, None if bounds is None else bounds[i])
                return np.where(side[i], higher, lower) ^ flip[i]
            return holds

        b_low, b_high = _window(n2, p2)
        every = np.arange(pairs)
        hints = _Hints(test, n1, n2, alpha, alternative, bound)
        # lower(x1, b) holds for x1 up to d(b), which grows with b; higher(x1, b)
        # from e(b) up. Between d(b_low) and d(b_high) the lower verdict's comparison
        # tail is neither 0 nor 1; likewise between e(b_low) and e(b_high). The four
        # searches, and each pair of the others, run as one.
        x2 = np.concatenate([b_low, b_high, b_low, b_high])
        pair = np.tile(every, 4)
        side = np.repeat([False, True], 2 * pairs)
        found = _hinted_last_true(searched(None, x2, pair, side, side), np.zeros(x2.size, np.int64),
                                  n1[pair], hints.treated(side, x2, pair))
        d_low, d_high, e_low, e_high = found.reshape(4, pairs) + np.array([[0], [0], [1], [1]])
        band = (d_high - d_low) + (e_high - e_low)
        over_treated = band <= 2 * (b_high - b_low + 1)

        # Over the treated counts in the bands, comparison tails at the boundaries.
        t = self.over_treated = np.flatnonzero(over_treated)
        self.d_low, self.e_high = d_low[t], e_high[t]
        x1_lower, owner_lower = _ranges(d_low[t] + 1, d_high[t] + 1)
        x1_higher, owner_higher = _ranges(e_low[t], e_high[t])
        x1 = np.concatenate([x1_lower, x1_higher])
        pair = t[np.concatenate([owner_lower, owner_higher])]
        side = np.arange(x1.size) >= x1_lower.size
        holds = (searched(x1, None, pair, side, ~side) if bound is None else
                 _welch_comparison_predicate(x1, n1[pair], n2[pair], alpha, alternative,
                                             bound[pair], side, ~side))
        found = _hinted_last_true(holds, b_low[pair], b_high[pair],
                                  hints.comparison(side, x1, pair))
        first, last = found[:x1_lower.size] + 1, found[x1_lower.size:]
        choose = _whole_log_choose(x1, n1[pair])
        lower_pair, higher_pair = pair[:x1_lower.size], pair[x1_lower.size:]
        summed = n2[t] <= CUMULATIVE_TAILS_UP_TO
        row = np.cumsum(summed) - 1
        lower_sums, higher_sums = summed[owner_lower], summed[owner_higher]
        tails = [np.empty(owner_lower.size), np.empty(owner_higher.size)]
        # P(X2 >= first) and P(X2 <= last), from the windows' sums ...
        tails[0][lower_sums], tails[1][higher_sums] = _window_tails(
            n2[t][summed], p2, b_low[t][summed], b_high[t][summed],
            (row[owner_lower[lower_sums]], first[lower_sums]),
            (row[owner_higher[higher_sums]], last[higher_sums]))
        # ... or scipy's bdtr
        rest = ~lower_sums
        tails[0][rest] = special.bdtrc(first[rest] - 1, n2[lower_pair[rest]], p2)
        rest = ~higher_sums
        tails[1][rest] = np.where(last[rest] >= 0, special.bdtr(
            np.maximum(last[rest], 0), n2[higher_pair[rest]], p2), 0.0)
        self.lower_band = (x1_lower, owner_lower, tails[0], choose[:x1_lower.size])
        self.higher_band = (x1_higher, owner_higher, tails[1], choose[x1_lower.size:])

        # Over the comparison counts in its window, treated tails at the boundaries.
        c = self.over_comparison = np.flatnonzero(~over_treated)
        x2, owner = _ranges(b_low[c], b_high[c] + 1)
        pair = np.tile(c[owner], 2)
        side = np.repeat([False, True], x2.size)
        both = np.tile(x2, 2)
        found = _hinted_last_true(searched(None, both, pair, side, side), np.zeros(both.size, np.int64),
                                  n1[pair], hints.treated(side, both, pair))
        self.comparison = (owner, _binomial_pmf(x2, n2[c[owner]], np.array([p2]))[0],
                           found[:x2.size], found[x2.size:] + 1)

    def elements(self) -> int:
        """How many counts' boundaries and tails the table holds, counted twice (its memory,
        about 16 bytes each)."""
        return self.n1.size + 2 * (self.lower_band[0].size + self.higher_band[0].size
                                   + self.comparison[0].size)

    def rows(self, rows):
        """The table of the pairs ``rows`` (indices, in that order) alone: its parts picked
        out, in the order they were found, so its sums are this table's."""
        picked = object.__new__(_WholeTable)
        picked.n1, picked.n2, picked.p2 = self.n1[rows], self.n2[rows], self.p2
        new_row = np.full(self.n1.size, -1, dtype=np.int64)
        new_row[rows] = np.arange(len(rows))

        def keep(pairs):
            """Which of ``pairs`` are kept, and each's position among those kept."""
            kept = new_row[pairs] >= 0
            return kept, np.cumsum(kept) - 1

        t, c = self.over_treated, self.over_comparison
        kept, position = keep(t)
        picked.over_treated = new_row[t[kept]]
        picked.d_low, picked.e_high = self.d_low[kept], self.e_high[kept]
        for name in ("lower_band", "higher_band"):
            x1, owner, *rest = getattr(self, name)
            chosen = kept[owner]
            setattr(picked, name, (x1[chosen], position[owner[chosen]],
                                   *(part[chosen] for part in rest)))
        kept, position = keep(c)
        picked.over_comparison = new_row[c[kept]]
        owner, *rest = self.comparison
        chosen = kept[owner]
        picked.comparison = (position[owner[chosen]], *(part[chosen] for part in rest))
        return picked

    def chances(self, p1):
        """Chances of the lower and higher verdicts, each pairs x rates, at treated rates
        ``p1`` (a 1-d array)."""
        n1 = self.n1
        lower = np.zeros((n1.size, p1.size))
        higher = np.zeros((n1.size, p1.size))
        t = self.over_treated
        if t.size:
            size, d_low, e_high = n1[t, None], self.d_low[:, None], self.e_high[:, None]
            lower[t] = np.where(d_low >= 0, special.bdtr(np.maximum(d_low, 0), size, p1), 0.0)
            higher[t] = np.where(e_high <= 0, 1.0, np.where(
                e_high <= size, special.bdtrc(np.maximum(e_high - 1, 0), size, p1), 0.0))
            for out, (x1, owner, tail, choose) in ((lower, self.lower_band),
                                                   (higher, self.higher_band)):
                sizes = n1[t][owner]
                out[t] += _sum_blocks(
                    lambda r, s: _binomial_pmf(x1[s], sizes[s], r, choose[s]) * tail[s],
                    owner, t.size, p1).T
        c = self.over_comparison
        if c.size:
            owner, weight, d, e = self.comparison
            sizes = n1[c][owner]

            def lower_term(r, s):
                tail = special.bdtr(np.maximum(d[s], 0), sizes[s], r[:, None])
                return np.where(d[s] >= 0, tail, 0.0) * weight[s]

            def higher_term(r, s):
                n = sizes[s]
                tail = special.bdtrc(np.maximum(e[s] - 1, 0), n, r[:, None])
                return np.where(e[s] <= 0, 1.0, np.where(e[s] <= n, tail, 0.0)) * weight[s]

            lower[c] = _sum_blocks(lower_term, owner, c.size, p1).T
            higher[c] = _sum_blocks(higher_term, owner, c.size, p1).T
        return lower, higher


def _whole_sizes(n):
    """Whole numbers either side of each size, with linear interpolation weights:
    ``(low, high, weight of high)``."""
    low = np.floor(n + 1e-9)
    fraction = np.where(n - low < 1e-9, 0.0, n - low)
    return low.astype(np.int64), low.astype(np.int64) + 1, fraction


def _unique_pairs(pairs):
    """``np.unique(pairs, axis=0, return_inverse=True)`` of a (pairs, 2) array of sizes, by
    the pairs as complex numbers (the same order, a few times faster)."""
    values, index = np.unique(pairs[:, 0] + 1j * pairs[:, 1], return_inverse=True)
    return np.stack([values.real, values.imag], axis=1).astype(pairs.dtype), index.ravel()


class ExactTable:
    """Exact verdict chances at given pairs of sizes, for any treated rates.

    The boundaries of the sums depend on the sizes, the comparison rate and the
    test, not on the treated rate, so they are found once, when the table is
    made; :meth:`chances` then costs a few binomial probabilities per count.

    Parameters
    ----------
    n1, n2 : 1-d arrays
        Treated and comparison sizes, one pair per entry, each at least 2 (at
        least 1 for the z-tests); fractions are interpolated between the whole
        numbers either side.
    p2 : float
        The comparison rate.
    test, alpha, alternative
        As for :func:`exact_chances`.
    """

    def __init__(self, n1, n2, p2, *, test="welch", alpha=0.05, alternative="two-sided"):
        p2, alpha = float(p2), float(alpha)  # numbers, also when given as 0-d arrays
        n1 = np.asarray(n1, dtype=float).ravel()
        n2 = np.asarray(n2, dtype=float).ravel()
        low1, high1, f1 = _whole_sizes(n1)
        low2, high2, f2 = _whole_sizes(n2)
        corners = [(low1, low2, (1 - f1) * (1 - f2)), (high1, low2, f1 * (1 - f2)),
                   (low1, high2, (1 - f1) * f2), (high1, high2, f1 * f2)]
        used = np.concatenate([np.stack([a, b], axis=1)[w > 0] for a, b, w in corners])
        whole, whole_index = _unique_pairs(used)
        # Each size pair's whole corners: (pairs, rows of the whole table, weights).
        self._corners, start = [], 0
        for _, _, w in corners:
            chosen = np.flatnonzero(w > 0)
            self._corners.append((chosen, whole_index[start:start + chosen.size], w[chosen]))
            start += chosen.size
        self._size = n1.size
        self._whole_size = whole.shape[0]
        self._parts = _whole_tables(whole[:, 0], whole[:, 1], float(p2), test, alpha,
                                    alternative)

    def chances(self, p1):
        """Chances of a significantly lower and higher treated rate: arrays of size pairs
        x treated rates (``p1``, 1-d)."""
        p1 = np.asarray(p1, dtype=float).ravel()
        lower_whole = np.empty((self._whole_size, p1.size))
        higher_whole = np.empty((self._whole_size, p1.size))
        for table, positions in self._parts:
            lower_whole[positions], higher_whole[positions] = table.chances(p1)
        lower = np.zeros((self._size, p1.size))
        higher = np.zeros((self._size, p1.size))
        for chosen, rows, w in self._corners:
            lower[chosen] += w[:, None] * lower_whole[rows]
            higher[chosen] += w[:, None] * higher_whole[rows]
        return np.clip(lower, 0.0, 1.0), np.clip(higher, 0.0, 1.0)


#: Below this level of each tail (alpha, or alpha / 2 two-sided) the Welch test's verdicts
#: need not be monotone in the counts for small groups: with a treated or comparison group
#: with (nearly) no variance the Welch-Satterthwaite degrees of freedom drop and the
#: critical value at a tiny level jumps, so a larger difference can be less significant
#: (found in review: 29 treated against 11 at alpha 1e-6). Checked over every lattice of
#: up to 150 by 150 people (and 300 random pairs up to 600 by 1,500): no such verdict at a
#: level of 1e-3 or more, for any test; below it, the Welch test's, with the smaller group
#: at most 40.
MONOTONE_LEVEL = 1e-3
#: ... so below that level, pairs whose smaller group has at most this many people (more
#: than twice the largest seen) are summed over every count of both groups
#: (:class:`_LatticeTable`), not by boundaries.
LATTICE_SMALLER_GROUP = 100


def _lattice_pairs(n1, n2, test, alpha, alternative) -> np.ndarray:
    """Which pairs of whole sizes are summed over the whole lattice of counts."""
    level = tail_level(alpha, alternative)
    if test != "welch" or level >= MONOTONE_LEVEL:
        return np.zeros(n1.size, dtype=bool)
    return np.minimum(n1, n2) <= LATTICE_SMALLER_GROUP


class _LatticeTable:
    """Exact sums over every treated count and every comparison count of the comparison
    group's window (outside it less than 2e-15 of its mass), with no boundary: the
    verdicts need not be monotone. For each pair and treated count ``x1`` it keeps
    ``sum over x2 of Binomial(x2; n2, p2) [verdict]``, which :meth:`chances` weighs
    by the treated counts' chances at any rate. The interface of :class:`_WholeTable`."""

    def __init__(self, n1, n2, p2, test, alpha, alternative):
        self.n1, self.n2, self.p2 = n1, n2, p2
        low, high = _window(n2, p2)
        bounds = (_welch_bound(n1, n2, alpha, alternative).tolist() if test == "welch"
                  else [None] * n1.size)
        self._sums = []
        for a, b, first, last, bound in zip(n1.tolist(), n2.tolist(), low.tolist(),
                                            high.tolist(), bounds):
            x2 = np.arange(first, last + 1)
            lower, higher = _verdicts(np.arange(a + 1.0)[:, None], float(a), x2[None, :],
                                      float(b), test, alpha, alternative, bound)
            chance = _binomial_pmf(x2, b, np.array([p2]))[0]
            self._sums.append((lower @ chance, higher @ chance))

    def chances(self, p1):
        """Chances of the lower and higher verdicts, each pairs x rates, at rates ``p1``."""
        lower = np.empty((self.n1.size, p1.size))
        higher = np.empty((self.n1.size, p1.size))
        for row, (n, (below, above)) in enumerate(zip(self.n1.tolist(), self._sums)):
            treated = _binomial_pmf(np.arange(n + 1), n, p1)  # rates x counts
            lower[row], higher[row] = treated @ below, treated @ above
        return lower, higher

    def elements(self) -> int:
        return int(2 * sum(below.size for below, _ in self._sums))

    def rows(self, rows):
        picked = object.__new__(_LatticeTable)
        picked.n1, picked.n2, picked.p2 = self.n1[rows], self.n2[rows], self.p2
        picked._sums = [self._sums[r] for r in rows]
        return picked


#: Most elements (:meth:`_WholeTable.elements`, about 16 bytes each) of the whole sizes'
#: tables kept between calls, about 64 MB: a solver's successive rounds and a table's
#: cells at one base rate ask for many of the same pairs of sizes again.
KEPT_ELEMENTS = 4_000_000
#: The whole sizes' tables kept, oldest used first: number -> (table, its keys).
_whole_kept: OrderedDict = OrderedDict()
#: Where each pair of whole sizes is: (p2, test, alpha, alternative, n1, n2) ->
#: (number of its table in _whole_kept, row).
_whole_rows: dict = {}
_whole_count = [0, 0]  # tables made, elements kept


def _whole_tables(n1, n2, p2, test, alpha, alternative):
    """The :class:`_WholeTable` parts covering the pairs of whole sizes ``(n1, n2)``:
    a list of (table, positions of its pairs among the given ones), the pairs met
    before taken from the tables kept (:data:`KEPT_ELEMENTS`), the others made in one."""
    settings = (float(p2), test, float(alpha), alternative)
    keys = [settings + pair for pair in zip(n1.tolist(), n2.tolist())]
    found: dict = {}
    missing = []
    for position, key in enumerate(keys):
        hit = _whole_rows.get(key)
        if hit is None:
            missing.append(position)
        else:
            rows, positions = found.setdefault(hit[0], ([], []))
            rows.append(hit[1])
            positions.append(position)
    parts = []
    for number, (rows, positions) in found.items():
        table = _whole_kept[number][0]
        _whole_kept.move_to_end(number)
        parts.append((table if len(rows) == table.n1.size and rows == list(range(len(rows)))
                      else table.rows(np.array(rows)), np.array(positions)))
    missing = np.array(missing, dtype=np.int64)
    lattice = _lattice_pairs(n1[missing], n2[missing], test, alpha, alternative)
    for kind, these in ((_WholeTable, missing[~lattice]), (_LatticeTable, missing[lattice])):
        if not these.size:
            continue
        table = kind(n1[these], n2[these], p2, test, alpha, alternative)
        parts.append((table, these))
        number = _whole_count[0] = _whole_count[0] + 1
        made = [keys[i] for i in these]
        _whole_kept[number] = (table, made)
        _whole_rows.update((key, (number, row)) for row, key in enumerate(made))
        _whole_count[1] += table.elements()
        while _whole_count[1] > KEPT_ELEMENTS and len(_whole_kept) > 1:
            old, old_keys = _whole_kept.popitem(last=False)[1]
            _whole_count[1] -= old.elements()
            for key in old_keys:
                del _whole_rows[key]
    return parts


def clear_caches() -> None:
    """Forget the exact tables kept between calls (for benchmarks and tests)."""
    _tables.clear()
    _whole_kept.clear()
    _whole_rows.clear()
    _whole_count[1] = 0


#: Exact tables kept for reuse: their boundaries do not depend on the treated rate, so a
#: solver trying effect after effect at the same sizes (an MDE, a curve over effects)
#: finds them made.
TABLES_KEPT = 64
_tables: OrderedDict = OrderedDict()


def _table(n1, n2, p2, test, alpha, alternative) -> "ExactTable":
    """The :class:`ExactTable` of these sizes and settings, made once (the last
    :data:`TABLES_KEPT` kept)."""
    key = (n1.tobytes(), n2.tobytes(), float(p2), test, float(alpha), alternative)
    table = _tables.get(key)
    if table is None:
        table = ExactTable(n1, n2, p2, test=test, alpha=alpha, alternative=alternative)
        _tables[key] = table
        if len(_tables) > TABLES_KEPT:
            _tables.popitem(last=False)
    else:
        _tables.move_to_end(key)
    return table


def exact_chances(p1, p2, n1, n2, *, test="welch", alpha=0.05, alternative="two-sided"):
    """Exact chances that the test finds the treated rate significantly lower and higher.

    Parameters
    ----------
    p1 : float or array
        Treated rates, proportions in [0, 1].
    p2 : float
        The comparison rate.
    n1, n2 : float or array
        Treated and comparison sizes, at least 2 (at least 1 for the z-tests);
        fractions are interpolated between the whole numbers either side.
        ``p1``, ``n1`` and ``n2`` broadcast together.
    test : {"welch", "wald", "pooled", "arcsine", "fleiss-cc"}
    alpha : float
        Significance level: significant when the p-value is at most alpha.
    alternative : {"two-sided", "less", "greater"}

    Returns
    -------
    (lower, higher) : arrays of the broadcast shape
        Chances of a significantly lower and a significantly higher treated rate.

    Examples
    --------
    30 treated and 275 comparison records, both reoffending at 10%: the
    Welch test finds a significant reduction 8.0% of the time, not 2.5%.

    >>> lower, higher = exact_chances(0.1, 0.1, 30, 275)
    >>> round(float(lower), 4), round(float(higher), 4)
    (0.0803, 0.0052)
    """
    p1, n1, n2 = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (p1, n1, n2)))
    shape = p1.shape
    rates, rate_index = np.unique(p1.ravel(), return_inverse=True)
    sizes, size_index = _unique_pairs(np.stack([n1.ravel(), n2.ravel()], axis=1))
    table = _table(sizes[:, 0], sizes[:, 1], float(p2), test, float(alpha), alternative)
    lower, higher = table.chances(rates)
    at = (size_index.ravel(), rate_index.ravel())
    return lower[at].reshape(shape)[()], higher[at].reshape(shape)[()]


# Beyond the switch ---------------------------------------------------------------

def _statistic_parts(test, n1, n2):
    """The test's rejection rule as ``N(X, Y)`` against ``S(X, Y)``, for the
    Edgeworth expansion: functions returning value, first and second derivatives.

    A significantly lower treated rate is ``N + c S + cc <= 0``; higher is
    ``-N + c S + cc <= 0``.
    """
    if test == "arcsine":
        def numerator(x, y):
            value = 2.0 * np.arcsin(np.sqrt(x)) - 2.0 * np.arcsin(np.sqrt(y))
            dx, dy = 1.0 / np.sqrt(x * (1 - x)), -1.0 / np.sqrt(y * (1 - y))
            dxx = (2 * x - 1) / (2 * (x * (1 - x)) ** 1.5)
            dyy = -(2 * y - 1) / (2 * (y * (1 - y)) ** 1.5)
            return value, dx, dy, dxx, dyy, 0.0 * value

        def spread(x, y):
            value = np.sqrt(1.0 / n1 + 1.0 / n2) + 0.0 * x
            zero = 0.0 * value
            return value, zero, zero, zero, zero, zero

        return numerator, spread, 0.0

    def numerator(x, y):
        value = x - y
        one = 1.0 + 0.0 * value
        zero = 0.0 * value
        return value, one, -one, zero, zero, zero

    if test in ("welch", "wald"):
        a1, a2 = (n1 - 1.0, n2 - 1.0) if test == "welch" else (n1, n2)

        def variance(x, y):
            return (x * (1 - x) / a1 + y * (1 - y) / a2, (1 - 2 * x) / a1, (1 - 2 * y) / a2,
                    -2.0 / a1 + 0.0 * x, -2.0 / a2 + 0.0 * y, 0.0 * x)
        cc = 0.0
    else:  # pooled, fleiss-cc
        w1, w2, h = n1 / (n1 + n2), n2 / (n1 + n2), 1.0 / n1 + 1.0 / n2

        def variance(x, y):
            pooled = w1 * x + w2 * y
            slope = (1 - 2 * pooled) * h
            return (pooled * (1 - pooled) * h, slope * w1, slope * w2, -2 * w1 * w1 * h,
                    -2 * w2 * w2 * h, -2 * w1 * w2 * h)
        cc = 0.5 * h if test == "fleiss-cc" else 0.0

    def spread(x, y):
        v, vx, vy, vxx, vyy, vxy = variance(x, y)
        s = np.sqrt(v)
        cube = 4 * s * s * s  # products, not ** 3: numpy's general power is 20 times slower
        return (s, vx / (2 * s), vy / (2 * s), vxx / (2 * s) - vx * vx / cube,
                vyy / (2 * s) - vy * vy / cube, vxy / (2 * s) - vx * vy / cube)

    return numerator, spread, cc


def skew_corrected_chances(p1, p2, n1, n2, *, test="welch", alpha=0.05,
                           alternative="two-sided"):
    """Chances of a significantly lower and higher treated rate by the normal
    approximation with a one-term Edgeworth correction (arrays broadcast).

    The test rejects "lower" when ``g = N(X, Y) + c S(X, Y) + cc <= 0``, a
    smooth function of the two observed rates (``N`` the difference, or of
    arcsines; ``S`` the standard error the test computes from the data; ``c``
    the critical value, Student's at the Welch-Satterthwaite degrees of
    freedom of the true rates for ``welch``). With the delta method to second
    order, ``g`` has mean ``mu``, variance ``sigma^2`` and third cumulant
    ``k3`` (Hall 1992, *The Bootstrap and Edgeworth Expansion*, section 2.4),
    and

        P(g <= 0) = Phi(w) - k3 / (6 sigma^3) (w^2 - 1) phi(w),  w = -mu / sigma.

    The plain formulas of :mod:`powerplan.formulas.rate` keep only ``Phi`` and
    the standard error at the true rates; the correction restores the
    skewness of the binomial counts and the dependence of the estimated
    standard error on them, which is why a low rate's false reductions
    outnumber its false increases.

    Examples
    --------
    >>> lower, higher = skew_corrected_chances(0.1, 0.1, 3001, 30010)
    >>> round(float(lower), 4), round(float(higher), 4)
    (0.0288, 0.0217)
    """
    p1, p2, n1, n2 = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (p1, p2, n1, n2)))
    q1, q2 = 1.0 - p1, 1.0 - p2
    s1, s2 = p1 * q1 / n1, p2 * q2 / n2  # variances of the observed rates
    k1, k2 = s1 * (q1 - p1) / n1, s2 * (q2 - p2) / n2  # their third cumulants
    if test == "welch":
        v1, v2 = p1 * q1 / (n1 - 1.0), p2 * q2 / (n2 - 1.0)
        df = (v1 + v2) ** 2 / (v1 ** 2 / (n1 - 1.0) + v2 ** 2 / (n2 - 1.0))
        c = t_quantile(df, 1.0 - tail_level(alpha, alternative))
    else:
        c = critical_value(alpha, alternative)
    numerator, spread, cc = _statistic_parts(test, n1, n2)
    n, nx, ny, nxx, nyy, nxy = numerator(p1, p2)
    s, sx, sy, sxx, syy, sxy = spread(p1, p2)
    chances = []
    for sign in (1.0, -1.0):  # lower: N + cS + cc <= 0; higher: -N + cS + cc <= 0
        g = sign * n + c * s + cc
        gx, gy = sign * nx + c * sx, sign * ny + c * sy
        gxx, gyy, gxy = sign * nxx + c * sxx, sign * nyy + c * syy, sign * nxy + c * sxy
        mean = g + 0.5 * (gxx * s1 + gyy * s2)
        sd = np.sqrt(gx ** 2 * s1 + gy ** 2 * s2)
        k3 = (gx * gx * gx * k1 + gy * gy * gy * k2
              + 3.0 * (gx ** 2 * gxx * s1 ** 2 + gy ** 2 * gyy * s2 ** 2 + 2 * gx * gy * gxy * s1 * s2))
        w = -mean / sd
        chance = special.ndtr(w) - k3 / (6.0 * sd * sd * sd) * (w ** 2 - 1.0) * np.exp(-0.5 * w ** 2) \
            / np.sqrt(2.0 * np.pi)
        chances.append(np.clip(chance, 0.0, 1.0))
    lower, higher = chances
    if alternative == "less":
        higher = np.zeros_like(higher)
    elif alternative == "greater":
        lower = np.zeros_like(lower)
    return lower[()], higher[()]
