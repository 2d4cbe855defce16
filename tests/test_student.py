"""Student's t quantile for large degrees of freedom: scipy's, interpolated in 1/df."""

import numpy as np
import pytest
from scipy import special

from powerplan.formulas._student import LARGE_DF, t_quantile


@pytest.mark.parametrize("level", [0.5000001, 0.6, 0.75, 0.9, 0.95, 0.975, 0.995, 0.9995,
                                   1 - 1e-6, 1 - 5e-11])
def test_the_interpolant_is_stdtrits_quantile(level):
    # Degrees of freedom from LARGE_DF to 10^12, geometric, and the ends themselves.
    rng = np.random.default_rng(3)
    df = np.concatenate([np.exp(rng.uniform(np.log(LARGE_DF), np.log(1e12), 20_000)),
                         [LARGE_DF, LARGE_DF * 1.0001, 1e15]])
    assert np.allclose(t_quantile(df, level), special.stdtrit(df, level), rtol=0, atol=1e-14)
    assert t_quantile(np.inf, level) == pytest.approx(special.ndtri(level), abs=1e-14)


@pytest.mark.filterwarnings("error")
def test_fewer_degrees_of_freedom_are_stdtrits_own():
    df = np.array([[1.0, 2.5, 999.9], [0.0, 5000.0, np.nan]])
    out = t_quantile(df, 0.975)
    assert out.shape == df.shape
    small = df < LARGE_DF
    assert np.array_equal(out[small], special.stdtrit(df[small], 0.975), equal_nan=True)
    assert np.isnan(out[1, 2])
    assert abs(out[1, 1] - special.stdtrit(5000.0, 0.975)) < 1e-14
    assert np.array_equal(t_quantile(12.0, 0.9), special.stdtrit(12.0, 0.9))


def test_an_array_of_levels_is_stdtrits():
    # skew_corrected_chances broadcast an array of levels (alpha) through stdtrit before
    # the interpolant; it raised TypeError (found by review).
    from powerplan.formulas.exact import skew_corrected_chances

    df = np.array([[2000.0], [30.0], [1e6]])
    levels = np.array([0.95, 0.975, 0.995])
    assert np.array_equal(t_quantile(df, levels), special.stdtrit(df, levels))
    lower, higher = skew_corrected_chances(0.1, 0.12, 3001.0, 30010.0, alpha=np.array([0.05, 0.01]))
    for i, alpha in enumerate((0.05, 0.01)):
        one = skew_corrected_chances(0.1, 0.12, 3001.0, 30010.0, alpha=alpha)
        assert lower[i] == pytest.approx(one[0], abs=1e-14)
        assert higher[i] == pytest.approx(one[1], abs=1e-14)
