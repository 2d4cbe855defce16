"""Assurance: closed form against quadrature and Monte Carlo; priors; solving for it."""

import numpy as np
import pytest
from scipy import integrate, stats

from powerplan import (DiscretePrior, Frequency, TimeToFirst, InvalidInputError, NoSolutionError, NormalPrior, Scenario,
                       analytic, assurance, parse_prior, solve)
from powerplan.design.presets import PUBLISHED_RESULTS, published_meta_analysis


@pytest.mark.parametrize("cohort", [300, 1000, 5000])
@pytest.mark.parametrize("mean, sd", [(-4, 1), (-4, 3), (-2.5, 3.5), (-6, 2)])
def test_closed_form_agrees_with_quadrature(cohort, mean, sd):
    # The closed form evaluates the standard error at the prior mean; the
    # quadrature integrates the exact analytic power. They agree to about a
    # point for priors this wide.
    s = Scenario(cohort=cohort, method="wald")
    prior = NormalPrior.points(mean, sd)
    closed = assurance(s, prior, computation="closed-form")
    exact = assurance(s, prior, computation="quadrature")
    assert closed.p_significant_reduction == pytest.approx(exact.p_significant_reduction, abs=0.01)
    assert closed.p_significant_increase == pytest.approx(exact.p_significant_increase, abs=0.01)


def test_closed_form_formula_without_funnel_randomness():
    s = Scenario(cohort=500, funnel=1.0, base_rate=0.3, method="wald")
    prior = NormalPrior(-0.04, 0.03)
    se = np.sqrt(0.26 * 0.74 / 500 + 0.3 * 0.7 / 5000)
    z = stats.norm.isf(0.025)
    spread = np.hypot(se, 0.03)
    result = assurance(s, prior, computation="closed-form")
    assert result.p_significant_reduction == pytest.approx(
        stats.norm.cdf((-z * se + 0.04) / spread), abs=1e-14)
    assert result.p_significant_increase == pytest.approx(
        stats.norm.cdf((-z * se - 0.04) / spread), abs=1e-14)


def test_quadrature_equals_adaptive_integration_of_analytic_power():
    s = Scenario(cohort=600, base_rate=0.2, method="pooled")
    prior = NormalPrior(-0.03, 0.04)
    low, high = -0.2, 0.8
    mass = prior.mass(low, high)

    def integrand(effect):
        return analytic(s.replace(effect=effect)).p_significant_reduction * \
            stats.norm.pdf(effect, prior.mean, prior.sd) / mass

    expected, _ = integrate.quad(integrand, low + 1e-9, min(high, 0.5), epsabs=1e-12, limit=200)
    assert assurance(s, prior).p_significant_reduction == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("cohort", [800, 100_000, 10_000_000])
def test_quadrature_converges(cohort, monkeypatch):
    # The default 16 nodes a panel agree with 64; the panels break where a
    # large study's power climbs steeply, a few standard errors from 0.
    s = Scenario(cohort=cohort, method="arcsine")
    prior = NormalPrior.points(-3, 4)
    default = assurance(s, prior).p_significant_reduction
    nodes = NormalPrior.nodes
    monkeypatch.setattr(NormalPrior, "nodes",
                        lambda self, base, count=16, breakpoints=(): nodes(self, base, 64,
                                                                           breakpoints))
    assert default == pytest.approx(assurance(s, prior).p_significant_reduction, abs=1e-8)


def test_monte_carlo_over_the_prior_agrees_with_quadrature():
    s = Scenario(cohort=700, method="fleiss-cc")
    prior = NormalPrior.points(-4, 3)
    rng = np.random.default_rng(20261126)
    effects = rng.normal(prior.mean, prior.sd, 4000)
    effects = effects[(effects > -s.base_rate) & (effects < 1 - s.base_rate)]
    powers = np.array([analytic(s.replace(effect=e)).p_significant_reduction for e in effects])
    mc_error = powers.std(ddof=1) / np.sqrt(len(powers))
    exact = assurance(s, prior).p_significant_reduction
    assert abs(powers.mean() - exact) < 4 * mc_error


@pytest.mark.parametrize("computation", ["closed-form", "quadrature"])
def test_a_narrow_prior_gives_the_power_at_its_mean(computation):
    s = Scenario(cohort=900, method="wald")  # the closed form is the wald method's
    narrow = assurance(s, NormalPrior(-0.05, 1e-6), computation=computation)
    point = analytic(s)
    assert narrow.p_significant_reduction == pytest.approx(point.p_significant_reduction, abs=1e-6)


def test_discrete_prior_is_the_weighted_average():
    s = Scenario(cohort=400)
    prior = DiscretePrior.points([-6, -3, 0], [3, 5, 2])
    expected = sum(w * analytic(s.replace(effect=e)).p_significant_reduction
                   for e, w in zip((-0.06, -0.03, 0.0), (0.3, 0.5, 0.2)))
    result = assurance(s, prior)
    assert result.p_significant_reduction == pytest.approx(expected, abs=1e-14)
    assert result.p_effect_in_direction == pytest.approx(0.8)


