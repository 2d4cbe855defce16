"""What a plain ``pip install .`` ships: every package of the library and the CLI.

The tests import ``powerplan`` from the checkout, so a subpackage missing from
pyproject.toml would pass them all and still break an installed copy.
"""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def packages_under(folder: Path, name: str) -> set[str]:
    """Dotted names of the packages in ``folder``, installed as ``name``."""
    return {".".join((name, *init.parent.relative_to(folder).parts))
            for init in folder.rglob("__init__.py")}


def test_every_package_is_installed():
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = packages_under(ROOT / "powerplan", "powerplan") | packages_under(ROOT / "cli",
                                                                             "powerplan_cli")
    assert {"powerplan.design", "powerplan_cli"} <= found
    assert set(settings["packages"]) == found


def test_the_package_says_its_licence_and_ships_its_types():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["license"] == "MIT"  # an SPDX expression (PEP 639)
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert "Typing :: Typed" in project["project"]["classifiers"]
    assert project["tool"]["setuptools"]["package-data"]["powerplan"] == ["py.typed"]
    assert (ROOT / "powerplan" / "py.typed").exists()
