"""A seeded, bounded fuzz campaign over the command line (issue 13).

Hypothesis builds invocations of every command from its own options (read from
click), with values that are typical, at the limits, or wrong: numbers out of
range, NaN, text, huge values, files that are folders, inputs given as outputs.
Each runs in-process (click's CliRunner) in a fresh folder, and must keep the
command line's promises:

* no traceback; exit 0 (answered), 1 (no answer exists) or 2 (bad input);
* an error is at most a few lines, starts with ``Error:`` and names an option
  (or the file argument);
* --json is strict JSON (no NaN or Infinity) and every probability in it is in [0, 1];
* no NaN or infinity is shown as an answer;
* a failing command leaves no file behind, except those it says it wrote, and no
  command leaves a temporary file.

A few invocations also run as real processes, to check the exit code and the absence
of a traceback where the shell sees them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import click
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from powerplan_cli.main import cli

from test_cli_check import HEADER, rows

#: Values any option may get: typical, at the limits, and wrong.
VALUES = ["0", "1", "2", "-1", "0.5", "35%", "0.35", "0.05", "1e-17", "1e300", "-1e300", "nan",
          "inf", "-inf", "1,000", "2,5", "", " ", "x", "-5pp", "+5pp", "rr=0.9", "or=0.8",
          "-0.2", "+20d", "10000000", "60", "300", "100", "a" * 300, "found=0.8", "=", "é",
          "normal:-4,3", "discrete:0@1", "discrete:0@0.5,-5@0.5", "published", "2024-01",
          "2024-13", "2024-01-15", "0.1:0.5:0.1", "0.2,0.4", "-3pp,-5pp", "100,500",
          "cohort=60:2000", "effect=-15pp:-1pp:5", "retention=0.1:1:4", "alpha=0.01:0.2:3",
          "base-rate=10%:60%:3", "cohort=60:100:1000", "2026-10-01:2024-12-31", "welch",
          "wald", "fleiss-cc", "less", "greater", "two-sided", "rate", "frequency", "time",
          "all", "analytic", "text", "csv", "markdown", "json", "reduction", "increase",
          "index_date=Index Date", "-", "1e-300"]
#: Files in each run's folder, for the options that read or write one.
FILES = ["in.toml", "deep.toml", "bad.toml", "sim.toml", "services.csv", "bad.csv",
         "people.csv", "missing.toml", "folder", "folder/", "/dev/zero", "-", "out.csv",
         "out.png", "out.svg", "out.pdf", "out.txt", "missing/x.csv", "x" * 300 + ".png",
         "p.png/"]
#: Options not fuzzed: worker processes and clusters (slow to start; tested elsewhere).
SKIPPED = {"--workers", "--dask", "--scheduler"}
#: What each command needs to get past its first check, mostly.
BASE = {"portfolio": ["--services", "services.csv"], "curve": ["--over", "cohort=60:400:4"],
        "published": ["--n-treated", "114", "--treated-rate", "25%", "--comparison-rate", "28%"],
        "check": ["people.csv", "--today", "2026-11-02"],
        "wait": ["--intake-per-month", "25", "--start", "2024-01", "--now", "2025-11"],
        "table": ["--base-rates", "0.35", "--effects", "-5pp", "--retentions", "0.4"]}
#: Options whose value is a file.
FILE_OPTIONS = {"--config", "--services", "--index-dates", "--csv", "--out", "--plot",
                "--store"}
#: A simulation kept small: every simulated run ends with these, which win.
SMALL_SIMULATION = ["--sims", "16", "--pool", "200", "--k", "2"]
#: JSON keys holding a probability.
PROBABILITY = re.compile(r"^(p_.*|power|assurance|probability|ceiling|achieved_power|"
                         r"target_power|power_below|power_at_expected_n|at_least|.*_chance)$")
#: A NaN or an infinity as Python, numpy or JSON print one.
NOT_A_NUMBER = re.compile(r"\b(nan|NaN|inf|Infinity)\b")
#: Commands whose simulated searches are too slow for a campaign (each is a few seconds;
#: tests/test_cli_robust.py runs them).
NO_SIMULATED_SEARCH = {"size", "mde", "table"}


def _options(command: click.Command) -> list[click.Option]:
    return [p for p in command.params if isinstance(p, click.Option)
            and p.opts[0] not in SKIPPED]


@st.composite
def invocations(draw):
    name = draw(st.sampled_from(sorted(cli.commands)))
    command = cli.commands[name]
    args = [name, *(BASE.get(name, []) if draw(st.integers(0, 9)) else [])]
    for option in draw(st.lists(st.sampled_from(_options(command)), max_size=4)):
        if option.is_flag:
            args.append(option.opts[0])
            continue
        pool = FILES if option.opts[0] in FILE_OPTIONS else VALUES
        args += [option.opts[0], draw(st.sampled_from(pool))]
    simulated = name == "simulate" or any(
        a == "--engine" and b == "simulate" for a, b in zip(args, args[1:]))
    if draw(st.integers(0, 5)) == 0 and "--engine" in {o.opts[0] for o in _options(command)} \
            and name not in NO_SIMULATED_SEARCH:
        args += ["--engine", "simulate"]
        simulated = True
    if simulated:
        if name in NO_SIMULATED_SEARCH:
            args = [a if a != "simulate" else "analytic" for a in args]
        else:
            args += [*SMALL_SIMULATION, "--seed", "1"]
            args = [a for a in args if a not in ("--measure", "all")] if "--cohort" in args \
                else args
    return args


def _folder(path: Path) -> None:
    """The files a run may read."""
    (path / "in.toml").write_text("cohort = 400\nbase_rate = 0.3\n")
    (path / "deep.toml").write_text("a = " + "[" * 3000 + "]" * 3000 + "\n")
    (path / "bad.toml").write_text("cohort = = 1\n")
    (path / "sim.toml").write_text("[simulation]\nprior_offences_dispersion = 1e300\n")
    (path / "services.csv").write_text("name,cohort,base_rate\nsmall,150,0.3\nlarge,900,\n")
    (path / "bad.csv").write_text('name,cohort\n"open,100\n')
    people = [HEADER, *rows(80)]
    (path / "people.csv").write_text("\n".join(",".join(row) for row in people) + "\n")
    (path / "folder").mkdir()


def _probabilities(value, key=""):
    """Every number under a probability's key, however deeply nested."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _probabilities(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from _probabilities(item, key)
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and \
            PROBABILITY.match(key):
        yield key, value


