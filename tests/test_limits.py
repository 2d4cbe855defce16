"""powerplan.limits holds each bound once, and the library checks settings as it does."""

import ast
import datetime as dt
import importlib
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from powerplan import limits

LIMITS_FILE = Path(limits.__file__)

#: Where each bound was defined before powerplan.limits, and is still importable from.
USED_BY = {
    "powerplan.design.simulation_settings": ("MAX_POOL", "MIN_POOL", "MAX_K",
                                             "MAX_OUTCOME_STRENGTH", "MAX_SELECTION",
                                             "SELECTION_SHARE_OF_LIMIT"),
    "powerplan.formulas.rate": ("METHODS", "ALTERNATIVES"),
    "powerplan.outcomes.rate": ("METHODS",),
    "powerplan.design.scenario": ("MAX_COHORT", "MAX_N_COMPARISON", "MAX_COMPARISON_RATIO",
                                  "MIN_COMPARISON_RATIO", "ALTERNATIVES"),
    "powerplan.simulator.rate": ("TESTS",),
    "powerplan.simulator.replicate": ("BLOCK",),
    "powerplan.engines": ("ENGINES", "DEFAULT_SIMS", "MAX_SIMS", "MAX_WORKERS", "BLOCK",
                          "DEFAULT_PRECISION", "DEFAULT_MAX_SIMS", "MIN_MAX_SIMS"),
    "powerplan.solvers.solve": ("UNKNOWNS", "DIRECTIONS"),
    "powerplan.solvers.simulated": ("DEFAULT_PRECISION",),
    "powerplan.results.curves": ("FIELDS",),
    "powerplan.decisions.tables": ("DEFAULT_BASE_RATES", "DEFAULT_EFFECTS",
                                   "DEFAULT_RETENTIONS", "DEFAULT_COHORTS", "MAX_VALUES"),
    "powerplan.decisions.intake": ("MAX_PER_MONTH",),
    "powerplan.decisions.wait": ("DEFAULT_LAG_MONTHS", "MAX_LAG_MONTHS", "MAX_HORIZON_MONTHS"),
    "powerplan._dates": ("FIRST_YEAR", "LAST_YEAR"),
}


@pytest.mark.parametrize("module, name", [(m, n) for m, names in USED_BY.items() for n in names])
def test_a_module_uses_the_bound_in_limits(module, name):
    assert getattr(importlib.import_module(module), name) is getattr(limits, name)


def test_every_bound_has_a_comment():
    lines = LIMITS_FILE.read_text().splitlines()
    for node in ast.parse(LIMITS_FILE.read_text()).body:
        public = isinstance(node, ast.Assign) and not lines[node.lineno - 1].startswith("_")
        if public:
            assert lines[node.lineno - 2].startswith("#: "), lines[node.lineno - 1]


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, relative ones as ``.name``."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module is None:  # from . import x
            found |= {"." * node.level + alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add("." * node.level + node.module)
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


def test_a_table_refuses_values_it_could_not_tell_apart():
    limits.check_distinct("base rates", (0.3, 0.3001))
    with pytest.raises(limits.InvalidInputError, match="base rates must be distinct; got 0.3 twice"):
        limits.check_distinct("base rates", (0.1 + 0.2, 0.3))


@given(st.floats(-1, 1), st.floats(-1e-8, 1e-8))
def test_distinct_values_are_the_cells_a_table_tells_apart(value, step):
    # check_distinct is pure Python; a table looks its cells up with numpy
    from powerplan.decisions.tables import _same

    other = value + step
    try:
        limits.check_distinct("values", (other, value))
        distinct = True
    except limits.InvalidInputError:
        distinct = False
    assert distinct is not bool(_same(value, other))  # the later value against the earlier


@pytest.mark.parametrize("value, message", [
    (pd.NaT, "now must be a month YYYY-MM; got NaT"),
    (dt.datetime(2024, 5, 17, 13), None),
    ("1899-12", "now must be in the years 1900 to 2199; got 1899-12"),
])
def test_the_library_reads_months_as_limits_does(value, message):
    # powerplan._dates reads numpy and pandas dates, then checks as limits.month does
    from powerplan import _dates

    if message is None:
        assert _dates.month("now", value) == dt.date(2024, 5, 1)
        with pytest.raises(limits.InvalidInputError, match="must be a month YYYY-MM"):
            limits.month("now", value)  # a datetime is for the library to read
    else:
        for check in (_dates.month, limits.month):
            with pytest.raises(limits.InvalidInputError) as error:
                check("now", value)
            assert str(error.value) == message
