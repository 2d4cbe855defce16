"""``powerplan check``: files as organisations have them, the answer, and bad files."""

import json
import os
import zipfile

import pandas as pd
import pytest

from powerplan import Scenario, check_people
from powerplan_cli import people_file
from powerplan_cli.main import cli

TODAY = ["--today", "2026-11-02"]
HEADER = ["Forename", "Surname", "Date of Birth", "Gender", "PNC Number", "Prison Number",
          "Intervention Start", "Intervention End", "Custody or Community", "Index Date"]


def rows(n=80):
    """``n`` people as an export would hold them: UK dates, some identifiers missing."""
    out = []
    for i in range(n):
        out.append([f"Pers{chr(65 + i % 26)}{chr(65 + i // 26)}", "Éxample",
                    f"{1 + i % 28:02d}/05/{1970 + i % 30}", "M" if i % 3 else "F",
                    "2011/0275516Q" if i % 2 else "", "A1234BC" if i % 5 == 0 else "",
                    "01/02/2024", "01/08/2024", "Custody" if i % 4 else "Community",
                    f"{1 + i % 28:02d}/{1 + i % 12:02d}/{2023 + i % 2}"])
    return out


def write_csv(path, table, *, sep=",", encoding="utf-8", newline="\n"):
    text = newline.join(sep.join(cell for cell in row) for row in table) + newline
    path.write_bytes(text.encode(encoding))
    return path


def run(runner, *args):
    return runner.invoke(cli, ["check", *map(str, args)])


def frame(table):
    names = {header: name for header, name in zip(HEADER, [
        "forename", "surname", "date_of_birth", "gender", "pnc_number", "prison_number",
        "intervention_start", "intervention_end", "custody_or_community", "index_date"])}
    return pd.DataFrame(table[1:], columns=[names[h] for h in table[0]])


def test_text_is_the_library_s_check(runner, tmp_path):
    table = [HEADER] + rows()
    path = write_csv(tmp_path / "people.csv", table)
    result = run(runner, path, *TODAY, "--base-rate", "0.26", "--effect", "-7pp")
    assert result.exit_code == 0, result.output
    expected = check_people(frame(table), today="2026-11-02",
                            scenario=Scenario(base_rate=0.26, effect=-0.07),
                            column_names=dict(zip(frame(table).columns, HEADER)))
    assert result.stdout == str(expected) + "\n"
    assert result.stdout.startswith("Of your 80 people, about ")


