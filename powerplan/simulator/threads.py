"""The simulator's BLAS threads and worker processes: never more than the cores.

A replicate block's matrix products are small (16 studies by a few thousand
covariate patterns), and a multi-threaded BLAS library spends longer waking
and synchronising its threads than computing them: with OpenBLAS's default
threads a simulation ran 2.2 times slower than on one thread. So the
simulator runs its own work on one BLAS thread, whatever the user's
``OPENBLAS_NUM_THREADS``, ``OMP_NUM_THREADS`` or ``MKL_NUM_THREADS``, and
restores their setting when it returns (threadpoolctl changes the limit of
the libraries already loaded, and changes it back). Parallel work is done by
worker processes instead, at most one per core, each on one BLAS thread, so
workers x BLAS threads never exceeds the cores.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os


def cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def worker_processes(workers: int, chunks: int) -> int:
    """Worker processes to start for ``workers`` asked and ``chunks`` to run: no more
    than the cores (results do not depend on the number of workers)."""
    return max(1, min(workers, chunks, cores()))


#: Whether this thread is inside :func:`one_blas_thread` already.
_LIMITED = contextvars.ContextVar("one_blas_thread", default=False)


@contextlib.contextmanager
def one_blas_thread():
    """Run the block on one BLAS thread; the previous limits are restored after it.

    Nested blocks (a simulation's steps inside the simulation) keep the outer
    block's limit instead of asking threadpoolctl again, which looks up the
    loaded libraries each time (about 3 ms)."""
    if _LIMITED.get():
        yield
        return
    from threadpoolctl import threadpool_limits

    token = _LIMITED.set(True)
    try:
        with threadpool_limits(limits=1, user_api="blas"):
            yield
    finally:
        _LIMITED.reset(token)


def on_one_blas_thread(function):
    """``function`` run inside :func:`one_blas_thread`."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with one_blas_thread():
            return function(*args, **kwargs)
    return wrapper


def limit_this_process() -> None:
    """One BLAS thread for the rest of this process's life (a worker's initializer)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
