"""Grids in this process: cell seeds and keys, the results store, progress, failures,
and the messages when Dask is missing. (tests/test_grids_dask.py runs them on clusters.)"""

import io
import json
import sqlite3
import sys

import numpy as np
import pandas as pd
import pytest

import powerplan as pp
from powerplan import (GridError, GridProgress, InvalidInputError, NormalPrior, ProgressBar,
                       ResultStore, Scenario, SimulationSettings, Simulator)
from powerplan.solvers import sweep as sweep_module
from powerplan.solvers.cluster import check_workers, powerplan_version
from powerplan.solvers.grid import Cell, cell_key, cell_seed, run_cells
from powerplan_cli.main import cli

SMALL = Scenario(simulation=SimulationSettings(pool=1000))
SIM = Simulator(n_sims=16, seed=3)


def same_results(a, b) -> bool:
    """Whether two simulated results are equal: every figure, and every replicate."""
    dump = lambda result: json.dumps(result.to_dict(), sort_keys=True, default=str)  # noqa: E731
    if dump(a) != dump(b):
        return False
    pd.testing.assert_frame_equal(a.replicates, b.replicates, check_exact=True)
    return True


# Seeds ---------------------------------------------------------------------------------------

def test_a_cell_seed_is_the_seed_sequence_of_the_run_seed_and_a_hash_of_the_cell():
    seeds = {cell_seed(1, {"base_rate": rate}) for rate in (0.15, 0.25, 0.35)}
    assert len(seeds) == 3
    assert cell_seed(1, {"base_rate": 0.25}) != cell_seed(2, {"base_rate": 0.25})
    # the order of the settings in the dict is not part of the cell
    assert (cell_seed(1, {"base_rate": 0.25, "effect": -0.05})
            == cell_seed(1, {"effect": -0.05, "base_rate": 0.25}))


def test_a_service_keeps_its_answer_when_services_are_added():
    two = {"a": SMALL.replace(cohort=200), "b": SMALL.replace(cohort=400)}
    three = two | {"c": SMALL.replace(cohort=600)}
    small, large = (pp.portfolio(services, engine=SIM) for services in (two, three))
    pd.testing.assert_frame_equal(small.services, large.services.iloc[:2], check_exact=True)
    assert small.services["mc_se"].notna().all()


def test_services_with_the_same_scenario_draw_independently():
    # (with seed 1 both happen to have 10 significant studies of 64)
    result = pp.portfolio({"a": SMALL, "b": SMALL}, engine=Simulator(n_sims=64, seed=3))
    first, second = result.services["p_significant_reduction"]
    assert (first, second) == (0.21875, 0.109375)


def test_a_simulated_table_cell_has_its_own_seed():
    seen = []

    def record(scenario, unknown, **keywords):
        seen.append(keywords["engine"].seed)
        return pp.solve(scenario, unknown, target_power=keywords["target_power"],
                        direction=keywords["direction"])  # analytic: only the seed matters here

    from powerplan.decisions import tables

    original = tables.solve
    tables.solve = record
    try:
        pp.requirements_table(SMALL, base_rates=[0.3, 0.4], effects=[-0.1], retentions=[0.5],
                              engine=Simulator(seed=7))
    finally:
        tables.solve = original
    assert seen == [cell_seed(7, {"base_rate": 0.3, "retention": 0.5, "effect": -0.1}),
                    cell_seed(7, {"base_rate": 0.4, "retention": 0.5, "effect": -0.1})]


def test_a_sweep_keeps_one_seed_for_every_value():
    curve = pp.sweep(SMALL, "cohort", [100, 200], engine=SIM)
    assert [result.seed for result in curve.results] == [3, 3]


# Keys ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("change", [
    {"scenario": SMALL.replace(base_rate=0.3)},
    {"scenario": SMALL.replace(simulation=SimulationSettings(pool=1000, k=5))},
    {"engine": SIM.replace(seed=4)},
    {"engine": SIM.replace(n_sims=32)},
    {"inputs": {"cohort": 301}},
    {"grid": "assurance"},
    {"settings": {"target_power": 0.9}},
])
def test_changing_any_input_changes_the_key(change):
    base = {"grid": "sweep", "inputs": {"cohort": 300}, "scenario": SMALL, "engine": SIM,
            "settings": {"target_power": 0.8}}
    key = lambda g: cell_key(g["grid"], g["inputs"], g["scenario"], g["engine"],  # noqa: E731
                             **g["settings"])
    assert key(base) != key(base | change)


