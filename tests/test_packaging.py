"""The installed packages are the folders of the source tree.

A plain ``pip install .`` (as CI runs) copies only the packages that
pyproject.toml lists, so a subpackage missing from the list installs a
library that fails on import; an editable install hides the mistake.
"""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def folder(package: str) -> Path:
    """The folder ``package`` is installed from, by the package-dir mapping."""
    parts = package.split(".")
    for end in range(len(parts), 0, -1):
        mapped = SETUPTOOLS["package-dir"].get(".".join(parts[:end]))
        if mapped is not None:
            return ROOT / mapped / Path(*parts[end:])
    return ROOT / Path(*parts)


def packages_on_disk(top: str) -> set[str]:
    """``top`` and every folder below it holding an ``__init__.py``, as package names."""
    base = folder(top)
    return {".".join((top, *init.parent.relative_to(base).parts))
            for init in base.rglob("__init__.py")}


def test_every_package_folder_is_installed():
    listed = set(SETUPTOOLS["packages"])
    on_disk = packages_on_disk("powerplan") | packages_on_disk("powerplan_cli")
    assert on_disk - listed == set(), "add these to [tool.setuptools] packages"
    assert listed - on_disk == set(), "these listed packages have no folder"


def test_the_library_has_subpackages_to_find():
    # Guards the test above against a mapping that finds nothing below the top.
    assert {"powerplan.design", "powerplan.solvers"} <= packages_on_disk("powerplan")
