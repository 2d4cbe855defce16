"""Propensity scores: logistic regression of treated (1) against pool (0), batched.

Each simulated study fits ``logit P(treated | x) = b0 + b . z`` to its treated
people and the comparison pool, where ``z`` are the covariates standardised by
the pool's population mean and SD (the fit, and so the linear predictor, are
the same as on raw covariates; standardising only keeps Newton's steps well
conditioned). The fit is Newton-Raphson (iteratively reweighted least
squares), the method statsmodels ``Logit.fit`` uses by default, run for a block
of studies at once: the pool's contribution to every study's gradient and
Hessian is one matrix product. Pool records with identical covariates enter
once, weighted by their number (the likelihood is the same). The first step's
pool side is kept from block to block (:class:`FirstSteps`), and late steps
of studies near their maximum compute it study by study
(:data:`ONE_BY_ONE_FROM`); neither moves a coefficient by more than rounding
(``benchmarks/bench_fit_agreement.py``). A study stops once no coefficient moves by
more than ``tol``, or after ``max_iter`` steps (as statsmodels, 35), which
happens under separation, for example when every treated person is male;
coefficients then grow large, as in any maximum likelihood fit, and matching
on the score becomes exact on that covariate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._segments import column_segment_sums
_PAIRS = np.triu_indices(5)


def design(standardised: np.ndarray) -> np.ndarray:
    """The design matrix: an intercept column, then the standardised covariates."""
    return np.column_stack([np.ones(len(standardised)), standardised])


def design_columns(columns: np.ndarray, means: np.ndarray, sds: np.ndarray) -> np.ndarray:
    """:func:`design` of covariates given column by column, ``(4, n)``, standardised by
    ``means`` and ``sds``, itself column by column, ``(5, n)`` (the same numbers as
    ``design((columns.T - means) / sds).T``)."""
    out = np.empty((len(columns) + 1, columns.shape[1]))
    out[0] = 1.0
    np.subtract(columns, means[:, None], out=out[1:])
    out[1:] /= sds[:, None]
    return out


def pairs(design_matrix: np.ndarray) -> np.ndarray:
    """Products ``z_a z_b`` (a <= b) of each row: the rows' Hessian terms."""
    return design_matrix[:, _PAIRS[0]] * design_matrix[:, _PAIRS[1]]


def expit(x: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-x))``, a new array (faster than scipy.special.expit)."""
    return expit_of_negated(np.negative(x))


def expit_of_negated(minus_x: np.ndarray) -> np.ndarray:
    """:func:`expit` of ``-minus_x``, computed in place in ``minus_x`` (to the same bits:
    negation is exact, so a product or sum of negated terms is exactly the negated
    result, and the fit computes ``-x`` directly instead of negating ``x``)."""
    with np.errstate(over="ignore"):
        np.exp(minus_x, out=minus_x)
    minus_x += 1.0
    return np.reciprocal(minus_x, out=minus_x)


def _unpack(flat: np.ndarray) -> np.ndarray:
    """Symmetric ``(..., 5, 5)`` matrices from their upper-triangle entries."""
    out = np.zeros(flat.shape[:-1] + (5, 5))
    out[..., _PAIRS[0], _PAIRS[1]] = flat
    out[..., _PAIRS[1], _PAIRS[0]] = flat
    return out


@dataclass(frozen=True)
class PoolDesign:
    """The pool's side of every fit: distinct covariate patterns and their counts."""

    design: np.ndarray          # (n_patterns, 5) design of each pattern
    weighted: np.ndarray        # design times the pattern's number of records
    weighted_pairs: np.ndarray  # pairs(design) times the number of records
    negated: np.ndarray         # -design (for the linear predictors' negatives)

    @classmethod
    def of(cls, design: np.ndarray, counts: np.ndarray) -> "PoolDesign":
        counts = np.asarray(counts, dtype=float)[:, None]
        return cls(design, counts * design, counts * pairs(design), -design)


#: From this Newton step on (counting from 0), a study converging as Newton does near
#: its maximum (its last step below :data:`SMALL_STEP`) computes the pool's side on its
#: own: by then most studies have converged (four steps from the simulator's start, a
#: fifth for a few), and its own products do not depend on how many others are left.
#: A study far from converging (separation: coefficients growing without end, where a
#: step's rounding can matter) keeps the block's products.
ONE_BY_ONE_FROM = 4
SMALL_STEP = 1e-2


