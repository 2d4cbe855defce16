"""The example files under docs/examples/ are what their scripts write."""

import importlib.util
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"


def load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_people_csv_is_what_make_people_writes(tmp_path):
    written = tmp_path / "people.csv"
    load("make_people").write(written)
    assert written.read_bytes() == (EXAMPLES / "people.csv").read_bytes()


def test_people_csv_is_an_excel_export_of_140_people():
    data = (EXAMPLES / "people.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfClient Ref,Forename,") and b"\r\n" in data
    assert data.count(b"\r\n") == 141
