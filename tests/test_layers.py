"""What the plotting and results layers may import: arrows only point down.

Plotting draws results and imports nothing that computes them; results do
not import plotting or the solvers when their module is loaded (their
``.plot()`` and ``.solve()`` import what they call when they are called).
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "powerplan"

#: What a plotting module may import: drawing, arrays, and the words and checks it shares
#: (the limits, and the outcomes for the registry of settings: values, nothing that computes).
PLOTTING_MAY_IMPORT = ("__future__", "os", "sys", "numpy", "matplotlib", "powerplan._format",
                       "powerplan._validate", "powerplan.errors", "powerplan.plotting",
                       "powerplan.limits", "powerplan.outcomes")


def imports(path: Path, top_level_only: bool = False) -> list[tuple[int, str]]:
    """(line, absolute module name) of each import in ``path``, inside functions too
    unless ``top_level_only``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    # A module's package, and an __init__'s, is the folder it is in.
    package = ".".join(path.relative_to(PACKAGE.parent).parts[:-1])
    nodes = tree.body if top_level_only else ast.walk(tree)
    found = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            parts = package.split(".")
            base = ".".join(parts[:len(parts) - node.level + 1]) if node.level else ""
            if node.module is None:  # from .. import _format: the names are modules
                found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, f"{base}.{node.module}" if base else node.module))
    return found


def within(module: str, allowed) -> bool:
    return any(module == name or module.startswith(name + ".") for name in allowed)


@pytest.mark.parametrize("path", sorted((PACKAGE / "plotting").glob("*.py")),
                         ids=lambda path: path.name)
def test_plotting_imports_nothing_that_computes(path):
    refused = [f"line {line}: {module}" for line, module in imports(path)
               if not within(module, PLOTTING_MAY_IMPORT)]
    assert refused == []


@pytest.mark.parametrize("path", sorted((PACKAGE / "results").glob("*.py")),
                         ids=lambda path: path.name)
def test_results_load_without_plotting_or_solvers(path):
    refused = [f"line {line}: {module}" for line, module in imports(path, top_level_only=True)
               if within(module, ("powerplan.plotting", "powerplan.solvers", "matplotlib"))]
    assert refused == []


def test_relative_imports_are_resolved_from_the_module_s_package():
    study = {module for _, module in imports(PACKAGE / "plotting" / "study.py")}
    assert {"powerplan._format", "powerplan.errors", "powerplan.plotting._style"} <= study
    package = {module for _, module in imports(PACKAGE / "plotting" / "__init__.py")}
    assert "powerplan.plotting.curves" in package


def test_importing_powerplan_loads_neither_plotting_nor_matplotlib():
    code = ("import sys, powerplan\n"
            "print(sorted(m for m in sys.modules\n"
            "             if m.split('.')[0] == 'matplotlib' or m.startswith('powerplan.plot')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
