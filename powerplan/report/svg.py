"""A matplotlib figure as SVG text that is the same, byte for byte, on every run.

matplotlib writes a random salt into the ids of an SVG's elements and the
date into its metadata; with a fixed ``svg.hashsalt`` and no ``Date`` the
same figure gives the same file. Text is drawn as paths (``svg.fonttype``
``path``), so the figure needs no font on the reader's machine.
"""

from __future__ import annotations

import io
import re

#: The salt of the ids matplotlib writes into an SVG (any fixed text).
HASH_SALT = "powerplan-report"
#: The settings that make an SVG reproducible and self-contained; set only while saving.
SVG_SETTINGS = {"svg.hashsalt": HASH_SALT, "svg.fonttype": "path", "svg.image_inline": True}
#: Metadata matplotlib would write: no date, and the creator without a version
#: (the version of powerplan is in the report's method section).
METADATA = {"Date": None, "Creator": "powerplan (matplotlib)"}


def figure_svg(figure, *, prefix: str, alt: str) -> str:
    """``figure`` as an ``<svg>`` element for inlining in HTML.

    No XML declaration, doctype or metadata; its ids prefixed with ``prefix``
    so that several figures in one page never share an id; sized by its
    viewBox (the page's stylesheet gives it its width); ``role="img"`` with
    ``alt`` (escaped) as its ``<title>``, the text a screen reader reads.
    """
    from markupsafe import escape
    from matplotlib import rc_context

    buffer = io.StringIO()
    with rc_context(SVG_SETTINGS):
        figure.savefig(buffer, format="svg", metadata=METADATA)
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.DOTALL)
    # Every id and every reference to one (href="#id", url(#id)) gets the prefix.
    seen: dict[str, int] = {}

    def unique(match) -> str:
        # A figure may give one gid to several elements; an id names one.
        name = match.group(1)
        seen[name] = seen.get(name, 0) + 1
        suffix = "" if seen[name] == 1 else f"-{seen[name]}"
        return f'id="{prefix}-{name}{suffix}"'

    text = re.sub(r'\bid="([^"]+)"', unique, text)
    text = re.sub(r'(href="#|url\(#)([^")]+)', lambda m: f"{m.group(1)}{prefix}-{m.group(2)}",
                  text)
    head, rest = text.split(">", 1)
    view_box = re.search(r'viewBox="([^"]+)"', head).group(1)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" '
            f'xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" viewBox="{view_box}" '
            f'role="img" aria-labelledby="{prefix}-title" id="{prefix}">'
            f'<title id="{prefix}-title">{escape(alt)}</title>')
    return head + rest.strip() + "\n"
