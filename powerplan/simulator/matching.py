"""Nearest-neighbour caliper matching on the logit propensity score, batched.

Each treated person is matched to the ``k`` comparison records nearest to it
on the logit propensity score among those within the caliper. A treated
person with no record within the caliper is dropped. The caliper is
``caliper`` standard deviations of the logit score, pooled over the treated
and the pool: ``sqrt((var_treated + var_pool) / 2)`` (Austin 2011).

Records with identical covariates (a *pattern*) have the same score. Nearer
patterns come first; among patterns at exactly the same distance, the one
holding the lower record number; within a pattern, lower record numbers
first. (The pool is in random order, so this breaks ties at random, once.)

Exact ties are common: covariates are whole numbers, so a treated person is
often exactly midway between two patterns (ages 29 and 31 around 30),
whatever the fitted model. :func:`exact_slopes` makes the scores free of
rounding, so such ties are exact and the rule above, not rounding noise,
decides them; the scores, and so the matches, are then the same whatever
order a computer adds in.

With replacement (the default) a record can serve several treated people.
Without replacement matching is greedy, as MatchIt's ``method = "nearest"``:
treated people take turns from the highest score down, and in ``k`` rounds
each takes its nearest record still available, so everyone gets a first
match before anyone gets a second; a person without a match in the first
round is dropped. (This path loops over turns, for all studies of a block at
once, and is slower than matching with replacement.)

Every function works on a block of studies at once: ``scores`` holds one row
of pattern scores per study, and every treated person carries the row of its
study. Matches come back as an ``(n_treated, k)`` array of record numbers,
nearest first, -1 where there is none.

Finding neighbours: a sort and a two-sided walk
-----------------------------------------------
With replacement, each study's pattern scores are sorted once. The
simulator's scores are whole multiples of 2**-24, so a score and its
pattern's tie-breaking rank pack into one 64-bit integer and a plain
(non-stable) numpy sort orders them by both. ``searchsorted`` places each
treated person in that order, and a walk outwards from there takes, at each
step, the nearer of the next pattern on the left and on the right (at equal
distances the one holding the lower record), until ``k`` records are found or
the nearer pattern is outside the caliper. The walk takes at most ``k``
steps, each a few vector operations over the people still matching, and its
memory is a few numbers per person: nothing grows with the pool beyond the
sorted scores. The answer is the one a brute-force search gives
(``tests/test_matching.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np



@dataclass(frozen=True)
class Patterns:
    """Pool records grouped by identical covariates.

    Attributes
    ----------
    counts : (n_patterns,) int array
        Records in each pattern.
    first : (n_patterns,) int array
        Where each pattern's records start in ``records``.
    records : (n_records,) int array
        Record numbers grouped by pattern, ascending within a pattern.
    by_lowest : (n_patterns,) int array
        The patterns in ascending order of their lowest record (the tie-breaker).
    rank : (n_patterns,) int array
        Each pattern's place in ``by_lowest``.
    """

    counts: np.ndarray
    first: np.ndarray
    records: np.ndarray
    by_lowest: np.ndarray
    rank: np.ndarray

    @classmethod
    def of(cls, pattern: np.ndarray) -> "Patterns":
        """From each record's pattern number (0 .. n_patterns - 1)."""
        pattern = np.asarray(pattern)
        counts = np.bincount(pattern)
        records = np.argsort(pattern, kind="stable")
        first = np.cumsum(counts) - counts
        by_lowest = np.argsort(records[first], kind="stable")
        rank = np.empty(len(counts), dtype=np.int64)
        rank[by_lowest] = np.arange(len(counts))
        return cls(counts, first, records, by_lowest, rank)

    @property
    def lowest_record(self) -> np.ndarray:
        """Each pattern's lowest record number (the tie-breaker between patterns)."""
        return self.records[self.first]


#: Slopes are rounded to multiples of this by :func:`exact_slopes`.
SLOPE_QUANTUM = 2.0 ** -24


