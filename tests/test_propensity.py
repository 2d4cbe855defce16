"""The batched propensity fit against statsmodels' Logit."""

import numpy as np
import pytest
import statsmodels.api as sm

from powerplan import Scenario, SimulationSettings
from powerplan.simulator import propensity, replicate


@pytest.fixture(scope="module")
def study():
    return replicate.prepare(Scenario(simulation=SimulationSettings(pool=4000)), entropy=11)


def draw_block(study, n_rows=replicate.BLOCK, n_treated=150, first=0):
    rows, xs = [], []
    for r in range(n_rows):
        rng = replicate.replicate_rng(study.entropy, first + r)
        xs.append(study.population.treated.draw(rng, n_treated))
        rows.append(np.full(n_treated, r))
    return np.concatenate(xs), np.concatenate(rows)


def fit_block(study, x, row, fitted=None):
    design = propensity.design(study.population.standardise(x))
    start = np.zeros((replicate.BLOCK, 5))
    if fitted is None:
        fitted = np.isin(np.arange(replicate.BLOCK), row)
    return propensity.fit(study.pool_design, design, row, start, fitted=fitted)


def test_fit_equals_statsmodels_logit_on_records(study):
    x, row = draw_block(study, n_rows=4)
    coefficients, converged = fit_block(study, x, row)
    assert converged[:4].all()
    for r in range(4):
        treated = x[row == r]
        data = sm.add_constant(np.vstack([treated, study.pool]))
        outcome = np.r_[np.ones(len(treated)), np.zeros(len(study.pool))]
        reference = sm.Logit(outcome, data).fit(disp=0)
        ours = propensity.design(study.population.standardise(data[:, 1:])) @ coefficients[r]
        np.testing.assert_allclose(ours, data @ reference.params, rtol=0, atol=1e-7)


def test_a_study_fit_does_not_depend_on_its_block(study):
    # Same treated people in row 3, different company: bit-identical result.
    x, row = draw_block(study)
    x2, row2 = draw_block(study, first=100)
    x2[row2 == 3] = x[row == 3]
    alone = np.isin(np.arange(replicate.BLOCK), [3])
    a, _ = fit_block(study, x, row)
    b, _ = fit_block(study, x2, row2)
    c, _ = fit_block(study, x, row, fitted=alone)
    assert np.array_equal(a[3], b[3]) and np.array_equal(a[3], c[3])


def test_separation_stops_unconverged_with_finite_coefficients(study):
    # Every treated person is a man leaving custody: the likelihood keeps
    # rising as those coefficients grow, as with any maximum likelihood fit.
    x, row = draw_block(study, n_rows=1, n_treated=5)
    x[:, 1] = x[:, 3] = 1.0
    coefficients, converged = fit_block(study, x, row)
    assert not converged[0]
    assert np.isfinite(coefficients[0]).all()
    assert coefficients[0, 4] > 5  # custody, standardised scale


def test_a_row_of_the_pool_side_depends_only_on_its_own_coefficients(study):
    # What FirstSteps relies on: a block's products give a study the same bits
    # whatever the other rows hold and wherever the study sits in the block. No
    # standard promises it: where FirstSteps' own check finds otherwise it keeps
    # nothing (the next test), and this test has nothing to check.
    rng = np.random.default_rng(7)
    if not propensity.rows_are_independent(
            study.pool_design, rng.normal(scale=0.3, size=(replicate.BLOCK, 5))):
        pytest.skip("this BLAS library gives a row of a product other bits in other company")
    for _ in range(20):
        coefficients = rng.normal(scale=0.3, size=(replicate.BLOCK, 5))
        gradient, hessian = propensity.pool_side(study.pool_design, coefficients)
        order = rng.permutation(replicate.BLOCK)
        others = rng.normal(scale=0.3, size=(replicate.BLOCK, 5))
        others[order[:5]] = coefficients[:5]
        moved_gradient, moved_hessian = propensity.pool_side(study.pool_design, others)
        assert np.array_equal(moved_gradient[order[:5]], gradient[:5])
        assert np.array_equal(moved_hessian[order[:5]], hessian[:5])


def _block_from_one_start(study):
    """A block's fit from one start for every study (as the simulator's starts repeat):
    its arguments, and the plain fit (no kept first steps)."""
    x, row = draw_block(study)
    design = propensity.design(study.population.standardise(x))
    start = np.tile(np.array([-3.0, -0.2, 0.15, 0.3, 0.3]), (replicate.BLOCK, 1))
    fitted = np.ones(replicate.BLOCK, dtype=bool)
    plain = propensity.fit(study.pool_design, design, row, start, fitted=fitted)
    return design, row, start, fitted, plain


def test_kept_first_steps_change_no_bit(study):
    design, row, start, fitted, plain = _block_from_one_start(study)
    kept = propensity.FirstSteps()
    filling = propensity.fit(study.pool_design, design, row, start, fitted=fitted,
                             first_steps=kept)
    taken = propensity.fit(study.pool_design, design, row, start, fitted=fitted,
                           first_steps=kept)
    for result in (filling, taken):
        assert all(np.array_equal(a, b) for a, b in zip(plain, result))


def test_late_steps_study_by_study_agree_with_the_block_products(study, monkeypatch):
    # Near the maximum a study's late Newton steps use matrix-vector products of its
    # own: its coefficients agree with block-wide steps to rounding, and the slopes
    # matching uses (rounded to 2**-24) are identical.
    from powerplan.simulator import matching

    x, row = draw_block(study)
    design = propensity.design(study.population.standardise(x))
    start = np.zeros((replicate.BLOCK, 5))
    fitted = np.ones(replicate.BLOCK, dtype=bool)
    alone = []
    one_study = propensity.study_pool_side
    monkeypatch.setattr(propensity, "study_pool_side",
                        lambda *args: alone.append(1) or one_study(*args))
    ours, converged = propensity.fit(study.pool_design, design, row, start, fitted=fitted)
    monkeypatch.setattr(propensity, "ONE_BY_ONE_FROM", 10 ** 6)
    blockwise, _ = propensity.fit(study.pool_design, design, row, start, fitted=fitted)
    assert converged.all() and len(alone) >= replicate.BLOCK
    np.testing.assert_allclose(ours, blockwise, rtol=0, atol=1e-13)
    slopes = [matching.exact_slopes(c[:, 1:] / study.population.sds) for c in (ours, blockwise)]
    assert np.array_equal(*slopes)


def test_first_steps_keep_nothing_where_rows_are_not_independent(study, monkeypatch):
    # On a BLAS whose products give a row other bits with other company, kept first
    # steps could make a replicate depend on the blocks run before it: FirstSteps
    # checks, and then computes every block's own (the plain fit's bits).
    design, row, start, fitted, plain = _block_from_one_start(study)
    here = propensity.FirstSteps()
    propensity.fit(study.pool_design, design, row, start, fitted=fitted, first_steps=here)
    assert here.safe is propensity.rows_are_independent(study.pool_design, start)
    monkeypatch.setattr(propensity, "rows_are_independent", lambda *args: False)
    kept = propensity.FirstSteps()
    for _ in range(2):
        result = propensity.fit(study.pool_design, design, row, start, fitted=fitted,
                                first_steps=kept)
        assert all(np.array_equal(a, b) for a, b in zip(plain, result))
    assert kept.safe is False and not kept._sides
