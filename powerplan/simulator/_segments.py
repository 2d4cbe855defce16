"""Sums over the rows of each study, for arrays stacked study after study."""

from __future__ import annotations

import numpy as np


def segment_sums(values: np.ndarray, rows: np.ndarray, n_rows: int) -> np.ndarray:
    """Column sums of ``values`` for each study (``rows`` ascending).

    A study's rows are added one after another, so its sums never depend on
    the other studies stacked with it.

    >>> segment_sums(np.array([[1.0], [2.0], [4.0]]), np.array([0, 0, 2]), 3).ravel()
    array([3., 0., 4.])
    """
    values = np.asarray(values, dtype=float)
    out = np.zeros((n_rows,) + values.shape[1:])
    if len(rows):
        starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        out[rows[starts]] = np.add.reduceat(values, starts, axis=0)
    return out