def exact_slopes(slopes: np.ndarray) -> np.ndarray:
    """Slopes rounded to multiples of 2**-24, so that scores are computed exactly.

    The change, at most 3e-8, is far below any statistical consequence. With
    whole-number covariates below 2**16 and slopes below 2**10 in size, every
    product ``slope * covariate`` and every sum of four of them is then
    exact in double precision: scores do not depend on the order of
    summation, and mirror-image patterns are exactly as far from a treated
    person.

    >>> covariates = np.array([[29.0, 1.0], [30.0, 1.0], [31.0, 1.0]])
    >>> s = covariates @ exact_slopes(np.array([0.1, -0.3]))
    >>> bool(s[1] - s[0] == s[2] - s[1])
    True
    """
    return np.round(np.asarray(slopes, dtype=float) / SLOPE_QUANTUM) * SLOPE_QUANTUM


def caliper_width(scores, patterns: Patterns, treated_scores, treated_row,
                  caliper: float) -> np.ndarray:
    """``caliper`` pooled standard deviations of the logit score, per study."""
    n_rows = len(scores)
    count = np.bincount(treated_row, minlength=n_rows)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(treated_row, weights=treated_scores, minlength=n_rows) / count
        square = (treated_scores - mean[treated_row]) ** 2
        treated_var = np.bincount(treated_row, weights=square, minlength=n_rows) / (count - 1)
    n_pool = patterns.counts.sum()
    pool_mean = scores @ patterns.counts / n_pool
    pool_var = ((scores - pool_mean[:, None]) ** 2) @ patterns.counts / (n_pool - 1)
    return caliper * np.sqrt((treated_var + pool_var) / 2.0)


def nearest(scores, patterns: Patterns, treated_scores, treated_row, width, k: int, *,
            replacement: bool = True) -> np.ndarray:
    """Matches of every treated person: ``(n_treated, k)`` record numbers, -1 for none.

    Parameters
    ----------
    scores : (n_studies, n_patterns) array
        Logit propensity score of every pool pattern, one row per study.
    patterns : Patterns
        Which records each pattern holds.
    treated_scores : (n,) array
        Logit score of every treated person; ``treated_row`` their study.
    width : (n_studies,) array
        The caliper in score units (:func:`caliper_width`).
    k : int
        Records per treated person.

    Examples
    --------
    Four records, the last two with the same covariates:

    >>> patterns = Patterns.of([0, 1, 2, 2])
    >>> scores = np.array([[0.0, 1.0, 1.1]])
    >>> nearest(scores, patterns, np.array([1.02, 9.0]), np.array([0, 0]), np.array([1.0]), 3)
    array([[ 1,  2,  3],
           [-1, -1, -1]])
    """
    scores = np.asarray(scores, dtype=float)
    treated_scores = np.asarray(treated_scores, dtype=float)
    treated_row = np.asarray(treated_row, dtype=np.intp)
    width = np.asarray(width, dtype=float)
    if replacement:
        return _with_replacement(scores, patterns, treated_scores, treated_row, width, k)
    return _without_replacement(scores, patterns, treated_scores, treated_row, width, k)


def _sorted_scores(scores, rank, treated, row):
    """Each study's patterns sorted by (score, ``rank``), on a scale that orders
    the scores exactly.

    Returns the ranks of the patterns in that order, their sorted values on that
    scale, and the treated scores on the same scale (for ``searchsorted``: the
    first pattern whose value is not below a treated person's is the first whose
    score is not below theirs).

    The simulator's scores are whole multiples of 2**-24 (:func:`exact_slopes`):
    as whole numbers, score and rank then pack into one 64-bit integer, which
    numpy sorts fast (no stable sort needed: the keys are distinct). Other
    scores are sorted by both keys.
    """
    n_rows, n_patterns = scores.shape
    bits = max(1, int(n_patterns - 1).bit_length())
    with np.errstate(invalid="ignore", over="ignore"):
        units = scores * (1.0 / SLOPE_QUANTUM)  # exact: a power of two
        key = units.astype(np.int64)
        # whole numbers, none infinite, and small enough for exact float arithmetic
        exact = (np.array_equal(key, units)
                 and max(int(key.max(initial=0)), -int(key.min(initial=0))) < 2 ** 52)
        if exact:
            low = key.min(axis=1, keepdims=True)
            key -= low
            exact = int(key.max(initial=0)) < 2 ** (62 - bits)
    if exact:
        key <<= bits
        key |= rank
        key.sort(axis=1)
        order = key & ((1 << bits) - 1)
        key >>= bits
        # the first whole number not below the treated score, kept inside the range
        target = np.ceil(treated / SLOPE_QUANTUM) - low[row, 0]
        target = np.clip(target, -1, 2 ** (62 - bits)).astype(np.int64)
        return order, key, target
    places = np.lexsort((np.broadcast_to(rank, scores.shape), scores), axis=1)
    return rank[places], np.take_along_axis(scores, places, axis=1), treated


