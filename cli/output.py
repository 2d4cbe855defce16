"""Printing results: plain words first, or one JSON object."""

from __future__ import annotations

import json

import click


def emit(as_json: bool, payload: dict, text: str) -> None:
    """Print ``payload`` as JSON, or ``text``."""
    if as_json:
        click.echo(json.dumps(payload, indent=2))
    else:
        click.echo(text)


