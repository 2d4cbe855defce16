"""Figures of powerplan results, drawn with matplotlib: see :mod:`.decisions`
until the package is split into modules of one theme each."""

from ._style import (AXIS_LABELS, COLORS, ENGINE_WORDS, HEATMAP_COLORMAP, KINDS, OKABE_ITO,
                     POWER_LABEL, VERDICT_LABEL, VERDICTS)
from .decisions import (plot_estimates, plot_funnel, plot_mde_curve, plot_portfolio,
                        plot_power_curve, plot_published, plot_requirements_heatmap,
                        plot_simulated_solution, plot_submission_plan, plot_verdicts)

__all__ = [
    "AXIS_LABELS", "COLORS", "ENGINE_WORDS", "HEATMAP_COLORMAP", "KINDS", "OKABE_ITO",
    "POWER_LABEL", "VERDICTS", "VERDICT_LABEL", "plot_estimates", "plot_funnel",
    "plot_mde_curve", "plot_portfolio", "plot_power_curve", "plot_published",
    "plot_requirements_heatmap", "plot_simulated_solution", "plot_submission_plan",
    "plot_verdicts",
]
