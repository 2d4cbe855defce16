"""Grids on local Dask clusters (127.0.0.1 only): the same answers as in this process,
on worker processes and on worker threads, and resumed runs after a worker or the whole
client is killed.

The clusters are LocalClusters of two one-thread workers, started once for this module
and shut down at its end; the grids are small (a 4-cell simulated table, sweeps of a
few values with 16-64 replicates).
"""

import collections
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pandas as pd
import psutil
import pytest
from distributed.diagnostics.plugin import SchedulerPlugin

import powerplan as pp
from powerplan import (GridProgress, NormalPrior, ResultStore, Scenario, SimulationSettings,
                       Simulator)
from powerplan.solvers import sweep as sweep_module
from powerplan.solvers.grid import Cell, cell_key, run_cells
from powerplan_cli.main import cli

TABLE_SCENARIO = Scenario(simulation=SimulationSettings(pool=300))
TABLE_GRID = {"base_rates": [0.3, 0.4], "effects": [-0.2, -0.25], "retentions": [0.5]}
TABLE_ENGINE = Simulator(seed=11, precision=0.2, max_sims=2000)
SMALL = Scenario(simulation=SimulationSettings(pool=1000))


def simulated_table(**grid_options):
    return pp.requirements_table(TABLE_SCENARIO, **TABLE_GRID, engine=TABLE_ENGINE,
                                 **grid_options)


@pytest.fixture(scope="module")
def processes():
    with pp.dask_client(workers=2, processes=True) as client:
        yield client


@pytest.fixture(scope="module")
def threads():
    with pp.dask_client(workers=2, processes=False) as client:
        yield client


@pytest.fixture(scope="module")
def serial_table():
    return simulated_table()


def dumped(result) -> str:
    return json.dumps(result.to_dict(), sort_keys=True, default=str)


def assert_same_results(one, other):
    """Every figure of two lists of simulated results, and every replicate, equal."""
    assert [dumped(r) for r in one] == [dumped(r) for r in other]
    for a, b in zip(one, other):
        pd.testing.assert_frame_equal(a.replicates, b.replicates, check_exact=True)


# Identical results ---------------------------------------------------------------------------

@pytest.mark.slow
def test_a_table_on_worker_processes_equals_the_serial_table(processes, serial_table):
    table = simulated_table(client=processes)
    pd.testing.assert_frame_equal(table.cells, serial_table.cells, check_exact=True)
    assert (serial_table.cells["status"] == "ok").all()


@pytest.mark.slow
def test_a_table_on_worker_threads_equals_the_serial_table(threads, serial_table):
    table = simulated_table(client=threads)
    pd.testing.assert_frame_equal(table.cells, serial_table.cells, check_exact=True)


GRID_ENGINE = Simulator(n_sims=48, seed=2)
PRIOR = NormalPrior.points(-5, 3)
SERVICES = {"north": SMALL.replace(cohort=200), "south": SMALL.replace(cohort=500)}


def small_grids(client=None):
    """A sweep of three values, assurance over a prior's 12 effects, two services."""
    return (pp.sweep(SMALL, "cohort", [100, 200, 300], engine=GRID_ENGINE, client=client),
            pp.assurance(SMALL, PRIOR, engine=GRID_ENGINE, client=client),
            pp.portfolio(SERVICES, engine=GRID_ENGINE, client=client))


@pytest.fixture(scope="module")
def serial_grids():
    return small_grids()


@pytest.mark.parametrize("where", ["processes", "threads"])
def test_sweeps_assurance_and_portfolios_are_the_same_wherever_they_run(where, request,
                                                                        serial_grids):
    curve, assurance, portfolio = small_grids(request.getfixturevalue(where))
    assert_same_results(curve.results, serial_grids[0].results)
    assert dumped(assurance) == dumped(serial_grids[1])
    assert dumped(portfolio) == dumped(serial_grids[2])


class CountReplicates(GridProgress):
    def __init__(self):
        super().__init__()
        self.simulated = 0

    def replicates(self, count):
        self.simulated += count


@pytest.mark.parametrize("where", ["processes", "threads"])
def test_the_replicates_simulated_on_workers_are_reported(where, request):
    progress = CountReplicates()
    pp.sweep(SMALL, "cohort", [100, 200], engine=Simulator(n_sims=80, seed=1),
             client=request.getfixturevalue(where), progress=progress)
    assert (progress.simulated, progress.computed) == (160, 2)


