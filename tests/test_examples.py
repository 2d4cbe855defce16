"""Every script in examples/ runs and writes the figures it reports."""

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.py"))
MAGIC = {".png": b"\x89PNG\r\n\x1a\n", ".pdf": b"%PDF", ".svg": b"<svg"}


def test_there_are_examples():
    assert {path.name for path in EXAMPLES} >= {
        "analyst_power_curves.py", "funnel_and_verdicts.py", "organisation_submit_or_wait.py",
        "commissioner_requirements.py", "published_result_revisited.py"}


@pytest.mark.parametrize("script", EXAMPLES, ids=[path.name for path in EXAMPLES])
def test_example_writes_its_figures(script, example_runs):
    done, outdir = example_runs[script.name]
    assert done.returncode == 0, done.stderr
    reported = [Path(line.removeprefix("wrote ")) for line in done.stdout.splitlines()
                if line.startswith("wrote ")]
    assert len(reported) >= 2
    assert sorted(reported) == sorted(outdir.iterdir())  # nothing else written
    for path in reported:
        data = path.read_bytes()
        assert len(data) > 1000
        magic = MAGIC[path.suffix]
        assert magic in data[:1000] if path.suffix == ".svg" else data.startswith(magic)


def test_example_without_outdir_prints_usage():
    done = subprocess.run([sys.executable, str(EXAMPLES[0])], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip() == f"usage: python examples/{EXAMPLES[0].name} OUTDIR"
