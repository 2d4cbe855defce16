"""The simulation engine: power by replaying the whole matched-cohort study.

Each replicate is one study (``docs/simulation.md``): the cohort goes
through the funnel, the remaining treated people get covariates, a logistic
propensity score is fitted against the comparison pool, each treated person
is matched to its nearest records within the caliper, outcomes are drawn,
and the test the analysis runs gives a verdict. Power is the share of
significant verdicts. The pool stands for the national records and is drawn
once per simulation: replicates are conditional on it.

Replicates run in blocks of :data:`~powerplan.simulator.replicate.BLOCK` (vectorised
across the block), chunks of blocks go to worker processes, and every
replicate draws from its own seed spawned from ``seed``, so the results are
the same whatever ``chunk_size`` and ``workers``.
"""

from __future__ import annotations

import math
import multiprocessing

import numpy as np
import pandas as pd

from . import replicate, threads
from .person import NOT_REPORTED
from ..errors import InvalidInputError
from ..results.intervals import wilson_interval
from ..results.power import VERDICTS, SimulatedPowerResult, scenario_fields
from ..design.scenario import Scenario, check_scenario

@threads.on_one_blas_thread
def run(scenario: Scenario, simulator) -> SimulatedPowerResult:
    """Simulate ``scenario`` with the run settings of ``simulator``, a
    :class:`powerplan.Simulator` (its settings already checked when it was made)."""
    check_scenario_runs(scenario)
    entropy = np.random.SeedSequence().entropy if simulator.seed is None else simulator.seed
    study = replicate.prepare(scenario, entropy)  # once: workers are sent a copy
    return _summarise(scenario, replicate_columns(study, simulator), entropy)


@threads.on_one_blas_thread
def replicate_columns(study, simulator) -> dict[str, np.ndarray]:
    """Every replicate of a prepared simulation, column by column, with the run
    settings of ``simulator`` (chunks, workers, progress)."""
    n_sims, chunk_size, workers = simulator.n_sims, simulator.chunk_size, simulator.workers
    chunks = [(start, min(start + chunk_size, n_sims)) for start in range(0, n_sims, chunk_size)]
    if workers == 1 or len(chunks) == 1:
        columns = _gather((_run_chunk(study, *chunk) for chunk in chunks), chunks,
                          simulator.progress)
    else:
        # A multiprocessing pool, not concurrent.futures': leaving the block for any
        # reason (an error, Ctrl-C, SIGTERM turned into SystemExit) terminates the
        # workers instead of waiting for their chunks, so none is left behind.
        # At most one worker per core, each on one BLAS thread (threads.py).
        with multiprocessing.Pool(threads.worker_processes(workers, len(chunks)),
                                  initializer=_start_worker,
                                  initargs=(study,)) as pool:
            columns = _gather(pool.imap(_run_chunk_in_worker, chunks), chunks,
                              simulator.progress)
    return columns


def _gather(parts, chunks, progress) -> dict[str, np.ndarray]:
    """Chunk results, in replicate order, joined column by column; progress reported."""
    done = []
    for (start, stop), part in zip(chunks, parts):
        done.append(part)
        if progress is not None:
            progress(stop - start)
    return _join(done)


def _join(parts: list[dict]) -> dict[str, np.ndarray]:
    """Column-by-column results of consecutive replicates, joined in order."""
    return {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}


def check_scenario_runs(scenario: Scenario) -> None:
    """Refuse a scenario the simulator cannot run: a pool smaller than the expected
    number analysed, or a bias that takes the treated rate outside (0, 1)."""
    check_scenario(scenario)
    settings = scenario.simulation
    needed = math.ceil(scenario.expected_n_treated)
    if settings.pool < needed:
        raise InvalidInputError(
            "pool", f"must be at least the expected number of treated people analysed "
                    f"(cohort x retention = {needed:,}); got {settings.pool:,}")
    if scenario.outcome.name != "rate" and settings.test != "welch":
        raise InvalidInputError(
            "test", f"must be 'welch' for the {scenario.outcome.measure}: its simulated "
                    f"study runs the weighted Welch t-test, as the analysis does; "
                    f"got {settings.test!r}")
    rate = scenario.treated_rate + settings.bias
    if not 0.0 < rate < 1.0:
        raise InvalidInputError(
            "bias", f"must keep the treated rate plus bias ({scenario.treated_rate:g} + bias) "
                    f"in (0, 1); got {settings.bias:g}")
    _check_memory(scenario)