def pool_side(pool: PoolDesign, coefficients: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pool's part of the gradient and Hessian (upper triangle) of every study of a
    block, ``(n_studies, 5)`` and ``(n_studies, 15)``: three matrix products.

    A study's row depends only on its own coefficients and the products' shape (the
    number of studies), not on the other studies' values or its place among them
    (as BLAS libraries compute matrix products; ``tests/test_propensity.py`` checks
    it of the one installed)."""
    return _pool_terms(pool, expit_of_negated(coefficients @ pool.negated.T))


def study_pool_side(pool: PoolDesign, coefficients: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`pool_side` of one study, ``(5,)`` coefficients, by matrix-vector products
    of a fixed shape (not to the same bits as the block's products)."""
    return _pool_terms(pool, expit_of_negated(pool.negated @ coefficients))


def _pool_terms(pool: PoolDesign, mu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pool's gradient and Hessian terms given each pattern's fitted chance ``mu``
    (patterns along the last axis)."""
    gradient = -(mu @ pool.weighted)
    weight = 1.0 - mu
    weight *= mu
    return gradient, weight @ pool.weighted_pairs


def _no_sides(n_studies: int) -> tuple[np.ndarray, np.ndarray]:
    """Zero gradient and Hessian terms for ``n_studies``, to be filled study by study."""
    return np.zeros((n_studies, 5)), np.zeros((n_studies, len(_PAIRS[0])))


class FirstSteps:
    """The pool's side of the first Newton step (:func:`pool_side`'s row) at each start
    met so far, for one pool.

    The pool is fixed for a simulation and the simulator's starts depend only on
    a study's number of treated people, so the first step's pool side repeats:
    a block whose starts have all been met takes them from here instead of
    computing the products again (the same numbers: a row depends only on its
    own start). At most ``limit`` starts are kept.

    That a row depends only on its own start is how BLAS libraries compute matrix
    products of a fixed shape, but no standard promises it, and a kept row reused
    where a fresh one would differ by rounding would make replicates depend on
    which blocks a process ran before (its chunk of the run). So the first call
    checks it on this pool and these shapes: the block's products again with the
    rows in reverse order and with every other row changed must give each row the
    same bits. Where they do not, nothing is kept and every block computes its own.
    """

    def __init__(self, limit: int = 4096):
        self.limit = limit
        self._sides: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}
        self.safe: bool | None = None  # whether rows are independent here; None: not known

    def __call__(self, pool: PoolDesign, coefficients: np.ndarray, which: np.ndarray):
        """:func:`pool_side` of ``coefficients``, for the rows ``which`` at least."""
        if self.safe is None:
            self.safe = rows_are_independent(pool, coefficients)
        if not self.safe:
            return pool_side(pool, coefficients)
        keys = [coefficients[r].tobytes() for r in which]
        if all(key in self._sides for key in keys):
            gradient, hessian = _no_sides(len(coefficients))
            for r, key in zip(which, keys):
                gradient[r], hessian[r] = self._sides[key]
            return gradient, hessian
        gradient, hessian = pool_side(pool, coefficients)
        for r, key in zip(which, keys):
            if len(self._sides) >= self.limit:
                break
            self._sides.setdefault(key, (gradient[r].copy(), hessian[r].copy()))
        return gradient, hessian


def rows_are_independent(pool: PoolDesign, coefficients: np.ndarray) -> bool:
    """Whether :func:`pool_side` gives each row of ``coefficients`` the same bits with the
    rows in reverse order, and with the first row alone kept and the others changed
    (what :class:`FirstSteps` relies on), on this pool and this block's shape."""
    gradient, hessian = pool_side(pool, coefficients)
    backward = pool_side(pool, coefficients[::-1].copy())
    others = coefficients[::-1] + 0.5
    others[0] = coefficients[0]
    moved = pool_side(pool, others)
    return bool(np.array_equal(backward[0][::-1], gradient)
                and np.array_equal(backward[1][::-1], hessian)
                and np.array_equal(moved[0][0], gradient[0])
                and np.array_equal(moved[1][0], hessian[0]))


def fit(pool: PoolDesign, treated_design, treated_row, start, *, fitted,
        tol=1e-6, max_iter=35, first_steps: FirstSteps | None = None):
    """Fit the propensity model of a block of studies sharing one pool.

    Parameters
    ----------
    pool : PoolDesign
        The pool's distinct covariate patterns and their numbers of records.
    treated_design : (n, 5) array
        :func:`design` of every study's treated people, stacked study after
        study.
    treated_row : (n,) int array
        The study (row of ``start``) each treated person belongs to, ascending.
    start : (n_studies, 5) array
        Starting coefficients (the answer does not depend on them).
    fitted : (n_studies,) bool array
        Which studies to fit; the others keep ``start``.
    tol : float
        Stop once no coefficient moves more than this. Newton converges
        quadratically, so the coefficients are then within about ``tol**2``
        of the maximum.
    first_steps : FirstSteps, optional
        Where the pool's side of the first step is kept from one block to the
        next (the results are the same with or without).

    Returns
    -------
    coefficients : (n_studies, 5) array
    converged : (n_studies,) bool array
    """
    coefficients = np.array(start, dtype=float)
    n_studies = len(coefficients)
    active = np.array(fitted, dtype=bool)
    # The treated side's terms column by column (numpy sums them faster so, and to
    # the same bits).
    design_columns = np.ascontiguousarray(treated_design.T)
    pair_columns = design_columns[_PAIRS[0]] * design_columns[_PAIRS[1]]
    rows = treated_row  # the people of studies still active
    last_step = np.full(n_studies, np.inf)  # each study's last largest move
    for iteration in range(max_iter):
        if not active.any():
            break
        # The pool's side: a study's numbers never depend on which studies share its
        # block or are still active. Each matrix product has the same shape whatever
        # is still active (the first step's may be kept from an earlier block:
        # FirstSteps), and late steps close to the maximum are computed study by
        # study. The treated side is summed study by study, so only the active
        # studies' people are needed.
        if iteration == 0 and first_steps is not None:
            gradient, hessian = first_steps(pool, coefficients, np.flatnonzero(active))
        elif iteration >= ONE_BY_ONE_FROM:
            gradient, hessian = _late_pool_side(pool, coefficients, active, last_step)
        else:
            gradient, hessian = pool_side(pool, coefficients)
        live = active[rows]
        if not live.all():  # some studies have converged: drop their people
            rows = rows[live]
            design_columns, pair_columns = design_columns[:, live], pair_columns[:, live]
        mu_t = expit_of_negated(linear_predictor(-coefficients, rows, design_columns))
        rest = 1.0 - mu_t
        gradient += column_segment_sums(rest * design_columns, rows, n_studies)
        rest *= mu_t
        hessian += column_segment_sums(rest * pair_columns, rows, n_studies)
        step = _solve(_unpack(hessian[active]), gradient[active])
        coefficients[active] += step
        last_step[active] = np.abs(step).max(axis=1)
        moved = np.zeros(n_studies, dtype=bool)
        moved[active] = ~(last_step[active] < tol)
        active &= moved
    return coefficients, np.asarray(fitted, dtype=bool) & ~active


def _late_pool_side(pool: PoolDesign, coefficients, active, last_step):
    """The pool's side of a late Newton step: study by study for the active studies
    whose last step was small (:data:`SMALL_STEP`), the block's products for the
    others (if any)."""
    alone = active & (last_step < SMALL_STEP)
    if (active & ~alone).any():
        gradient, hessian = pool_side(pool, coefficients)
    else:
        gradient, hessian = _no_sides(len(coefficients))
    for r in np.flatnonzero(alone):
        gradient[r], hessian[r] = study_pool_side(pool, coefficients[r])
    return gradient, hessian


def linear_predictor(coefficients, rows, design_columns) -> np.ndarray:
    """Each person's ``coefficients[row] . design``, column by column: the terms added
    in order, as ``(coefficients[rows] * design).sum(axis=1)`` adds them (the same
    bits, twice as fast). ``rows`` ascending: each study's coefficients are repeated
    for its people (several times faster than gathering them by ``rows``)."""
    per_study = np.bincount(rows, minlength=len(coefficients))
    terms = np.repeat(np.ascontiguousarray(coefficients.T), per_study, axis=1)
    terms *= design_columns
    total = terms[0] + terms[1]
    for term in terms[2:]:
        total += term
    return total


def _solve(hessian: np.ndarray, gradient: np.ndarray) -> np.ndarray:
    """Newton steps; a pseudo-inverse where a Hessian is singular."""
    try:
        return np.linalg.solve(hessian, gradient[..., None])[..., 0]
    except np.linalg.LinAlgError:
        return (np.linalg.pinv(hessian) @ gradient[..., None])[..., 0]
