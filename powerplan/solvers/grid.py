"""Running a grid of work: in this process or on a Dask cluster, reproducibly, resumably.

A requirement table's cells, a sweep's points, simulated assurance's nodes
and a portfolio's services are each a *grid*: independent cells, each one
function call. :func:`run_cells` runs them

* in this process, one after another, or on a ``dask.distributed`` client
  when one is given (each cell a task; a cell's simulator runs in one
  process there, as the cluster supplies the parallelism);
* reading each cell already in a :class:`~powerplan.solvers.store.ResultStore`
  back instead of computing it, and writing each computed cell to it as
  soon as it arrives;
* telling a :class:`~powerplan.solvers.progress.GridProgress` how it goes;
* with a cell that raises reported with its inputs, never stopping the rest.

Identical results: a cell's randomness comes from the run's seed and the
cell's own inputs (:func:`cell_seed`), never from its position in a queue or
the worker that ran it, so a grid gives the same answers in this process,
on worker processes and on worker threads.
"""

from __future__ import annotations

import hashlib
import json
import numbers
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields

import numpy as np

from ..engines import Simulator
from ..errors import InvalidInputError, PowerplanError
from .cluster import check_client, powerplan_version
from .progress import CellReport, GridProgress, as_progress
from .store import MISSING, ResultStore, as_store

#: Simulator settings that do not change its answers (see powerplan.Simulator), so
#: they are left out of a cell's key: a run resumed with more workers reuses its cells.
NOT_IN_KEY = ("workers", "chunk_size", "progress")


class GridError(PowerplanError):
    """Some cells of a grid failed; the others finished (and are in the store, if any).

    Attributes
    ----------
    failures : list of CellReport
        Each failed cell's inputs and error.
    """

    def __init__(self, failures: Sequence[CellReport], total: int):
        self.failures = list(failures)
        shown = "; ".join(report.describe() for report in self.failures[:5])
        more = f"; and {len(self.failures) - 5:,} more" if len(self.failures) > 5 else ""
        super().__init__(f"{len(self.failures):,} of {total:,} cells failed: {shown}{more}")


def _plain(value):
    """A value as JSON can hold it: numpy numbers as Python's, anything else by its repr."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, numbers.Real):
        return value
    return repr(value)


def _canonical(payload) -> bytes:
    """The one text of ``payload`` (keys sorted, floats exact) that its hash is taken of."""
    return json.dumps(payload, sort_keys=True, default=_plain, allow_nan=True).encode()


def run_settings(engine) -> dict:
    """The engine's settings that its answers depend on (its name for the analytic one)."""
    if not isinstance(engine, Simulator):
        return {"name": engine.name}
    return {"name": engine.name} | {f.name: getattr(engine, f.name) for f in fields(engine)
                                    if f.name not in NOT_IN_KEY}


def cell_key(grid: str, inputs: Mapping, scenario, engine, **settings) -> str:
    """The store key of a cell: a hash of everything its answer depends on.

    That is the grid's kind, the cell's inputs, the whole scenario the cell
    solves (``Scenario.to_dict()``), the engine's settings with its seed
    (:func:`run_settings`), the grid's other settings (target power, prior,
    ...) and powerplan's version. Change any of them and the key changes.

    >>> from powerplan import Scenario, Simulator
    >>> one = cell_key("sweep", {"cohort": 300}, Scenario(), Simulator(seed=1))
    >>> one == cell_key("sweep", {"cohort": 300}, Scenario(), Simulator(seed=1, workers=2))
    True
    >>> one == cell_key("sweep", {"cohort": 300}, Scenario(), Simulator(seed=2))
    False
    """
    payload = {"grid": grid, "inputs": dict(inputs), "scenario": scenario.to_dict(),
               "engine": run_settings(engine), "settings": settings,
               "powerplan": powerplan_version()}
    return hashlib.sha256(_canonical(payload)).hexdigest()


def cell_seed(seed: int, inputs: Mapping) -> int:
    """The seed of the cell with ``inputs`` in a run seeded ``seed``.

    ``SeedSequence(seed, spawn_key=k)``, with ``k`` four 32-bit words of a
    hash of the inputs: a cell's stream depends on the run's seed and on
    the cell's own values, not on its place in the grid or the order cells
    run, so a cell keeps its answer (and its stored result) when rows are
    added to the grid.

    >>> cell_seed(1, {"base_rate": 0.35}) == cell_seed(1, {"base_rate": 0.35})
    True
    >>> cell_seed(1, {"base_rate": 0.35}) == cell_seed(1, {"base_rate": 0.25})
    False
    """
    digest = hashlib.sha256(_canonical(dict(inputs))).digest()
    words = tuple(int(word) for word in np.frombuffer(digest[:16], dtype="<u4"))
    state = np.random.SeedSequence(seed, spawn_key=words).generate_state(1, dtype=np.uint64)
    return int(state[0])


@dataclass(frozen=True)
class Cell:
    """One cell of a grid: ``function(*arguments, engine=engine)``.

    ``function`` is a module-level function (so a Dask worker can import
    it); ``inputs`` are the cell's own settings, for reports; ``key`` its
    store key (:func:`cell_key`).
    """

    inputs: dict
    function: Callable
    arguments: tuple
    engine: object
    key: str
    grid: str = field(default="grid")


