"""Properties every power calculation must have, checked on random scenarios."""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from powerplan import Funnel, NoSolutionError, Scenario, analytic, solve
from powerplan.formulas.rate import METHODS, Z_TESTS

methods = st.sampled_from(METHODS)
#: The normal approximations: power rises with the cohort, the retention and the
#: effect. The exact sums do not have to (the real test's power saw-tooths with the
#: number analysed, and a handful of people give many false positives), so the
#: properties about more information hold for the approximations only.
approximations = st.sampled_from(Z_TESTS)
exact_methods = st.sampled_from([m for m in METHODS if m not in Z_TESTS])
rates = st.floats(0.02, 0.9)
shares = st.floats(0.05, 1.0)
cohorts = st.integers(2, 20_000)
# Exact sums cost milliseconds to a second each: smaller cohorts keep the runs short.
small_cohorts = st.integers(2, 2_000)


@st.composite
def scenarios(draw, method=methods, cohort=cohorts):
    base = draw(rates)
    effect = draw(st.floats(-0.9, 0.9).filter(lambda e: 0.005 < base + e < 0.995))
    return Scenario(
        cohort=draw(cohort), funnel=draw(shares), base_rate=base, effect=effect,
        comparison_ratio=draw(st.floats(0.5, 50)), alpha=draw(st.sampled_from([0.01, 0.05, 0.1])),
        alternative=draw(st.sampled_from(["two-sided", "less", "greater"])),
        method=draw(method),
    )


def looks_the_right_way(scenario):
    """Power grows with information only when the test looks in the effect's direction;
    a one-sided test facing the wrong way loses power as information grows."""
    return {"less": scenario.effect < 0, "greater": scenario.effect > 0}.get(
        scenario.alternative, True)


@settings(deadline=None, max_examples=60)
@given(scenarios())
def test_probabilities_are_probabilities(scenario):
    r = analytic(scenario)
    for p in (r.power, r.p_significant_reduction, r.p_significant_increase, r.p_inconclusive,
              r.p_analysable, r.p_false_reduction, r.p_false_increase):
        assert 0.0 <= p <= 1.0
    if r.power_at_expected_n is None:
        assert r.expected_n_treated < scenario.min_n_treated
    else:
        assert 0.0 <= r.power_at_expected_n <= 1.0
    assert r.p_significant_reduction + r.p_significant_increase + r.p_inconclusive == \
        pytest.approx(1.0, abs=1e-12)


@given(scenarios(method=approximations), st.integers(1, 5000))
def test_power_rises_with_cohort(scenario, extra):
    assume(looks_the_right_way(scenario))
    assume(scenario.cohort + extra <= 25_000)
    more = analytic(scenario.replace(cohort=scenario.cohort + extra)).power
    assert more >= analytic(scenario).power - 1e-12


@given(scenarios(method=approximations), st.floats(0.05, 1.0))
def test_more_attrition_never_raises_power(scenario, extra_share):
    assume(looks_the_right_way(scenario))
    stages = scenario.funnel.to_dict() | {"extra loss": extra_share}
    assert analytic(scenario.replace(funnel=Funnel.from_shares(stages))).power <= \
        analytic(scenario).power + 1e-12


@given(scenarios(method=approximations), st.floats(0.01, 1.0))
def test_power_rises_with_retention(scenario, factor):
    assume(looks_the_right_way(scenario))
    lower = Funnel.single(scenario.retention * factor)
    assert analytic(scenario.replace(funnel=lower)).power <= analytic(scenario).power + 1e-12


def near_tail(result):
    """Chance of a significant result in the direction of the effect."""
    if result.effect < 0:
        return result.p_significant_reduction
    return result.p_significant_increase


@given(scenarios(method=approximations), st.floats(0.05, 1.0))
def test_significance_in_the_effects_direction_rises_with_its_size(scenario, shrink):
    # Shrink the effect towards 0 in the same direction: power cannot rise.
    # The pooled variance formulas are not monotone at a couple of people per
    # group (n1 = 2, n2 = 1 is a counterexample), far below any real study.
    near_tail_rises(scenario, shrink)


@settings(deadline=None, max_examples=40)
@given(scenarios(method=exact_methods, cohort=small_cohorts), st.floats(0.05, 1.0))
def test_exact_significance_in_the_effects_direction_rises_with_its_size(scenario, shrink):
    # For the exact sums at any size: with the comparison count fixed, the treated
    # counts found significantly lower are a lower tail, whose chance falls as
    # the treated rate rises (and the other way round for increases).
    assume(looks_the_right_way(scenario))
    # Below 2 in a group (a comparison ratio under 1 at a cohort of 2) the sums give way
    # to the plain normal approximation (formulas/exact.py), whose pooled form is not
    # monotone there (see the test above); the sums are what this checks.
    fewest = scenario.min_n_treated  # the fewest analysed, and their comparison group
    assume(min(fewest, scenario.comparison_size(fewest)) >= 2)
    smaller = scenario.replace(effect=scenario.effect * shrink)
    assert near_tail(analytic(smaller)) <= near_tail(analytic(scenario)) + 1e-12


def near_tail_rises(scenario, shrink):
    assume(looks_the_right_way(scenario))
    n1 = scenario.expected_n_treated
    assume(scenario.method in ("wald", "arcsine") or min(n1, scenario.comparison_size(n1)) >= 20)
    smaller = scenario.replace(effect=scenario.effect * shrink)
    assert near_tail(analytic(smaller)) <= near_tail(analytic(scenario)) + 1e-12


@given(scenarios(method=st.sampled_from(["wald", "arcsine"])), st.floats(0.05, 1.0))
def test_power_rises_with_the_size_of_the_effect(scenario, shrink):
    # Both tails together: proven for wald and arcsine. The pooled and
    # fleiss-cc formulas can dip by a hair at a handful of people, where
    # the far tail's share changes with the pooled variance.
    assume(looks_the_right_way(scenario))
    smaller = scenario.replace(effect=scenario.effect * shrink)
    assert analytic(smaller).power <= analytic(scenario).power + 1e-12


@given(scenarios(method=st.sampled_from(["wald", "pooled"])))
def test_zero_effect_rejects_at_alpha(scenario):
    r = analytic(scenario.replace(effect=0.0))
    assert r.power == pytest.approx(scenario.alpha * r.p_analysable, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(scenarios(method=approximations), st.floats(0.3, 0.95))
def test_solve_then_power_recovers_the_target(scenario, target):
    solve_then_power(scenario, target)


@settings(max_examples=15, deadline=None)
@given(scenarios(method=exact_methods, cohort=small_cohorts), st.floats(0.3, 0.95))
def test_solve_then_exact_power_recovers_the_first_crossing(scenario, target):
    # Effects of at least 5 points keep the answers (and the run) small.
    assume(abs(scenario.effect) >= 0.05)
    solve_then_power(scenario, target)


def solve_then_power(scenario, target):
    assume(target > scenario.alpha)
    try:
        answer = solve(scenario, "cohort", target_power=target)
    except NoSolutionError:
        assume(False)
    assert analytic(answer.scenario).power >= target
    if answer.value > 1:
        assert analytic(scenario.replace(cohort=answer.value - 1)).power < target
