"""The report's fixed words: its glossary, and where each test's formulas come from.

The formulas' sources are read from the docstrings of the formulas modules
(:mod:`powerplan.formulas.rate`, ``frequency``, ``time``), which name, for
each method, the formula and the software or paper it agrees with: the
report quotes them rather than keeping a second copy that could drift.
"""

from __future__ import annotations

import importlib
import inspect
import re

#: The short glossary at the end of a report (docs/glossary.md has the long one).
GLOSSARY = (
    ("Power", "The chance that the analysis reports a significant difference, if the "
              "effect assumed is the true one. 80% power means that 8 studies in 10 like "
              "this one would find the effect; 2 in 10 would come back inconclusive."),
    ("Significant", "A difference large enough that chance alone would rarely produce it: "
                    "the data service calls a result significant when its p-value is at "
                    "most the significance level (0.05), so a service that makes no "
                    "difference still gets a significant result 5 times in 100."),
    ("Inconclusive", "The analysis found no significant difference either way. It does "
                     "not show that the service does not work: the study may have been "
                     "too small to tell."),
    ("Confidence interval", "The range of effects the data are consistent with; the data "
                            "service reports a 95% interval. An interval that does not "
                            "cross zero is a significant result."),
    ("Matching", "For each person submitted, the data service finds similar people in the "
                 "national records who did not receive the service (a propensity score on "
                 "age, gender, criminal history and so on), and compares the two groups."),
    ("The funnel", "The steps from the people submitted to the people analysed: found in "
                   "the national records, with an index date inside the data window, "
                   "matched to comparison records. Each step loses people."),
    ("Smallest detectable reduction", "The smallest effect the study would find with the "
                                      "target power (the minimum detectable effect, MDE)."),
)

#: The formulas module of each measure.
_FORMULAS_MODULES = {"rate": "rate", "frequency": "frequency", "time": "time"}


def formula_source(measure: str, method: str) -> tuple[str, str]:
    """The formulas module's first line and its paragraph on ``method``, as plain text.

    >>> first, text = formula_source("rate", "pooled")
    >>> first
    'Power of tests comparing two independent proportions.'
    >>> "power.prop.test" in text
    True
    """
    module = importlib.import_module(f"powerplan.formulas.{_FORMULAS_MODULES[measure]}")
    doc = inspect.cleandoc(module.__doc__ or "")
    first = doc.split("\n", 1)[0].strip()
    # A method's paragraph: a line naming it (``welch`` (...)), then indented lines.
    pattern = rf"^``{re.escape(method)}``[^\n]*\n((?:[ \t]+[^\n]*\n?|\n(?=[ \t]))+)"
    found = re.search(pattern, doc, flags=re.MULTILINE)
    if found is None:
        return first, ""
    lines = found.group(1).splitlines()
    indent = len(lines[0]) - len(lines[0].lstrip())
    # The words; a display formula (indented further) is named, not copied.
    text, in_formula = "", False
    for line in lines:
        if not line.strip():
            continue
        if len(line) - len(line.lstrip()) > indent:
            if not in_formula:
                text = text.rstrip(" ,:") + " (formula in the source). "
            in_formula = True
            continue
        in_formula = False
        word = line.strip()
        text += word if text.endswith("-") or not text else " " + word
    text = re.sub(r"\s+", " ", text.replace("``", "")).strip()
    text = re.sub(r":(?:func|class|mod):`~?([^`]+)`", r"\1", text)
    return first, re.sub(r"[,:]$", ".", text)
