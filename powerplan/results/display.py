"""How results show themselves: in a terminal, in IPython and in a notebook.

Every result prints itself (``__str__``: a heading and a table). This mixin
adds the rest, from that one text:

- ``repr()`` is one line naming the result and its answer (the summary
  sentence, or the first line of the text), not a dump of every field;
- IPython's pretty printer (``_repr_pretty_``) shows the whole text;
- Jupyter (``_repr_html_``) shows the summary in bold over the text, with
  the figures in a table when the result has ``to_frame()`` rows.

A dataclass writes its own ``__repr__`` unless told not to, so each result
class is declared ``@dataclass(frozen=True, repr=False)``.
"""

from __future__ import annotations

import html


class Displays:
    """Mixin: ``repr``, ``_repr_pretty_`` and ``_repr_html_`` from ``str`` and ``summary``."""

    def _headline(self) -> str:
        summary = getattr(self, "summary", None)
        if callable(summary):
            return summary()
        return str(self).splitlines()[0]

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self._headline()}>"

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        printer.text(f"<{type(self).__name__}>" if cycle else str(self))

    def _repr_html_(self) -> str:
        text = html.escape(str(self))
        headline = html.escape(self._headline())
        return (f'<div class="powerplan-result"><p><strong>{headline}</strong></p>'
                f"<pre>{text}</pre></div>")
