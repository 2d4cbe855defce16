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


EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.py"))


@pytest.fixture(scope="session")
def example_runs(tmp_path_factory):
    """Each example script run once, as a user would, without a display.

    Maps the script's name to (completed process, its output folder); the
    example and gallery tests share these runs.
    """
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    runs = {}
    for script in EXAMPLES:
        workdir = tmp_path_factory.mktemp(script.stem)
        outdir = workdir / "figures"
        done = subprocess.run([sys.executable, str(script), str(outdir)], cwd=workdir, env=env,
                              capture_output=True, text=True, timeout=300)
        runs[script.name] = (done, outdir)
    return runs
