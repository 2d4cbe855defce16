"""Write docs/examples/people.csv: 140 synthetic people, as a case-management export has them.

Every person is made up (names are random syllables, identifiers random
numbers with valid check letters); nothing comes from a real record. The
file looks like what an organisation sends from Excel: UTF-8 with a
byte-order mark and Windows line endings, UK dates, a reference column of
its own, the index date under the name "Release Date", some identifiers
missing, and a few mistakes of the kinds powerplan check finds.

Run from the repository root (tests/test_example_files.py checks that the
file in the repository is what this script writes):

    python docs/examples/make_people.py
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd

PEOPLE = 140
SEED = 11
OUT = Path(__file__).resolve().parent / "people.csv"
PNC_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"
SYLLABLES = ["al", "bro", "cas", "den", "ed", "fin", "gal", "har", "ish", "jov", "kel", "lor",
             "mab", "nor", "os", "pem", "rud", "sil", "tam", "ul", "ven", "wyn", "yar", "zel"]
HEADER = ["Client Ref", "Forename", "Surname", "Date of Birth", "Gender", "PNC Number",
          "Prison Number", "Intervention Start", "Intervention End", "Custody or Community",
          "Release Date"]


def _name(rng, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES, parts)).title()


def _uk(day: pd.Timestamp) -> str:
    return day.strftime("%d/%m/%Y")


def people(rng) -> list[list[str]]:
    rows = []
    for i in range(PEOPLE):
        custody = rng.random() < 0.6
        # index dates from January 2023 to August 2026, the service growing
        index = pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(1330 * rng.random() ** 0.8))
        if custody:   # work in prison before release
            start = index - pd.Timedelta(days=int(rng.integers(60, 240)))
            end = index + pd.Timedelta(days=int(rng.integers(0, 20)))
        else:         # work in the community after the sentence starts
            start = index + pd.Timedelta(days=int(rng.integers(5, 60)))
            end = start + pd.Timedelta(days=int(rng.integers(60, 200)))
        born = index - pd.Timedelta(days=int(rng.integers(19 * 365, 58 * 365)))
        year, serial = int(rng.integers(1995, 2024)), int(rng.integers(0, 10_000_000))
        letter = PNC_LETTERS[(year % 100 * 10_000_000 + serial) % 23]
        pnc = f"{year}/{serial:07d}{letter}" if rng.random() < 0.55 else ""
        prison = (f"{'AB'[int(rng.integers(0, 2))]}{int(rng.integers(1000, 9999))}"
                  f"{''.join(rng.choice(list('ABCDEFGH'), 2))}"
                  if custody and rng.random() < 0.6 else "")
        rows.append([f"R{i + 1:04d}", _name(rng, 2), _name(rng, 3), _uk(born),
                     rng.choice(["M", "F"], p=[0.8, 0.2]), pnc, prison, _uk(start), _uk(end),
                     "Custody" if custody else "Community", _uk(index)])
    return rows


def mistakes(rows: list[list[str]]) -> None:
    """The slips a real export has, at fixed rows (the row numbers are the file's)."""
    def at(row_number, column, value):
        rows[row_number - 2][HEADER.index(column)] = value

    at(9, "Date of Birth", "")
    at(23, "Date of Birth", "30/02/1985")           # no such day
    at(31, "Date of Birth", "14/05/2019")           # a child: a typing slip
    at(44, "Gender", "")
    at(52, "Gender", "Unknown")
    at(60, "PNC Number", rows[58][HEADER.index("PNC Number")][:-1] + "X")  # wrong letter
    at(67, "Intervention End", "01/01/2020")        # before the start
    at(75, "Release Date", "")
    at(88, "Release Date", "")
    at(97, "Release Date", "15/03/2027")            # a planned release, in the future
    at(103, "Release Date", "12/06/2206")           # a typing slip for 2026
    at(110, "Forename", "")
    at(110, "Surname", "")
    rows[119] = rows[40][:1] + rows[40][1:]         # one person entered twice
    rows[119][0] = "R0120"
    rows[130] = ["R0131"] + rows[65][1:]            # and another


def write(path: Path = OUT) -> None:
    rng = np.random.default_rng(SEED)
    rows = people(rng)
    mistakes(rows)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    path.write_bytes(("\ufeff" + text.getvalue()).encode("utf-8"))


if __name__ == "__main__":
    write(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
