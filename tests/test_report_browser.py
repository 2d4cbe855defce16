"""The report rendered in a real browser: headless Chromium, driven by Selenium.

On the rendered page: the headline numbers are the library's, every figure
is drawn with a size, the browser logged no error and made no request but
for the page itself, printing gives an A4 PDF whose figures fit a page, and
a screenshot is not blank. One browser serves the module.

Without Chromium (Debian's ``chromium`` and ``chromium-driver``) the tests
are skipped, unless ``POWERPLAN_REQUIRE_BROWSER=1`` (as ``.ci/run`` sets):
then a missing browser fails them.
"""

import base64
import io
import json
import os
import shutil
import subprocess

import numpy as np
import pytest

import powerplan
from powerplan import Intake, Scenario, solve, submission_plan

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
#: The scenario of the page: a funnel, an intake (so all four figures), a config's worth.
SCENARIO = Scenario(funnel={"found": 0.8, "matched": 0.6}, base_rate=0.3, effect=-0.06)
INTAKE = Intake.monthly(30, "2024-01")
RULE = {"now": "2026-11", "horizon_months": 24}
#: A4 in CSS pixels (96 per inch) less the print stylesheet's margins (16 mm + 18 mm).
A4_CONTENT_HEIGHT = (297 - 34) / 25.4 * 96


def _missing(reason: str):
    if os.environ.get("POWERPLAN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and POWERPLAN_REQUIRE_BROWSER=1 requires the browser tests")
    pytest.skip(f"{reason} (apt-get install chromium chromium-driver)")


@pytest.fixture(scope="module")
def browser():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium is not installed")
    if CHROMIUM is None or DRIVER is None:
        _missing("no Chromium or chromedriver on PATH")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1000,1400",
                     "--hide-scrollbars", "--no-first-run", "--disable-extensions",
                     "--disable-background-networking", "--disable-component-update"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def report():
    return powerplan.make_report(SCENARIO, date="2026-11-01", intake=INTAKE, plan_rule=RULE,
                                 title="Board paper <script>alert(1)</script>")


@pytest.fixture(scope="module")
def page(browser, report, tmp_path_factory):
    """The report loaded in the browser, and the requests and log of loading it."""
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(report.to_html(), encoding="utf-8")
    browser.get_log("performance")          # what came before is not this page's
    browser.get_log("browser")
    browser.get(path.as_uri())
    events = [json.loads(entry["message"])["message"] for entry in browser.get_log("performance")]
    requests = [event["params"]["request"]["url"] for event in events
                if event["method"] == "Network.requestWillBeSent"]
    return {"url": path.as_uri(), "path": path, "requests": requests,
            "log": browser.get_log("browser")}


def test_the_headline_numbers_in_the_page_are_the_library_s(browser, page):
    from selenium.webdriver.common.by import By

    shown = {element.get_attribute("data-key"): (element.get_attribute("data-value"),
                                                 element.text)
             for element in browser.find_elements(By.CSS_SELECTOR, "[data-key]")}
    plan = submission_plan(SCENARIO, INTAKE, **RULE)
    now = SCENARIO.replace(cohort=plan.current.n_analysable)
    result = powerplan.analytic(now)
    expected = {"p_significant_reduction": result.p_significant_reduction,
                "p_inconclusive": result.p_inconclusive,
                "p_significant_increase": result.p_significant_increase,
                "cohort_needed": solve(now, "cohort").value, "mde": solve(now, "effect").value}
    for key, value in expected.items():
        assert float(shown[key][0]) == pytest.approx(value, rel=1e-12), key
    assert shown["p_significant_reduction"][1] == \
        powerplan._format.percent(result.p_significant_reduction, 0)
    assert shown["recommended_month"][1] == (plan.recommended_month or plan.months[-1].month)
    title = browser.find_element(By.TAG_NAME, "h1")
    assert title.text == "Board paper <script>alert(1)</script>"   # text, not a script
    assert browser.find_elements(By.TAG_NAME, "script") == []


def test_every_figure_is_drawn_with_a_size_and_a_text_alternative(browser, page):
    from selenium.webdriver.common.by import By

    figures = browser.find_elements(By.CSS_SELECTOR, "figure svg")
    assert len(figures) == 4
    for svg in figures:
        assert svg.size["width"] > 300 and svg.size["height"] > 150
        assert svg.get_attribute("role") == "img"
        title = svg.find_element(By.TAG_NAME, "title")
        assert len(title.get_attribute("textContent")) > 40
        # the figure has drawn content: paths with a bounding box inside it
        box = browser.execute_script("return arguments[0].getBBox();", svg)
        assert box["width"] > 0 and box["height"] > 0


def test_no_error_and_no_request_but_the_page(page):
    assert [entry for entry in page["log"] if entry["level"] in ("SEVERE", "WARNING")] == []
    assert page["requests"] == [page["url"]]


def test_it_prints_to_a4_with_no_figure_taller_than_a_page(browser, page, tmp_path):
    from selenium.webdriver.common.print_page_options import PrintOptions

    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        heights = browser.execute_script(
            "return [...document.querySelectorAll('figure')].map("
            "f => f.getBoundingClientRect().height);")
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert len(heights) == 4 and all(0 < h < A4_CONTENT_HEIGHT for h in heights)
    options = PrintOptions()
    options.page_width, options.page_height = 21.0, 29.7
    pdf = base64.b64decode(browser.print_page(options))
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                              check=True).stdout
        pages = int(next(line.split()[-1] for line in info.splitlines()
                         if line.startswith("Pages:")))
        size = next(line for line in info.splitlines() if line.startswith("Page size:"))
        assert "(A4)" in size
    else:
        pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert pages >= 1


def test_a_screenshot_is_not_blank(browser, page):
    from matplotlib import image

    pixels = image.imread(io.BytesIO(browser.get_screenshot_as_png()), format="png")
    grey = pixels[..., :3].mean(axis=2)
    assert grey.shape[0] > 100 and grey.shape[1] > 100
    assert grey.std() > 0.05                     # text and figures, not one colour
    assert (grey < 0.5).mean() > 0.005           # some dark ink (the text)
    assert np.isclose(grey.max(), 1.0)           # on white paper