#: Memory one simulation may take (bytes): a scenario whose estimate
#: (:func:`memory_needed`) is larger is refused before anything runs.
MEMORY_LIMIT = 4 * 2 ** 30
#: Peak bytes per treated person of a block of studies, and per matched slot (k per
#: person), per pool record, and per covariate combination the outcome's calibration
#: sums over (tracemalloc peaks of benchmarks/bench_scaling.py and at 50,000 treated
#: people, rounded up).
PERSON_BYTES, SLOT_BYTES, RECORD_BYTES, SUPPORT_BYTES = 350, 62, 160, 50
#: What every simulation takes besides (bytes).
BASE_BYTES = 50 * 2 ** 20


def memory_needed(scenario: Scenario) -> dict[str, float]:
    """Estimated peak memory of simulating ``scenario`` (bytes), by what it holds.

    A block of :data:`~powerplan.limits.BLOCK` studies holds every treated
    person of each (the calibration pilot always runs a whole block) and their
    ``k`` matches; the pool holds its records; the outcome's calibration sums
    over every combination of the treated covariates. The number of
    replicates does not count: blocks run one after another.
    """
    settings = scenario.simulation
    people = replicate.BLOCK * scenario.expected_n_treated
    model = replicate.Population.from_settings(settings).treated
    return {"cohort": people * (PERSON_BYTES + SLOT_BYTES * settings.k),
            "pool": settings.pool * RECORD_BYTES,
            "prior_offences_mean": model.support_size() * SUPPORT_BYTES}


def _check_memory(scenario: Scenario) -> None:
    """Refuse, naming the largest part, a scenario needing more than MEMORY_LIMIT."""
    parts = memory_needed(scenario)
    total = BASE_BYTES + sum(parts.values())
    if total <= MEMORY_LIMIT:
        return
    largest = max(parts, key=parts.get)
    settings = scenario.simulation
    what = {
        "cohort": f"a simulated study of about {scenario.expected_n_treated:,.0f} treated people "
                  f"(cohort x retention) with k = {settings.k} and a pool of "
                  f"{settings.pool:,}",
        "pool": f"a pool of {settings.pool:,} records",
        "prior_offences_mean": f"the treated covariates' {parts[largest] / SUPPORT_BYTES:,.0f} "
                               f"combinations (age and prior offences) for the outcome's "
                               f"calibration",
    }[largest]
    raise InvalidInputError(
        largest, f"is too large to simulate: {what} would need about {_gib(total)} of memory, "
                 f"over the simulator's limit of {_gib(MEMORY_LIMIT)}; use the analytic "
                 f"engine, or make it smaller")


def _gib(size: float) -> str:
    return f"{size / 2 ** 30:,.1f} GiB"


def _run_chunk(study, start, stop) -> dict[str, np.ndarray]:
    return _join([replicate.run_block(study, first, min(replicate.BLOCK, stop - first))
                  for first in range(start, stop, replicate.BLOCK)])


_WORKER_STUDY = None


def _start_worker(study):
    global _WORKER_STUDY
    threads.limit_this_process()
    _WORKER_STUDY = study


def _run_chunk_in_worker(chunk):
    return _run_chunk(_WORKER_STUDY, *chunk)


def _share(count: int, n: int) -> tuple[float, float, float, float]:
    """Share, its 95% Wilson interval and its Monte Carlo standard error."""
    p = count / n
    low, high = wilson_interval(count, n)
    return p, float(low), float(high), math.sqrt(p * (1.0 - p) / n)


