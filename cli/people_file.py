"""Reading an organisation's file of people: CSV in any common encoding, or Excel .xlsx.

The file holds personal data. This module reads it only to hand its cells,
chunk by chunk, to :func:`powerplan.count_people`; no cell ever reaches a
message. A problem is named by the file, a row number and a column name.
Column names are shown only once the first row is known to be a header
(it names at least one field), as a file without a header starts with a
person.

* CSV: UTF-8 with or without a byte-order mark, UTF-16 with one (Excel's
  "Unicode text"), or cp1252 (Excel's "CSV" on Windows); separated by
  commas, semicolons or tabs, whichever the header holds most of; any line
  ending. Read with pandas in chunks, so memory stays bounded.
* Excel: the first sheet, or the one named by ``--sheet``, read row by row
  with openpyxl's read-only mode, in chunks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import codecs
import contextlib
import csv
import difflib
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import click

if TYPE_CHECKING:  # annotations only: pandas loads when a file is read
    import pandas as pd

import powerplan
from powerplan.errors import InvalidInputError
from powerplan.limits import PERSON_FIELDS

from .params import ColumnType, date

#: Rows handed to the library at a time: about 10 MB of text per column at most.
CHUNK_ROWS = 50_000
#: Largest file read (bytes): ten times a million rows of a wide export.
MAX_FILE_BYTES = 4 * 1024 ** 3
#: Bytes read at a time when checking the encoding.
_BLOCK = 1024 ** 2

#: How files spell each field's column, compared with case, spaces and punctuation
#: ignored ("Date of Birth", "date_of_birth" and "DOB" all name date_of_birth).
ALIASES = {
    "forename": ("forename", "forenames", "first name", "first names", "given name",
                 "given names", "christian name"),
    "surname": ("surname", "last name", "family name"),
    "date_of_birth": ("date of birth", "dob", "birth date", "birthdate"),
    "gender": ("gender", "sex"),
    "pnc_number": ("pnc number", "pnc", "pnc id", "pnc no", "pnc identifier",
                   "police national computer number", "police national computer id"),
    "prison_number": ("prison number", "prison no", "prisoner number", "prisoner no",
                      "noms number", "noms no", "noms id", "nomis number", "nomis id"),
    "intervention_start": ("intervention start", "intervention start date", "start date",
                           "start"),
    "intervention_end": ("intervention end", "intervention end date", "end date", "end"),
    "custody_or_community": ("custody or community", "custody community", "setting"),
    "index_date": ("index date",),
}


def _folded(name: str) -> str:
    return re.sub(r"[\W_]+", "", name.casefold())


_FIELD_BY_ALIAS = {_folded(alias): name for name, aliases in ALIASES.items()
                   for alias in aliases + (name,)}


class FileProblem(click.BadParameter):
    """A file that cannot be read: one line naming it, exit 2."""


class UnexpectedReading(click.ClickException):
    """An unexpected failure while reading a file of people (a bug): exit 1, and no
    message of the failure, as it may quote the file."""

    exit_code = 1


def file_options(command):
    """The options saying how to read a file of people: columns, sheet, date order, today."""
    options = [
        click.option("--column", "named_columns", type=ColumnType(), multiple=True,
                     help="The file's column holding a field, as FIELD=HEADER (repeatable): "
                          "--column index_date=\"Release Date\". Fields: "
                          + ", ".join(PERSON_FIELDS) + "; columns with the usual names "
                          "(Forename, Date of Birth, DOB, PNC, ...) are found without it."),
        click.option("--ignore-column", "ignored_columns", multiple=True, metavar="HEADER",
                     help="A column of the file to leave out (repeatable)."),
        click.option("--sheet", help="The sheet of an Excel workbook to read. "
                                     "[default: the first]"),
        click.option("--dayfirst/--monthfirst", default=True,
                     help="Read 03/04/2024 as 3 April (day first, the UK way) or as "
                          "March 4 (month first). ISO dates (2024-04-03) read either way. "
                          "[default: dayfirst]"),
        click.option("--today", type=date("today"),
                     help="The date of the check (YYYY-MM-DD): later dates are in the future. "
                          "[default: the computer's date]"),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def named(columns) -> dict[str, str]:
    """``--column`` values as field -> header, each field once."""
    out = {}
    for field_, header in columns:
        if field_ in out:
            raise click.BadParameter(f"names two columns for {field_}", param_hint="'--column'")
        out[field_] = header
    return out


@contextlib.contextmanager
def reading(people_file: "PeopleFile"):
    """Counting a file: the library's refusal of its rows names the file; an unexpected
    failure is reported without its message, which may quote a cell."""
    bad = problem(people_file.path, people_file.option)
    try:
        yield
    except click.ClickException:
        raise
    except InvalidInputError as error:
        if error.field == "people":
            words = {"has no rows": "has a header but no rows"}
            raise bad(words.get(error.requirement, error.requirement)) from None
        raise
    except powerplan.NoSolutionError:
        raise
    except Exception as error:
        if os.environ.get("POWERPLAN_DEBUG"):
            raise
        raise UnexpectedReading(
            f"unexpected {type(error).__name__} while reading {people_file.path}; its message "
            f"is not shown, as it may quote the file (set POWERPLAN_DEBUG=1 to see it)") \
            from None


@dataclass
class PeopleFile:
    """An opened file of people: which column holds which field, and its rows in chunks.

    ``chunks()`` yields DataFrames whose columns are field names and whose
    index, named ``row``, holds each row's number in the file (the header is
    row 1), as a spreadsheet numbers them.
    """

    path: Path
    option: str
    columns: dict[str, str]                  # field -> the file's column name
    _reader: object = field(repr=False)

    def chunks(self) -> Iterator[pd.DataFrame]:
        return self._reader()


def problem(path: Path, option: str):
    """A function making the error for a problem with ``path``, given as ``option``."""
    return lambda message: FileProblem(f"{path}: {message}", param_hint=f"'{option}'")


def open_people(path: Path, option: str, *, wanted=tuple(PERSON_FIELDS), needs=(),
                named=None, ignored=(), sheet: str | None = None,
                other_columns: str = "refuse", single_column: str | None = None) -> PeopleFile:
    """Open ``path`` and find the columns of the fields ``wanted``.

    Parameters
    ----------
    named : dict, optional
        Field -> column name the user gave (``--column``); other fields are
        found by their usual names (:data:`ALIASES`).
    ignored : iterable of str
        Column names to leave out (``--ignore-column``).
    other_columns : {"refuse", "ignore"}
        What to do with a named column that holds no field: refuse the file
        (``check``, so a misspelt column is never silently skipped) or
        ignore it (``wait``, which reads one field).
    needs : iterable of str
        Fields the file must have a column for.
    single_column : str, optional
        A field the only column of a one-column file holds, header or none.
    """
    bad = problem(path, option)
    kind = _kind(path, bad)
    if kind == "xlsx":
        header, make_reader = _open_excel(path, bad, sheet)
    else:
        if sheet is not None:
            raise click.BadParameter("is only for Excel workbooks (.xlsx)",
                                     param_hint="'--sheet'")
        header, make_reader = _open_csv(path, bad)
    columns, positions, has_header = _match_columns(
        header, bad, wanted=wanted, named=dict(named or {}), ignored=set(ignored),
        other_columns=other_columns, single_column=single_column)
    for name in needs:
        if name not in columns:
            raise bad(f"has no {PERSON_FIELDS[name]} column; name the column holding it with "
                      f"--column {name}=HEADER")
    return PeopleFile(path, option, columns,
                      lambda: _guarded(make_reader(positions, has_header)(), bad, len(header)))


# What the file is -------------------------------------------------------------

def _kind(path: Path, bad) -> str:
    """``"xlsx"`` or ``"csv"``, after checking that ``path`` is a file that can be read."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise bad("there is no such file") from None
    except OSError as error:
        raise bad(f"cannot be read: {error.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise bad("is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise bad("is not a regular file (a device, pipe or socket)")
    if info.st_size == 0:
        raise bad("is empty")
    if info.st_size > MAX_FILE_BYTES:
        raise bad(f"is {info.st_size:,} bytes, more than the {MAX_FILE_BYTES:,} bytes read")
    try:
        with path.open("rb") as handle:
            start = handle.read(8)
    except OSError as error:
        raise bad(f"cannot be read: {error.strerror}") from None
    suffix = path.suffix.lower()
    if start.startswith(b"\xd0\xcf\x11\xe0"):
        raise bad("is an old Excel workbook (.xls); save it as .xlsx or as CSV")
    if start.startswith(b"PK\x03\x04"):
        return "xlsx"
    if suffix in (".xlsx", ".xlsm"):
        raise bad(f"is named {suffix} but is not an Excel workbook")
    if suffix in (".xls", ".ods", ".numbers"):
        raise bad(f"is a {suffix} file; save it as .xlsx or as CSV")
    return "csv"


# CSV --------------------------------------------------------------------------

def _encoding(path: Path, bad) -> str:
    """The file's encoding: from its byte-order mark, else UTF-8 if every byte reads
    so, else cp1252 (Excel's CSV on Windows). NUL bytes mean it is not text."""
    with path.open("rb") as handle:
        first = handle.read(_BLOCK)
        if first.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        elif first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        else:
            encoding = "utf-8"
        decoder = codecs.getincrementaldecoder("utf-8")()
        block = first
        while block:
            if b"\x00" in block:
                raise bad("is not a text file (it holds binary data); give a CSV or .xlsx "
                          "file")
            try:
                decoder.decode(block)
            except UnicodeDecodeError:
                encoding = "cp1252"
            block = handle.read(_BLOCK) if encoding != "cp1252" else _rest_has_nul(handle, bad)
        if encoding != "cp1252":
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                encoding = "cp1252"
    return encoding


def _rest_has_nul(handle, bad) -> bytes:
    """Read the rest of a file only to look for NUL bytes; returns b"" when done."""
    for block in iter(lambda: handle.read(_BLOCK), b""):
        if b"\x00" in block:
            raise bad("is not a text file (it holds binary data); give a CSV or .xlsx file")
    return b""


def _separator(first_line: str) -> str:
    """The separator the header holds most of, outside quotes: comma, semicolon or tab."""
    outside = re.sub(r'"[^"]*"', "", first_line)
    counts = {sep: outside.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _open_csv(path: Path, bad):
    import pandas as pd

    encoding = _encoding(path, bad)
    try:
        with path.open("r", encoding=encoding, newline="") as handle:
            first = handle.readline()
            sep = _separator(first)
            handle.seek(0)
            header = next(csv.reader(handle, delimiter=sep), None)
    except UnicodeDecodeError:
        raise bad(f"is not {encoding} text") from None
    except csv.Error:
        raise bad("has a header row that is not valid CSV") from None
    if header is None or not any(cell.strip() for cell in header):
        raise bad("has a blank first row; the first row must be the header")
    header = [_header_cell(cell.replace("\ufeff", "")) for cell in header]

    width = len(header)

    def make_reader(positions: dict[str, int], has_header: bool):
        def read():
            # One column more than the header: a row with a cell in it has too many
            # cells (pandas would drop the extra cells of the first rows silently);
            # a row with even more makes pandas raise, which _guarded rewords.
            frames = pd.read_csv(
                path, sep=sep, encoding=encoding, dtype=str, keep_default_na=False,
                na_filter=False, skip_blank_lines=False, header=None,
                names=list(range(width + 1)), skiprows=1 if has_header else 0,
                index_col=False, chunksize=CHUNK_ROWS, engine="c", quoting=csv.QUOTE_MINIMAL)
            start = 2 if has_header else 1
            fields = sorted(positions, key=positions.get)
            for frame in frames:
                if frame.empty:
                    continue
                numbers = pd.RangeIndex(start + frame.index[0], start + frame.index[-1] + 1,
                                        name="row")
                extra = frame[width].to_numpy(dtype=object) != ""
                if extra.any():
                    row = int(numbers[extra.argmax()])
                    raise bad(f"row {row:,} has more cells than the header's {width}")
                chunk = frame[[positions[name] for name in fields]]
                chunk.columns = fields
                chunk.index = numbers
                yield chunk
        return read

    return header, make_reader


_TOO_MANY = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_OPEN_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


def _guarded(chunks: Iterator[pd.DataFrame], bad, header_width: int) -> Iterator[pd.DataFrame]:
    """The chunks, with a reading error turned into one line that quotes no cell."""
    import pandas as pd

    try:
        yield from chunks
    except pd.errors.ParserError as error:
        # pandas' own words name line numbers only; they are reworded, never quoted
        text = str(error)
        if found := _TOO_MANY.search(text):
            _, line, _ = found.groups()
            raise bad(f"row {int(line):,} has more cells than the header's "
                      f"{header_width}") from None
        if found := _OPEN_QUOTE.search(text):
            raise bad(f"a quoted cell opened in row {int(found.group(1)) + 1:,} is never "
                      f"closed") from None
        raise bad("is not CSV that can be read (its quoting or layout is broken)") from None
    except UnicodeDecodeError:
        raise bad("is not text in one encoding throughout") from None
    except _ExcelError as error:
        raise bad(str(error)) from None


# Excel ------------------------------------------------------------------------

class _ExcelError(Exception):
    """A workbook that cannot be read, in words that quote no cell."""


def _open_excel(path: Path, bad, sheet: str | None):
    import zipfile

    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise bad("is not an Excel workbook that can be read (.xlsx)") from None
    names = book.sheetnames
    if sheet is None:
        sheet_name = names[0]
    elif sheet in names:
        sheet_name = sheet
    else:
        book.close()
        raise bad(f"has no sheet {sheet!r}; its sheets are {', '.join(map(repr, names))}")
    rows = book[sheet_name].iter_rows(values_only=True)
    first = next(rows, None)
    if first is None or not any(_filled(cell) for cell in first):
        book.close()
        if first is None:
            raise bad(f"has nothing in sheet {sheet_name!r}")
        raise bad("has a blank first row; the first row must be the header")
    header = ["" if cell is None else _header_cell(str(cell)) for cell in first]

    def make_reader(positions: dict[str, int], has_header: bool):
        def read():
            wanted = sorted(positions.items(), key=lambda item: item[1])
            fields = [name for name, _ in wanted]
            columns = [position for _, position in wanted]
            number = 1
            batch, numbers = [], []
            if not has_header:
                batch.append([_cell(first, i) for i in columns])
                numbers.append(1)
            try:
                for number, row in enumerate(rows, start=2):
                    batch.append([_cell(row, i) for i in columns])
                    numbers.append(number)
                    if len(batch) == CHUNK_ROWS:
                        yield _frame(batch, numbers, fields)
                        batch, numbers = [], []
            except Exception:
                raise _ExcelError(f"row {number + 1:,} of sheet {sheet_name!r} cannot be "
                                  f"read") from None
            finally:
                book.close()
            if batch:
                yield _frame(batch, numbers, fields)
        return read

    return header, make_reader


def _filled(cell) -> bool:
    return cell is not None and str(cell).strip() != ""


def _cell(row: tuple, position: int):
    return row[position] if position < len(row) else None


def _frame(batch: list, numbers: list, fields: list) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(batch, columns=fields, index=pd.Index(numbers, name="row"),
                        dtype=object)


# Columns ----------------------------------------------------------------------

def _header_cell(text: str) -> str:
    """A header cell as shown in messages and reports: stripped, control characters
    made spaces."""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", text).strip()


def _match_columns(header: list[str], bad, *, wanted, named, ignored, other_columns,
                   single_column):
    """(field -> column name, field -> position, whether row 1 is a header)."""
    folded = [_folded(cell) for cell in header]
    by_alias = {i: _FIELD_BY_ALIAS.get(name) for i, name in enumerate(folded) if name}
    given = {}
    for field_, column in named.items():
        matches = [i for i, cell in enumerate(header) if cell.casefold() == column.casefold()]
        if not matches:
            raise bad(_no_such_column(column, header, by_alias))
        if len(matches) > 1:
            raise bad(f"has {len(matches)} columns named {column!r}; rename one")
        given[field_] = matches[0]
    is_header = bool(given) or any(by_alias.values())
    if not is_header:
        if single_column is not None and len([c for c in header if c]) == 1:
            # one column of any name, or none: its first cell may be a person's
            position = next(i for i, cell in enumerate(header) if cell)
            first_is_data = header[position][:1].isdigit()
            return ({single_column: "column 1"}, {single_column: position},
                    not first_is_data)
        names = ", ".join(PERSON_FIELDS[f] for f in wanted)
        raise bad(f"its first row, of {len(header)} cells, names none of the columns read "
                  f"({names}); the first row must be the header, or name the columns with "
                  f"--column FIELD=HEADER")
    positions = dict(given)
    taken = set(given.values())
    ignored_folded = {name.casefold() for name in ignored}
    unknown = []
    for i, cell in enumerate(header):
        if i in taken or not cell or cell.casefold() in ignored_folded:
            continue
        field_ = by_alias.get(i)
        if field_ is None or field_ in given:
            if field_ is None:
                unknown.append(cell)
            continue
        if field_ in positions:
            first = header[positions[field_]]
            raise bad(f"has two columns for {PERSON_FIELDS[field_]}, {first!r} and {cell!r}; "
                      f"choose one with --column {field_}=HEADER, or leave one out with "
                      f"--ignore-column")
        positions[field_] = i
    missing_ignored = [name for name in ignored
                       if name.casefold() not in {c.casefold() for c in header}]
    if missing_ignored:
        raise bad(_no_such_column(missing_ignored[0], header, by_alias))
    if unknown and other_columns == "refuse":
        names = ", ".join(repr(name) for name in unknown)
        raise bad(f"has {'a column' if len(unknown) == 1 else 'columns'} holding no field "
                  f"powerplan knows: {names}; name the field of each with --column "
                  f"FIELD=HEADER, or leave it out with --ignore-column HEADER")
    positions = {f: i for f, i in positions.items() if f in wanted}
    return {f: header[i] for f, i in positions.items()}, positions, True


def _no_such_column(column: str, header: list[str], by_alias) -> str:
    """The message for a column name the user gave that the file does not have."""
    text = f"has no column named {column!r}"
    if any(by_alias.values()):  # the first row is a header: its names may be shown
        close = difflib.get_close_matches(column, [c for c in header if c], n=1, cutoff=0.75)
        if close:
            text += f"; did you mean {close[0]!r}?"
    return text