def test_a_failing_cell_on_a_cluster_is_reported_and_the_others_finish(processes):
    # a pool of 1,000 cannot supply 1,200 analysed treated people: that cell raises on its
    # worker (a sweep checks every value first; the grid's runner must not rely on it)
    engine = Simulator(n_sims=16, seed=1)
    cells = [Cell({"cohort": c}, sweep_module._power, (SMALL.replace(cohort=c),), engine,
                  cell_key("sweep", {"cohort": c}, SMALL.replace(cohort=c), engine), "sweep")
             for c in (100, 3000, 200)]
    progress = GridProgress()
    run = run_cells(cells, client=processes, progress=progress)
    assert [report.status for report in run.reports] == ["computed", "failed", "computed"]
    assert run.failures[0].describe().startswith(
        "cohort 3000: InvalidInputError: pool must be at least the expected number")
    assert (progress.computed, len(progress.failures)) == (2, 1)
    assert_same_results([run.answers[0], run.answers[2]],
                        [engine.power(SMALL.replace(cohort=c)) for c in (100, 200)])


# Resuming ------------------------------------------------------------------------------------

def stored_keys(path) -> set[str]:
    """The keys in a store file, read with sqlite3 itself (not the store's own code)."""
    if not path.exists():
        return set()
    connection = sqlite3.connect(path, timeout=60)
    try:
        return {row[0] for row in connection.execute("SELECT key FROM cells")}
    except sqlite3.OperationalError:  # the table is not made yet
        return set()
    finally:
        connection.close()


KILLED_SWEEP = {"field": "cohort", "values": [100, 150, 200, 250, 300, 350]}
KILLED_ENGINE = Simulator(n_sims=320, seed=8)


