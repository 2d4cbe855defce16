"""The binomial distribution's ufuncs that ``scipy.stats.binom`` calls (Boost's), without
its argument checks, most of the cost of a call: the funnel's chances
(:mod:`powerplan.formulas.analytic`) and the comparison tails of the exact sums
(:mod:`powerplan.formulas.exact`)."""

try:
    from scipy.special._ufuncs import _binom_pmf, _binom_ppf, _binom_sf
except ImportError:  # pragma: no cover - another scipy layout: the public, slower path
    from scipy import stats

    _binom_pmf, _binom_ppf, _binom_sf = stats.binom.pmf, stats.binom.ppf, stats.binom.sf

__all__ = ["_binom_pmf", "_binom_ppf", "_binom_sf"]
