"""A :class:`~.content.Report` written as HTML or Markdown, by Jinja2 templates.

The templates (``templates/`` beside this file, package data) autoescape
everything: a stage name, a title or a column name a user gives is text,
never markup. Only the figures' SVG, which matplotlib writes (and whose
text it escapes), is inserted as markup.
"""

from __future__ import annotations

from functools import cache

from .. import _format
from .figures import report_figures
from .words import GLOSSARY


@cache
def _environment():
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("powerplan.report", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
        trim_blocks=True, lstrip_blocks=True)
    environment.filters["percent"] = lambda p: _format.percent(p, 0)
    environment.filters["people"] = lambda n: "not reachable" if n is None else \
        _format.people(n)
    # A Markdown table cell: a bar would end it, a line break would end the row.
    environment.filters["cell"] = lambda text: str(text).replace("|", "\\|").replace(
        "\n", " ")
    return environment


def _context(report, figures) -> dict:
    return {"report": report, "figures": figures, "glossary": GLOSSARY}


def to_html(report) -> str:
    """The report as one self-contained HTML page."""
    from markupsafe import Markup

    figures = [(figure, Markup(figure.svg)) for figure in report_figures(report)]
    return _environment().get_template("report.html.j2").render(_context(report, figures))


def to_markdown(report, figure_stem: str) -> tuple[str, dict[str, str]]:
    """The report as Markdown, and its figures' SVG files by file name."""
    figures = report_figures(report)
    files = {f"{figure_stem}-{figure.name}.svg": figure.svg for figure in figures}
    named = [(figure, f"{figure_stem}-{figure.name}.svg") for figure in figures]
    text = _environment().get_template("report.md.j2").render(_context(report, named))
    return text, files
