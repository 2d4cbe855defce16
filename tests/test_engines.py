"""Engines as values: ``analytic`` and ``Simulator(...)``, with the string shorthand."""

import numpy as np
import pytest

import powerplan as pp
from powerplan import InvalidInputError, NormalPrior, Scenario, SimulationSettings, Simulator
from powerplan.engines import ANALYTIC, as_engine, is_analytic

SMALL = Scenario(simulation=SimulationSettings(pool=5000))


@pytest.mark.parametrize("engine", ["analytic", pp.analytic, ANALYTIC])
def test_every_name_of_the_analytic_engine_is_the_one_value(engine):
    assert as_engine(engine) is ANALYTIC
    assert is_analytic(engine)
    assert pp.solve(Scenario(), "cohort", engine=engine).value == 1860


def test_simulate_shorthand_makes_a_simulator_of_its_keywords():
    assert as_engine("simulate", n_sims=200, seed=3) == Simulator(n_sims=200, seed=3)
    assert as_engine("simulate") == Simulator()
    assert not is_analytic(Simulator())


@pytest.mark.parametrize("engine, run, message", [
    ("analytic", {"seed": 1}, "seed applies only with engine 'simulate'"),
    (pp.analytic, {"n_sims": 10}, "n_sims applies only with engine 'simulate'"),
    (ANALYTIC, {"workers": 2}, "workers applies only with engine 'simulate'"),
    (Simulator(), {"seed": 1}, "seed is a setting of the Simulator given as engine; set it there"),
    ("simulate", {"bogus": 1}, "bogus is not a setting of the simulator; it takes chunk_size, "
                               "max_sims, n_sims, precision, progress, seed, workers"),
    ("fast", {}, "engine must be one of 'analytic', 'simulate'; got 'fast'"),
    (print, {}, "engine must be 'analytic', 'simulate', powerplan.analytic or a "
                "powerplan.Simulator; got <built-in function print>"),
])
def test_engines_refuse_what_they_cannot_take(engine, run, message):
    with pytest.raises(InvalidInputError) as caught:
        as_engine(engine, **run)
    assert str(caught.value) == message


@pytest.mark.parametrize("settings, message", [
    ({"n_sims": 0}, "n_sims must be a whole number in [1, 10,000,000]; got 0"),
    ({"seed": -1}, "seed must be a whole number >= 0; got -1"),
    ({"workers": 0}, "workers must be a whole number in [1, 256]; got 0"),
    ({"chunk_size": 0}, "chunk_size must be a whole number >= 1; got 0"),
    ({"progress": 5}, "progress must be True (a progress bar), a function or None; got 5"),
    ({"precision": 1.5}, "precision must be a proportion in (0, 1); got 1.5"),
    ({"max_sims": 100}, "max_sims must be a whole number >= 2,000; got 100"),
])
def test_a_simulator_checks_its_run_settings_when_it_is_made(settings, message):
    with pytest.raises(InvalidInputError) as caught:
        Simulator(**settings)
    assert str(caught.value) == message


def test_chunks_are_rounded_up_to_whole_blocks():
    assert Simulator(chunk_size=17).chunk_size == 32
    assert Simulator().chunk_size == 64


def test_a_simulator_value_gives_what_the_keywords_give():
    by_value = Simulator(n_sims=64, seed=1).power(SMALL)
    by_function = pp.simulate(SMALL, n_sims=64, seed=1)
    assert by_value.to_dict() == by_function.to_dict()
    curve = pp.sweep(SMALL, "effect", [-0.1, 0.0], engine=Simulator(n_sims=64, seed=1))
    shorthand = pp.sweep(SMALL, "effect", [-0.1, 0.0], engine="simulate", n_sims=64, seed=1)
    np.testing.assert_array_equal(curve.power, shorthand.power)
    prior = NormalPrior.points(-4, 3)
    assert (pp.assurance(SMALL, prior, engine=Simulator(n_sims=240, seed=2)).assurance
            == pp.assurance(SMALL, prior, engine="simulate", n_sims=240, seed=2).assurance)


def test_a_seedless_simulator_shares_one_fresh_seed_across_a_sweep():
    curve = pp.sweep(SMALL, "effect", [-0.1, 0.0], engine=Simulator(n_sims=16))
    seeds = {result.seed for result in curve.results}
    assert len(seeds) == 1
    assert Simulator(seed=5).seeded() == Simulator(seed=5)
    assert Simulator().seeded().seed is not None


def test_the_simulator_says_once_what_it_does_not_use():
    assert set(Simulator.unused_settings) == {"comparison_ratio", "n_comparison", "method"}
    with pytest.raises(InvalidInputError, match="comparison_ratio is not used by the simulator"):
        pp.sweep(SMALL, "comparison_ratio", [1, 5], engine=Simulator(n_sims=16, seed=1))


def test_the_submission_plan_and_mde_curve_take_the_analytic_value():
    intake = pp.Intake.monthly(20, "2024-03")
    by_name = pp.submission_plan(Scenario(), intake, now="2026-11")
    by_value = pp.submission_plan(Scenario(), intake, now="2026-11", engine=pp.analytic)
    assert by_name.to_frame().equals(by_value.to_frame())
    with pytest.raises(InvalidInputError, match="engine must be one of 'analytic'"):
        pp.submission_plan(Scenario(), intake, now="2026-11", engine=Simulator())
    with pytest.raises(InvalidInputError, match="must be 'analytic' for an MDE curve"):
        pp.mde_curve(Scenario(), [300], engine=Simulator())
