"""Make docs/report/: an example report, a screenshot of it, and what the screenshot shows.

    python docs/make_report_screenshot.py

Writes ``docs/report/example.html`` (the report :data:`EXAMPLE` writes), shoots
its first screen in headless Chromium (Debian's ``chromium`` and
``chromium-driver``, driven by Selenium) into ``docs/report/example.png``,
and records in ``docs/report/example.sha256`` the fingerprint of the report
it shot: the SHA-256 of its HTML with each figure's SVG replaced by the
figure's text alternative. (The SVG's bytes depend on matplotlib's version;
the text alternative says what the figure shows, numbers included.)
tests/test_report.py remakes the report and compares the fingerprints, so a
change to what the report says fails the tests until this script is run
again.
"""

import hashlib
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "docs" / "report"
#: The example, docs/report.md's second: an organisation with 30 people a month since
#: January 2024.
EXAMPLE = ["report", "--intake-per-month", "30", "--start", "2024-01",
           "--stage", "found=0.8", "--stage", "matched=0.6", "--base-rate", "0.3",
           "--effect", "-6pp", "--now", "2026-11", "--horizon-months", "24",
           "--title", "Mentoring service: what an evaluation could show, and when to submit",
           "--date", "2026-11-02", "-o", "-"]
#: The screenshot: the browser window's size in CSS pixels (the first screen of the page).
WINDOW = (1000, 1700)


def example_html() -> str:
    """The example report, as HTML: the command run as a user runs it."""
    from click.testing import CliRunner

    from powerplan_cli.main import cli

    result = CliRunner().invoke(cli, EXAMPLE)
    if result.exit_code != 0:
        sys.exit(f"powerplan {' '.join(EXAMPLE)} failed:\n{result.output}")
    return result.stdout


def fingerprint(html: str) -> str:
    """SHA-256 of ``html`` with each ``<svg>`` element replaced by its ``<title>``, and the
    full-precision numbers the page carries for tests (``data-value``) to 9 significant
    digits: their last digits change with the CPU and with rounding-level changes of the
    arithmetic, which change nothing the page shows."""
    text = re.sub(r"<svg\b.*?<title[^>]*>(.*?)</title>.*?</svg>", r"[figure: \1]", html,
                  flags=re.DOTALL)
    text = re.sub(r'data-value="([^"]*)"', _nine_digits, text)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _nine_digits(match: re.Match) -> str:
    try:
        return f'data-value="{float(match.group(1)):.9g}"'
    except ValueError:  # a date or a word
        return match.group(0)


def shoot(html_path: Path, png_path: Path) -> None:
    """A PNG of the page's first screen, in headless Chromium."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        sys.exit("needs chromium and chromedriver: apt-get install chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--hide-scrollbars",
                     f"--window-size={WINDOW[0]},{WINDOW[1]}"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        driver.get(html_path.resolve().as_uri())
        driver.save_screenshot(str(png_path))
    finally:
        driver.quit()


def main() -> None:
    FOLDER.mkdir(exist_ok=True)
    html = example_html()
    (FOLDER / "example.html").write_text(html, encoding="utf-8")
    shoot(FOLDER / "example.html", FOLDER / "example.png")
    (FOLDER / "example.sha256").write_text(fingerprint(html) + "\n")
    print(f"wrote {FOLDER / 'example.html'}, example.png and example.sha256")


if __name__ == "__main__":
    main()
