"""Solving by simulation, and simulated assurance, against the analytic engine."""

import pytest

from powerplan import (DiscretePrior, InvalidInputError, NormalPrior, Scenario,
                       SimulationSettings, analytic, assurance, simulate, solve)
from powerplan.solvers.simulated import FIRST_ROUND, SimulatedSolution

# A small study the analytic engine describes well: no selection, covariates
# that do not predict reoffending, and the unpooled z-test.
PLAIN = Scenario(base_rate=0.35, effect=-0.15, funnel=0.5,
                 simulation=SimulationSettings(pool=5000, selection=0, outcome_strength=0,
                                               test="wald"))


def within_99(solution, value):
    """Whether ``value`` lies in the solution's interval widened from 95% to 99%."""
    low, high = solution.interval
    centre, half = (low + high) / 2, (high - low) / 2 * 2.576 / 1.96
    return centre - half <= value <= centre + half


def analytic_twin(scenario, cohort, seed=9):
    """The analytic scenario with the simulated comparison size and matching loss."""
    pilot = simulate(scenario.replace(cohort=cohort), n_sims=300, seed=seed)
    ratio = pilot.n_comparison / pilot.mean_n_treated
    retention = pilot.mean_n_treated / cohort
    return scenario.replace(comparison_ratio=ratio, funnel=retention)


@pytest.fixture(scope="module")
def cohort_answer():
    return solve(PLAIN, "cohort", engine="simulate", seed=5, precision=0.1)


def test_simulated_minimum_cohort_agrees_with_the_analytic_engine(cohort_answer):
    assert isinstance(cohort_answer, SimulatedSolution)
    assert cohort_answer.reached
    low, high = cohort_answer.interval
    assert high / cohort_answer.value - 1 < 0.1 + 1e-9 and 1 - low / cohort_answer.value < 0.1
    twin = analytic_twin(PLAIN, cohort_answer.value)
    assert within_99(cohort_answer, solve(twin, "cohort").value)


def test_the_answer_is_checked_by_direct_simulation(cohort_answer):
    result = cohort_answer.result
    assert result.engine == "simulate" and result.cohort == cohort_answer.value
    assert abs(result.power - 0.8) < 3.5 * result.mc_se
    assert cohort_answer.achieved_power >= 0.8 > cohort_answer.power_below


def test_first_round_surrounds_the_analytic_answer(cohort_answer):
    start = solve(PLAIN, "cohort").value
    first = cohort_answer.design[cohort_answer.design["round"] == 0]
    assert list(first["value"]) == [float(round(start * m)) for m in FIRST_ROUND]
    assert cohort_answer.n_sims == cohort_answer.design["n_sims"].sum() + \
        cohort_answer.result.n_sims


def test_same_seed_same_search(cohort_answer):
    again = solve(PLAIN, "cohort", engine="simulate", seed=5, precision=0.1)
    assert again.value == cohort_answer.value
    assert again.design.equals(cohort_answer.design)


@pytest.mark.slow
def test_simulated_mde_agrees_with_the_analytic_engine():
    scenario = PLAIN.replace(cohort=300)
    answer = solve(scenario, "effect", engine="simulate", seed=11, precision=0.1)
    twin = analytic_twin(scenario, 300)
    assert within_99(answer, solve(twin, "effect").value)
    assert answer.value < 0 and answer.reached


def test_a_budget_too_small_for_the_precision_says_so():
    answer = solve(PLAIN, "cohort", engine="simulate", seed=1, precision=0.01, max_sims=2000)
    assert not answer.reached
    assert answer.n_sims <= 2000
    assert "2,000 replicates were not enough" in answer.notes[0]
    assert "NOT reached" in str(answer)


@pytest.mark.parametrize("kwargs, fragment", [
    ({"unknown": "retention"}, "unknown must be 'cohort' or 'effect' with engine 'simulate'"),
    ({"max_sims": 100}, "max_sims must be a whole number >= 2,000; got 100"),
    ({"precision": 0}, "precision must be a proportion in (0, 1); got 0"),
    ({"prior": NormalPrior.points(-4, 3)}, "prior cannot be combined with engine 'simulate'"),
])
def test_invalid_simulated_solves(kwargs, fragment):
    args = {"unknown": "cohort"} | kwargs
    with pytest.raises(InvalidInputError) as info:
        solve(PLAIN, args.pop("unknown"), engine="simulate", **args)
    assert fragment in str(info.value)


def test_simulation_settings_need_the_simulation_engine():
    with pytest.raises(InvalidInputError, match="seed applies only with engine 'simulate'"):
        solve(PLAIN, "cohort", seed=1)


def test_simulated_assurance_agrees_with_quadrature():
    scenario = PLAIN.replace(cohort=200)
    prior = NormalPrior.points(-10, 5)
    simulated = assurance(scenario, prior, engine="simulate", n_sims=2400, seed=3)
    assert simulated.computation == "simulation" and simulated.n_sims == 2400
    exact = assurance(analytic_twin(scenario, 200), prior)
    assert abs(simulated.assurance - exact.assurance) < 3 * simulated.mc_se
    assert "Monte Carlo error" in str(simulated)


def test_simulated_assurance_with_a_discrete_prior_is_the_weighted_simulation():
    import numpy as np

    scenario = PLAIN.replace(cohort=200)
    prior = DiscretePrior.points([-15, 0], [3, 1])
    result = assurance(scenario, prior, engine="simulate", n_sims=400, seed=4)
    # each effect is simulated with its own seed spawned from the one given
    seeds = [int(c.generate_state(1)[0]) for c in np.random.SeedSequence(4).spawn(2)]
    parts = [simulate(scenario.replace(effect=e), n_sims=200, seed=s).p_significant_reduction
             for e, s in zip((-0.15, 0.0), seeds)]
    assert result.p_significant_reduction == pytest.approx(0.75 * parts[0] + 0.25 * parts[1])
    variance = sum(w ** 2 * p * (1 - p) / 200 for w, p in zip((0.75, 0.25), parts))
    assert result.mc_se == pytest.approx(variance ** 0.5)


@pytest.mark.slow
def test_simulated_assurance_reports_its_monte_carlo_error():
    import numpy as np

    # A two-point prior keeps each run to two simulations; the error formula
    # is the same for the twelve effects of a normal prior.
    scenario = Scenario(cohort=300, simulation=SimulationSettings(pool=2000))
    prior = DiscretePrior.points([-8, -2], [1, 1])
    runs = [assurance(scenario, prior, engine="simulate", n_sims=200, seed=seed)
            for seed in range(25)]
    spread = np.std([r.assurance for r in runs], ddof=1)
    reported = np.mean([r.mc_se for r in runs])
    # 25 seeds estimate the spread to within about 30%
    assert 0.6 < spread / reported < 1.5


def test_simulated_assurance_settings():
    with pytest.raises(InvalidInputError, match="n_sims applies only with engine 'simulate'"):
        assurance(PLAIN, NormalPrior.points(-4, 3), n_sims=100)
    with pytest.raises(InvalidInputError, match="computation applies to the analytic engine"):
        assurance(PLAIN, NormalPrior.points(-4, 3), engine="simulate",
                  computation="quadrature")


def test_analytic_twin_is_close_to_the_plain_scenario():
    # the twin only corrects the comparison size and the tiny matching loss
    twin = analytic_twin(PLAIN, 300)
    assert twin.retention == pytest.approx(0.5, abs=0.01)
    assert analytic(twin).power == pytest.approx(analytic(PLAIN.replace(cohort=300)).power,
                                                 abs=0.05)
