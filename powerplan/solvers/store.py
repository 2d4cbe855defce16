"""A results store: the finished cells of a grid, kept so that a second run skips them.

A grid of simulated solves can take hours; a crash, a killed job or a lost
laptop lid should not cost the cells already finished. :class:`ResultStore`
keeps each finished cell in one SQLite file, under a key that hashes
everything its answer depends on (see :func:`powerplan.solvers.grid.cell_key`):
the scenario, the engine's settings, the seed, the grid's own settings and
the version of powerplan. A second run with the same inputs reads those
cells back; changing any input changes the key, so a stale answer is never
read.

Why SQLite: it is in Python's standard library (no new dependency), one
file, and each cell is written in its own transaction, so a run killed
mid-write leaves every earlier cell intact and no half-written one.

Only the process that runs the grid (where the Dask client is) writes the
store: workers send their answers back, and the store stays on that
machine's disk.

The answers are kept as pickles, as :class:`joblib.Memory` keeps its cache:
the exact objects come back, so a resumed run's results equal an
uninterrupted run's. Open only a store you (or your own runs) wrote: a
pickle from elsewhere can run code when it is read.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import sqlite3
from pathlib import Path

from ..errors import InvalidInputError

#: The table's layout; ``inputs`` is the cell's own settings, as JSON, for a reader.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS cells (
    key TEXT PRIMARY KEY,
    grid TEXT NOT NULL,
    inputs TEXT NOT NULL,
    answer BLOB NOT NULL,
    written TEXT NOT NULL
)
"""

#: What :meth:`ResultStore.get` returns for a key it does not hold (None may be an answer).
MISSING = object()


class ResultStore:
    """Finished cells of grids, in one SQLite file at ``path`` (made if missing).

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "grid.sqlite")
    >>> store = ResultStore(path)
    >>> store.put("abc", 0.8, grid="example", inputs={"cohort": 300})
    >>> store.get("abc"), store.get("other") is MISSING, len(store)
    (0.8, True, 1)
    """

    def __init__(self, path: str | os.PathLike):
        if not isinstance(path, (str, os.PathLike)):
            raise InvalidInputError("store", f"must be a file path or a ResultStore; got {path!r}")
        self.path = Path(path)
        try:
            if self.path.is_dir():
                raise InvalidInputError("store", f"must be a file, not the folder {self.path}")
            if not self.path.parent.is_dir():
                raise InvalidInputError("store", f"cannot be made at {self.path}: there is no "
                                                 f"folder {self.path.parent}")
            with self._connect() as connection:
                connection.execute(_SCHEMA)
        except sqlite3.DatabaseError as error:
            raise InvalidInputError("store", f"{self.path} is not a results store "
                                             f"({error})") from None
        except OSError as error:  # a name too long for the file system
            raise InvalidInputError("store", f"cannot be made at {self.path}: "
                                             f"{error.strerror or error}") from None

    def _connect(self) -> sqlite3.Connection:
        # A connection per call: the store is used from one thread at a time, and
        # this keeps no file open between cells.
        return sqlite3.connect(self.path, timeout=60)

    def get(self, key: str):
        """The answer stored under ``key``, or :data:`MISSING`."""
        connection = self._connect()
        try:
            row = connection.execute("SELECT answer FROM cells WHERE key = ?", (key,)).fetchone()
        finally:
            connection.close()
        return MISSING if row is None else pickle.loads(row[0])

    def put(self, key: str, answer, *, grid: str, inputs: dict) -> None:
        """Keep ``answer`` under ``key``, in one transaction."""
        blob = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        written = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        connection = self._connect()
        try:
            with connection:
                connection.execute("INSERT OR REPLACE INTO cells VALUES (?, ?, ?, ?, ?)",
                                   (key, grid, json.dumps(inputs, default=repr), blob, written))
        finally:
            connection.close()

    def keys(self) -> set[str]:
        """The keys of every stored cell."""
        connection = self._connect()
        try:
            return {row[0] for row in connection.execute("SELECT key FROM cells")}
        finally:
            connection.close()

    def __len__(self) -> int:
        return len(self.keys())

    def __repr__(self) -> str:
        return f"ResultStore({str(self.path)!r})"


def as_store(store) -> ResultStore | None:
    """``store`` as a :class:`ResultStore`: None, a store, or a file path."""
    if store is None or isinstance(store, ResultStore):
        return store
    return ResultStore(store)