def _places(ordered, target, row):
    """Each treated score's place in its study's sorted scores: the first pattern not
    below it (``searchsorted`` in row ``row`` of ``ordered``).

    Exactly sorted whole numbers (of :func:`_sorted_scores`, each row's smallest 0)
    are searched all at once, each study's shifted above the one before.
    """
    n_rows, n_patterns = ordered.shape
    if ordered.dtype == np.int64 and ordered.size:
        top = int(ordered.max()) + 3
        if n_rows * top < 2 ** 62:
            shift = np.arange(n_rows, dtype=np.int64) * top
            flat = (ordered + shift[:, None]).ravel()
            wanted = np.clip(target, -1, top - 2) + shift[row]
            # in ascending order the searches walk through memory once: several
            # times faster than in the people's order
            by_value = np.argsort(wanted)
            right = np.empty(len(wanted), dtype=np.int64)
            right[by_value] = np.searchsorted(flat, wanted[by_value])
            return right - row * n_patterns
    by_study = np.argsort(row, kind="stable")
    edges = np.searchsorted(row[by_study], np.arange(n_rows + 1))
    right = np.empty(len(target), dtype=np.int64)
    for r in range(n_rows):
        mine = by_study[edges[r]:edges[r + 1]]
        right[mine] = np.searchsorted(ordered[r], target[mine])
    return right


def _with_replacement(scores, patterns, treated, row, width, k):
    n_matched = len(treated)
    matches = np.full((n_matched, k), -1, dtype=np.int64)
    if not n_matched:
        return matches
    # Only the studies with treated people are searched (usually all of them).
    present = np.bincount(row, minlength=len(scores)) > 0
    if not present.all():
        row = (np.cumsum(present) - 1)[row]  # numbered among those searched
        scores, width = scores[present], width[present]
    n_rows, n_patterns = scores.shape
    order, ordered, target = _sorted_scores(scores, patterns.rank, treated, row)
    order, flat_scores = order.ravel(), scores.ravel()
    right = _places(ordered, target, row)
    # Runs of equal scores (rare): walking left, a run's patterns are taken from
    # its first place on, so that they come by lowest record as walking right.
    ordered = ordered.ravel()
    new_run = np.empty(ordered.size, dtype=bool)
    new_run[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new_run[1:])
    ties = not new_run.all()
    if ties:
        new_run[::n_patterns] = True  # a study starts a run
        starts = np.flatnonzero(new_run)
        ends = np.r_[starts[1:], ordered.size] - 1

    # A two-sided walk from there: at each step the nearer of the next pattern on the
    # left and on the right (at equal distances, the one with the lower lowest record)
    # gives its records, until k are found or the nearer is outside the caliper.
    person = np.arange(n_matched)
    filled = np.zeros(n_matched, dtype=np.int64)
    left, steps = right - 1, []
    t, w, b = treated, width[row], row.astype(np.int64) * n_patterns
    while person.size:
        left_ok, right_ok = left >= 0, right < n_patterns
        at_left = b + np.maximum(left, 0)
        if ties:
            run = np.searchsorted(starts, at_left, side="right") - 1
            at_left = starts[run] + ends[run] - at_left
        at_right = b + np.minimum(right, n_patterns - 1)
        p_left = patterns.by_lowest[order[at_left]]
        p_right = patterns.by_lowest[order[at_right]]
        d_left = np.where(left_ok, t - flat_scores[b + p_left], np.inf)
        d_right = np.where(right_ok, flat_scores[b + p_right] - t, np.inf)
        go_left = (d_left < d_right) | ((d_left == d_right)
                                        & (patterns.rank[p_left] < patterns.rank[p_right]))
        # (the nearer's distance; infinite on a side with no pattern left)
        take = (np.minimum(d_left, d_right) <= w) & (left_ok | right_ok)
        chosen = np.where(go_left, p_left, p_right)[take]
        taker = person[take]
        before = filled[taker]
        count = np.minimum(patterns.counts[chosen], k - before)
        steps.append((taker, chosen, count, before))
        filled[taker] = before + count
        went_left = go_left & take
        left = left - went_left
        right = right + (take ^ went_left)
        going = take & (filled[person] < k)
        person, left, right = person[going], left[going], right[going]
        t, w, b = t[going], w[going], b[going]
    who, chosen, count, slot = (np.concatenate(part) for part in zip(*steps))
    # Record j of a chosen pattern fills its person's slot ``slot + j``: both run
    # on with the step's place in the list of every record taken.
    step_start = np.cumsum(count) - count
    place = np.arange(int(count.sum()))
    source = np.repeat(patterns.first[chosen] - step_start, count) + place
    target = np.repeat(who * k + slot - step_start, count) + place
    matches.ravel()[target] = patterns.records[source]
    return matches


