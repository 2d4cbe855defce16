import dataclasses
import sys
from pathlib import Path

import pandas as pd
import pytest

from powerplan import PowerResult

REFERENCE = Path(__file__).parent / "reference"


def reference_rows(name):
    """Rows of a reference CSV as dicts, for parametrisation."""
    return pd.read_csv(REFERENCE / name).to_dict("records")


@pytest.fixture
def runner():
    from click.testing import CliRunner

    return CliRunner()


@pytest.fixture(autouse=True)
def _close_figures():
    """Close the figures a test opened through pyplot, so they do not pile up."""
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@dataclasses.dataclass(frozen=True)
class IntervalResult(PowerResult):
    """Stands in for a simulated result: a PowerResult with a Monte Carlo interval."""

    ci_low: float = 0.0
    ci_high: float = 1.0


def with_intervals(curve, half_width=0.03):
    """``curve`` with each result given an interval ``power -+ half_width`` (clipped)."""
    results = tuple(
        IntervalResult(**{f.name: getattr(r, f.name) for f in dataclasses.fields(r)},
                       ci_low=max(0.0, r.power - half_width), ci_high=min(1.0, r.power + half_width))
        for r in curve.results)
    return dataclasses.replace(curve, results=results)