def test_verdicts_sum_to_one_and_result_prints():
    result = assurance(Scenario(), NormalPrior.points(-4, 3))
    assert result.p_significant_reduction + result.p_significant_increase + \
        result.p_inconclusive == pytest.approx(1.0, abs=1e-15)
    assert result.assurance == result.p_significant_reduction
    assert "prior on the effect    normal(mean -4.0 points, sd 3.0 points)" in str(result)
    assert result.to_dict()["prior"] == "normal(mean -4.0 points, sd 3.0 points)"


def test_ceiling_is_the_prior_weight_on_reductions():
    prior = NormalPrior.points(-4, 3)
    result = assurance(Scenario(cohort=10_000_000, method="wald"), prior)
    ceiling = stats.norm.cdf(4 / 3)
    assert result.p_effect_in_direction == pytest.approx(ceiling, abs=1e-9)
    # effects within a few standard errors of 0 stay undetectable even here
    assert ceiling - 0.005 < result.assurance < ceiling
    closed = assurance(Scenario(cohort=10_000_000, method="wald"), prior,
                       computation="closed-form")
    assert closed.assurance == pytest.approx(result.assurance, abs=1e-3)


def test_truncation_to_valid_treated_rates():
    # A prior centred below -base_rate keeps only its valid part.
    s = Scenario(base_rate=0.05, effect=-0.02, cohort=2000, method="wald")
    prior = NormalPrior.points(-4, 3)
    result = assurance(s, prior)
    assert result.computation == "quadrature"
    # the closed form cannot truncate: here it is far off
    closed = assurance(s, prior, computation="closed-form")
    assert abs(closed.assurance - result.assurance) > 0.02
    inside = stats.norm.cdf(0.95, -0.04, 0.03) - stats.norm.cdf(-0.05, -0.04, 0.03)
    reductions = stats.norm.cdf(0.0, -0.04, 0.03) - stats.norm.cdf(-0.05, -0.04, 0.03)
    assert result.p_effect_in_direction == pytest.approx(reductions / inside, abs=1e-12)
    assert result.assurance < result.p_effect_in_direction


def test_solving_for_assurance():
    prior = NormalPrior.points(-4, 3)
    answer = solve(Scenario(), "cohort", target_power=0.5, prior=prior)
    assert answer.measure == "assurance"
    assert assurance(answer.scenario, prior).assurance >= 0.5
    assert assurance(answer.scenario.replace(cohort=answer.value - 1), prior).assurance < 0.5
    assert answer.summary().startswith("To reach 50% assurance, submit at least")
    retention = solve(Scenario(cohort=3000), "retention", target_power=0.5, prior=prior)
    assert assurance(retention.scenario, prior).assurance == pytest.approx(0.5, abs=1e-9)


@pytest.mark.parametrize("alternative, tail", [("two-sided", 0.025), ("less", 0.05)])
def test_ceiling_counts_the_false_positives_at_no_effect(alternative, tail):
    # A prior's mass at exactly no effect is still reported as a reduction at the test's
    # one-tail level: with all of it there, assurance is that level, and so is the ceiling.
    # (The normal approximation's level is exact; the Welch default's exact sums at this
    # size report more, and the result then says it is above the ceiling.)
    null = DiscretePrior.points([0], [1])
    result = assurance(Scenario(alternative=alternative, method="wald"), null)
    assert result.p_effect_in_direction == 0.0
    assert result.ceiling == pytest.approx(tail, abs=1e-15)
    assert result.assurance == pytest.approx(tail, abs=1e-9)
    assert result.assurance <= result.ceiling + 1e-12
    assert f"ceiling {tail:.1%}" in str(result)
    exact = assurance(Scenario(alternative=alternative), null)
    no_effect = analytic(Scenario(alternative=alternative, effect=0.0))
    assert exact.assurance == pytest.approx(no_effect.p_significant_reduction, abs=1e-9)
    assert exact.assurance > exact.ceiling == result.ceiling
    assert (f"{exact.assurance:.1%} (above the {tail:.1%} it tends to as the cohort grows"
            in str(exact))


def test_a_target_between_the_weight_and_the_ceiling_is_reached():
    # Half the weight at -5 points, half at none: the ceiling is 50% + 50% x 2.5% = 51.25%.
    prior = DiscretePrior.points([0, -5], [1, 1])
    assert assurance(Scenario(), prior).ceiling == pytest.approx(0.5125, abs=1e-15)
    answer = solve(Scenario(), "cohort", target_power=0.51, prior=prior)
    assert assurance(answer.scenario, prior).assurance >= 0.51
    assert assurance(answer.scenario.replace(cohort=answer.value - 1), prior).assurance < 0.51
    with pytest.raises(NoSolutionError, match=r"at most 51\.2% assurance"):
        solve(Scenario(), "cohort", target_power=0.513, prior=prior)


