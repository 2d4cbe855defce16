"""Time and peak memory of ``powerplan check`` on large files of synthetic people.

Writes a CSV of synthetic people (names made of random syllables, UK dates,
some identifiers missing and about 1% of values invalid) for each size, runs
``powerplan check FILE --json`` on it in a child process, as a user would,
and reports the wall time and the child's peak resident memory (``wait4``'s
``ru_maxrss``, which sees pandas' and numpy's own allocations), beside the
peak of a child that only imports the command line. Memory that stays flat
from 100,000 to 1,000,000 rows is the chunked reading at work.

Run from the repository root:

    python benchmarks/bench_check.py                       # 100,000 and 1,000,000 rows
    python benchmarks/bench_check.py --rows 200000 --xlsx-rows 50000

Exits with status 1 if the check's count of rows is not the file's.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

PNC_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"
SYLLABLES = np.array(["an", "bel", "cor", "dun", "el", "fa", "gor", "hal", "is", "jon",
                      "ka", "lin", "mor", "nes", "ol", "pa", "quin", "ros", "sa", "tor"])


def synthetic_people(n: int, seed: int = 2026) -> pd.DataFrame:
    """``n`` synthetic people as a case-management export holds them."""
    rng = np.random.default_rng(seed)

    def names(parts):
        picked = SYLLABLES[rng.integers(0, len(SYLLABLES), (n, parts))]
        return pd.Series(["".join(row).title() for row in picked])

    def uk(days):
        return pd.Series(days).dt.strftime("%d/%m/%Y")

    index = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 1500, n), unit="D")
    start = index - pd.to_timedelta(rng.integers(30, 400, n), unit="D")
    born = index - pd.to_timedelta(rng.integers(18 * 365, 60 * 365, n), unit="D")
    year = rng.integers(1990, 2024, n)
    serial = rng.integers(0, 10_000_000, n)
    letters = np.array(list(PNC_LETTERS))[(year % 100 * 10_000_000 + serial) % 23]
    pnc = pd.Series([f"{y}/{s:07d}{c}" for y, s, c in zip(year, serial, letters)])
    people = pd.DataFrame({
        "Forename": names(2), "Surname": names(3), "Date of Birth": uk(born),
        "Gender": rng.choice(["M", "F", "Male", "Female", ""], n, p=[.5, .2, .15, .1, .05]),
        "PNC Number": pnc.where(rng.random(n) < 0.6, ""),
        "Prison Number": pd.Series([f"A{k:04d}BC" for k in rng.integers(0, 10_000, n)])
        .where(rng.random(n) < 0.3, ""),
        "Intervention Start": uk(start), "Intervention End": uk(index),
        "Custody or Community": rng.choice(["Custody", "Community"], n),
        "Index Date": uk(index),
    })
    bad = rng.random(n) < 0.01   # about 1% impossible dates of birth
    people.loc[bad, "Date of Birth"] = "31/02/1980"
    return people


def run_measured(args: list[str]) -> tuple[float, float, str]:
    """Run ``args``; return (seconds, peak resident memory in MiB, stdout)."""
    with tempfile.TemporaryFile() as out:
        began = time.perf_counter()
        child = subprocess.Popen(args, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - began
        child.returncode = os.waitstatus_to_exitcode(status)
        error = child.stderr.read().decode()
        if child.returncode not in (0,):
            raise SystemExit(f"{' '.join(args)} failed ({child.returncode}): {error}")
        out.seek(0)
        # Linux gives ru_maxrss in KiB
        return seconds, usage.ru_maxrss / 1024, out.read().decode()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--xlsx-rows", type=int, default=100_000,
                        help="rows of an .xlsx file to time too (0: none)")
    parser.add_argument("--write", nargs=2, metavar=("ROWS", "PATH"), help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.write:
        rows, path = int(options.write[0]), Path(options.write[1])
        people = synthetic_people(rows)
        if path.suffix == ".csv":
            people.to_csv(path, index=False)
        else:
            people.to_excel(path, index=False, sheet_name="People")
        return 0
    command = [sys.executable, "-c", "from powerplan_cli.main import main; main()"]
    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"pandas {pd.__version__}, {os.cpu_count()} cores, {platform.machine()}")
    _, baseline, _ = run_measured([sys.executable, "-c", "import powerplan_cli.main"])
    print(f"importing the command line alone: peak {baseline:.0f} MiB")
    failed = False
    with tempfile.TemporaryDirectory() as folder:
        files = [(n, "csv") for n in options.rows]
        if options.xlsx_rows:
            files.append((options.xlsx_rows, "xlsx"))
        print(f"{'rows':>10}  {'format':>6}  {'file MiB':>8}  {'seconds':>7}  "
              f"{'rows/s':>9}  {'peak MiB':>8}")
        for n, kind in files:
            path = Path(folder) / f"people-{n}.{kind}"
            # written by another process: a child forked from this one would start
            # from its memory, and its peak would count the data it never read
            subprocess.run([sys.executable, __file__, "--write", str(n), str(path)],
                           check=True)
            seconds, peak, out = run_measured(
                command + ["check", str(path), "--today", "2026-11-02", "--json"])
            counted = json.loads(out)["people"]["rows"]
            failed |= counted != n
            print(f"{n:>10,}  {kind:>6}  {path.stat().st_size / 1024 ** 2:>8.1f}  "
                  f"{seconds:>7.1f}  {n / seconds:>9,.0f}  {peak:>8.0f}"
                  + ("" if counted == n else f"  COUNTED {counted:,}"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
