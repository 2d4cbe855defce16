"""Every ``console`` example in the README and docs/ is run and its output compared.

A block fenced as ```console holds commands starting with ``$ powerplan``,
each followed by the output it prints. (Python examples in the docs are
doctests, collected by pytest's ``--doctest-glob=*.md``.)
"""

import math
import re
import shlex
from pathlib import Path

import pytest

from powerplan_cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"```console\n(.*?)```", re.S)
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
# A different CPU or summation order changes the last digits of a full-precision
# float (0.00031043769910986006 on one machine, 0.00031043769910986 on another),
# so printed numbers are compared to this relative tolerance, the words exactly.
RELATIVE_TOLERANCE = 1e-9


def same_line(printed, expected):
    """Whether a printed line says what the documented one does, numbers to RELATIVE_TOLERANCE."""
    if NUMBER.split(printed) != NUMBER.split(expected):
        return False
    return all(math.isclose(float(a), float(b), rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-15)
               for a, b in zip(NUMBER.findall(printed), NUMBER.findall(expected), strict=True))


def console_examples():
    for page in PAGES:
        for block in FENCE.findall(page.read_text()):
            command, output = None, []
            for line in block.splitlines():
                if line.startswith("$ "):
                    if command:
                        yield page.name, command, output
                    command, output = line[2:], []
                else:
                    output.append(line)
            if command:
                yield page.name, command, output


EXAMPLES = list(console_examples())


def test_there_are_console_examples():
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("page, command, output", EXAMPLES,
                         ids=[f"{p}: {c}" for p, c, _ in EXAMPLES])
def test_console_example(runner, page, command, output, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    words = shlex.split(command)
    assert words[0] == "powerplan"
    result = runner.invoke(cli, words[1:])
    expected_code = 0
    if output and output[-1].startswith("[exit "):
        expected_code = int(output.pop()[6:-1])
    assert result.exit_code == expected_code, result.output
    printed = [line.rstrip() for line in result.output.rstrip("\n").splitlines()]
    expected = [line.rstrip() for line in output]
    assert len(printed) == len(expected) and all(map(same_line, printed, expected)), (
        "\n".join(printed))


@pytest.mark.parametrize("printed, expected, same", [
    ('"p": 0.00031043769910986,', '"p": 0.00031043769910986006,', True),
    ("power 20.6% (at 120.0)", "power 20.6% (at 120.0)", True),
    ("power 20.7%", "power 20.6%", False),
    ('"n": 1829', '"n": 1830', False),
    ("reduction 5", "increase 5", False),
    ("1,829 people", "1,829 people", True),
    ("-5.0 points", "5.0 points", False),
])
def test_console_lines_compare_numbers_to_a_tolerance(printed, expected, same):
    assert same_line(printed, expected) is same


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = "pip install '.[test]' && python -m pytest"
    assert command in readme.split("\n## ")[0]
    assert command in ci
    assert "pip install . && powerplan size" in readme.split("\n## ")[0]


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_is_in_the_readme_and_the_command_line_page(name):
    assert f"`powerplan {name}" in (ROOT / "README.md").read_text()
    assert f"`{name}`" in (ROOT / "docs" / "cli.md").read_text()


def test_published_results_table_is_the_preset():
    # docs/assurance.md lists PUBLISHED_RESULTS by hand; it must say the same.
    from powerplan.design.presets import PUBLISHED_RESULTS

    page = (ROOT / "docs" / "assurance.md").read_text()
    start = page.index("| service (report) |")
    rows = page[start:].split("\n\n")[0].splitlines()[2:]
    expected = [f"| {name} | {n:,} | {100 * treated:.0f}% | {100 * comparison:.0f}% | "
                f"{'yes' if significant else 'no'} |"
                for name, n, treated, comparison, significant, _ in PUBLISHED_RESULTS]
    assert rows == expected
