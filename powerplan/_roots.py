"""Brent's root finder, imported when first needed.

``scipy.optimize`` takes about 0.14 s to import (it loads scipy's linear algebra and linear
programming), which every command would pay at start-up, even those that never look for a
root (``powerplan power``, ``--help``): the modules of formulas and solvers call this instead.
"""

from __future__ import annotations


def brentq(f, a, b, **options):
    """:func:`scipy.optimize.brentq` itself (the same arguments and result)."""
    from scipy import optimize

    return optimize.brentq(f, a, b, **options)