def _strict(text: str):
    def refuse(constant):
        raise AssertionError(f"non-strict JSON: {constant}")
    return json.loads(text, parse_constant=refuse)


def check_invocation(args, folder: Path):
    from click.testing import CliRunner

    before = {p.name for p in folder.iterdir()}
    result = CliRunner().invoke(cli, args, input="")
    output = f"{args}\n{result.output}"
    assert result.exit_code in (0, 1, 2), output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(output) from result.exception
    assert "Traceback" not in result.output, output
    after = {p.name for p in folder.iterdir()}
    assert not [name for name in after if name.endswith(".part")], output
    if result.exit_code:
        lines = result.stderr.splitlines()
        assert lines and lines[0].startswith("Error: "), output
        assert len(lines) <= 2 and len(result.stderr) < 1000, output
        if result.exit_code == 2:
            assert re.search(r"--[a-z]|'FILE'|FILE", lines[0]), output
        written = {Path(p).name for line in lines[1:]
                   if line.startswith("Written before the error: ")
                   for p in line.removeprefix("Written before the error: ").split(", ")}
        assert after - before <= written, output
        return
    if "--json" in args or ("--format" in args and "json" in args):
        if "-" not in args[args.index("--json") + 1:] if "--json" in args else True:
            payload = _strict(result.stdout)
            for key, p in _probabilities(payload):
                assert 0.0 <= p <= 1.0, f"{output}\n{key} = {p}"
    else:
        assert not NOT_A_NUMBER.search(result.stdout), output


@pytest.mark.slow
@settings(max_examples=250, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(invocations())
def test_the_command_line_keeps_its_promises(args):
    home = os.getcwd()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        _folder(folder)
        os.chdir(folder)
        try:
            check_invocation(args, folder)
        finally:
            os.chdir(home)


@pytest.mark.parametrize("args, code", [
    (["power", "--config", "deep.toml"], 2),
    (["power", "--config", "sim.toml"], 2),
    (["power", "--plot", "x" * 300 + ".png"], 2),
    (["size", "--min-n-treated", "10000000"], 1),
    (["published", "--n-treated", "114", "--treated-rate", "25%", "--comparison-rate", "28%",
      "--alpha", "1e-17"], 2),
    (["curve", "--over", "cohort=60:100:3", "--config", "in.toml", "--csv", "in.toml"], 2),
])
def test_as_a_process_errors_are_one_line_and_the_exit_code_says_which(tmp_path, args,
                                                                        code):
    _folder(tmp_path)
    run = subprocess.run([sys.executable, "-m", "powerplan", *args], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120,
                         env={**os.environ, "POWERPLAN_DEBUG": ""})
    assert run.returncode == code, run.stderr
    assert "Traceback" not in run.stderr
    (line,) = run.stderr.splitlines()
    assert line.startswith("Error: ")
    assert (tmp_path / "in.toml").read_text() == "cohort = 400\nbase_rate = 0.3\n"
