"""Printing results: plain words first, or one JSON object."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping

import click


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
