"""Small formatting helpers for printed results (no I/O)."""

from __future__ import annotations


def percent(p: float, digits: int = 1) -> str:
    """A probability or rate as a percentage, never rounding a non-zero chance to 0."""
    if p is None:
        return "-"
    smallest = 0.5 * 10 ** (-digits) / 100
    if 0 < p < smallest:
        return f"<{10 ** (-digits):.{digits}f}%"
    if smallest > 1 - p > 0:
        return f">{100 - 10 ** (-digits):.{digits}f}%"
    return f"{100 * p:.{digits}f}%"


def points(effect: float) -> str:
    """An effect in percentage points with its sign: '-5.0 points'."""
    return f"{100 * effect:+.1f} points"


def people(n: float) -> str:
    """A count of people: whole numbers with separators, else one decimal."""
    if float(n).is_integer():
        return f"{int(n):,}"
    return f"{n:,.1f}"


def table(rows: list[tuple[str, str]], indent: int = 2) -> str:
    """Two aligned columns of label and value."""
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{' ' * indent}{label:<{width}}  {value}" for label, value in rows)