def _summarise(scenario: Scenario, columns: dict, entropy: int) -> SimulatedPowerResult:
    n_sims = len(columns["reason"])
    verdict, reason = columns["verdict"], columns["reason"]
    reduction = _share(int((verdict == -1).sum()), n_sims)
    increase = _share(int((verdict == 1).sum()), n_sims)
    inconclusive = _share(int((verdict == 0).sum()), n_sims)
    power = _share(int(((verdict == -1) | (verdict == 1)).sum()), n_sims)
    codes, counts = np.unique(reason[reason > 0], return_counts=True)
    reasons = {replicate.REASONS[int(c)]: int(n) for c, n in zip(codes, counts)}
    funnel = columns["funnel"]
    names = ["submitted", *scenario.funnel.names]
    matched = columns["n_treated"] > 0

    def mean_where_matched(values):
        return float(values[matched].mean()) if matched.any() else math.nan

    frame = pd.DataFrame({"replicate": np.arange(n_sims)})
    for j, name in enumerate(names):
        frame[name] = funnel[:, j]
    model = replicate.outcome_model(scenario)
    for key in ("n_treated", "n_comparison_records", "comparison_ess", *model.COLUMNS,
                "estimate", "standard_error", "ci_low", "ci_high", "p_value"):
        frame[key] = columns[key]
    # Categorical text columns: a byte per replicate, not a string object. A measure with
    # a reporting gate (time to first reoffence) has a fifth: "not reported".
    gated = scenario.outcome.min_treated_reoffenders > 0
    verdicts = [*VERDICTS.values(), "not analysable", *(["not reported"] if gated else [])]
    codes = np.where(reason == 0, verdict + 1, len(VERDICTS))
    frame["verdict"] = pd.Categorical.from_codes(
        np.where((reason == 0) & (verdict == NOT_REPORTED), len(VERDICTS) + 1, codes),
        categories=verdicts)
    frame["reason"] = pd.Categorical.from_codes(
        np.maximum(reason, 0), categories=["", *replicate.REASONS.values()])
    frame["max_abs_std_diff"] = columns["max_abs_std_diff"]
    frame["converged"] = columns["converged"]
    settings = scenario.simulation
    return SimulatedPowerResult(
        power=power[0],
        p_significant_reduction=reduction[0],
        p_significant_increase=increase[0],
        p_inconclusive=inconclusive[0],
        power_at_expected_n=None,
        p_analysable=float((reason == 0).mean()),
        n_comparison=mean_where_matched(columns["comparison_ess"]),
        method=settings.test,
        engine="simulate",
        **scenario_fields(scenario),
        n_sims=n_sims,
        seed=entropy,
        ci_low=power[1], ci_high=power[2], mc_se=power[3],
        reduction_ci_low=reduction[1], reduction_ci_high=reduction[2],
        reduction_mc_se=reduction[3],
        increase_ci_low=increase[1], increase_ci_high=increase[2], increase_mc_se=increase[3],
        inconclusive_ci_low=inconclusive[1], inconclusive_ci_high=inconclusive[2],
        inconclusive_mc_se=inconclusive[3],
        p_not_reported=float((verdict == NOT_REPORTED).mean()),
        n_unanalysable=int((reason > 0).sum()),
        unanalysable_reasons=reasons,
        mean_funnel={name: float(funnel[:, j].mean()) for j, name in enumerate(names)},
        mean_n_treated=float(columns["n_treated"].mean()),
        mean_matching_loss=float(np.where(reason == 1, 0, funnel[:, -1] - columns["n_treated"])
                                 .mean()),
        mean_comparison_records=float(columns["n_comparison_records"].mean()),
        mean_max_abs_std_diff=mean_where_matched(columns["max_abs_std_diff"]),
        replicates=frame,
    )
