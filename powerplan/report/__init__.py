"""The report a board can read: one self-contained HTML page (or Markdown and SVG files).

:func:`make_report` computes a planned study's answers into a
:class:`Report`; ``report.to_html()`` and ``report.to_markdown()`` write
it with Jinja2 templates (package data in ``templates/``), its figures
drawn by :mod:`powerplan.plotting` as inline SVG. The same inputs, seed and
date give the same bytes. This layer stands above all the others: it calls
the decisions, solvers and engines, and the plotting functions.
"""

from .content import Report, make_report

__all__ = ["Report", "make_report"]
