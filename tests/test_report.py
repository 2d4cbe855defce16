"""``powerplan report`` and :func:`powerplan.make_report`, without a browser: the numbers
against the library's, escaping, determinism, Markdown, sources, privacy and errors.

tests/test_report_browser.py renders the page in headless Chromium.
"""

import datetime as dt
import hashlib
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

import powerplan
from powerplan import Intake, Scenario, analytic, solve, submission_plan
from powerplan.design.presets import preset
from powerplan_cli.main import cli

DATE = ["--date", "2026-01-31"]
SCRIPT = "<script>alert(1)</script>"


class Page(HTMLParser):
    """The tags, the text and the numbers (data-key -> data-value, text) of a page."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags, self.text, self.numbers = [], [], {}
        self._key = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if "data-key" in attrs:
            self._key = attrs["data-key"]
            self.numbers[self._key] = [attrs["data-value"], ""]

    def handle_endtag(self, tag):
        if tag == "strong":
            self._key = None

    def handle_data(self, data):
        self.text.append(data)
        if self._key is not None:
            self.numbers[self._key][1] += data

    @property
    def all_text(self) -> str:
        return "".join(self.text)


def run(runner, *args):
    return runner.invoke(cli, ["report", *args])


def html_of(runner, tmp_path, *args, name="report.html") -> str:
    path = tmp_path / name
    result = run(runner, *args, *DATE, "-o", str(path))
    assert result.exit_code == 0, result.output
    return path.read_text(encoding="utf-8")


# The numbers are the library's ------------------------------------------------------

def test_the_headline_numbers_are_the_library_s(runner, tmp_path):
    page = Page(html_of(runner, tmp_path, "--cohort", "400", "--base-rate", "0.3",
                        "--effect", "-6pp", "--retention", "0.45"))
    scenario = Scenario(cohort=400, funnel=0.45, base_rate=0.3, effect=-0.06)
    result = analytic(scenario)
    size, mde = solve(scenario, "cohort"), solve(scenario, "effect")
    expected = {"p_significant_reduction": result.p_significant_reduction,
                "p_inconclusive": result.p_inconclusive,
                "p_significant_increase": result.p_significant_increase,
                "n_analysed": result.expected_n_treated,
                "cohort_needed": size.value, "mde": mde.value}
    for key, value in expected.items():
        assert float(page.numbers[key][0]) == pytest.approx(value, rel=1e-12), key
    assert page.numbers["p_significant_reduction"][1] == \
        powerplan._format.percent(result.p_significant_reduction, 0)
    assert page.numbers["cohort_needed"][1] == f"{size.value:,}"
    assert page.numbers["per_100_better"][0] == str(round(100 * result.p_significant_reduction))


def test_the_sensitivity_table_is_the_library_s():
    scenario = Scenario(cohort=500, base_rate=0.3, effect=-0.06)
    report = powerplan.make_report(scenario, date="2026-01-31")
    rows = {row.assumption: row for row in report.sensitivity}
    half = analytic(scenario.replace(effect=-0.03))
    assert rows["Half the effect"].p_better == pytest.approx(half.p_significant_reduction,
                                                             abs=1e-15)
    assert rows["Half the effect"].cohort_needed == solve(scenario.replace(effect=-0.03),
                                                          "cohort").value
    # with no effect the chance is the test's false positives in that direction: about
    # alpha / 2, more for the exact sums of a small study
    none = analytic(scenario.replace(effect=0.0))
    assert rows["No effect at all"].p_better == pytest.approx(none.p_significant_reduction,
                                                              abs=1e-15)
    belief = powerplan.assurance(scenario, preset("published"))
    assert rows["What published results suggest"].p_better == pytest.approx(
        belief.assurance, abs=1e-15)


def test_with_an_intake_the_answer_is_for_the_people_analysable_now():
    scenario = Scenario(base_rate=0.26, effect=-0.07)
    intake = Intake.monthly(25, "2024-01")
    rule = {"now": "2026-11", "horizon_months": 24}
    report = powerplan.make_report(scenario, date="2026-11-01", intake=intake, plan_rule=rule)
    plan = submission_plan(scenario, intake, **rule)
    numbers = report.headline_numbers()
    assert plan.recommended_month is not None  # waiting reaches the target
    assert numbers["recommended_month"] == plan.recommended_month
    assert report.scenario.cohort == plan.current.n_analysable
    assert numbers["p_significant_reduction"] == pytest.approx(
        plan.current.p_significant_reduction, abs=1e-15)
    assert [f.name for f in powerplan.report.figures.report_figures(report)] == [
        "funnel", "verdicts", "power-by-cohort", "submission-month"]


def test_all_three_measures_and_at_least_one(runner, tmp_path):
    page = Page(html_of(runner, tmp_path, "--cohort", "1000", "--measure", "all",
                        "--engine", "simulate", "--sims", "200", "--seed", "3", "--pool",
                        "5000", "--quiet"))
    scenario = Scenario(cohort=1000, simulation={"pool": 5000})
    expected = powerplan.compare_measures(scenario, engine="simulate", n_sims=200, seed=3)
    for name, result in expected.results.items():
        assert float(page.numbers[f"p_better_{name}"][0]) == pytest.approx(result.p_better,
                                                                            abs=1e-15)
    assert float(page.numbers["p_any_better"][0]) == pytest.approx(
        expected.joint["any_better"].value, abs=1e-15)
    assert "seed 3" in page.all_text and "200 studies" in page.all_text


def test_the_better_verdict_comes_first_whatever_the_measure():
    time = Scenario.from_dict({"outcome": "time", "cohort": 2000})
    first = powerplan.make_report(time, date="2026-01-31").answer()[0]
    assert "reports a significantly longer time to first proven reoffence is" in first.text
    numbers = [part for part in first.parts if hasattr(part, "key")]
    assert [n.key for n in numbers] == ["n_analysed", "p_significant_increase",
                                        "p_inconclusive", "p_significant_reduction"]
    assert numbers[1].value == analytic(time).p_significant_increase


def test_a_cohort_below_the_minimum_request_is_said():
    texts = [s.text for s in powerplan.make_report(Scenario(cohort=30),
                                                   date="2026-01-31").answer()]
    assert "The data service needs at least 60 people submitted: with 30 it would not take " \
           "the request." in texts
    assert not any("needs at least 60" in s.text for s in powerplan.make_report(
        Scenario(cohort=60), date="2026-01-31").answer())


def test_a_simulated_report_gives_its_monte_carlo_error_and_seed():
    simulator = powerplan.Simulator(n_sims=100, seed=5)
    scenario = Scenario(cohort=300, simulation={"pool": 5000})
    report = powerplan.make_report(scenario, date="2026-01-31", engine=simulator)
    method = dict(report.method())
    expected = powerplan.simulate(scenario, n_sims=100, seed=5)
    assert report.result.p_significant_reduction == expected.p_significant_reduction
    assert "seed 5" in method["Engine"]
    assert f"{100 * expected.reduction_mc_se:.1f} points" in method["Engine"]


# Escaping and privacy ---------------------------------------------------------------

def test_user_text_is_text_not_markup(runner, tmp_path):
    html = html_of(runner, tmp_path, "--stage", "found=0.8", "--stage", f"{SCRIPT}=0.5",
                   "--title", f"Board {SCRIPT} & <b>paper</b>")
    page = Page(html)
    assert [tag for tag, _ in page.tags if tag in ("script", "b")] == []
    assert f"Board {SCRIPT} & <b>paper</b>" in page.all_text      # shown as typed
    assert SCRIPT in page.all_text.split("The assumptions", 1)[1]  # in the funnel's row
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_markdown_escapes_user_text_too(runner, tmp_path):
    path = tmp_path / "report.md"
    result = run(runner, "--title", f"T {SCRIPT} | x", *DATE, "-o", str(path))
    assert result.exit_code == 0, result.output
    text = path.read_text()
    assert SCRIPT not in text and "&lt;script&gt;" in text


def test_no_personal_data_from_the_file(runner, tmp_path):
    people = tmp_path / "people.csv"
    rows = [f"Zanzibarine{i},Quaxleworth{i},1{i % 10}/03/1971,"
            f"{1 + i % 28:02d}/{1 + i % 12:02d}/2023" for i in range(80)]
    people.write_text("Forename,Surname,Date of Birth,Index Date\n" + "\n".join(rows) + "\n")
    out = tmp_path / "out"
    out.mkdir()
    for name in ("r.html", "r.md"):
        result = run(runner, "--index-dates", str(people), "--today", "2026-11-02", "--now",
                     "2026-11", "--horizon-months", "6", *DATE, "-o", str(out / name))
        assert result.exit_code == 0, result.output
        assert "Zanzibarine" not in result.output
    for path in out.iterdir():
        text = path.read_text()
        assert not re.search(r"zanzibarine|quaxleworth|1971", text, re.IGNORECASE), path.name
    html = (out / "r.html").read_text()
    assert "Index dates from people.csv: 80 rows read" in Page(html).all_text
    assert "organisation&#39;s file people.csv" in html


# Offline, self-contained, deterministic ---------------------------------------------

#: The only URLs a page may hold: XML namespaces, which are names, never fetched.
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def test_the_page_is_self_contained(runner, tmp_path):
    html = html_of(runner, tmp_path, "--intake-per-month", "20", "--start", "2024-01",
                   "--now", "2026-11")
    page = Page(html)
    assert set(re.findall(r"https?://[^\s\"'<>)]+", html)) <= NAMESPACES
    tags = {tag for tag, _ in page.tags}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed"}
    assert "@import" not in html and "@font-face" not in html
    assert set(re.findall(r"url\(([^)]*)\)", html)) <= {f"#{i}" for i in re.findall(
        r'id="([^"]+)"', html)}
    assert [attrs.get("role") for tag, attrs in page.tags if tag == "svg"] == ["img"] * 4
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))                      # four figures, no shared id
    for svg in re.findall(r"<svg.*?</svg>", html, flags=re.DOTALL):
        ET.fromstring(svg)                                # each figure is well-formed


def test_the_same_inputs_give_the_same_bytes(runner, tmp_path):
    args = ["--cohort", "250", "--stage", "found=0.8", "--stage", "matched=0.6"]
    first = html_of(runner, tmp_path, *args, name="a.html")
    second = html_of(runner, tmp_path, *args, name="b.html")
    assert hashlib.sha256(first.encode()).digest() == hashlib.sha256(second.encode()).digest()
    assert "metadata" not in first and "<dc:date>" not in first


def test_a_seeded_simulation_gives_the_same_bytes(runner, tmp_path):
    args = ["--engine", "simulate", "--sims", "60", "--seed", "11", "--pool", "5000", "--quiet"]
    assert html_of(runner, tmp_path, *args, name="a.html") == \
        html_of(runner, tmp_path, *args, name="b.html")


def test_the_date_is_the_option_then_source_date_epoch(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")   # 2026-01-01T00:00:00Z
    path = tmp_path / "r.html"
    assert run(runner, "-o", str(path)).exit_code == 0
    assert 'datetime="2026-01-01"' in path.read_text()
    assert run(runner, "-o", str(path), "--date", "2025-06-30").exit_code == 0
    assert 'datetime="2025-06-30"' in path.read_text()
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert run(runner, "-o", str(path)).exit_code == 0
    assert f'datetime="{dt.date.today().isoformat()}"' in path.read_text()


def test_with_dates_the_report_s_date_is_its_first_month(runner, tmp_path):
    html = html_of(runner, tmp_path, "--intake-per-month", "20", "--start", "2024-01")
    rows = dict(re.findall(r"<tr><td>first month considered</td><td>([^<]*)</td><td>([^<]*)"
                           r"</td></tr>", html))
    assert rows == {"2026-01": "the report&#39;s date"}      # DATE is 2026-01-31


# The assumptions' sources -----------------------------------------------------------

def test_each_assumption_says_where_it_came_from(tmp_path):
    config = tmp_path / "study.toml"
    config.write_text("base_rate = 0.28\nalpha = 0.1\n")
    from click.testing import CliRunner

    path = tmp_path / "r.html"
    result = CliRunner().invoke(cli, ["report", "--config", str(config), "--alpha", "0.05",
                                      "--effect", "-4pp", *DATE, "-o", str(path)])
    assert result.exit_code == 0, result.output
    rows = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>",
                      path.read_text())
    sources = {setting: source for setting, _, source in rows}
    values = {setting: value for setting, value, _ in rows}
    assert sources["base rate"] == "config file study.toml" and values["base rate"] == "28.0%"
    assert sources["alpha"] == "option --alpha" and values["alpha"] == "5.0%"
    assert sources["effect"] == "option --effect"
    assert sources["people submitted"] == "default"


# Markdown ---------------------------------------------------------------------------

def test_markdown_has_the_same_answer_and_its_figures_beside_it(runner, tmp_path):
    path = tmp_path / "board.md"
    result = run(runner, "--cohort", "300", *DATE, "-o", str(path))
    assert result.exit_code == 0, result.output
    text = path.read_text()
    report = powerplan.make_report(Scenario(cohort=300), date="2026-01-31")
    for sentence in report.answer():
        plain = re.sub(r"\*\*", "", text)
        assert sentence.text.replace("<", "&lt;") in plain
    linked = re.findall(r"\]\((board-[a-z-]+\.svg)\)", text)
    assert linked == ["board-funnel.svg", "board-verdicts.svg", "board-power-by-cohort.svg"]
    for name in linked:
        ET.fromstring((tmp_path / name).read_text())
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*linked, "board.md"])


def test_stdout(runner):
    result = run(runner, *DATE, "-o", "-")
    assert result.exit_code == 0
    assert result.stdout.startswith("<!DOCTYPE html>") and result.stdout.endswith("</html>\n")
    assert result.stderr.startswith("Assuming a base rate") and "standard output" in \
        result.stderr


# Writing and errors -----------------------------------------------------------------

def test_the_file_is_replaced_whole_and_no_temporary_file_stays(runner, tmp_path):
    path = tmp_path / "r.html"
    path.write_text("old")
    assert run(runner, *DATE, "-o", str(path)).exit_code == 0
    assert path.read_text().startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_a_file_that_cannot_be_written_is_bad_input(runner, tmp_path, monkeypatch):
    import os

    def refuse(*args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    result = run(runner, *DATE, "-o", str(tmp_path / "r.html"))
    assert result.exit_code == 2
    assert result.stderr == (f"Error: Invalid value for '--output': cannot write "
                             f"{tmp_path / 'r.html'}: Permission denied\n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args, message", [
    (["--base-rate", "1.5"], "Invalid value for '--base-rate': must be a proportion in (0, 1)"),
    (["-o", "no-such-folder/r.html"], "cannot write no-such-folder/r.html: there is no folder"),
    (["-o", "-", "--format", "markdown"], "Invalid value for '--output': with --format markdown"),
    (["--now", "2026-11"], "--now goes with --intake-per-month or --index-dates FILE"),
    (["--intake-per-month", "20", "--start", "2024-01", "--cohort", "300"],
     "Invalid value for '--cohort': is not used by report"),
    (["--date", "31/01/2026"], "Invalid value for '--date'"),
    (["--sims", "100"], "--sims applies to the simulator; add --engine simulate"),
    (["--measure", "all", "--effect", "-5pp"], "Invalid value for '--effect': is one measure's"),
])
def test_bad_input_is_one_line_and_exit_2(runner, args, message):
    result = run(runner, *(args if "-o" in args else [*args, "-o", "r.html"]))
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_the_command_is_documented():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    assert "powerplan report" in (root / "README.md").read_text().split("## Documentation")[0]
    assert "report.md" in (root / "docs" / "cli.md").read_text()


# The page showing a report ----------------------------------------------------------

def _screenshot_script():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "docs" / "make_report_screenshot.py"
    spec = importlib.util.spec_from_file_location("make_report_screenshot", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_screenshot_in_the_docs_is_of_the_current_report():
    script = _screenshot_script()
    recorded = (script.FOLDER / "example.sha256").read_text().strip()
    assert script.fingerprint(script.example_html()) == recorded, (
        "the report docs/report.md shows has changed: run python docs/make_report_screenshot.py")
    png = (script.FOLDER / "example.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert int.from_bytes(png[16:20], "big") == script.WINDOW[0]   # the IHDR width


def test_the_fingerprint_changes_with_what_the_report_says_not_with_svg_bytes():
    script = _screenshot_script()
    html = script.example_html()
    svg_changed = re.sub(r'(<path d="M) ', r"\1  ", html, count=1)
    assert svg_changed != html and script.fingerprint(svg_changed) == script.fingerprint(html)
    said = html.replace("Recommendation", "Advice", 1)
    assert script.fingerprint(said) != script.fingerprint(html)
    alt_changed = html.replace("Bar chart of the funnel", "Bar chart of a funnel", 1)
    assert script.fingerprint(alt_changed) != script.fingerprint(html)


def test_the_docs_show_the_command_the_screenshot_is_of():
    import shlex

    script = _screenshot_script()
    page = (script.ROOT / "docs" / "report.md").read_text().replace("\\\n", " ")
    line = next(line for line in page.splitlines()
                if line.strip().startswith("powerplan report --intake-per-month 30"))
    assert shlex.split(line) == ["powerplan", *script.EXAMPLE[:-2], "-o", "report.html"]


def test_the_templates_are_package_data():
    import fnmatch
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    patterns = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["powerplan.report"]
    folder = root / "powerplan" / "report"
    files = [str(path.relative_to(folder)) for path in (folder / "templates").iterdir()]
    assert files and all(any(fnmatch.fnmatch(name, p) for p in patterns) for name in files)