def test_solving_for_assurance_beyond_the_ceiling_says_why():
    with pytest.raises(NoSolutionError, match="the prior puts only 90.9% of its weight"):
        solve(Scenario(), "cohort", target_power=0.95, prior=NormalPrior.points(-4, 3))
    with pytest.raises(InvalidInputError, match="prior cannot be combined with solving for the "
                                                "effect"):
        solve(Scenario(), "effect", prior=NormalPrior.points(-4, 3))


@pytest.mark.parametrize("text, expected", [
    ("normal:-4,3", NormalPrior(-0.04, 0.03)),
    ("Normal: -2.5, 3.5", NormalPrior(-0.025, 0.035)),
    ("discrete:-6@0.3,-3@0.5,0@0.2", DiscretePrior((-0.06, -0.03, 0.0), (0.3, 0.5, 0.2))),
])
def test_parse_prior(text, expected):
    assert parse_prior(text) == expected


@pytest.mark.parametrize("text, fragment", [
    ("normal:-4", "must be normal:MEAN,SD in points"),
    ("normal:-4,0", "prior sd must be a number > 0; got 0"),
    ("normal:nan,3", "prior mean must be a finite number"),
    ("discrete:-6@x", "must be normal:MEAN,SD in points"),
    ("discrete:-6@0", "weights must be >= 0 with a positive sum"),
    ("uniform:1,2", "or a preset (published, published-sceptical)"),
])
def test_parse_prior_errors(text, fragment):
    with pytest.raises(InvalidInputError) as info:
        parse_prior(text)
    assert fragment in str(info.value)


def test_prior_with_no_weight_on_valid_rates():
    # the range check is where the prior meets a measure: -400 points is no rate
    with pytest.raises(InvalidInputError, match="puts no weight on effects that"):
        assurance(Scenario(), parse_prior("normal:-400,3"))


def test_priors_in_the_other_measures_units():
    frequency, time = Scenario(outcome=Frequency()), Scenario(outcome=TimeToFirst())
    assert parse_prior("normal:-0.2,0.1", frequency.outcome) == NormalPrior(-0.2, 0.1)
    assert parse_prior("discrete:30@1,0@3", time.outcome) == DiscretePrior((30.0, 0.0),
                                                                          (0.25, 0.75))
    # a time prior in days: the hoped direction is a longer time
    result = assurance(time, parse_prior("normal:20,10", time.outcome))
    assert result.assurance == pytest.approx(result.p_significant_increase, abs=1e-12)
    assert "significantly longer time to first proven reoffence" in result.summary()
    with pytest.raises(InvalidInputError, match="for the rate only"):
        parse_prior("published", frequency.outcome)
    with pytest.raises(InvalidInputError, match=r"in days \(normal:20,10\)"):
        parse_prior("normal:20", time.outcome)


def test_discrete_prior_outside_valid_rates():
    with pytest.raises(InvalidInputError, match="effect -40 points puts the treated rate outside"):
        assurance(Scenario(), DiscretePrior.points([-40], [1]))


def test_presets_are_the_meta_analysis_of_the_published_table():
    meta = published_meta_analysis()
    assert parse_prior("published") == NormalPrior(float(meta.mean_effect_re),
                                                   float(np.sqrt(meta.tau2)))
    assert parse_prior("published-sceptical").mean == pytest.approx(float(meta.mean_effect_fe))
    # the table's own significance flags agree with a Welch test on each row
    # (10 comparison records per treated person): a check that the rows were
    # copied consistently. Rates are published rounded to whole percentages,
    # so a 1-point difference may be anything from 0 to 2 points: skip those.
    from powerplan import review_published

    for name, n, treated, comparison, significant, source in PUBLISHED_RESULTS:
        assert source.startswith("http")
        if abs(treated - comparison) < 0.015:
            continue
        review = review_published(n, treated, comparison)
        assert review.significant == significant, name


@pytest.mark.parametrize("cohort", [300, 2000, 10_000])
@pytest.mark.parametrize("mean, sd", [(-4, 3), (-2, 3), (-6, 2), (-4, 1), (-8, 4)])
def test_twelve_simulation_nodes_integrate_the_verdicts_to_1e_3(cohort, mean, sd):
    # Simulated assurance runs the study at prior.few_nodes(); with the
    # analytic verdicts at those nodes the rule is within 1e-3 of quadrature
    # up to 10,000 people (docs/simulation.md), below the Monte Carlo error.
    scenario, prior = Scenario(cohort=cohort), NormalPrior.points(mean, sd)
    effects, weights = prior.few_nodes(scenario.outcome)
    assert len(effects) == 12
    by_nodes = sum(w * analytic(scenario.replace(effect=e)).p_significant_reduction
                   for e, w in zip(effects, weights))
    assert by_nodes == pytest.approx(assurance(scenario, prior).p_significant_reduction,
                                     abs=1e-3)
