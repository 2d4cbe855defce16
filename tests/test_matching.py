"""Caliper matching against a brute-force reference written the obvious way."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerplan.simulator.matching import SLOPE_QUANTUM, Patterns, caliper_width, exact_slopes, nearest


def brute_force(scores, pattern, treated, width, k, replacement):
    """Matches of one study's treated people, one person at a time.

    Nearest pattern first, ties to the pattern with the lower record number,
    records within a pattern in ascending order; without replacement, in k
    rounds of turns from the highest score down (ties: first listed), people
    unmatched in the first round dropped.
    """
    members = [list(np.flatnonzero(pattern == p)) for p in range(len(scores))]
    out = np.full((len(treated), k), -1)

    def ranked(t, usable):
        candidates = [p for p in range(len(scores))
                      if abs(scores[p] - t) <= width and usable(p)]
        return sorted(candidates, key=lambda p: (abs(scores[p] - t), members[p][0]))

    if replacement:
        for i, t in enumerate(treated):
            records = [r for p in ranked(t, lambda p: True) for r in members[p]][:k]
            out[i, :len(records)] = records
        return out
    used = [0] * len(scores)
    turns = sorted(range(len(treated)), key=lambda i: (-treated[i], i))
    matched = [0] * len(treated)
    for round_ in range(k):
        for i in turns:
            if matched[i] != round_:
                continue
            options = ranked(treated[i], lambda p: used[p] < len(members[p]))
            if options:
                p = options[0]
                out[i, round_] = members[p][used[p]]
                used[p] += 1
                matched[i] += 1
    return out


# Scores on a coarse grid so that exact ties (equal scores, equal distances
# on both sides) happen often.
grid = st.integers(-12, 12).map(lambda v: v / 4)


@st.composite
def studies(draw):
    n_rows = draw(st.integers(1, 3))
    n_records = draw(st.integers(1, 40))
    raw = draw(st.lists(st.integers(0, 14), min_size=n_records, max_size=n_records))
    _, pattern = np.unique(raw, return_inverse=True)
    patterns = Patterns.of(pattern)
    n_patterns = len(patterns.counts)
    scores = np.array([draw(st.lists(grid, min_size=n_patterns, max_size=n_patterns))
                       for _ in range(n_rows)])
    n_treated = draw(st.integers(0, 12))
    treated = np.array(draw(st.lists(grid, min_size=n_treated, max_size=n_treated)), float)
    row = np.array(draw(st.lists(st.integers(0, n_rows - 1), min_size=n_treated,
                                 max_size=n_treated)), dtype=int)
    width = np.array(draw(st.lists(st.sampled_from([0.1, 0.25, 0.6, 2.0, 100.0]),
                                   min_size=n_rows, max_size=n_rows)))
    k = draw(st.integers(1, 6))
    return scores, pattern, treated, row, width, k


@pytest.mark.parametrize("replacement", [True, False], ids=["with", "without"])
@settings(max_examples=300, deadline=None)
@given(study=studies())
def test_matching_equals_brute_force(study, replacement):
    scores, pattern, treated, row, width, k = study
    got = nearest(scores, Patterns.of(pattern), treated, row, width, k, replacement=replacement)
    for r in range(len(scores)):
        mine = row == r
        expected = brute_force(scores[r], pattern, treated[mine], width[r], k, replacement)
        np.testing.assert_array_equal(got[mine], expected)


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), spread=st.sampled_from([1e-9, 1.0, 1e6]))
def test_matching_large_continuous_pools(seed, spread):
    # Many distinct scores, crowded or spread out: the binned search must
    # still find exactly the brute-force neighbours.
    rng = np.random.default_rng(seed)
    pattern = rng.permutation(np.arange(3000) % 2500)
    patterns = Patterns.of(pattern)
    scores = rng.standard_t(3, size=(2, 2500)) * spread
    treated = rng.standard_t(3, size=40) * spread
    row = rng.integers(0, 2, size=40)
    width = np.array([0.05, 0.3]) * spread
    got = nearest(scores, patterns, treated, row, width, 5)
    for r in range(2):
        mine = row == r
        np.testing.assert_array_equal(got[mine],
                                      brute_force(scores[r], pattern, treated[mine],
                                                  width[r], 5, True))


def test_unmatched_treated_have_no_records():
    patterns = Patterns.of([0, 1, 2])
    got = nearest(np.array([[0.0, 0.1, 0.2]]), patterns, np.array([0.05, 5.0]),
                  np.array([0, 0]), np.array([0.5]), 2, replacement=False)
    assert got[1].tolist() == [-1, -1]
    assert got[0].tolist() == [0, 1]  # equal distance: the lower record first


def test_caliper_width_is_pooled_sd_of_logit_score():
    rng = np.random.default_rng(7)
    pattern = rng.integers(0, 50, size=400)
    _, pattern = np.unique(pattern, return_inverse=True)
    patterns = Patterns.of(pattern)
    scores = rng.normal(size=(1, len(patterns.counts)))
    treated = rng.normal(1, 2, size=30)
    record_scores = scores[0, pattern]
    pooled = np.sqrt((treated.var(ddof=1) + record_scores.var(ddof=1)) / 2)
    got = caliper_width(scores, patterns, treated, np.zeros(30, dtype=int), 0.2)
    assert got[0] == pytest.approx(0.2 * pooled, rel=1e-12)


@settings(max_examples=200, deadline=None)
@given(slopes=st.lists(st.floats(-50, 50, allow_nan=False), min_size=4, max_size=4),
       people=st.lists(st.lists(st.integers(0, 300), min_size=4, max_size=4),
                       min_size=3, max_size=3))
def test_exact_slopes_make_scores_independent_of_summation_order(slopes, people):
    # Scores are sums of slope x covariate; with exact slopes, any order of
    # summation gives the same bits, so mirror-image patterns tie exactly.
    q = exact_slopes(np.array(slopes))
    x = np.array(people, dtype=float)
    forward = [((q[0] * p[0] + q[1] * p[1]) + q[2] * p[2]) + q[3] * p[3] for p in x]
    backward = [q[3] * p[3] + (q[2] * p[2] + (q[1] * p[1] + q[0] * p[0])) for p in x]
    assert forward == backward == list(x @ q)
    mirror = 2 * x[1] - x[0]  # the reflection of x[0] through x[1]
    assert (mirror @ q) - (x[1] @ q) == (x[1] @ q) - (x[0] @ q)
    assert np.abs(q - np.array(slopes)).max() <= SLOPE_QUANTUM / 2


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), levels=st.sampled_from([3, 40, 5000]),
       k=st.integers(1, 12))
def test_matching_large_pools_with_exact_scores(seed, levels, k):
    # Scores on the simulator's exact grid (whole multiples of 2**-24), few or many
    # distinct values, so that runs of equal scores and equal distances on both
    # sides are common: the packed-key sort and the walk must break every tie as
    # the brute force does.
    rng = np.random.default_rng(seed)
    pattern = rng.permutation(np.arange(1200) % 900)
    patterns = Patterns.of(pattern)
    scores = rng.integers(-levels, levels + 1, size=(3, 900)) * (2.0 ** 20 * SLOPE_QUANTUM)
    treated = rng.integers(-levels, levels + 1, size=60) * (2.0 ** 19 * SLOPE_QUANTUM)
    row = rng.integers(0, 3, size=60)
    width = np.array([0.0, 0.5, 1e9]) * levels * 2.0 ** -4
    got = nearest(scores, patterns, treated, row, width, k)
    for r in range(3):
        mine = row == r
        np.testing.assert_array_equal(got[mine],
                                      brute_force(scores[r], pattern, treated[mine],
                                                  width[r], k, True))
