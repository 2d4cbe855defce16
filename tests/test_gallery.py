"""The gallery: every figure docs/gallery.md shows is committed, and the examples make it."""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "gallery.md"
GALLERY = ROOT / "docs" / "gallery"
IMAGE = re.compile(r"!\[[^\]]+\]\(gallery/([^)]+)\)")
EXAMPLE = re.compile(r"`examples/(\w+\.py)`")
PNG = b"\x89PNG\r\n\x1a\n"


def shown_by_section() -> dict[str, list[str]]:
    """For each section of the page, the one example it names: the figures it shows."""
    sections = {}
    for section in PAGE.read_text().split("\n## ")[1:]:
        (script,) = set(EXAMPLE.findall(section))
        sections[script] = IMAGE.findall(section)
    return sections


def test_every_figure_shown_is_committed_and_every_committed_figure_shown():
    shown = [name for names in shown_by_section().values() for name in names]
    assert len(shown) == len(set(shown)) >= 10
    assert sorted(shown) == sorted(path.name for path in GALLERY.glob("*.png"))
    assert IMAGE.findall(PAGE.read_text()) == shown  # no figure outside a section


def test_every_example_has_a_section():
    examples = {path.name for path in (ROOT / "examples").glob("*.py")}
    assert set(shown_by_section()) == examples


def test_make_gallery_makes_each_figure_from_the_example_its_section_names(
        tmp_path, example_runs, monkeypatch, capsys):
    # make_gallery runs each example and keeps its PNGs; reuse the runs the
    # example tests already made rather than running every example again.
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        import make_gallery
    finally:
        sys.path.pop(0)

    def already_run(script, outdir):
        done, figures = example_runs[script.name]
        assert done.returncode == 0, done.stderr
        return sorted(figures.glob("*.png"))

    monkeypatch.setattr(make_gallery, "run_example", already_run)
    make_gallery.main(tmp_path)
    printed = capsys.readouterr().out.splitlines()
    made = dict(re.fullmatch(r"wrote .*/(\S+\.png) \(from (\S+\.py)\)", line).groups()
                for line in printed)
    assert made == {name: script for script, names in shown_by_section().items()
                    for name in names}
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(made)
    for path in tmp_path.iterdir():
        data = path.read_bytes()
        assert data.startswith(PNG) and len(data) > 1000
