"""No personal data from an organisation's file ever leaves powerplan.

Unique names, dates of birth, identifiers and other cells are planted in a
file; every command that reads the file is run on it (answers, --json, the
files written, and each error path), and so are the library's functions;
none of the planted values may appear in stdout, stderr, a written file or
the repr, text or dict of a result. Each value is also looked for in the
forms powerplan could have turned it into (an ISO date, upper or lower case).
"""

import json

import pandas as pd
import pytest

import powerplan
from powerplan.decisions._people_values import PNC_LETTERS
from powerplan_cli.main import cli


def pnc(year: int, serial: int, right: bool = True) -> str:
    letter = PNC_LETTERS[(year % 100 * 10_000_000 + serial) % 23]
    if not right:
        letter = PNC_LETTERS[(PNC_LETTERS.index(letter) + 1) % 23]
    return f"{year}/{serial:07d}{letter}"


#: Planted cells, each unique, with the other forms each could be written in.
PLANTED = {
    "Quillonette": [], "Vexhammer": [], "Brindlewick": [], "Oozlefinch": [],
    "17/03/1971": ["1971-03-17"], "04/11/1966": ["1966-11-04"],
    "31/02/1968": [],                       # an impossible date of birth
    pnc(1987, 612345): [], pnc(1993, 7777777, right=False): [],
    "Q7741ZZ": [], "Wobbly": [], "Zorbing": [],
    "19/02/2024": ["2024-02-19"], "23/08/2024": ["2024-08-23"],
    "13/07/2024": ["2024-07-13"],           # an index date
    "99/99/2024": [],                       # an index date that is no date
    "SecretNote": [],
}
NEEDLES = [form for value, forms in PLANTED.items() for form in [value, *forms]]

HEADER = "Forename,Surname,Date of Birth,Gender,PNC Number,Prison Number,Intervention Start," \
         "Intervention End,Custody or Community,Index Date"
PLANTED_ROWS = [
    f"Quillonette,Vexhammer,17/03/1971,Wobbly,{pnc(1987, 612345)},Q7741ZZ,19/02/2024,"
    f"23/08/2024,Zorbing,13/07/2024",
    f"Brindlewick,Oozlefinch,31/02/1968,F,{pnc(1993, 7777777, right=False)},,19/02/2024,"
    f"23/08/2024,Custody,99/99/2024",
    "Brindlewick,Oozlefinch,04/11/1966,F,,,19/02/2024,23/08/2024,Custody,13/07/2024",
    "Brindlewick,Oozlefinch,04/11/1966,F,,,19/02/2024,23/08/2024,Custody,13/07/2024",
]


def filler(n=90):
    """Ordinary people around the planted ones, so that every part of the answer runs."""
    return [f"Per{chr(65 + i % 26)}{chr(65 + i // 26)},Sample,{1 + i % 28:02d}/06/1980,M,,,"
            f"01/01/2024,01/06/2024,Community,{1 + i % 28:02d}/{1 + i % 12:02d}/2023"
            for i in range(n)]


def leaks(text: str) -> list[str]:
    folded = text.casefold()
    return [needle for needle in NEEDLES if needle.casefold() in folded]


@pytest.fixture
def files(tmp_path):
    """The file of people in each form a command reads, and bad files holding the cells."""
    body = [HEADER, *PLANTED_ROWS, *filler()]
    made = {}
    made["csv"] = tmp_path / "people.csv"
    made["csv"].write_text("\n".join(body) + "\n", encoding="utf-8")
    made["cp1252"] = tmp_path / "people-excel.csv"
    made["cp1252"].write_bytes(("\r\n".join(line.replace(",", ";") for line in body)
                                + "\r\n").encode("cp1252"))
    frame = pd.read_csv(made["csv"], dtype=str, keep_default_na=False)
    made["xlsx"] = tmp_path / "people.xlsx"
    with pd.ExcelWriter(made["xlsx"]) as writer:
        frame.to_excel(writer, sheet_name="People", index=False)
    made["notes"] = tmp_path / "notes.csv"                      # an unknown column
    made["notes"].write_text(HEADER + ",Notes\n" + PLANTED_ROWS[0] + ",SecretNote\n")
    made["headerless"] = tmp_path / "headerless.csv"            # a person in row 1
    made["headerless"].write_text("\n".join(PLANTED_ROWS) + "\n")
    made["wide"] = tmp_path / "wide.csv"                        # a row with a cell too many
    made["wide"].write_text(HEADER + "\n" + PLANTED_ROWS[0] + ",SecretNote\n")
    made["quote"] = tmp_path / "quote.csv"                      # a quote never closed
    made["quote"].write_text(HEADER + "\n" + PLANTED_ROWS[2] + '\n"Quillonette,Vexhammer\n')
    made["no_dates"] = tmp_path / "no-dates.csv"                # no usable index date
    made["no_dates"].write_text(HEADER + "\n" + PLANTED_ROWS[1] + "\n")
    made["one_column"] = tmp_path / "one-column.csv"            # headerless, one column
    made["one_column"].write_text("13/07/2024\n99/99/2024\n")
    return made


