"""powerplan.limits holds each bound once: the modules that check a bound use that value."""

import ast
import importlib
import sys
from pathlib import Path

import pytest

from powerplan import limits

LIMITS_FILE = Path(limits.__file__)

#: Where each bound was defined before powerplan.limits, and is still importable from.
USED_BY = {
    "powerplan.design.scenario": ("MAX_COHORT", "MAX_N_COMPARISON", "MAX_COMPARISON_RATIO",
                                  "MIN_COMPARISON_RATIO"),
    "powerplan.design.simulation_settings": ("MAX_POOL", "MIN_POOL", "MAX_K",
                                             "MAX_OUTCOME_STRENGTH", "MAX_SELECTION",
                                             "SELECTION_SHARE_OF_LIMIT"),
    "powerplan.formulas.rate": ("METHODS", "ALTERNATIVES"),
    "powerplan.simulator.rate": ("TESTS",),
    "powerplan.simulator.engine": ("DEFAULT_SIMS", "MAX_SIMS", "MAX_WORKERS"),
    "powerplan.solvers.solve": ("UNKNOWNS", "DIRECTIONS", "ENGINES"),
    "powerplan.solvers.assurance": ("ENGINES",),
    "powerplan.solvers.simulated": ("DEFAULT_PRECISION", "DEFAULT_MAX_SIMS", "MIN_MAX_SIMS"),
    "powerplan.decisions.tables": ("DEFAULT_BASE_RATES", "DEFAULT_EFFECTS",
                                   "DEFAULT_RETENTIONS", "DEFAULT_COHORTS", "MAX_VALUES"),
    "powerplan.decisions.intake": ("MAX_PER_MONTH",),
    "powerplan.decisions.wait": ("DEFAULT_LAG_MONTHS", "MAX_LAG_MONTHS", "MAX_HORIZON_MONTHS"),
    "powerplan._dates": ("FIRST_YEAR", "LAST_YEAR"),
}


@pytest.mark.parametrize("module, name", [(m, n) for m, names in USED_BY.items() for n in names])
def test_a_module_uses_the_bound_in_limits(module, name):
    assert getattr(importlib.import_module(module), name) is getattr(limits, name)


def test_a_curve_varies_the_fields_in_limits():
    # powerplan.results is edited elsewhere, so it keeps its own copy for now: the same values.
    from powerplan.results.curves import FIELDS

    assert FIELDS == limits.FIELDS


def test_every_bound_has_a_comment():
    lines = LIMITS_FILE.read_text().splitlines()
    for node in ast.parse(LIMITS_FILE.read_text()).body:
        if isinstance(node, ast.Assign) and all(
                isinstance(t, (ast.Name, ast.Tuple)) for t in node.targets):
            assert lines[node.lineno - 2].startswith("#: "), lines[node.lineno - 1]


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, relative ones as ``.name``."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
    return found


def heavy_imports(path: Path) -> set[str]:
    """Modules outside the standard library that ``path`` imports, directly or through
    the powerplan modules beside it."""
    heavy = set()
    for module in imported_modules(path):
        if module.startswith("."):
            heavy |= heavy_imports(path.parent / f"{module.lstrip('.')}.py")
        elif module.split(".")[0] not in sys.stdlib_module_names | {"__future__"}:
            heavy.add(module)
    return heavy


def test_limits_is_pure_python():
    # The command line and the lowest layers import it, so it must not pull in numpy & co.
    assert heavy_imports(LIMITS_FILE) == set()


def test_heavy_imports_are_found():
    assert heavy_imports(LIMITS_FILE.parent / "_dates.py") == {"numpy", "pandas"}
