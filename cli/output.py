"""Printing results: plain words first, or one JSON object."""

from __future__ import annotations

from typing import TYPE_CHECKING

import datetime as dt
import json
import math
from collections.abc import Mapping

import click

if TYPE_CHECKING:  # annotations only: pandas loads when a file is read
    import pandas as pd

from .params import STDOUT_TAKEN

#: Where the notes on a command's answer (cli.options.build_scenario's) wait to be printed
#: first, in click's context meta.
NOTES = "powerplan.notes"


def _finite(value):
    """``value`` as plain JSON values, however deeply nested: numpy's scalars and arrays
    as Python's numbers and lists, dates as ISO text, and every NaN or infinity (and
    pandas' missing values) as None (JSON has no NaN)."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(key): _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_finite(item) for item in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if type(value).__module__.split(".")[0] in ("numpy", "pandas"):
        if hasattr(value, "tolist"):  # a numpy scalar or array, a pandas series
            return _finite(value.tolist())
        if value != value or str(value) in ("<NA>", "NaT"):  # pandas' missing values
            return None
    return value  # json.dumps refuses anything else: a bug, reported as one


def to_json(payload: dict) -> str:
    """``payload`` as strict JSON: a number that is not finite is null (JSON has no NaN)."""
    return json.dumps(_finite(payload), indent=2, allow_nan=False)


def text_to_stderr() -> bool:
    """Whether an output option took standard output (``-``), so that the printed text
    goes to standard error and the output can be piped."""
    context = click.get_current_context(silent=True)
    return context is not None and context.meta.get(STDOUT_TAKEN) is not None


def emit(as_json: bool, payload: dict, text: str) -> None:
    """Print ``payload`` as JSON, or ``text`` after the notes on the scenario (the defaults
    it assumed, an effect that looks unmeant), on standard error when an output took
    standard output."""
    if not as_json:
        context = click.get_current_context(silent=True)
        notes = context.meta.get(NOTES, []) if context is not None else []
        from .options import as_options  # options imports this module

        text = as_options("\n".join([*notes, text]))
    click.echo(to_json(payload) if as_json else text, err=text_to_stderr())


def emit_result(as_json: bool, result, scenario=None) -> None:
    """Print a result: its ``to_dict()`` (with ``scenario``'s settings, if given)
    as JSON, or its summary in plain words and then its figures."""
    payload = result.to_dict()
    if scenario is not None:
        payload |= {"scenario": scenario.to_dict()}
    emit(as_json, payload, f"{result.summary()}\n\n{result}")


#: First characters that make a spreadsheet read a cell as a formula (and tab and
#: carriage return, which some spreadsheets strip before looking).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell (and column name) that a spreadsheet would run as a
    formula written with a leading apostrophe, which shows as text. Numbers stay numbers.

    >>> import pandas as pd
    >>> spreadsheet_safe(pd.DataFrame({"column": ["=HYPERLINK(1)", "Name"], "n": [-1, 2]}))
              column  n
    0  '=HYPERLINK(1)  -1
    1           Name  2
    """
    import pandas as pd

    def safe(value):
        return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) \
            else value

    out = frame.copy()
    for name in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[name]) or pd.api.types.is_bool_dtype(out[name])):
            out[name] = out[name].map(safe)
    out.columns = [safe(str(name)) for name in out.columns]
    return out
