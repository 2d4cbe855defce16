"""Dask, the optional engine for grids: finding it, checking a client, starting one.

Dask is an optional extra (``pip install 'powerplan[dask]'``), imported
only here and only when a grid is given a client, so ``import powerplan``
never loads it.
"""

from __future__ import annotations

import functools
import importlib.metadata
import logging
from contextlib import contextmanager

from .. import _validate
from ..errors import InvalidInputError
from ..limits import MAX_WORKERS

#: How to get Dask, as the messages say it.
INSTALL = "pip install 'powerplan[dask]'"
#: Where a local cluster listens: this machine only.
LOCAL_HOST = "127.0.0.1"


def distributed_module(field: str = "client"):
    """``dask.distributed``, or an error naming ``field`` that says how to install it."""
    try:
        import distributed
    except ImportError:
        raise InvalidInputError(field, f"needs Dask (dask.distributed), which is not "
                                       f"installed; install it with {INSTALL}") from None
    return distributed


def check_client(client):
    """``client`` if it is a ``dask.distributed.Client`` whose workers run this powerplan."""
    distributed = distributed_module()
    if not isinstance(client, distributed.Client):
        raise InvalidInputError("client", f"must be a dask.distributed Client; got {client!r}")
    check_workers(client)
    return client


@functools.cache
def powerplan_version() -> str:
    """The version of powerplan installed here (run on each worker to compare)."""
    return importlib.metadata.version("powerplan")


def check_workers(client) -> None:
    """Refuse a cluster whose workers cannot import powerplan or run another version of it:
    their answers would not be this version's."""
    here = powerplan_version()
    try:
        versions = client.run(powerplan_version)
    except ImportError as error:
        raise InvalidInputError("client", f"has a worker that cannot import powerplan "
                                          f"({error}); install powerplan {here} on every "
                                          f"worker") from None
    other = {worker: version for worker, version in versions.items() if version != here}
    if other:
        worker, version = sorted(other.items())[0]
        raise InvalidInputError("client", f"has a worker ({worker}) running powerplan "
                                          f"{version}, not {here} as here; install the same "
                                          f"version on every worker")


@contextmanager
def dask_client(scheduler: str | None = None, *, workers: int | None = None,
                processes: bool = True):
    """A ``dask.distributed.Client``, closed (with its local cluster) when the block ends.

    Parameters
    ----------
    scheduler : str, optional
        The address of a running cluster's scheduler, such as
        ``"tcp://10.0.0.5:8786"``. Without it a ``LocalCluster`` is started
        on 127.0.0.1 (nothing listens on other addresses; no dashboard).
    workers : int, optional
        For a local cluster: its workers (each of one thread), 1 to 256;
        by default Dask's choice (one per core).
    processes : bool
        For a local cluster: workers in processes (True, the default), or
        threads of this process.

    Raises
    ------
    InvalidInputError
        Dask is not installed (the message says how to install it), or
        ``workers`` is given with a scheduler (its cluster has its own).
    """
    distributed = distributed_module("scheduler" if scheduler is not None else "client")
    if scheduler is not None:
        if workers is not None:
            raise InvalidInputError("workers", "sets a local cluster's size; the cluster at "
                                               "the scheduler has its own workers")
        with distributed.Client(scheduler) as client:
            yield client
        return
    if workers is not None:
        workers = _validate.integer("workers", workers, 1, MAX_WORKERS)
    # TCP on 127.0.0.1 for threads too: their default, in-process transport still opens
    # its HTTP server and workers' ports on every address. The scheduler's HTTP server
    # (health and metrics, no dashboard) takes any free port, not 8787, which another
    # cluster on this machine may hold.
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                                  protocol="tcp://", host=LOCAL_HOST, dashboard_address=None,
                                  scheduler_kwargs={"dashboard_address": f"{LOCAL_HOST}:0"},
                                  silence_logs=logging.ERROR) as cluster:
        with distributed.Client(cluster) as client:
            yield client