def test_a_run_killed_with_its_client_resumes_without_repeating_a_cell(tmp_path, monkeypatch):
    path = tmp_path / "sweep.sqlite"
    script = textwrap.dedent(f"""
        import powerplan as pp
        from powerplan import Scenario, SimulationSettings, Simulator
        with pp.dask_client(workers=2) as client:
            pp.sweep(Scenario(simulation=SimulationSettings(pool=1000)), **{KILLED_SWEEP!r},
                     engine={KILLED_ENGINE!r}, client=client, store={str(path)!r})
    """)
    # its own process group: killing it kills the client and its cluster's processes at once
    run = subprocess.Popen([sys.executable, "-c", script], start_new_session=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while len(stored_keys(path)) < 2 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    before = stored_keys(path)
    assert 2 <= len(before) < 6, run.stderr.read().decode()
    def left():  # the killed run's processes still running (SIGKILL lands soon, not at once)
        return [p for p in psutil.process_iter(["pid"]) if _group_of(p) == run.pid and _alive(p)]

    deadline = time.monotonic() + 30
    while left() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert left() == []  # nothing of the killed run is left running

    simulated = []

    def counting_power(scenario, *, engine):
        simulated.append(scenario.cohort)
        return engine.power(scenario)

    monkeypatch.setattr(sweep_module, "_power", counting_power)
    progress = GridProgress()
    resumed = pp.sweep(SMALL, **KILLED_SWEEP, engine=KILLED_ENGINE, store=path,
                       progress=progress)
    monkeypatch.undo()
    uninterrupted = pp.sweep(SMALL, **KILLED_SWEEP, engine=KILLED_ENGINE)
    assert_same_results(resumed.results, uninterrupted.results)
    assert (progress.stored, progress.computed) == (len(before), 6 - len(before))
    assert len(simulated) == 6 - len(before)  # only the values not stored were simulated
    assert before < stored_keys(path) and len(stored_keys(path)) == 6


def _alive(process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE  # a zombie has exited
    except psutil.NoSuchProcess:
        return False


def _group_of(process):
    try:
        return os.getpgid(process.pid)
    except (ProcessLookupError, PermissionError):
        return None


class Transitions(SchedulerPlugin):
    """Counts, by task, how often the scheduler sent it to a worker and got its result."""

    def __init__(self):
        self.sent = collections.Counter()
        self.finished = collections.Counter()

    def transition(self, key, start, finish, *args, **kwargs):
        if finish == "processing":
            self.sent[key] += 1
        elif finish == "memory":
            self.finished[key] += 1


class KillABusyWorker(GridProgress):
    """Kills a worker that is running a cell as soon as the first cell is computed."""

    def __init__(self, client, store):
        super().__init__()
        self.client, self.store = client, store
        self.stored_then = None
        self.running_then = ()

    def cell(self, report):
        super().cell(report)
        if self.stored_then is not None:
            return
        self.stored_then = self.store.keys()
        busy = {worker: keys for worker, keys in self.client.processing().items() if keys}
        worker, self.running_then = sorted(busy.items())[0]
        os.kill(self.client.run(os.getpid, workers=[worker])[worker], signal.SIGKILL)


@pytest.mark.slow
def test_a_run_that_loses_a_worker_finishes_with_the_same_table(tmp_path, serial_table):
    store = ResultStore(tmp_path / "table.sqlite")
    with pp.dask_client(workers=2) as client:
        transitions = Transitions()
        client.cluster.scheduler.add_plugin(transitions, name="transitions")
        progress = KillABusyWorker(client, store)
        table = simulated_table(client=client, store=store, progress=progress)
    pd.testing.assert_frame_equal(table.cells, serial_table.cells, check_exact=True)
    assert len(store) == 4 and progress.computed == 4
    # the cell running on the killed worker was sent out again ...
    assert all(transitions.sent[key] >= 2 for key in progress.running_then)
    # ... and no cell already stored was run again
    def task(key):
        (found,) = [task for task in transitions.finished if key[:16] in task]
        return found

    assert [transitions.finished[task(key)] for key in progress.stored_then] == [1]


# The clusters --------------------------------------------------------------------------------

def _listening(process):
    connections = (process.net_connections if hasattr(process, "net_connections")
                   else process.connections)
    return {(c.laddr.ip, c.laddr.port) for c in connections(kind="inet")
            if c.status == psutil.CONN_LISTEN}


@pytest.mark.parametrize("in_processes", [True, False], ids=["processes", "threads"])
def test_a_local_cluster_listens_only_on_127_0_0_1_and_shuts_down_cleanly(in_processes):
    here = psutil.Process()

    def listening_here():
        return set().union(*(_listening(p) for p in [here, *here.children(recursive=True)]))

    before = listening_here()  # the other tests' clusters
    with pp.dask_client(workers=2, processes=in_processes) as client:
        workers = client.run(os.getpid)
        listening = listening_here() - before
        addresses = [client.scheduler_info()["address"], *client.scheduler_info()["workers"]]
    assert len(workers) == 2 and len(listening) >= 3  # a scheduler and two workers at least
    assert {ip for ip, _ in listening} == {"127.0.0.1"}
    assert all(address.startswith("tcp://127.0.0.1:") for address in addresses)
    assert client.status == "closed"
    others = {pid for pid in workers.values() if pid != os.getpid()}
    assert len(others) == (2 if in_processes else 0), workers
    deadline = time.monotonic() + 30
    while any(psutil.pid_exists(pid) for pid in others) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(psutil.pid_exists(pid) for pid in others)
    assert not listening & listening_here()  # and no port of this cluster is open


# The command line ----------------------------------------------------------------------------

CURVE = ["curve", "--over", "cohort=100:300:3", "--engine", "simulate", "--sims", "32",
         "--seed", "4", "--pool", "1000"]


def test_a_curve_on_a_running_cluster_equals_one_here(runner, processes):
    here = runner.invoke(cli, CURVE)
    there = runner.invoke(cli, [*CURVE, "--scheduler", processes.scheduler_info()["address"]])
    assert here.exit_code == there.exit_code == 0, there.output
    assert there.stdout == here.stdout
    assert there.stderr == "3 cells: 3 computed, 0 read from the store, 0 failed.\n"


def test_a_curve_on_a_local_cluster_of_the_command_line_equals_one_here(runner, tmp_path):
    here = runner.invoke(cli, CURVE)
    store = ["--store", str(tmp_path / "curve.sqlite")]
    there = runner.invoke(cli, [*CURVE, "--dask", "--workers", "2", *store])
    again = runner.invoke(cli, [*CURVE, "--dask", "--workers", "2", *store])
    assert here.exit_code == there.exit_code == again.exit_code == 0, there.output
    assert there.stdout == again.stdout == here.stdout
    assert there.stderr == "3 cells: 3 computed, 0 read from the store, 0 failed.\n"
    assert again.stderr == "3 cells: 0 computed, 3 read from the store, 0 failed.\n"


def test_a_running_cluster_has_its_own_workers(runner, processes):
    result = runner.invoke(cli, [*CURVE, "--scheduler", processes.scheduler_info()["address"],
                                 "--workers", "2"])
    assert result.exit_code == 2
    assert result.stderr == ("Error: --workers sets the size of the local cluster of --dask; "
                             "the cluster at --scheduler has its own workers\n")