def test_the_settings_that_do_not_change_answers_keep_the_key():
    one = cell_key("sweep", {"cohort": 300}, SMALL, SIM)
    assert one == cell_key("sweep", {"cohort": 300}, SMALL,
                           SIM.replace(workers=2, chunk_size=256, progress=print))


# The store -----------------------------------------------------------------------------------

def test_a_second_run_reads_every_cell_back(tmp_path):
    path = tmp_path / "grid.sqlite"
    first, second = GridProgress(), GridProgress()
    curve = pp.sweep(SMALL, "cohort", [100, 200, 300], engine=SIM, store=path, progress=first)
    again = pp.sweep(SMALL, "cohort", [100, 200, 300], engine=SIM, store=path, progress=second)
    assert (first.computed, first.stored) == (3, 0)
    assert (second.computed, second.stored) == (0, 3)
    assert all(map(same_results, curve.results, again.results))
    # the file is plain SQLite: one row per cell, its inputs readable
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT grid, inputs FROM cells ORDER BY inputs").fetchall()
    assert rows == [("sweep", '{"cohort": 100}'), ("sweep", '{"cohort": 200}'),
                    ("sweep", '{"cohort": 300}')]


def test_a_changed_input_recomputes_and_more_workers_do_not(tmp_path):
    store = ResultStore(tmp_path / "grid.sqlite")
    pp.sweep(SMALL, "cohort", [100, 200], engine=SIM, store=store)

    def counts(engine, scenario=SMALL):
        progress = GridProgress()
        pp.sweep(scenario, "cohort", [100, 200], engine=engine, store=store, progress=progress)
        return progress.computed, progress.stored

    assert counts(SIM.replace(seed=4)) == (2, 0)
    assert counts(SIM.replace(n_sims=32)) == (2, 0)
    assert counts(SIM, SMALL.replace(base_rate=0.3)) == (2, 0)
    assert counts(SIM.replace(chunk_size=16)) == (0, 2)
    assert len(store) == 8


def test_a_store_needs_a_seed_and_a_simulator(tmp_path):
    with pytest.raises(InvalidInputError, match="seed must be given with a results store"):
        pp.sweep(SMALL, "cohort", [100], engine=Simulator(n_sims=16), store=tmp_path / "s")
    with pytest.raises(InvalidInputError, match="store applies only with engine 'simulate'"):
        pp.requirements_table(SMALL, store=tmp_path / "s")
    with pytest.raises(InvalidInputError, match="client applies only with engine 'simulate'"):
        pp.portfolio([SMALL], client=object())


