"""The command line uses only powerplan's public API.

Every module under cli/ is parsed, and every import in it (inside
functions too) may name only the public modules below, and from the
package itself only names it exports; ``powerplan.X`` attributes are held
to the same.
"""

import ast
from pathlib import Path

import pytest

import powerplan

CLI = Path(__file__).resolve().parent.parent / "cli"
#: The powerplan modules the command line may import.
PUBLIC_MODULES = {"powerplan", "powerplan.errors", "powerplan.limits", "powerplan.plotting"}
#: Names ``from powerplan import ...`` may take: its exports and its public modules.
PUBLIC_NAMES = set(powerplan.__all__) | {"__version__"} | {
    module.removeprefix("powerplan.") for module in PUBLIC_MODULES - {"powerplan"}}


def private_uses(source: str) -> list[str]:
    """Each use in ``source`` of a part of powerplan outside its public API, as written."""
    found = []
    tree = ast.parse(source)
    names = set()  # what `import powerplan [as name]` binds
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] != "powerplan":
                    continue
                if alias.name not in PUBLIC_MODULES:
                    found.append(f"import {alias.name}")
                elif alias.name == "powerplan":
                    names.add(alias.asname or "powerplan")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] != "powerplan":
                continue
            if node.module not in PUBLIC_MODULES:
                found.append(f"from {node.module} import ...")
            elif node.module == "powerplan":
                found += [f"from powerplan import {alias.name}" for alias in node.names
                          if alias.name not in PUBLIC_NAMES]
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in names and node.attr not in PUBLIC_NAMES):
            found.append(f"{node.value.id}.{node.attr}")
    return found


MODULES = sorted(CLI.rglob("*.py"))


def test_every_command_module_is_checked():
    assert {"main.py", "options.py", "params.py", "curve.py", "plan.py", "wait.py"} <= {
        path.name for path in MODULES}


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(CLI)) for p in MODULES])
def test_cli_module_uses_only_the_public_api(path):
    assert private_uses(path.read_text()) == []


@pytest.mark.parametrize("source, uses", [
    ("import powerplan\nfrom powerplan import Scenario, limits, plotting\n"
     "from powerplan.errors import InvalidInputError\nfrom powerplan.limits import MAX_K\n"
     "powerplan.solve(powerplan.Scenario())", []),
    ("from powerplan import _validate", ["from powerplan import _validate"]),
    ("from powerplan import tables", ["from powerplan import tables"]),
    ("def f():\n    from powerplan.design.funnel import Funnel\n",
     ["from powerplan.design.funnel import ..."]),
    ("import powerplan.solvers.sweep", ["import powerplan.solvers.sweep"]),
    ("import powerplan as pp\npp._dates.month('now', '2024-01')", ["pp._dates"]),
    ("import powerplan\npowerplan.decisions.tables.check_count", ["powerplan.decisions"]),
    ("from . import figures\nfrom .options import build_scenario\nimport click", []),
])
def test_private_uses_are_found(source, uses):
    assert private_uses(source) == uses
