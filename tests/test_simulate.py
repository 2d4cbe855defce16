"""simulate(): reproducibility, the result it returns, unanalysable replicates, validation."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from powerplan import InvalidInputError, PowerResult, Scenario, SimulationSettings, simulate

SMALL = SimulationSettings(pool=3000)


@pytest.fixture(scope="module")
def result():
    return simulate(Scenario(cohort=250, funnel={"found": 0.8, "in window": 0.6},
                             simulation=SMALL), n_sims=150, seed=20)


def test_same_seed_same_result_whatever_the_chunk_size(result):
    scenario = result.scenario
    for chunk_size in (1, 40, 1000):
        again = simulate(scenario, n_sims=150, seed=20, chunk_size=chunk_size)
        pd.testing.assert_frame_equal(again.replicates_frame(), result.replicates_frame())
        assert again.to_dict() == result.to_dict()


def test_same_seed_same_result_with_worker_processes(result):
    again = simulate(result.scenario, n_sims=150, seed=20, workers=2, chunk_size=32)
    pd.testing.assert_frame_equal(again.replicates_frame(), result.replicates_frame())
    assert again.to_dict() == result.to_dict()


def _blas_threads() -> set[int]:
    from threadpoolctl import threadpool_info

    return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}


def test_the_simulator_runs_on_one_blas_thread_and_restores_the_users_setting(result):
    from threadpoolctl import threadpool_limits

    seen = []
    with threadpool_limits(limits=3, user_api="blas"):
        before = _blas_threads()
        if before != {3}:
            pytest.skip(f"the BLAS library does not take 3 threads here ({before})")
        again = simulate(result.scenario, n_sims=150, seed=20, chunk_size=64,
                         progress=lambda done: seen.append(_blas_threads()))
        assert _blas_threads() == {3}  # the user's setting, restored after the call
    assert seen == [{1}, {1}, {1}]  # inside the simulator, one thread per process
    pd.testing.assert_frame_equal(again.replicates_frame(), result.replicates_frame())


def test_workers_never_outnumber_the_cores():
    from powerplan.simulator.threads import cores, worker_processes

    assert worker_processes(256, 1000) == cores()
    assert worker_processes(2, 1) == 1 and worker_processes(1, 50) == 1


def test_first_replicates_do_not_depend_on_how_many_follow(result):
    fewer = simulate(result.scenario, n_sims=37, seed=20)
    pd.testing.assert_frame_equal(fewer.replicates_frame(), result.replicates_frame().head(37))


def test_another_seed_gives_other_replicates(result):
    other = simulate(result.scenario, n_sims=150, seed=21)
    assert not other.replicates_frame()["estimate"].equals(result.replicates_frame()["estimate"])


def test_fresh_seed_is_reported_and_repeats_the_result():
    scenario = Scenario(cohort=200, simulation=SMALL)
    first = simulate(scenario, n_sims=20)
    assert first.seed >= 0
    again = simulate(scenario, n_sims=20, seed=first.seed)
    pd.testing.assert_frame_equal(again.replicates_frame(), first.replicates_frame())


def test_result_is_a_power_result_whose_shares_come_from_the_replicates(result):
    frame = result.replicates_frame()
    assert isinstance(result, PowerResult) and result.engine == "simulate"
    assert result.method == "welch" and result.n_sims == len(frame) == 150
    counts = frame["verdict"].value_counts()
    assert result.p_significant_reduction == counts.get("significant reduction", 0) / 150
    assert result.p_significant_increase == counts.get("significant increase", 0) / 150
    assert result.power == result.p_significant_reduction + result.p_significant_increase
    assert result.power + result.p_inconclusive == pytest.approx(1.0)
    low, high = proportion_confint(round(result.power * 150), 150, method="wilson")
    assert (result.ci_low, result.ci_high) == (pytest.approx(low), pytest.approx(high))
    assert result.mc_se == pytest.approx(math.sqrt(result.power * (1 - result.power) / 150))
    assert result.reduction_ci_low <= result.p_significant_reduction <= result.reduction_ci_high


def test_funnel_and_matching_means_come_from_the_replicates(result):
    frame = result.replicates_frame()
    assert list(result.mean_funnel) == ["submitted", "found", "in window"]
    assert result.mean_funnel["in window"] == frame["in window"].mean()
    assert result.mean_n_treated == frame["n_treated"].mean()
    assert result.mean_matching_loss == (frame["in window"] - frame["n_treated"]).mean()
    assert result.n_comparison == frame["comparison_ess"].mean()
    assert result.mean_max_abs_std_diff == frame["max_abs_std_diff"].mean()
    # The funnel draws are binomial: means agree with the expected counts.
    expected = result.scenario.funnel.expected_counts(250)
    for name, mean in zip(result.mean_funnel, expected):
        sd = math.sqrt(mean * (1 - mean / 250)) / math.sqrt(150)
        assert abs(result.mean_funnel[name] - mean) <= 5 * sd


def test_replicate_table_is_consistent(result):
    frame = result.replicates_frame()
    analysed = frame[frame["reason"] == ""]
    np.testing.assert_allclose(analysed["estimate"],
                               analysed["treated_rate"] - analysed["comparison_rate"])
    assert (analysed["comparison_ess"] <= analysed["n_comparison_records"] + 1e-9).all()
    assert (analysed["n_comparison_records"] <= 10 * analysed["n_treated"]).all()
    significant = analysed["p_value"] <= 0.05
    assert (analysed["verdict"] != "inconclusive").equals(significant)


def test_result_prints_power_with_its_monte_carlo_error(result):
    text = str(result)
    assert text.startswith("Power (simulate; welch test, two-sided, alpha 0.05): ")
    assert f"± {100 * result.mc_se:.1f} points (Monte Carlo SE), 150 simulations" in text
    assert "after matching" in text and "seed" in text
    assert "150 simulations" in result.summary()


def test_to_dict_is_json_ready_and_to_frame_one_row(result):
    payload = json.loads(json.dumps(result.to_dict()))
    for key in ("power", "ci_low", "ci_high", "mc_se", "n_sims", "p_significant_reduction",
                "p_significant_increase", "p_inconclusive", "mean_n_treated"):
        assert payload[key] == getattr(result, key)
    assert "replicates" not in payload and "scenario" not in payload
    frame = result.to_frame()
    assert len(frame) == 1 and frame["mean_funnel.found"][0] == result.mean_funnel["found"]


def test_progress_is_reported_chunk_by_chunk():
    calls = []
    simulate(Scenario(cohort=100, simulation=SMALL), n_sims=70, seed=1, chunk_size=32,
             progress=calls.append)
    assert calls == [32, 32, 6]


def test_unanalysable_replicates_are_counted_with_reasons_and_not_significant():
    # Four people submitted, 40% kept: fewer than two analysed in
    # binom.cdf(1, 4, 0.4) of studies.
    scenario = Scenario(cohort=4, funnel=0.4, simulation=SimulationSettings(pool=1000))
    result = simulate(scenario, n_sims=800, seed=3)
    frame = result.replicates_frame()
    counts = frame.loc[frame["reason"] != "", "reason"].value_counts()
    reasons = counts[counts > 0].to_dict()  # a categorical column counts every category
    assert result.unanalysable_reasons == reasons
    assert result.n_unanalysable == sum(reasons.values()) == (frame["verdict"] ==
                                                               "not analysable").sum()
    assert result.p_analysable == 1 - result.n_unanalysable / 800
    assert frame.loc[frame["reason"] != "", "p_value"].isna().all()
    few = reasons["too few people after the funnel"] / 800
    expected = stats.binom.cdf(1, 4, 0.4)
    assert abs(few - expected) < 4 * math.sqrt(expected * (1 - expected) / 800)
    assert f"{result.n_unanalysable} of 800 replicates, counted as not significant" in str(result)


def test_matching_failures_are_reasons_too():
    # A tiny caliper: only treated people whose covariates some record shares
    # exactly can be matched.
    tight = Scenario(cohort=3, funnel=1.0, simulation=SimulationSettings(
        pool=100, caliper=1e-6, selection=1.5))
    assert set(simulate(tight, n_sims=200, seed=1).unanalysable_reasons) == {
        "no treated person matched within the caliper", "too few treated people matched"}
    # One record per person from a small pool: people with the same covariates
    # share one record, leaving an effective comparison size of 1.
    shared = Scenario(cohort=3, funnel=1.0, simulation=SimulationSettings(
        pool=100, k=1, selection=1.5))
    assert "comparison effective size of 1 or less" in simulate(
        shared, n_sims=200, seed=1).unanalysable_reasons


def test_matching_without_replacement_uses_each_record_once():
    # No selection: the caliper rarely binds, so most people get all k records.
    settings = SimulationSettings(pool=2000, k=3, selection=0.0)
    scenario = Scenario(cohort=200, funnel=0.5, simulation=settings)
    shared = simulate(scenario, n_sims=32, seed=4).replicates_frame()
    without = scenario.replace(simulation={**settings.to_dict(), "replacement": False})
    alone = simulate(without, n_sims=32, seed=4).replicates_frame()
    full = alone["n_comparison_records"] == 3 * alone["n_treated"]
    assert (alone["n_comparison_records"] <= 3 * alone["n_treated"]).all() and full.mean() > 0.5
    # No record is shared, so where everyone got three the weights are equal.
    np.testing.assert_allclose(alone.loc[full, "comparison_ess"],
                               alone.loc[full, "n_comparison_records"])
    # With replacement, records are shared and the effective size falls below.
    assert (shared["comparison_ess"] < shared["n_comparison_records"] - 1).any()


@pytest.mark.parametrize("kwargs, message", [
    ({"n_sims": 0}, "n_sims must be a whole number in [1, 10,000,000]; got 0"),
    ({"workers": 0}, "workers must be a whole number in [1, 256]; got 0"),
    ({"seed": -1}, "seed must be a whole number >= 0; got -1"),
    ({"seed": 1.5}, "seed must be a whole number >= 0; got 1.5"),
    ({"chunk_size": 0}, "chunk_size must be a whole number >= 1; got 0"),
    ({"progress": 3}, "progress must be True (a progress bar), a function or None; got 3"),
])
def test_bad_run_settings_get_one_line_messages(kwargs, message):
    with pytest.raises(InvalidInputError) as error:
        simulate(Scenario(simulation=SMALL), **kwargs)
    assert str(error.value) == message


def test_pool_smaller_than_the_analysed_cohort_is_refused():
    scenario = Scenario(cohort=1000, funnel=0.4, simulation=SimulationSettings(pool=300))
    with pytest.raises(InvalidInputError) as error:
        simulate(scenario, n_sims=10)
    assert str(error.value) == ("pool must be at least the expected number of treated people "
                                "analysed (cohort x retention = 400); got 300")


def test_bias_pushing_the_treated_rate_out_of_range_is_refused():
    scenario = Scenario(base_rate=0.9, effect=0.05, simulation=SimulationSettings(bias=0.1))
    with pytest.raises(InvalidInputError, match=r"^bias must keep the treated rate plus bias"):
        simulate(scenario, n_sims=10)


@pytest.mark.parametrize("scenario, field", [
    (Scenario(cohort=10_000_000, simulation=SimulationSettings(pool=5_000_000)), "cohort"),
    (Scenario(cohort=2_000_000, simulation=SimulationSettings(pool=1_000_000)), "cohort"),
    # prior_offences_mean = 1e6 is now outside its range (tests/test_simulation_settings.py);
    # the longest tails inside the ranges still need too much memory for the calibration
    (Scenario(simulation=SimulationSettings(prior_offences_mean=100,
                                            prior_offences_dispersion=0.1, age_mean=19,
                                            age_sd=30, selection=0.3)),
     "prior_offences_mean"),
])
def test_a_simulation_too_large_for_memory_is_refused_before_it_runs(scenario, field):
    with pytest.raises(InvalidInputError, match=r"is too large to simulate: .* would need "
                                                r"about [\d,.]+ GiB of memory, over the "
                                                r"simulator's limit of 4\.0 GiB") as error:
        simulate(scenario, n_sims=1, seed=1)
    assert error.value.field == field


def test_the_memory_estimate_covers_what_a_block_takes():
    import tracemalloc

    from powerplan.simulator.engine import BASE_BYTES, memory_needed

    # a block of studies of 5,000 treated people each, k = 20
    scenario = Scenario(cohort=5000, funnel=1.0, simulation=SimulationSettings(pool=5000, k=20))
    tracemalloc.start()
    simulate(scenario, n_sims=16, seed=3)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    estimate = BASE_BYTES + sum(memory_needed(scenario).values())
    assert peak < estimate < 4 * peak + BASE_BYTES
