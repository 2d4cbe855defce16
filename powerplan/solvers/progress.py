"""Following a grid's run: cells finished, read from the store or failed, and replicates.

A grid function (``requirements_table``, ``sweep``, ``assurance``,
``portfolio``) takes ``progress=``:

* ``None``: nothing is reported;
* ``True``: a :class:`ProgressBar` (tqdm's, drawn in a terminal or as a
  widget in a notebook);
* a :class:`GridProgress`: told when the run starts, each cell as it ends,
  and the replicates simulated; it keeps the counts and the failed cells,
  and subclasses draw them (the command line's bar is one);
* any other function: called with the number of replicates just
  simulated, as a :class:`~powerplan.Simulator`'s ``progress`` is.

Replicates are reported wherever the cells run: a cell on a Dask worker puts
its counts on a Dask queue of the run, which is read between finished cells
(at least every half second).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import InvalidInputError


@dataclass(frozen=True)
class CellReport:
    """How one cell of a grid ended.

    Attributes
    ----------
    inputs : dict
        The cell's own settings (``{"base_rate": 0.35, "effect": -0.05, ...}``).
    status : {"computed", "stored", "failed"}
        Computed in this run, read from the results store, or failed.
    error : str or None
        For a failed cell: the exception's type and message.
    """

    inputs: dict = field(hash=False)
    status: str
    error: str | None = None

    def describe(self) -> str:
        """The cell's inputs, and its error if it failed, on one line.

        >>> CellReport({"base_rate": 0.35, "effect": -0.05}, "failed", "ValueError: bad").describe()
        'base_rate 0.35, effect -0.05: ValueError: bad'
        """
        where = ", ".join(f"{name} {value:g}" if isinstance(value, float) else f"{name} {value}"
                          for name, value in self.inputs.items())
        return where if self.error is None else f"{where}: {self.error}"


class GridProgress:
    """Told how a grid's run goes, keeping the counts; subclass it to draw them.

    A subclass overriding a method calls the base class's too, which keeps
    :attr:`total`, :attr:`stored`, :attr:`computed` and :attr:`failures`.

    Examples
    --------
    >>> from powerplan import Scenario, Simulator, SimulationSettings, sweep
    >>> small = Scenario(simulation=SimulationSettings(pool=1000))
    >>> progress = GridProgress()
    >>> _ = sweep(small, "cohort", [100, 200], engine=Simulator(n_sims=16, seed=1),
    ...           progress=progress)
    >>> progress.summary()
    '2 cells: 2 computed, 0 read from the store, 0 failed'
    """

    def __init__(self):
        self.total = 0
        self.stored = 0
        self.computed = 0
        self.failures: list[CellReport] = []

    def start(self, total: int, stored: int) -> None:
        """The run has ``total`` cells, ``stored`` of them already in the results store."""
        self.total, self.stored = total, stored

    def cell(self, report: CellReport) -> None:
        """A cell has just been computed, or failed."""
        if report.status == "failed":
            self.failures.append(report)
        else:
            self.computed += 1

    def replicates(self, count: int) -> None:
        """``count`` more replicates of a running cell are done."""

    def close(self) -> None:
        """The run has ended (however it ended)."""

    def summary(self) -> str:
        """The counts in words."""
        cells = "cell" if self.total == 1 else "cells"
        return (f"{self.total:,} {cells}: {self.computed:,} computed, {self.stored:,} read "
                f"from the store, {len(self.failures):,} failed")


class _Replicates(GridProgress):
    """A plain function given the replicates finished, as a Simulator's ``progress``."""

    def __init__(self, function):
        super().__init__()
        self.function = function

    def replicates(self, count: int) -> None:
        self.function(count)


class ProgressBar(GridProgress):
    """tqdm's progress bars: cells (the stored ones counted at the start) and replicates.

    ``tqdm.auto`` draws them in a terminal, or as widgets in a notebook.
    """

    def __init__(self, **tqdm_options):
        super().__init__()
        self.options = tqdm_options
        self.cells = self.sims = None

    def start(self, total: int, stored: int) -> None:
        super().start(total, stored)
        from tqdm.auto import tqdm

        self.cells = tqdm(total=total, initial=stored, desc="cells", unit="cell", **self.options)
        self.sims = tqdm(desc="replicates", unit="rep", leave=False, **self.options)

    def cell(self, report: CellReport) -> None:
        super().cell(report)
        self.cells.update(1)
        if self.failures:
            self.cells.set_postfix(failed=len(self.failures))

    def replicates(self, count: int) -> None:
        self.sims.update(count)

    def close(self) -> None:
        for bar in (self.sims, self.cells):
            if bar is not None:
                bar.close()


def as_progress(progress) -> GridProgress:
    """The :class:`GridProgress` for a grid function's ``progress=``."""
    if progress is None:
        return GridProgress()
    if progress is True:
        return ProgressBar()
    if isinstance(progress, GridProgress):
        return progress
    if callable(progress) and not isinstance(progress, bool):
        return _Replicates(progress)
    raise InvalidInputError("progress", f"must be None, True, a GridProgress or a function; "
                                        f"got {progress!r}")
