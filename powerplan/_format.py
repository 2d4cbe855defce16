"""Small formatting helpers for printed results (no I/O).

A number that is missing or not finite (NaN, infinity) is never shown as one:
each helper writes it as :data:`MISSING`.
"""

from __future__ import annotations

import math

#: How a missing or not finite number is shown.
MISSING = "-"


def _missing(x) -> bool:
    return x is None or not math.isfinite(x)


def percent(p: float, digits: int = 1) -> str:
    """A probability or rate as a percentage, never rounding a non-zero chance to 0."""
    if _missing(p):
        return MISSING
    smallest = 0.5 * 10 ** (-digits) / 100
    if 0 < p < smallest:
        return f"<{10 ** (-digits):.{digits}f}%"
    if smallest > 1 - p > 0:
        return f">{100 - 10 ** (-digits):.{digits}f}%"
    return f"{100 * p:.{digits}f}%"


def level(alpha: float) -> str:
    """The confidence level of a test at ``alpha``, exactly: '95%', '97.5%', '99.9999%'.

    >>> level(0.05), level(0.025), level(1e-6)
    ('95%', '97.5%', '99.9999%')
    """
    from decimal import Decimal

    text = format((1 - Decimal(repr(float(alpha)))) * 100, "f")
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"


def points(effect: float) -> str:
    """An effect in percentage points with its sign: '-5.0 points'."""
    if _missing(effect):
        return MISSING
    return f"{100 * effect:+.1f} points"


def p_value(p: float) -> str:
    """A p-value as reports write it: three decimals, below a thousandth as ``< 0.001``
    (never ``0.000`` nor ``1.5e-20``).

    >>> p_value(0.4853), p_value(0.0293), p_value(1.5e-20), p_value(1.0)
    ('0.485', '0.029', '< 0.001', '1.000')
    """
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def p_is(p: float) -> str:
    """``p = 0.485`` or ``p < 0.001``."""
    text = p_value(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def rates(comparison: float, treated: float, effect: float) -> str:
    """The two reoffending rates and their difference: '35.0% comparison, 30.0% treated
    (-5.0 points)'."""
    return f"{percent(comparison)} comparison, {percent(treated)} treated ({points(effect)})"


def people(n: float) -> str:
    """A count of people: whole numbers with separators, else one decimal.

    >>> people(1200), people(float("nan"))
    ('1,200', '-')
    """
    if _missing(n):
        return MISSING
    if float(n).is_integer():
        return f"{int(n):,}"
    return f"{n:,.1f}"


def headcount(n: float) -> str:
    """People in words: 'nobody', '1 person', '1,200 people'.

    >>> headcount(0), headcount(1), headcount(1200), headcount(120.4)
    ('nobody', '1 person', '1,200 people', '120.4 people')
    """
    if _missing(n):
        return MISSING
    if n == 0:
        return "nobody"
    return "1 person" if n == 1 else f"{people(n)} people"


def count(n, one: str, many: str | None = None) -> str:
    """A whole count with its noun: '1 significant reduction', '2 significant reductions'.

    >>> count(1, "evaluation"), count(0, "evaluation"), count(3, "study", "studies")
    ('1 evaluation', '0 evaluations', '3 studies')
    """
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def table(rows: list[tuple[str, str]], indent: int = 2) -> str:
    """Two aligned columns of label and value."""
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{' ' * indent}{label:<{width}}  {value}" for label, value in rows)


def columns(header: list[str], rows: list[list[str]], *, indent: int = 2,
            left: tuple[int, ...] = ()) -> str:
    """Columns under their headings: numbers right-aligned, the ``left`` columns
    (text) left-aligned; no trailing spaces.

    >>> print(columns(["month", "people"], [["2026-01", "5"], ["2026-02", "120"]], left=(0,)))
      month    people
      2026-01       5
      2026-02     120
    """
    lines = [header, *rows]
    widths = [max(len(cell) for cell in column) for column in zip(*lines)]
    return "\n".join(
        (" " * indent + "  ".join(cell.ljust(w) if i in left else cell.rjust(w)
                                  for i, (cell, w) in enumerate(zip(line, widths)))).rstrip()
        for line in lines)


def scenario_phrases(scenario, omit=(), simulated: bool = False) -> list[str]:
    """Short phrases stating a scenario, leaving out the settings in ``omit``.

    ``omit`` holds setting names and ``"test"`` (the test, alternative and alpha).
    ``simulated`` states the simulated study's matching and test instead of
    the analytic comparison design and method.

    >>> from powerplan import Scenario
    >>> scenario_phrases(Scenario(), omit=("cohort",))
    ['40% analysed', 'base rate 35%', 'effect -5.0 points', '10 comparison records each',
     'welch test, alpha 0.05']
    """
    def short(p):  # whole percentages without a trailing '.0'
        return percent(p).replace(".0%", "%")

    if scenario.n_comparison is not None:
        comparison = f"{people(scenario.n_comparison)} comparison records"
    else:
        comparison = f"{scenario.comparison_ratio:g} comparison records each"
    test = f"{scenario.method} test"
    if simulated:
        settings = scenario.simulation
        comparison = f"{settings.k} matches each from a pool of {people(settings.pool)}"
        test = f"simulated {settings.test} test"
    if scenario.alternative != "two-sided":
        test += f" ({scenario.alternative})"
    if "alpha" not in omit:
        test += f", alpha {scenario.alpha:g}"
    phrases = {
        "cohort": f"{people(scenario.cohort)} submitted",
        "retention": f"{short(scenario.retention)} analysed",
        "base_rate": f"base rate {short(scenario.base_rate)}",
        "effect": f"effect {scenario.outcome.describe_effect()}",
        "comparison_ratio": comparison,
        "test": test,
    }
    return [phrase for name, phrase in phrases.items() if name not in omit]
