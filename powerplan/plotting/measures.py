"""The three headline measures of one planned study, side by side."""

from __future__ import annotations

import numpy as np

from ._style import COLORS, _axes
from .curves import VISIBLE_SHARE

#: The stacks of each measure's bar, from the left: their colours and words.
_STACKS = (("significant reduction", "Significant improvement"),
           ("inconclusive", "Inconclusive"),
           ("significant increase", "Significantly worse"),
           ("not reported", "Not reported (< 30 treated reoffenders)"))


def plot_measures(result, ax=None):
    """Draw each headline measure's verdict chances as a stacked horizontal bar.

    Parameters
    ----------
    result : MeasuresResult
        From :func:`powerplan.compare_measures`: its ``results`` (one
        PowerResult per measure) and, when simulated, its ``joint`` chances,
        whose "at least one significant improvement" (with Holm's correction)
        is written in the title.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        One bar container per verdict, labelled, with one bar per measure
        (rate at the top); a verdict too rare to see on any bar (under half
        a percent) has no legend entry.

    Examples
    --------
    >>> from powerplan import Scenario, compare_measures
    >>> ax = plot_measures(compare_measures(Scenario(cohort=1000)))
    >>> [bars.get_label() for bars in ax.containers][:2]
    ['Significant improvement', 'Inconclusive']
    >>> [round(float(bar.get_width()), 3) for bar in ax.containers[0]]
    [0.543, 0.315, 0.174]
    """
    ax = _axes(ax)
    results = list(result.results.values())
    names = list(result.results)
    chances = np.array([[r.p_better, r.p_inconclusive, r.p_worse, r.p_not_reported]
                        for r in results])
    y = -np.arange(len(results))
    left = np.zeros(len(results))
    for (colour, label), chance in zip(_STACKS, chances.T):
        if colour == "not reported" and not chance.any():
            continue
        # a band too thin to see on every bar has no legend entry
        shown = chance.max() >= VISIBLE_SHARE
        ax.barh(y, chance, left=left, color=COLORS[colour], height=0.6,
                label=label if shown else f"_{label}")
        left = left + chance
    ax.set_yticks(y, [f"{name}\n{r.scenario.outcome.describe_effect()}"
                      for name, r in zip(names, results)])
    ax.set_xlim(0, 1)
    from matplotlib import ticker

    ax.xaxis.set_major_formatter(ticker.PercentFormatter(xmax=1))
    ax.set_xlabel("Chance of each verdict")
    first = results[0]
    title = (f"{first.cohort:,} submitted, about {first.expected_n_treated:,.0f} analysed "
             f"({result.engine})")
    holm = result.joint.get("any_better_holm")
    if holm is not None:
        title += (f"\nAt least one significant improvement: {100 * result.joint['any_better'].value:.0f}%"
                  f" ({100 * holm.value:.0f}% with Holm's correction)")
    ax.set_title(title, fontsize="medium")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, frameon=False,
              fontsize="small")
    return ax
