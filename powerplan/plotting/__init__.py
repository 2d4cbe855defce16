"""Figures of powerplan results, drawn with matplotlib.

Each function takes a result, draws on ``ax`` (a new figure when ``ax`` is
None) and returns the Axes; none calls ``show()`` or saves a file. matplotlib
is imported inside the functions, so ``import powerplan`` does not load it;
where no display is present a non-interactive backend is chosen.

Effects are drawn in percentage points, rates and chances as percentages,
in the Okabe-Ito colours (distinguishable with colour-blindness).

The figures live in modules of one theme each, and are all imported here:

* :mod:`.curves`: power and MDE curves, verdict stacks, and how a simulated
  solution was found;
* :mod:`.study`: one planned study's funnel and its simulated estimates;
* :mod:`.decisions`: the submission plan and its funnels now and later, the
  requirements heatmap, a portfolio of evaluations and published results;
* :mod:`.measures`: the three headline measures of one study side by side;
* :mod:`._style`: the colours, words, axes and titles they share.

Examples
--------
>>> from powerplan import Scenario, sweep
>>> curve = sweep(Scenario(), "cohort", range(100, 3001, 100))
>>> ax = plot_power_curve(curve, solution=curve.solve(0.8))
>>> ax.get_xlabel(), ax.get_ylabel()
('People submitted', 'Chance of a significant result')
>>> print(ax.get_title())
40% analysed, base rate 35%, effect -5.0 points,
10 comparison records each, welch test, alpha 0.05
"""

from ._style import (AXIS_LABELS, COLORS, ENGINE_WORDS, HEATMAP_COLORMAP, KINDS, OKABE_ITO,
                     POWER_LABEL, VERDICT_LABEL, VERDICTS)
from .curves import (plot_mde_curve, plot_power_curve, plot_power_curves,
                     plot_simulated_solution, plot_verdicts)
from .decisions import (plot_plan_funnels, plot_portfolio, plot_published,
                        plot_requirements_heatmap, plot_submission_plan)
from .measures import plot_measures
from .study import plot_estimates, plot_funnel

__all__ = [
    "AXIS_LABELS", "COLORS", "ENGINE_WORDS", "HEATMAP_COLORMAP", "KINDS", "OKABE_ITO",
    "POWER_LABEL", "VERDICTS", "VERDICT_LABEL", "plot_estimates", "plot_funnel",
    "plot_mde_curve", "plot_measures", "plot_plan_funnels", "plot_portfolio", "plot_power_curve",
    "plot_power_curves",
    "plot_published",
    "plot_requirements_heatmap", "plot_simulated_solution", "plot_submission_plan",
    "plot_verdicts",
]
