"""The package's imports form layers: no cycle, and arrows only point down.

Every import in every module of ``powerplan`` counts, those inside functions
too (a lazy import is still a dependency), so the layers stay true.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "powerplan"

#: The layers, lowest first: a module may import its own layer and those below.
#: powerplan/__init__ (the public face) stands above them all.
LAYERS = (
    ("powerplan.errors", "powerplan._validate", "powerplan._format", "powerplan._dates",
     "powerplan._roots", "powerplan.limits"),
    ("powerplan.design", "powerplan.outcomes"),
    ("powerplan.results",),
    ("powerplan.formulas", "powerplan.simulator"),
    ("powerplan.engines",),
    ("powerplan.solvers",),
    ("powerplan.decisions",),
    ("powerplan.report",),
)
#: Plotting draws results and imports nothing that computes: the lowest two layers only.
PLOTTING_MAY_IMPORT = LAYERS[0] + LAYERS[1]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """The powerplan modules ``path`` imports anywhere in it (functions included)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            parts = package.split(".")
            base = ".".join(parts[:len(parts) - node.level + 1]) if node.level else ""
            module = ".".join(filter(None, (base, node.module)))
            for alias in node.names:  # `from . import rate` imports a module
                candidate = f"{module}.{alias.name}"
                found.add(candidate if _exists(candidate) else module)
    return {name for name in found if name == "powerplan" or name.startswith("powerplan.")}


def _exists(module: str) -> bool:
    path = PACKAGE.parent / Path(*module.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}
GRAPH = {name: imported(path) - {name} for name, path in MODULES.items()}


def layer(module: str) -> int | None:
    for index, names in enumerate(LAYERS):
        if any(module == name or module.startswith(name + ".") for name in names):
            return index
    return None


def test_every_module_has_a_layer():
    unplaced = [name for name in MODULES if layer(name) is None
                and name not in ("powerplan", "powerplan.__main__")  # the faces of the package
                and not name.startswith("powerplan.plotting")]
    assert unplaced == []


def test_the_imports_have_no_cycle():
    # Depth-first search for a back edge; the cycle found is reported in full.
    state, stack, cycles = {}, [], []

    def visit(name):
        state[name] = "open"
        stack.append(name)
        for target in sorted(GRAPH.get(name, ())):
            if target not in GRAPH:
                continue
            if state.get(target) == "open":
                cycles.append(stack[stack.index(target):] + [target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[name] = "done"

    for name in sorted(GRAPH):
        if name not in state:
            visit(name)
    assert cycles == []


@pytest.mark.parametrize("name", sorted(n for n in MODULES if layer(n) is not None))
def test_arrows_only_point_down(name):
    upward = sorted(target for target in GRAPH[name]
                    if target == "powerplan" or (layer(target) is not None
                                                 and layer(target) > layer(name))
                    or target.startswith("powerplan.plotting") and not name.startswith(
                        ("powerplan.results", "powerplan.decisions", "powerplan.solvers",
                         "powerplan.report")))
    assert upward == []


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.startswith("powerplan.plotting")))
def test_plotting_imports_nothing_that_computes(name):
    refused = sorted(target for target in GRAPH[name]
                     if not target.startswith("powerplan.plotting")
                     and not any(target == allowed or target.startswith(allowed + ".")
                                 for allowed in PLOTTING_MAY_IMPORT))
    assert refused == []


def test_import_powerplan_stays_light():
    heavy = ("statsmodels", "matplotlib", "scipy", "pandas", "dask", "distributed", "tqdm",
             "powerplan.simulator", "powerplan.plotting", "powerplan.solvers")
    code = ("import sys, powerplan; "
            f"print(sorted({{m.split('.')[0] if not m.startswith('powerplan') else m "
            f"for m in sys.modules if m.startswith({heavy!r})}}))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"


def test_analytic_power_loads_neither_scipy_stats_nor_optimize():
    """The analytic engine calls scipy.special; scipy.stats (0.2 s to import) and
    scipy.optimize (0.14 s) would add to every command's start-up (issue 16's table in a
    second). The root finder is loaded when a solver first needs it."""
    code = ("import sys\n"
            "from powerplan import Scenario, analytic\n"
            "from powerplan.design.priors import NormalPrior\n"
            "analytic(Scenario()); analytic(Scenario(method='wald', cohort=20000))\n"
            "NormalPrior(-0.03, 0.02).nodes(Scenario().outcome)\n"
            "print(sorted(m for m in ('scipy.stats', 'scipy.optimize', 'statsmodels') "
            "if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"


def test_the_architecture_page_names_every_layer():
    page = (PACKAGE.parent / "docs" / "architecture.md").read_text()
    folders = sorted(path.parent.name for path in PACKAGE.glob("*/__init__.py"))
    assert folders and all(f"{folder}/" in page for folder in folders)
