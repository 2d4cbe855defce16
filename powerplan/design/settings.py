"""One registry of settings: how each is named, bounded, printed, drawn and typed.

Every layer that shows a setting reads it here: printed tables (its words and
how a value prints), figures (its axis label and tick text), and the command
line (its option). The scenario's own settings are listed here; an outcome
contributes its parameters and its effect (``Outcome.settings``), so a new
measure brings its words with it. :func:`settings_for` gives the registry
for any outcome, and :data:`powerplan.outcomes.SETTINGS` is the one for the
default measure, the reoffending rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from .. import _format
from ..limits import MAX_COHORT, MAX_COMPARISON_RATIO, MAX_N_COMPARISON, MIN_COMPARISON_RATIO

#: How a setting's value can print: each kind a formatter of its own.
KINDS = ("people", "percent", "points", "number", "choice")


@dataclass(frozen=True)
class Setting:
    """One setting of a planned study.

    Attributes
    ----------
    name : str
        As :class:`~powerplan.Scenario` spells it: ``"base_rate"``.
    words : str
        In printed tables: ``"base rate"``.
    axis : str
        Axis label of a figure that varies it.
    option : str
        The command line's option: ``"--base-rate"``.
    kind : str
        How a value prints (one of :data:`KINDS`).
    bounds : str
        The values allowed, in words (for help texts and messages).

    Examples
    --------
    >>> from powerplan.outcomes import SETTINGS
    >>> SETTINGS["effect"].format(-0.05), SETTINGS["effect"].tick(-0.05)
    ('-5.0 points', '-5')
    >>> SETTINGS["retention"].format(0.4), SETTINGS["cohort"].format(1000)
    ('40.0%', '1,000')
    """

    name: str
    words: str
    axis: str
    option: str
    kind: str
    bounds: str = ""

    def format(self, value) -> str:
        """A value in printed tables: ``'1,000'``, ``'-5.0 points'``, ``'40.0%'``, ``'10'``."""
        if self.kind == "people":
            return _format.people(value)
        if self.kind == "points":
            return _format.points(value)
        if self.kind == "percent":
            return _format.percent(value)
        if self.kind == "choice":
            return str(value)
        return f"{value:g}"

    def tick(self, value) -> str:
        """A value as an axis tick: ``'1,000'``, ``'-5'``, ``'40%'``, ``'10'``."""
        if self.kind == "people":
            return _format.people(value)
        if self.kind == "points":
            return f"{100 * value:+g}"
        if self.kind == "percent":
            return f"{100 * value:g}%"
        return f"{value:g}"

    def drawn(self, value):
        """A value as drawn on an axis: effects in points, the rest as they are."""
        return 100.0 * value if self.kind == "points" else value


#: The scenario's own settings, whatever the measure.
SCENARIO_SETTINGS = (
    Setting("cohort", "people submitted", "People submitted", "--cohort", "people",
            f"a whole number in [1, {MAX_COHORT:,}]"),
    Setting("retention", "retention", "Share of people submitted who are analysed",
            "--retention", "percent", "a share in (0, 1]"),
    Setting("comparison_ratio", "comparison ratio", "Comparison records per analysed person",
            "--comparison-ratio", "number",
            f"a number in [{MIN_COMPARISON_RATIO:g}, {MAX_COMPARISON_RATIO:,.0f}]"),
    Setting("n_comparison", "comparison records", "Comparison records (effective)",
            "--n-comparison", "people", f"a whole number in [1, {MAX_N_COMPARISON:,}]"),
    Setting("alpha", "alpha", "Significance level", "--alpha", "percent",
            "a significance level in [1e-10, 0.5)"),
    Setting("alternative", "alternative", "Alternative", "--alternative", "choice"),
    Setting("method", "method", "Method", "--method", "choice"),
    Setting("min_n_treated", "fewest analysed", "Fewest treated people analysed",
            "--min-n-treated", "people", f"a whole number in [2, {MAX_COHORT:,}]"),
)


def settings_for(outcome) -> MappingProxyType:
    """Every setting of a scenario whose measure is ``outcome`` (a value or its class),
    by name: the scenario's own, then the outcome's."""
    return MappingProxyType({s.name: s for s in (*SCENARIO_SETTINGS, *outcome.settings)})