@pytest.mark.parametrize("encoding, sep, newline", [
    ("utf-8", ",", "\n"), ("utf-8-sig", ",", "\r\n"), ("cp1252", ";", "\r\n"),
    ("utf-16", "\t", "\r\n"), ("utf-8", ";", "\n"),
])
def test_encodings_and_separators_give_one_answer(runner, tmp_path, encoding, sep, newline):
    table = [HEADER] + rows()
    reference = json.loads(run(runner, write_csv(tmp_path / "a.csv", table), *TODAY,
                               "--json").stdout)
    path = write_csv(tmp_path / "b.csv", table, sep=sep, encoding=encoding, newline=newline)
    result = run(runner, path, *TODAY, "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["people"] == reference["people"]
    assert payload["plan"]["months"] == reference["plan"]["months"]
    assert payload["people"]["fields"][1]["column"] == "Surname"


def test_excel_workbook(runner, tmp_path):
    table = [HEADER] + rows()
    data = frame(table)
    data.columns = HEADER
    data["Index Date"] = pd.to_datetime(data["Index Date"], format="%d/%m/%Y")  # date cells
    path = tmp_path / "people.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"note": ["exported"]}).to_excel(writer, sheet_name="About", index=False)
        data.to_excel(writer, sheet_name="People", index=False)
    csv_answer = json.loads(run(runner, write_csv(tmp_path / "a.csv", table), *TODAY,
                                "--json").stdout)
    result = run(runner, path, "--sheet", "People", *TODAY, "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["people"]["fields"] == csv_answer["people"]["fields"]
    assert payload["plan"]["months"] == csv_answer["plan"]["months"]


def test_columns_named_by_the_user_and_columns_left_out(runner, tmp_path):
    table = [["Name", "Family", "DOB", "Release Date", "Notes"],
             *[[r[0], r[1], r[2], r[9], "free text"] for r in rows()]]
    path = write_csv(tmp_path / "people.csv", table)
    result = run(runner, path, *TODAY, "--column", "forename=name", "--column",
                 "surname=Family", "--column", "index date=Release Date", "--ignore-column",
                 "notes", "--json")
    assert result.exit_code == 0, result.output
    fields = {f["field"]: f for f in json.loads(result.stdout)["people"]["fields"]}
    assert (fields["forename"]["column"], fields["date_of_birth"]["column"],
            fields["index_date"]["column"]) == ("Name", "DOB", "Release Date")
    assert fields["index_date"]["present"] == 80 and not fields["gender"]["in_file"]


def test_a_file_below_the_minimum_is_an_answer(runner, tmp_path):
    path = write_csv(tmp_path / "people.csv", [HEADER] + rows(30))
    result = run(runner, path, *TODAY)
    assert result.exit_code == 0, result.output
    assert "The data service needs at least 60 people; the file lists 30." in result.stdout
    assert "data service minimum  not met: 30 people, at least 60 needed" in result.stdout


def test_month_first_dates(runner, tmp_path):
    table = [["Forename", "Index Date"], ["A", "04/30/2024"], ["B", "05/31/2024"],
             ["C", "06/01/2024"]]
    path = write_csv(tmp_path / "people.csv", table)
    text = run(runner, path, *TODAY).stdout
    assert ("Note: 2 dates are impossible read day first but valid read month first: if the "
            "file writes dates month first (04/30/2024), read it so.") in text
    payload = json.loads(run(runner, path, *TODAY, "--monthfirst", "--json").stdout)
    assert payload["people"]["n_planned"] == 3 and payload["people"]["notes"] == []


def test_people_still_to_come_and_settings(runner, tmp_path):
    path = write_csv(tmp_path / "people.csv", [HEADER] + rows())
    payload = json.loads(run(runner, path, *TODAY, "--intake-per-month", "12",
                             "--found-with-pnc-number", "0.9", "--matched", "60%",
                             "--horizon-months", "6", "--json").stdout)
    assert payload["plan"]["intake"]["per_month"] == 12
    assert payload["plan"]["intake"]["start"] == "2025-01"   # after the last index date
    assert payload["settings"]["found_with_pnc_number"] == 0.9
    assert payload["settings"]["matched"] == 0.6
    assert len(payload["plan"]["months"]) == 7
    assert payload["summary"].split(". ")[1].startswith("Waiting 6 months for 12 more people")


def test_csv_of_the_fields_neutralises_formulas(runner, tmp_path):
    table = [["=HYPERLINK(\"x\")", "Index Date"], ["A", "01/03/2024"], ["B", "02/03/2024"]]
    path = write_csv(tmp_path / "people.csv", table)
    out = tmp_path / "fields.csv"
    result = run(runner, path, *TODAY, "--column", "forename==HYPERLINK(\"x\")", "--csv", out)
    assert result.exit_code == 0, result.output
    written = pd.read_csv(out, keep_default_na=False)
    assert written["column"].tolist()[0] == "'=HYPERLINK(\"x\")"
    assert written.columns.tolist() == ["field", "column", "in_file", "present", "blank",
                                        "invalid", "valid"]
    assert written["present"].tolist()[-1] == 2


# Files that cannot be read: one line, exit 2 ------------------------------------

def _bytes(path, content):
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def _excel(path, sheets):
    with pd.ExcelWriter(path) as writer:
        for name, data in sheets.items():
            data.to_excel(writer, sheet_name=name, index=False)
    return path


def _fifo(path):
    os.mkfifo(path)
    return path


GOOD = "Forename,Index Date\nA,01/03/2024\n"

#: (name, how to make the file in a folder, extra options, the line expected after
#: "Error: Invalid value for 'FILE': <path>: ").
BAD_FILES = [
    ("empty", lambda d: _bytes(d / "p.csv", b""), [], "is empty"),
    ("header only", lambda d: _bytes(d / "p.csv", "Forename,Index Date\n"), [],
     "has a header but no rows"),
    ("blank rows only", lambda d: _bytes(d / "p.csv", "Forename,Index Date\n,\n , \n"), [],
     "has only blank rows"),
    ("no index date column", lambda d: _bytes(d / "p.csv", "Forename,DOB\nA,01/01/1990\n"),
     [], "has no index date column; name the column holding it with --column "
         "index_date=HEADER"),
    ("a column named that is not there",
     lambda d: _bytes(d / "p.csv", "Forename,Release Date\nA,01/03/2024\n"),
     ["--column", "index_date=Release Dte"],
     "has no column named 'Release Dte'; did you mean 'Release Date'?"),
    ("an unknown extra column",
     lambda d: _bytes(d / "p.csv", "Forename,Index Date,Notes\nA,01/03/2024,x\n"), [],
     "has a column holding no field powerplan knows: 'Notes'; name the field of each with "
     "--column FIELD=HEADER, or leave it out with --ignore-column HEADER"),
    ("no header row", lambda d: _bytes(d / "p.csv", "Ann,Bee,01/03/2024\n"), [],
     "its first row, of 3 cells, names none of the columns read (forename, surname, date of "
     "birth, gender, PNC number, prison number, intervention start, intervention end, "
     "custody or community, index date); the first row must be the header, or name the "
     "columns with --column FIELD=HEADER"),
    ("a folder", lambda d: (d / "folder.csv").mkdir() or d / "folder.csv", [],
     "is a folder, not a file"),
    ("no such file", lambda d: d / "missing.csv", [], "there is no such file"),
    ("a pipe", lambda d: _fifo(d / "pipe.csv"), [],
     "is not a regular file (a device, pipe or socket)"),
    ("binary", lambda d: _bytes(d / "p.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), [],
     "is not a text file (it holds binary data); give a CSV or .xlsx file"),
    ("a wrong sheet name",
     lambda d: _excel(d / "p.xlsx", {"People": pd.DataFrame({"Index Date": ["01/03/2024"]})}),
     ["--sheet", "Referrals"], "has no sheet 'Referrals'; its sheets are 'People'"),
    ("an empty sheet", lambda d: _excel(d / "p.xlsx", {"People": pd.DataFrame()}), [],
     "has nothing in sheet 'People'"),
    ("an old .xls workbook", lambda d: _bytes(d / "p.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
     [], "is an old Excel workbook (.xls); save it as .xlsx or as CSV"),
    ("text named .xlsx", lambda d: _bytes(d / "p.xlsx", GOOD), [],
     "is named .xlsx but is not an Excel workbook"),
    ("a broken workbook", lambda d: _bytes(d / "p.xlsx", b"PK\x03\x04 broken"), [],
     "is not an Excel workbook that can be read (.xlsx)"),
    ("a spreadsheet of another kind", lambda d: _bytes(d / "p.ods", GOOD), [],
     "is a .ods file; save it as .xlsx or as CSV"),
    ("a row with a cell too many",
     lambda d: _bytes(d / "p.csv", "Forename,Index Date\nA,01/03/2024,x\nB,02/03/2024\n"), [],
     "row 2 has more cells than the header's 2"),
    ("a row with many cells too many",
     lambda d: _bytes(d / "p.csv", "Forename,Index Date\nA,01/03/2024\nB,02/03/2024,x,y,z\n"),
     [], "row 3 has more cells than the header's 2"),
    ("a quote never closed",
     lambda d: _bytes(d / "p.csv", 'Forename,Index Date\nA,01/03/2024\n"B,02/03/2024\n'), [],
     "a quoted cell opened in row 3 is never closed"),
    ("two columns for one field",
     lambda d: _bytes(d / "p.csv", "DOB,Date of Birth,Index Date\n1,2,01/03/2024\n"), [],
     "has two columns for date of birth, 'DOB' and 'Date of Birth'; choose one with "
     "--column date_of_birth=HEADER, or leave one out with --ignore-column"),
    ("two columns of the name given",
     lambda d: _bytes(d / "p.csv", "Date,Date,Forename\n01/03/2024,x,A\n"),
     ["--column", "index_date=Date"], "has 2 columns named 'Date'; rename one"),
    ("a blank first row", lambda d: _bytes(d / "p.csv", "\n" + GOOD), [],
     "has a blank first row; the first row must be the header"),
    ("UTF-16 that is cut short", lambda d: _bytes(d / "p.csv", b"\xff\xfeI\x00n\x00d"), [],
     "is not utf-16 text"),
    ("a column to leave out that is not there", lambda d: _bytes(d / "p.csv", GOOD),
     ["--ignore-column", "Notes"], "has no column named 'Notes'"),
]


@pytest.mark.parametrize("name, make, options, message", BAD_FILES,
                         ids=[name for name, *_ in BAD_FILES])
def test_a_file_that_cannot_be_read_is_one_line_exit_2(runner, tmp_path, name, make, options,
                                                       message):
    path = make(tmp_path)
    result = run(runner, path, *TODAY, *options)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"Error: Invalid value for 'FILE': {path}: {message}"]


def test_the_bad_file_table_is_long():
    assert len(BAD_FILES) >= 15


def test_a_file_too_large(runner, tmp_path, monkeypatch):
    monkeypatch.setattr(people_file, "MAX_FILE_BYTES", 10)
    path = _bytes(tmp_path / "p.csv", GOOD)
    result = run(runner, path, *TODAY)
    assert result.exit_code == 2
    assert result.stderr == (f"Error: Invalid value for 'FILE': {path}: is 33 bytes, more "
                             f"than the 10 bytes read\n")


@pytest.mark.parametrize("options, message", [
    (["--sheet", "People"], "Invalid value for '--sheet': is only for Excel workbooks (.xlsx)"),
    (["--column", "index_date"], "Invalid value for '--column': must be FIELD=HEADER"),
    (["--column", "birthday=DOB"], "Invalid value for '--column': FIELD must be one of "
                                   "forename, surname, date_of_birth"),
    (["--column", "index_date=A", "--column", "index_date=B"],
     "Invalid value for '--column': names two columns for index_date"),
    (["--today", "02/11/2026"],
     "Invalid value for '--today': must be a date YYYY-MM-DD; got '02/11/2026'"),
    (["--found-with-pnc-number", "1.5"],
     "Invalid value for '--found-with-pnc-number': must be a number in [0, 1]; got 1.5"),
    (["--matched", "0"], "Invalid value for '--matched': must be a share in (0, 1]; got 0"),
    (["--start", "2027-01"], "--start and --end go with --intake-per-month"),
    (["--lag-months", "6", "--window", "2026-10-01:2024-12-31"],
     "give either --lag-months or --window, not both"),
    (["--cohort", "300"], "No such option '--cohort'"),
    (["--retention", "0.3"], "No such option '--retention'"),
])
def test_bad_options_are_one_line_exit_2(runner, tmp_path, options, message):
    path = _bytes(tmp_path / "p.csv", GOOD)
    result = run(runner, path, *TODAY, *options)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
