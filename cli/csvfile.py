"""Reading a small CSV file a user wrote, with every problem one line naming the file."""

from __future__ import annotations

import csv
import io
from pathlib import Path


def read_rows(path: Path, bad) -> list[tuple[int, list[str]]]:
    """The rows of ``path`` that are not blank, each with its line number.

    A byte-order mark (as Excel writes) is skipped. ``bad(message)`` makes
    the exception raised for a file that cannot be read, is not UTF-8 text
    or is not CSV.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
        reader = csv.reader(io.StringIO(text))
        return [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except UnicodeDecodeError:
        raise bad("is not UTF-8 text") from None
    except OSError as error:
        raise bad(f"cannot be read: {error.strerror}") from None
    except csv.Error as error:
        raise bad(f"is not valid CSV: {error}") from None