def _without_replacement(scores, patterns, treated, row, width, k):
    n_rows, n_patterns = scores.shape
    order = np.argsort(scores, axis=1, kind="stable")
    ordered = np.take_along_axis(scores, order, axis=1)
    start = np.empty(len(treated), dtype=np.int64)
    for r in np.unique(row):
        mine = row == r
        start[mine] = np.searchsorted(ordered[r], treated[mine])
    # Turns: within each study, from the highest score down (ties: first listed).
    by_turn = np.lexsort((np.arange(len(treated)), -treated, row))
    counts = np.bincount(row, minlength=n_rows)
    turn = np.empty(len(treated), dtype=np.int64)
    turn[by_turn] = np.arange(len(treated)) - np.repeat(np.cumsum(counts) - counts, counts)
    used = np.zeros((n_rows, n_patterns), dtype=np.int64)
    search = _Search(ordered, order, used, patterns)
    matches = np.full((len(treated), k), -1, dtype=np.int64)
    n_matches = np.zeros(len(treated), dtype=np.int64)
    for round_ in range(k):
        for t in range(int(counts.max(initial=0))):
            people = np.flatnonzero((turn == t) & (n_matches == round_))
            if not people.size:
                continue
            pattern = search.nearest(row[people], start[people], treated[people],
                                     width[row[people]])
            found = pattern >= 0
            people, pattern = people[found], pattern[found]
            r = row[people]
            matches[people, round_] = patterns.records[patterns.first[pattern] + used[r, pattern]]
            used[r, pattern] += 1
            n_matches[people] += 1
    return matches


@dataclass
class _Search:
    """Nearest pattern with a record still available, in exactly sorted scores."""

    ordered: np.ndarray   # (n_rows, n_patterns) sorted scores
    order: np.ndarray     # pattern at each sorted place
    used: np.ndarray      # (n_rows, n_patterns) records already taken
    patterns: Patterns

    def nearest(self, row, start, score, width):
        """Each person's nearest available pattern within the caliper, or -1.

        Searches a window around the person's place in the sorted scores,
        doubling it until its best available pattern is provably the nearest
        of all: everything outside is farther than it, or than the caliper.
        """
        n_patterns = self.ordered.shape[1]
        best = np.full(len(row), -1, dtype=np.int64)
        pending = np.arange(len(row))
        half = 8
        while pending.size:
            r, s, x, w = row[pending], start[pending], score[pending], width[pending]
            lo = np.maximum(s - half, 0)
            hi = np.minimum(s + half, n_patterns)
            place = np.minimum(lo[:, None] + np.arange(2 * half), n_patterns - 1)
            pattern = self.order[r[:, None], place]
            open_ = ((lo[:, None] + np.arange(2 * half)) < hi[:, None]) & (
                self.used[r[:, None], pattern] < self.patterns.counts[pattern])
            distance = np.where(open_, np.abs(self.ordered[r[:, None], place] - x[:, None]),
                                np.inf)
            pick = np.lexsort((self.patterns.lowest_record[pattern], distance), axis=1)[:, 0]
            picked = np.arange(len(pick))
            gap = distance[picked, pick]
            reach = np.minimum(gap, w)
            left_done = (lo == 0) | (x - self.ordered[r, np.maximum(lo - 1, 0)] > reach)
            right_done = (hi == n_patterns) | (
                self.ordered[r, np.minimum(hi, n_patterns - 1)] - x > reach)
            done = left_done & right_done
            ok = done & (gap <= w)
            best[pending[ok]] = pattern[picked, pick][ok]
            pending = pending[~done]
            half *= 2
        return best
