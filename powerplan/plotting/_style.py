"""What every figure shares: its colours, words, axes and title.

The colours are the Okabe-Ito palette (distinguishable with colour-blindness);
effects are drawn in percentage points, rates and chances as percentages.
matplotlib is imported inside the functions, so importing this module does
not load it; where no display is present a non-interactive backend is chosen
before pyplot is first imported.
"""

from __future__ import annotations

import os
import sys

import numpy as np

from .. import _format
from ..limits import FIELDS
# The registry of settings: how each is named on an axis and ticked.
# The registry of each measure's settings, as the outcomes give it.
from ..outcomes import SETTINGS, settings_for

#: The Okabe-Ito colours (Okabe and Ito 2008, "Color Universal Design").
OKABE_ITO = {
    "orange": "#E69F00", "sky blue": "#56B4E9", "bluish green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00",
    "reddish purple": "#CC79A7", "black": "#000000",
}

#: What each element of a figure is drawn in.
COLORS = {
    "power": OKABE_ITO["blue"],
    "simulated": OKABE_ITO["vermillion"],
    "target": OKABE_ITO["black"],
    "solution": OKABE_ITO["orange"],
    "mde": OKABE_ITO["blue"],
    "significant reduction": OKABE_ITO["bluish green"],
    "inconclusive": "#BBBBBB",
    "significant increase": OKABE_ITO["vermillion"],
    "not reported": OKABE_ITO["yellow"],
    "funnel": OKABE_ITO["sky blue"],
    "no answer": "#DDDDDD",
    "below minimum": "#E8E8E8",
}

#: The colour map of heatmaps: perceptually uniform and readable with colour-blindness.
HEATMAP_COLORMAP = "viridis"

#: Axis label of each setting a curve can vary (from the registry of settings), and of
#: the submission month.
AXIS_LABELS = {**{name: SETTINGS[name].axis for name in FIELDS}, "month": "Submission month"}

#: How each engine's power is named in a legend.
ENGINE_WORDS = {"analytic": "Analytic power", "simulate": "Simulated power"}

POWER_LABEL = "Chance of a significant result"
VERDICT_LABEL = "Chance of each verdict"
VERDICTS = ("significant reduction", "inconclusive", "significant increase")
KINDS = ("area", "bars")

# Backends that open windows, and so need a display.
_GUI_BACKENDS = {"gtk3agg", "gtk3cairo", "gtk4agg", "gtk4cairo", "macosx", "qtagg",
                 "qtcairo", "qt5agg", "qt5cairo", "tkagg", "tkcairo", "wx", "wxagg",
                 "wxcairo"}


def _display_present() -> bool:
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _pyplot():
    """matplotlib.pyplot, switched to Agg first if the chosen backend needs a missing display."""
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules and not _display_present():
        try:
            chosen = matplotlib.get_backend(auto_select=False)
        except TypeError:  # matplotlib < 3.10 has no auto_select; peek without resolving
            chosen = dict.__getitem__(matplotlib.rcParams, "backend")
        # None (or a sentinel) means "pick automatically": matplotlib falls back to Agg itself.
        if isinstance(chosen, str) and chosen.lower() in _GUI_BACKENDS:
            matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _axes(ax, size=(7.0, 4.5)):
    if ax is None:
        _, ax = _pyplot().subplots(figsize=size, layout="constrained")
    return ax


def _settings(outcome=None):
    """The registry of settings of ``outcome``'s measure (the rate's when None): an
    effect on the frequency or the time is drawn in its own units, not in points."""
    return SETTINGS if outcome is None else settings_for(outcome)


def _x(field: str, values, outcome=None) -> np.ndarray:
    """Values as drawn: the rate's effects in percentage points, months (``YYYY-MM``) as
    their first days, the rest as they are."""
    if field == "month":
        return np.array(values, dtype="datetime64[M]").astype("datetime64[D]")
    return _settings(outcome)[field].drawn(np.asarray(values, dtype=float))


def _tick_text(field: str, value, outcome=None) -> str:
    return value if field == "month" else _settings(outcome)[field].tick(value)


def _label_x(ax, field: str, outcome=None) -> None:
    """Label the x axis; months are ticked on first days, so set their limits first."""
    from matplotlib import ticker

    ax.set_xlabel(AXIS_LABELS[field] if field == "month" else _settings(outcome)[field].axis)
    if field == "month":
        from matplotlib import dates

        first, last = ax.get_xlim()
        months = round((last - first) / 30.44)
        every = next((k for k in (1, 2, 3, 4, 6) if months / k <= 6), 12)
        ax.xaxis.set_major_locator(dates.MonthLocator(range(1, 13, every)))
        ax.xaxis.set_major_formatter(dates.DateFormatter("%Y-%m"))
    elif _settings(outcome)[field].kind == "people":
        ax.xaxis.set_major_formatter(ticker.StrMethodFormatter("{x:,.0f}"))
    elif _settings(outcome)[field].kind == "percent":
        ax.xaxis.set_major_formatter(ticker.PercentFormatter(xmax=1))


def _label_chance(ax, label: str) -> None:
    from matplotlib import ticker

    ax.set_ylabel(label)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(ticker.PercentFormatter(xmax=1, decimals=0))


def _title(ax, scenario, omit=(), first: str | None = None, width: int = 60,
           simulated: bool = False) -> None:
    """State the scenario (a :class:`~powerplan.Scenario`) in the title, in lines of
    about ``width`` characters."""
    phrases = ([first] if first else []) + _format.scenario_phrases(scenario, omit, simulated)
    lines = [phrases[0]]
    for phrase in phrases[1:]:
        if len(lines[-1]) + len(phrase) + 2 > width:
            lines[-1] += ","
            lines.append(phrase)
        else:
            lines[-1] += ", " + phrase
    ax.set_title("\n".join(lines), fontsize="medium")


def _carries(value, *attributes: str) -> bool:
    """Whether ``value`` has every one of ``attributes``.

    Figures recognise a result by what it carries, not by its class, so that
    plotting imports nothing from the modules that compute results.
    """
    return all(hasattr(value, attribute) for attribute in attributes)


def _target_line(ax, target_power) -> None:
    """The target power as a dashed line, drawn once however many curves share ``ax``."""
    drawn = [line.get_ydata()[0] for line in ax.get_lines() if line.get_gid() == "target"]
    if target_power not in drawn:
        ax.axhline(target_power, color=COLORS["target"], linestyle="--", linewidth=1,
                   label=f"Target: {_format.percent(target_power, 0)}", gid="target")


def _solution_label(solution) -> str:
    if solution.unknown == "cohort":
        return f"Minimum cohort: {_format.people(solution.value)}"
    if solution.unknown == "effect":
        return f"Minimum detectable effect: {_format.points(solution.value)}"
    return f"Retention needed: {_format.percent(solution.value)}"
