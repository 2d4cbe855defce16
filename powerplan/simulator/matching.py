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

Finding neighbours without a full sort
--------------------------------------
With replacement, each study's pattern scores are put into 65,536 equal bins
and ordered by bin with numpy's radix sort (for 16-bit keys), much faster
than sorting the scores. Within a bin the order is not by score, so a
pattern sits fewer than ``G`` places from its sorted place, ``G`` being the
fullest bin. The ``k`` nearest patterns then lie within ``k + 3G`` places of
where the treated score's bin starts, and only that window is searched,
exactly. The answer is the one a brute-force search gives
(``tests/test_matching.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_LEVELS = 65536


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
    """

    counts: np.ndarray
    first: np.ndarray
    records: np.ndarray

    @classmethod
    def of(cls, pattern: np.ndarray) -> "Patterns":
        """From each record's pattern number (0 .. n_patterns - 1)."""
        pattern = np.asarray(pattern)
        counts = np.bincount(pattern)
        records = np.argsort(pattern, kind="stable")
        return cls(counts, np.cumsum(counts) - counts, records)

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


def _bin(scores, lo, scale):
    """Bin numbers in [0, 65535], non-decreasing in the score."""
    return np.clip((scores - lo) * scale, 0, _LEVELS - 1).astype(np.uint16)


def _fullest_bin(keys: np.ndarray) -> int:
    """An upper bound on the longest run of equal values in sorted ``keys`` (a power of 2)."""
    run = 4
    while run < keys.size and np.any(keys[run:] == keys[:-run]):
        run *= 2
    return run


def _with_replacement(scores, patterns, treated, row, width, k):
    n_matched = len(treated)
    matches = np.full((n_matched, k), -1, dtype=np.int64)
    if not n_matched:
        return matches
    # Only the studies with treated people are searched.
    studies, row = np.unique(row, return_inverse=True)
    scores, width = scores[studies], width[studies]
    n_rows, n_patterns = scores.shape
    lo = scores.min(axis=1)
    with np.errstate(divide="ignore", over="ignore"):
        scale = (_LEVELS - 1) / (scores.max(axis=1) - lo)
    scale = np.where(np.isfinite(scale), scale, 0.0)
    bins = _bin(scores, lo[:, None], scale[:, None])
    order = np.argsort(bins, axis=1, kind="stable")  # a radix sort: 16-bit keys
    # Offset each study's bins so one searchsorted over all of them serves all.
    offset = np.arange(n_rows, dtype=np.int64) * _LEVELS
    keys = (np.take_along_axis(bins, order, axis=1) + offset[:, None]).ravel()
    fullest = _fullest_bin(keys)
    start = np.searchsorted(keys, _bin(treated, lo[row], scale[row]) + offset[row])
    start -= row * n_patterns
    window = min(n_patterns, 2 * k + 5 * fullest)
    first = np.clip(start - k - 2 * fullest, 0, n_patterns - window)
    base = row * n_patterns  # flat indices are much faster than 2-D fancy ones
    pattern = order.ravel()[(base + first)[:, None] + np.arange(window)]
    distance = np.abs(scores.ravel()[base[:, None] + pattern] - treated[:, None])
    nearest_first = _nearest_first(distance, patterns.lowest_record[pattern], k)
    pattern = np.take_along_axis(pattern, nearest_first, axis=1)
    inside = np.take_along_axis(distance, nearest_first, axis=1) <= width[row, None]
    # Fill the k slots pattern by pattern: slot j falls in the pattern where
    # the running count of records first exceeds j.
    counts = np.where(inside, patterns.counts[pattern], 0)
    ends = np.cumsum(counts, axis=1)
    slot = np.arange(k)
    which = (ends[:, :, None] <= slot).sum(axis=1)
    filled = slot < ends[:, -1:]
    which = np.minimum(which, pattern.shape[1] - 1)
    chosen = np.take_along_axis(pattern, which, axis=1)
    before = np.take_along_axis(ends - counts, which, axis=1)
    record = patterns.records[patterns.first[chosen] + np.where(filled, slot - before, 0)]
    return np.where(filled, record, -1)


def _nearest_first(distance, lowest_record, k):
    """Column order of the ``k`` nearest per row: by distance, ties by lowest record.

    A quick (unstable) sort finds, in each row, the prefix of columns no
    farther than the k-th nearest; it holds every column that can be chosen,
    ties included, and only that short prefix is sorted by both keys.
    """
    if distance.shape[1] <= k:
        return np.lexsort((lowest_record, distance), axis=1)
    order = np.argsort(distance, axis=1)
    ordered = np.take_along_axis(distance, order, axis=1)
    length = (ordered <= ordered[:, k - 1:k]).sum(axis=1)
    prefix = order[:, :length.max()]
    in_prefix = np.arange(prefix.shape[1]) < length[:, None]
    first = np.lexsort((np.take_along_axis(lowest_record, prefix, axis=1),
                        np.where(in_prefix, ordered[:, :prefix.shape[1]], np.inf)), axis=1)
    return np.take_along_axis(prefix, first[:, :k], axis=1)


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
