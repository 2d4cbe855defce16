from pathlib import Path

import pandas as pd
import pytest

REFERENCE = Path(__file__).parent / "reference"


def reference_rows(name):
    """Rows of a reference CSV as dicts, for parametrisation."""
    return pd.read_csv(REFERENCE / name).to_dict("records")


@pytest.fixture
def runner():
    from click.testing import CliRunner

    return CliRunner()
