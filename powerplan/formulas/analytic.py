"""The analytic engine: closed-form power, averaged over the funnel.

The number of treated people analysed is ``Binomial(cohort, retention)``.
For each possible number ``k`` the verdict probabilities come from the
outcome's closed forms (``verdict_chances`` of :mod:`powerplan.formulas.rate`
for the rate) with ``k`` treated and ``comparison_ratio * k`` (or the fixed
comparison size) comparison records. They are averaged with the binomial
weights: the expected chance of each verdict. A study with fewer than ``min_n_treated`` analysed people is not analysable and
counts as inconclusive.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from . import frequency, rate, time
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


def analysed_distribution(scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """Numbers of analysed treated people and their probabilities.

    Covers all but ``2e-15`` of the binomial mass (all but 1e-16 of it for
    cohorts up to 5,000: numbers less than 1e-20 as likely as the likeliest
    are left out).
    """
    n, p = scenario.cohort, scenario.retention
    if p == 1.0:
        k = np.array([n])
    elif n <= _EXACT_UP_TO:
        k = np.arange(n + 1)
    elif n * p < 1:
        # Fewer than one analysed expected: the quantile function cannot bracket
        # so thin a tail (scipy warns), and 5,000 lies far beyond it anyway.
        k = np.arange(_EXACT_UP_TO + 1)
    else:
        low, high = stats.binom.ppf([_TAIL, 1 - _TAIL], n, p)
        k = np.arange(int(low), int(high) + 1)
    weight = stats.binom.pmf(k, n, p)
    # Numbers analysed this unlikely add less than double rounding to any average (at most
    # 5,001 of them below 1e-20 of each other); leaving them out spares every formula.
    keep = weight >= _NEGLIGIBLE * weight.max()
    return k[keep], weight[keep]


def formulas(outcome):
    """The module of closed forms for ``outcome`` (``formulas/<outcome name>.py``)."""
    return _FORMULAS[outcome.name]


def _verdicts(scenario: Scenario, n_treated, effects=None):
    """Chances of a significantly lower and higher treated value for given analysed n.

    ``effects`` (default the scenario's) may be an array broadcasting
    against ``n_treated``.
    """
    n_treated = np.asarray(n_treated, dtype=float)
    analysable = n_treated >= scenario.min_n_treated
    safe_n = np.where(analysable, n_treated, scenario.min_n_treated)
    lower, higher = formulas(scenario.outcome).verdict_chances(
        scenario.outcome, safe_n, scenario.comparison_size(safe_n), alpha=scenario.alpha,
        alternative=scenario.alternative, method=scenario.method, effects=effects)
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
    k, weight = analysed_distribution(scenario)
    reduction, increase = _verdicts(scenario, k[:, None], effects[None, :])
    low, high = _verdicts(scenario, scenario.expected_n_treated, effects)
    return weight @ reduction, weight @ increase, low + high


def analytic(scenario: Scenario) -> PowerResult:
    """Power of a planned study by closed-form formulas.

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
    (0.2058, 0.2058)
    """
    check_scenario(scenario)
    k, weight = analysed_distribution(scenario)
    reduction, increase = _verdicts(scenario, k)
    # dot products of probabilities can round a hair past 1
    p_reduction = min(1.0, float(np.dot(weight, reduction)))
    p_increase = min(1.0, float(np.dot(weight, increase)))
    expected_n = scenario.expected_n_treated
    at_mean = min(1.0, sum(float(v) for v in _verdicts(scenario, expected_n)))
    power = min(1.0, p_reduction + p_increase)  # the sum can round past 1
    rest = {"p_inconclusive": 1.0 - power} | _not_reported(scenario, k, weight, power)
    return PowerResult(
        power=power,
        p_significant_reduction=p_reduction,
        p_significant_increase=p_increase,
        **rest,
        power_at_expected_n=at_mean,
        p_analysable=float(stats.binom.sf(scenario.min_n_treated - 1,
                                          scenario.cohort, scenario.retention)),
        n_comparison=float(scenario.comparison_size(expected_n)),
        method=scenario.method,
        engine="analytic",
        **scenario_fields(scenario),
    )


def _not_reported(scenario: Scenario, k, weight, power) -> dict:
    """For a measure reported only with enough treated reoffenders (time to first
    reoffence): the chance of an analysed study that is not reported, which the
    verdict chances (already multiplied by the chance of being reported) leave out."""
    if not scenario.outcome.min_treated_reoffenders:
        return {}
    analysable = k >= scenario.min_n_treated
    reported = formulas(scenario.outcome).reporting_chance(
        scenario.outcome, np.where(analysable, k, scenario.min_n_treated))
    missing = min(1.0 - power, float(np.dot(weight, np.where(analysable, 1.0 - reported, 0.0))))
    return {"p_not_reported": missing, "p_inconclusive": 1.0 - power - missing}