@dataclass(frozen=True)
class GridRun:
    """The answers of a grid's cells, in the cells' order (None for a failed one),
    and how each ended."""

    answers: tuple
    reports: tuple[CellReport, ...]

    @property
    def failures(self) -> list[CellReport]:
        return [report for report in self.reports if report.status == "failed"]

    def raise_failures(self) -> None:
        """Raise :class:`GridError` if any cell failed."""
        if self.failures:
            raise GridError(self.failures, len(self.reports))


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def check_grid_options(engine, client, store, progress) -> tuple[object, ResultStore | None,
                                                                 GridProgress]:
    """The client (checked), the store and the progress of a grid function.

    Each is refused with the analytic engine (its cells take microseconds),
    and a store without a fixed seed (a second run could not find the
    first's cells).
    """
    if progress is None and isinstance(engine, Simulator) and engine.progress is True:
        progress = True  # Simulator(progress=True): the grid's bars
    given = {"client": client, "store": store, "progress": progress}
    if not isinstance(engine, Simulator):
        for name, value in given.items():
            if value is not None:
                raise InvalidInputError(name, "applies only with engine 'simulate'")
    if store is not None and engine.seed is None:
        raise InvalidInputError("seed", "must be given with a results store, so that a second "
                                        "run finds the cells of the first")
    return ((None if client is None else check_client(client)), as_store(store),
            as_progress(progress))


def run_cells(cells: Sequence[Cell], *, client=None, store: ResultStore | None = None,
              progress: GridProgress | None = None) -> GridRun:
    """Run every cell, reading stored ones back, and return their answers in order.

    Parameters
    ----------
    cells : sequence of Cell
    client : dask.distributed.Client, optional
        Run the cells on its cluster; in this process without one.
    store : ResultStore, optional
        Cells found in it are not run; each cell run is written to it as it
        finishes.
    progress : GridProgress, optional
        Told the counts, each cell as it ends and the replicates simulated.

    Returns
    -------
    GridRun
        A failed cell's answer is None and its report holds the error; the
        caller decides what a failure means for its result.
    """
    progress = GridProgress() if progress is None else progress
    answers: list = [None] * len(cells)
    reports: list = [None] * len(cells)
    pending: dict[str, list[int]] = {}  # key -> the cells with it (identical cells run once)
    for index, cell in enumerate(cells):
        found = MISSING if store is None else store.get(cell.key)
        if found is MISSING:
            pending.setdefault(cell.key, []).append(index)
        else:
            answers[index] = found
            reports[index] = CellReport(cell.inputs, "stored")
    stored = sum(report is not None for report in reports)

    def finish(indices, answer=None, error=None):
        first = cells[indices[0]]
        if error is None and store is not None:
            store.put(first.key, answer, grid=first.grid, inputs=first.inputs)
        for index in indices:
            answers[index] = answer
            reports[index] = CellReport(cells[index].inputs, "failed" if error else "computed",
                                        None if error is None else _error_text(error))
            progress.cell(reports[index])

    progress.start(len(cells), stored)
    try:
        if client is None:
            _run_here(cells, pending, progress, finish)
        else:
            _run_on(client, cells, pending, progress, finish)
    finally:
        progress.close()
    return GridRun(tuple(answers), tuple(reports))


def _with_progress(engine, replicates: Callable[[int], None]):
    """``engine`` reporting its replicates to ``replicates`` too (its own progress kept)."""
    if not isinstance(engine, Simulator):
        return engine
    own = engine.progress
    if own is None or own is True:  # True: the grid's own bar stands for the simulator's
        return engine.replace(progress=replicates)

    def both(count):
        own(count)
        replicates(count)

    return engine.replace(progress=both)


def _run_here(cells, pending, progress, finish) -> None:
    for key, indices in pending.items():
        cell = cells[indices[0]]
        engine = _with_progress(cell.engine, progress.replicates)
        try:
            answer = cell.function(*cell.arguments, engine=engine)
        except Exception as error:  # reported with its inputs; the other cells go on
            finish(indices, error=error)
        else:
            finish(indices, answer)


def _reporting(function, queue_name: str, *arguments, engine):
    """Run a cell on a worker, its simulator's replicates put on the run's Dask queue."""
    if isinstance(engine, Simulator):
        from distributed import Queue

        queue = Queue(queue_name)
        engine = engine.replace(progress=queue.put)
    return function(*arguments, engine=engine)


def _run_on(client, cells, pending, progress, finish) -> None:
    """Each cell a task on the cluster; answers gathered (and stored) as they finish,
    then released, so no finished cell is held by a worker that might be lost.

    The workers put their replicates on a Dask queue, read here between finished
    cells (at least every half second) and given to ``progress``.
    """
    from distributed import Queue, wait

    run = uuid.uuid4().hex[:8]
    queue = Queue(f"powerplan-replicates-{run}", client=client)
    futures = {}
    for key, indices in pending.items():
        cell = cells[indices[0]]
        engine = cell.engine
        if isinstance(engine, Simulator):  # the cluster is the parallelism
            engine = engine.replace(workers=1, progress=None)
        future = client.submit(_reporting, cell.function, queue.name, *cell.arguments,
                               engine=engine, key=f"powerplan-{cell.grid}-{key[:16]}-{run}",
                               pure=False)
        futures[future] = indices
    waiting = set(futures)
    while waiting:
        try:
            done, waiting = wait(waiting, timeout=0.5, return_when="FIRST_COMPLETED")
        except TimeoutError:
            done = set()
        _drain(queue, progress)
        for future in done:
            indices = futures.pop(future)
            try:
                answer = future.result()
            except Exception as error:  # the cell raised, or its workers kept dying
                finish(indices, error=error)
            else:
                finish(indices, answer)
            future.release()
    _drain(queue, progress)


def _drain(queue, progress) -> None:
    count = queue.qsize()
    if count:
        for replicates in queue.get(batch=count):
            progress.replicates(replicates)
