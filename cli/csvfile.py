"""Reading a small CSV file a user wrote, with every problem one line naming the file."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import click

from .files import read_bounded
from .params import StandardInput


def problem(path: Path, option: str):
    """A function making the error for a problem with ``path``, given as ``option``."""
    return lambda message: click.BadParameter(f"{path}: {message}", param_hint=f"'{option}'")


def read_rows(path: Path, bad, needs: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The first row's cells, stripped, and every row that is not blank, with its line number.

    A byte-order mark (as Excel writes) is skipped. ``bad(message)`` makes
    the error raised for a file that cannot be read, is not UTF-8 text, is
    not CSV or is empty (it then says the file ``needs``).
    """
    try:
        text = path.read_text(encoding="utf-8-sig") if isinstance(path, StandardInput) else \
            read_bounded(path, bad).decode("utf-8-sig")
        # strict: a quote left open is an error, not a cell running to the end of the file
        reader = csv.reader(io.StringIO(text), strict=True)
        rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except UnicodeDecodeError:
        raise bad("is not UTF-8 text") from None
    except OSError as error:
        raise bad(f"cannot be read: {error.strerror}") from None
    except csv.Error as error:
        where = f" (line {reader.line_num})" if reader.line_num else ""
        raise bad(f"is not valid CSV{where}: {error}; is a quote (\") left open?") from None
    if not rows:
        raise bad(f"is empty; it needs {needs}")
    return [cell.strip() for cell in rows[0][1]], rows
