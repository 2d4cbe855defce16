"""Make the gallery: run every example and keep the figures it writes.

    python docs/make_gallery.py [OUTDIR]

Runs each script in examples/ as a user would (``python examples/x.py
DIR``, into a temporary DIR) and copies the PNG figures it writes into
OUTDIR, docs/gallery by default, under the names the example gave them.
docs/gallery.md shows them; the test suite runs this script into a
temporary folder and checks that it makes every figure the page shows.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


def run_example(script: Path, outdir: Path) -> list[Path]:
    """The PNG figures ``script`` writes into ``outdir``."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run([sys.executable, str(script), str(outdir)], env=env,
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        sys.exit(f"{script.name} failed:\n{done.stderr}")
    return sorted(outdir.glob("*.png"))


def main(outdir: Path) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    made = {}
    for script in EXAMPLES:
        with tempfile.TemporaryDirectory() as scratch:
            for figure in run_example(script, Path(scratch)):
                if figure.name in made:
                    sys.exit(f"{script.name} and {made[figure.name]} both write {figure.name}")
                made[figure.name] = script.name
                shutil.copyfile(figure, outdir / figure.name)
                print(f"wrote {outdir / figure.name} (from {script.name})")


if __name__ == "__main__":
    if len(sys.argv) > 2:
        sys.exit("usage: python docs/make_gallery.py [OUTDIR]")
    main(Path(sys.argv[1]) if len(sys.argv) == 2 else ROOT / "docs" / "gallery")