def test_a_file_that_is_not_a_store_is_refused(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a database, just some text that is long enough " * 20)
    with pytest.raises(InvalidInputError, match="notes.txt is not a results store"):
        ResultStore(path)
    with pytest.raises(InvalidInputError, match="must be a file, not the folder"):
        ResultStore(tmp_path)
    with pytest.raises(InvalidInputError, match="store cannot be made at .*: there is no folder"):
        ResultStore(tmp_path / "missing" / "grid.sqlite")


def test_a_simulated_portfolio_refuses_a_comparison_ratio_column(runner, tmp_path):
    path = tmp_path / "services.csv"
    path.write_text("name,cohort,comparison_ratio\na,300,5\n")
    result = runner.invoke(cli, ["portfolio", "--services", str(path), "--engine", "simulate"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--services': the comparison_ratio column sets the analytic "
        "engine; the simulator's comparison group comes from matching (--k, --pool)")


def test_a_stored_assurance_equals_a_fresh_one(tmp_path):
    prior = NormalPrior.points(-5, 3)
    engine = Simulator(n_sims=120, seed=5)
    fresh = pp.assurance(SMALL, prior, engine=engine)
    progress = GridProgress()
    pp.assurance(SMALL, prior, engine=engine, store=tmp_path / "a.sqlite")
    again = pp.assurance(SMALL, prior, engine=engine, store=tmp_path / "a.sqlite",
                         progress=progress)
    assert (progress.computed, progress.stored) == (0, 12)
    assert json.dumps(again.to_dict(), default=str) == json.dumps(fresh.to_dict(), default=str)


# Progress ------------------------------------------------------------------------------------

def test_progress_counts_cells_and_a_function_gets_replicates():
    finished = []
    pp.assurance(SMALL, NormalPrior.points(-5, 3), engine=Simulator(n_sims=24, seed=1),
                 progress=finished.append)
    assert sum(finished) == 24


def test_the_progress_bar_draws_cells_and_replicates():
    stream = io.StringIO()
    pp.sweep(SMALL, "cohort", [100, 200], engine=SIM, progress=ProgressBar(file=stream))
    text = stream.getvalue()
    assert "cells: 100%" in text and "2/2" in text and "replicates" in text


def test_progress_is_refused_with_the_analytic_engine_and_must_be_a_function():
    with pytest.raises(InvalidInputError, match="progress applies only with engine 'simulate'"):
        pp.requirements_table(Scenario(), progress=True)
    with pytest.raises(InvalidInputError, match="progress must be None, True, a GridProgress or "
                                                "a function; got 5"):
        pp.sweep(SMALL, "cohort", [100], engine=SIM, progress=5)


# Failures ------------------------------------------------------------------------------------

def _power_cells(cohorts, scenario=SMALL):
    return [Cell({"cohort": c}, sweep_module._power, (scenario.replace(cohort=c),), SIM,
                 cell_key("sweep", {"cohort": c}, scenario.replace(cohort=c), SIM), grid="sweep")
            for c in cohorts]


def test_a_failing_cell_is_reported_with_its_inputs_and_the_others_finish(tmp_path):
    # a pool of 1,000 cannot supply 1,200 analysed treated people: that cell raises
    progress, store = GridProgress(), ResultStore(tmp_path / "grid.sqlite")
    run = run_cells(_power_cells([100, 3000, 200]), store=store, progress=progress)
    assert [report.status for report in run.reports] == ["computed", "failed", "computed"]
    assert run.answers[1] is None and run.answers[0].n_sims == 16
    assert run.failures[0].describe() == (
        "cohort 3000: InvalidInputError: pool must be at least the expected number of treated "
        "people analysed (cohort x retention = 1,200); got 1,000")
    assert len(store) == 2  # the failed cell is not stored: the next run tries it again
    assert progress.summary() == "3 cells: 2 computed, 0 read from the store, 1 failed"
    with pytest.raises(GridError, match=r"^1 of 3 cells failed: cohort 3000: InvalidInputError"):
        run.raise_failures()


def test_a_failing_table_cell_is_marked_and_the_rest_answered():
    table = pp.requirements_table(SMALL.replace(simulation=SimulationSettings(pool=300)),
                                  base_rates=[0.3], effects=[-0.05, -0.25], retentions=[0.5],
                                  engine=Simulator(seed=1, precision=0.2, max_sims=2000))
    assert table.cells["status"].tolist()[0].startswith(
        "failed: InvalidInputError: pool must be at least the expected number")
    assert table.cells["status"].tolist()[1] == "ok"
    labels = table.labels(0.5)
    assert labels.loc[0.3, -0.05] == "failed"
    assert labels.loc[0.3, -0.25] == f"{table.cells['value'][1]:,.0f}"
    assert table.to_text().splitlines()[-1].startswith("failed: the cell raised an error")


# Dask missing, and the workers' version ------------------------------------------------------

@pytest.fixture
def without_dask(monkeypatch):
    """Imports of Dask fail, as on a machine without the extra."""
    for name in [name for name in sys.modules if name.split(".")[0] in ("dask", "distributed")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "distributed", None)
    monkeypatch.setitem(sys.modules, "dask", None)


def test_without_dask_the_library_says_how_to_install_it(without_dask):
    with pytest.raises(InvalidInputError, match=r"client needs Dask \(dask.distributed\), which "
                                                r"is not installed; install it with pip install "
                                                r"'powerplan\[dask\]'"):
        pp.sweep(SMALL, "cohort", [100], engine=SIM, client=object())
    with pytest.raises(InvalidInputError, match=r"pip install 'powerplan\[dask\]'"):
        with pp.dask_client():
            pass
    # and runs in this process as before
    assert pp.sweep(SMALL, "cohort", [100], engine=SIM).results[0].n_sims == 16


@pytest.mark.parametrize("option", [["--dask"], ["--scheduler", "tcp://127.0.0.1:8786"]])
def test_without_dask_the_command_line_says_how_to_install_it(runner, without_dask, option):
    result = runner.invoke(cli, ["curve", "--over", "cohort=100:200:2", "--engine", "simulate",
                                 "--sims", "16", "--seed", "1", "--pool", "1000", *option])
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {option[0]} needs Dask (dask.distributed), which is not "
                             f"installed; install it with pip install 'powerplan[dask]'\n")


class _Cluster:
    """Answers client.run as a cluster whose workers run the given versions would."""

    def __init__(self, versions):
        self.versions = versions

    def run(self, function):
        assert function is powerplan_version
        return self.versions


def test_a_cluster_must_run_this_version_of_powerplan():
    here = powerplan_version()
    check_workers(_Cluster({"tcp://127.0.0.1:1": here, "tcp://127.0.0.1:2": here}))
    with pytest.raises(InvalidInputError, match=r"client has a worker \(tcp://127.0.0.1:2\) "
                                                r"running powerplan 0.0.1, not "):
        check_workers(_Cluster({"tcp://127.0.0.1:1": here, "tcp://127.0.0.1:2": "0.0.1"}))


# The command line ----------------------------------------------------------------------------

TABLE = ["table", "--engine", "simulate", "--seed", "1", "--base-rates", "0.3",
         "--effects", "-25pp", "--retentions", "0.5", "--pool", "300", "--sims", "2000",
         "--precision", "0.2"]


def test_a_table_run_twice_with_a_store_reads_its_cells_back(runner, tmp_path):
    store = tmp_path / "table.sqlite"
    first = runner.invoke(cli, [*TABLE, "--store", str(store)])
    second = runner.invoke(cli, [*TABLE, "--store", str(store)])
    plain = runner.invoke(cli, TABLE)
    assert first.exit_code == second.exit_code == plain.exit_code == 0, first.output
    assert first.stdout == second.stdout == plain.stdout
    assert first.stdout.startswith("Minimum people to submit for 80% power (welch test, by "
                                   "simulation with seed 1, two-sided, alpha 0.05)")
    assert first.stderr == "1 cell: 1 computed, 0 read from the store, 0 failed.\n"
    assert second.stderr == "1 cell: 0 computed, 1 read from the store, 0 failed.\n"
    assert plain.stderr == ""


def test_a_table_with_a_failed_cell_prints_it_and_exits_1(runner):
    result = runner.invoke(cli, [*TABLE[:8], "-5pp,-25pp", *TABLE[9:]])
    assert result.exit_code == 1
    assert "      30%  failed     28\n" in result.stdout
    assert result.stderr.splitlines() == [
        "2 cells: 1 computed, 0 read from the store, 1 failed.",
        "  failed: base_rate 0.3, retention 0.5, effect -0.05: InvalidInputError: pool must be "
        "at least the expected number of treated people analysed (cohort x retention = 470); "
        "got 300",
        "Error: 1 of 2 cells failed (marked 'failed' above); run the command again to retry "
        "them"]


@pytest.mark.parametrize("arguments, message", [
    (["table", "--store", "x.sqlite"],
     "Error: --store applies to the simulator; add --engine simulate"),
    (["portfolio", "--services", "examples/services.csv", "--dask"],
     "Error: --dask applies to the simulator; add --engine simulate"),
    (["curve", "--over", "cohort=100:200", "--engine", "simulate", "--dask", "--scheduler",
      "tcp://127.0.0.1:1"],
     "Error: give either --dask (a local cluster) or --scheduler (a running one), not both"),
    (["curve", "--over", "cohort=100:200", "--engine", "simulate", "--store", "x.sqlite"],
     "Error: Invalid value for '--seed': must be given with a results store, so that a second "
     "run finds the cells of the first"),
    (["table", "--engine", "simulate", "--seed", "1", "--store", "."],
     "Error: Invalid value for '--store': cannot write .: it is a folder"),
])
def test_grid_options_are_checked(runner, arguments, message, monkeypatch):
    from pathlib import Path

    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    result = runner.invoke(cli, arguments)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == message


def test_the_cell_bar_counts_studies_only_on_a_terminal():
    from powerplan_cli.grid import CellBar

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    times = iter([0.0, 5.0, 5.0, 5.0])
    stream = Terminal()
    bar = CellBar(stream=stream, clock=lambda: next(times))
    bar.start(2, 0)
    bar.replicates(300)
    bar.cell(pp.CellReport({"cohort": 100}, "computed"))
    bar.close()
    assert "Cells" in stream.getvalue() and "300 studies simulated" in stream.getvalue()
    quiet = io.StringIO()
    bar = CellBar(stream=quiet, clock=lambda: 5.0)
    bar.start(1, 0)
    bar.cell(pp.CellReport({"cohort": 100}, "computed"))
    bar.close()
    assert quiet.getvalue() == "" and np.isclose(bar.computed, 1)
