"""Printing results: plain words first, or one JSON object."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping

import click
import pandas as pd


def _finite(value):
    """``value`` with every NaN or infinity, however deeply nested, made None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def to_json(payload: dict) -> str:
    """``payload`` as strict JSON: a number that is not finite is null (JSON has no NaN)."""
    return json.dumps(_finite(payload), indent=2, allow_nan=False)


def emit(as_json: bool, payload: dict, text: str) -> None:
    """Print ``payload`` as JSON, or ``text``."""
    click.echo(to_json(payload) if as_json else text)


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

    >>> spreadsheet_safe(pd.DataFrame({"column": ["=HYPERLINK(1)", "Name"], "n": [-1, 2]}))
              column  n
    0  '=HYPERLINK(1)  -1
    1           Name  2
    """
    def safe(value):
        return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) \
            else value

    out = frame.copy()
    for name in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[name]) or pd.api.types.is_bool_dtype(out[name])):
            out[name] = out[name].map(safe)
    out.columns = [safe(str(name)) for name in out.columns]
    return out
