"""Grids on the command line: --dask, --scheduler, --store, the cells' bar and summary.

Shared by ``table``, ``curve`` and ``portfolio`` with ``--engine simulate``:
their cells (table cells, curve values, services) run in this process, on a
local Dask cluster (``--dask``, its size from ``--workers``) or on a running
one (``--scheduler ADDRESS``); with ``--store FILE`` each finished cell is
kept, and a second run with the same options reads it back.
"""

from __future__ import annotations

import sys
import time
from contextlib import ExitStack, contextmanager

import click

import powerplan
from powerplan.errors import InvalidInputError

from .params import OutputFile

#: The grid options, by parameter name, as the command line spells them.
GRID_OPTIONS = {"dask": "--dask", "scheduler": "--scheduler", "store": "--store"}
#: A run shows its bar once it has taken this long (seconds), as the simulator's does.
PROGRESS_AFTER = 1.0


def grid_options(command):
    """Add --dask, --scheduler and --store to a command."""
    options = [
        click.option("--dask", is_flag=True,
                     help="With --engine simulate: run the cells on a local Dask cluster "
                          "(127.0.0.1 only) of --workers processes [default: one per core]. "
                          "Needs pip install 'powerplan[dask]'."),
        click.option("--scheduler", metavar="ADDRESS",
                     help="With --engine simulate: run the cells on the Dask cluster whose "
                          "scheduler is at ADDRESS (tcp://host:8786); its workers need the "
                          "same powerplan version. See docs/dask.md."),
        click.option("--store", type=OutputFile(), metavar="FILE",
                     help="With --engine simulate and --seed: keep each finished cell in this "
                          "results store (SQLite); a second run with the same options reads "
                          "the cells back and runs only the rest."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def split_grid(options: dict, engine: str) -> dict:
    """Take the grid options out of ``options``; refused with the analytic engine."""
    grid = {key: options.pop(key) for key in GRID_OPTIONS}
    if engine == "analytic":
        for key, value in grid.items():
            if value:
                raise click.UsageError(f"{GRID_OPTIONS[key]} applies to the simulator; add "
                                       f"--engine simulate")
    if grid["dask"] and grid["scheduler"] is not None:
        raise click.UsageError("give either --dask (a local cluster) or --scheduler (a running "
                               "one), not both")
    return grid


class CellBar(powerplan.GridProgress):
    """The cells' progress bar on ``stream`` (with the studies simulated so far), shown
    only on a terminal and once a run has taken a second."""

    def __init__(self, stream=None, clock=time.monotonic):
        super().__init__()
        self.stream = sys.stderr if stream is None else stream
        self.clock = clock
        self.started = clock()
        self.studies = 0
        self.bar = None

    def _text(self, _item=None) -> str:
        return f"{self.studies:,} studies simulated" if self.studies else ""

    def _show(self, step: int) -> None:
        if self.bar is None:
            if self.clock() - self.started < PROGRESS_AFTER or not self.stream.isatty():
                return
            self.bar = click.progressbar(length=self.total, label="Cells", file=self.stream,
                                         show_eta=True, item_show_func=self._text)
            self.bar.__enter__()
            self.bar.update(self.stored + self.computed + len(self.failures))
        else:
            self.bar.update(step)

    def cell(self, report) -> None:
        super().cell(report)
        self._show(1)

    def replicates(self, count: int) -> None:
        self.studies += count
        self._show(0)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@contextmanager
def grid_run(grid: dict, workers: int | None, quiet: bool):
    """The library keywords of a grid run: ``client``, ``store``, ``progress`` and the
    ``workers`` of each cell's simulator (one on a cluster, which is the parallelism).

    A context manager: a local cluster started here is shut down when the
    block ends, however it ends. After a run on a cluster or with a store,
    or one where a cell failed, a summary of the cells goes to stderr.
    """
    bar = CellBar()
    distributed = grid["dask"] or grid["scheduler"] is not None
    with _client(grid, workers) as client:
        keywords = {"client": client, "store": grid["store"], "progress": bar,
                    "workers": 1 if distributed else workers or 1}
        try:
            yield keywords
        except powerplan.GridError as error:
            bar.close()
            _summary(bar)
            raise click.ClickException(str(error)) from None
        except InvalidInputError as error:
            if error.field == "client":
                raise click.BadParameter(error.requirement,
                                         param_hint=f"'{_option(grid)}'") from None
            if error.field == "store":
                raise click.BadParameter(error.requirement, param_hint="'--store'") from None
            raise
        finally:
            bar.close()
    if bar.failures or ((distributed or grid["store"] is not None) and not quiet):
        _summary(bar)


def _option(grid: dict) -> str:
    return "--dask" if grid["dask"] else "--scheduler"


def _summary(bar: CellBar) -> None:
    click.echo(bar.summary() + ".", err=True)
    for report in bar.failures:
        click.echo(f"  failed: {report.describe()}", err=True)


@contextmanager
def _client(grid: dict, workers: int | None):
    """None, or a client of the local cluster (--dask) or of the one at --scheduler."""
    if not (grid["dask"] or grid["scheduler"] is not None):
        yield None
        return
    if grid["scheduler"] is not None and workers is not None:
        raise click.UsageError("--workers sets the size of the local cluster of --dask; the "
                               "cluster at --scheduler has its own workers")
    with ExitStack() as stack:
        try:
            client = stack.enter_context(powerplan.dask_client(
                grid["scheduler"], workers=workers if grid["dask"] else None))
        except InvalidInputError as error:
            raise click.UsageError(f"{_option(grid)} {error.requirement}") from None
        except OSError as error:
            raise click.BadParameter(f"cannot reach a scheduler at {grid['scheduler']}: "
                                     f"{error}", param_hint="'--scheduler'") from None
        yield client