def runs(files, tmp_path):
    """(what, arguments) of every command reading the file, good files and bad."""
    out = tmp_path / "out"
    out.mkdir()
    today = ["--today", "2026-11-02"]
    wait = ["--now", "2026-11", "--horizon-months", "6"]
    commands = []
    for kind in ("csv", "cp1252", "xlsx"):
        path = str(files[kind])
        commands += [
            ("check text", ["check", path, *today]),
            ("check json", ["check", path, *today, "--json"]),
            ("check csv", ["check", path, *today, "--csv", str(out / f"{kind}-fields.csv")]),
            ("check month first", ["check", path, *today, "--monthfirst",
                                   "--intake-per-month", "12"]),
            ("wait text", ["wait", "--index-dates", path, *today, *wait]),
            ("wait json", ["wait", "--index-dates", path, *today, *wait, "--json",
                           "--intake-per-month", "10"]),
            ("wait plot", ["wait", "--index-dates", path, *today, *wait,
                           "--plot", str(out / f"{kind}-wait.svg")]),
            ("wait nobody", ["wait", "--index-dates", path, *today, "--now", "2024-01",
                             "--horizon-months", "1"]),
        ]
    for bad in ("notes", "headerless", "wide", "quote", "no_dates", "one_column"):
        path = str(files[bad])
        commands += [(f"check {bad}", ["check", path, *today]),
                     (f"wait {bad}", ["wait", "--index-dates", path, *today, *wait])]
    commands += [
        ("check wrong column", ["check", str(files["csv"]), *today, "--column",
                                "index_date=Release"]),
        ("check wrong sheet", ["check", str(files["xlsx"]), *today, "--sheet", "Other"]),
        ("check nobody found", ["check", str(files["csv"]), *today,
                                "--found-with-pnc-number", "0", "--found-with-name-and-date-"
                                "of-birth", "0"]),
    ]
    return commands, out


def test_no_command_shows_or_writes_a_planted_value(runner, files, tmp_path):
    commands, out = runs(files, tmp_path)
    codes = set()
    for what, args in commands:
        result = runner.invoke(cli, args)
        codes.add(result.exit_code)
        assert "Traceback" not in result.output, (what, result.output)
        assert leaks(result.stdout) == [], what
        assert leaks(result.stderr) == [], (what, result.stderr)
    written = sorted(out.iterdir())
    assert len(written) == 6   # three field tables and three figures
    for path in written:
        assert leaks(path.read_bytes().decode("latin-1")) == [], path.name
    assert codes == {0, 1, 2}   # answers, nobody analysable, and files that cannot be read


def test_the_answers_do_count_the_planted_rows(runner, files):
    payload = json.loads(runner.invoke(cli, ["check", str(files["csv"]), "--today",
                                             "2026-11-02", "--json"]).stdout)
    fields = {f["field"]: f for f in payload["people"]["fields"]}
    assert payload["people"]["rows"] == 94 and payload["people"]["duplicates"] == 1
    assert {r["reason"] for r in fields["gender"]["reasons"]} == {
        "not a gender powerplan knows (male, female, other)"}
    assert fields["pnc_number"]["invalid"] == 1 and fields["custody_or_community"]["invalid"] == 1
    assert fields["date_of_birth"]["reasons"][0]["first_rows"] == [3]   # by row number only


def test_unexpected_failures_do_not_repeat_their_message(runner, files, monkeypatch):
    def fails(*args, **kwargs):
        raise ValueError("cell 'Quillonette' could not be parsed")

    for name in ("check_people", "count_people"):
        monkeypatch.setattr(powerplan, name, fails)
    for args in (["check", str(files["csv"])], ["wait", "--index-dates", str(files["csv"])]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 1
        assert leaks(result.output) == []
        assert result.stderr.startswith("Error: unexpected ValueError while reading ")
        assert "its message is not shown, as it may quote the file" in result.stderr


def test_library_results_hold_no_planted_value(files):
    frame = pd.read_csv(files["csv"], dtype=str, keep_default_na=False)
    frame.columns = ["forename", "surname", "date_of_birth", "gender", "pnc_number",
                     "prison_number", "intervention_start", "intervention_end",
                     "custody_or_community", "index_date"]
    counts = powerplan.count_people(frame, today="2026-11-02")
    check = powerplan.check_people(frame, today="2026-11-02", per_month=5)
    plan = check.plan
    shown = [repr(counts), str(counts), json.dumps(counts.to_dict()), counts.to_frame().to_csv(),
             repr(check), str(check), json.dumps(check.to_dict()), check.to_frame().to_csv(),
             repr(plan), str(plan), json.dumps(plan.to_dict()), plan.to_frame().to_csv(),
             repr(counts.intake), str(counts.intake.to_dict()), repr(check.counts.fields)]
    for text in shown:
        assert leaks(text) == []


def test_the_leak_finder_finds_leaks():
    assert leaks("index date 2024-07-13") == ["2024-07-13"]
    assert leaks(f"PNC {pnc(1987, 612345).lower()}") == [pnc(1987, 612345)]
    assert leaks("nothing here but 2024-09-01") == []
