"""Figures of one planned study: its funnel, and the estimates its simulated
studies found."""

from __future__ import annotations

import numpy as np

from .. import _format
from ..errors import InvalidInputError
from ._style import COLORS, VERDICTS, _axes, _carries, _title


def plot_funnel(study, ax=None, *, color=None):
    """Draw the expected number of people at each stage, from submitted to analysed.

    Parameters
    ----------
    study : Scenario, PowerResult or Solution
        The planned study, or a result carrying it (``.scenario``).
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    color : str, optional
        Colour of the bars.

    Returns
    -------
    matplotlib Axes
        One horizontal bar per stage (submitted at the top), labelled with
        the number of people and their share of those submitted. For a
        simulated result (:func:`powerplan.simulate`) the bars are the mean
        of its simulated studies, and a last bar, "After matching", the mean
        treated people analysed once matching has dropped those without a
        comparison record within the caliper.

    Examples
    --------
    >>> from powerplan import Scenario
    >>> ax = plot_funnel(Scenario(funnel={"found": 0.8, "in window": 0.7, "matched": 0.75}))
    >>> [float(bar.get_width()) for bar in ax.containers[0]]
    [300.0, 240.0, 168.0, 126.0]
    >>> [label.get_text() for label in ax.get_yticklabels()]
    ['Submitted', 'Found', 'In window', 'Matched']
    """
    scenario = getattr(study, "scenario", study)
    if not _carries(scenario, "cohort", "funnel"):
        raise InvalidInputError(
            "study", f"must be a Scenario or a result carrying one; got {type(study).__name__}")
    ax = _axes(ax)
    simulated = _carries(study, "mean_funnel", "mean_n_treated", "n_sims")
    if simulated:  # the simulated studies' means, matching's own loss the last stage
        counts = [*study.mean_funnel.values(), study.mean_n_treated]
        names = [name[:1].upper() + name[1:] for name in study.mean_funnel] + ["After matching"]
    else:
        counts = scenario.funnel.expected_counts(scenario.cohort)
        names = ["Submitted"] + [name[:1].upper() + name[1:] for name in scenario.funnel.names]
    _funnel_bars(ax, counts, names, color)
    if simulated:
        ax.set_xlabel(f"People (mean of {study.n_sims:,} simulated studies)")
        ax.set_title(f"From {_format.headcount(scenario.cohort)} submitted to about "
                     f"{counts[-1]:,.0f} analysed after matching", fontsize="medium")
    else:
        ax.set_xlabel("People (expected number)")
        ax.set_title(f"From {_format.headcount(scenario.cohort)} submitted to about "
                     f"{counts[-1]:,.0f} analysed", fontsize="medium")
    return ax


def _funnel_bars(ax, counts, names, color=None) -> None:
    """One bar per stage from the top, each labelled with its people and their share of
    the first stage's."""
    y = np.arange(len(counts))
    bars = ax.barh(y, counts, color=color or COLORS["funnel"], height=0.6)
    ax.bar_label(bars, padding=4, labels=[
        f"{count:,.0f}" + (f" ({_format.percent(count / counts[0], 0)})" if counts[0] else "")
        for count in counts])
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.25 * max(counts[0], 1))
    ax.xaxis.set_major_formatter("{x:,.0f}")
    ax.spines[["top", "right"]].set_visible(False)


def plot_estimates(result, ax=None):
    """Draw the estimated differences of a simulation's studies, coloured by
    verdict, with the region that would be significant shaded.

    Parameters
    ----------
    result : SimulatedPowerResult
        From :func:`powerplan.simulate`.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib Axes
        A histogram of each analysed study's estimate (treated minus
        comparison reoffending rate, in percentage points), stacked by the
        verdict the study gave: one bar container per verdict, significant
        reduction, inconclusive and significant increase, each labelled with
        its count. The true effect is a dotted vertical line and no
        difference a solid one. Shaded: the estimates a study with the median
        standard error would find significant, beyond the normal critical
        value (1.96 two-sided at alpha 0.05) times that standard error (for
        the arcsine test converted to rates at each study's comparison rate;
        for fleiss-cc without the continuity correction). Each study is
        judged on its own standard error, so bars near the edge of the shade
        may hold both colours. Studies that could not be analysed are not
        drawn; the title says how many there were.

    Examples
    --------
    >>> from powerplan import Scenario, SimulationSettings, simulate
    >>> result = simulate(Scenario(cohort=300, simulation=SimulationSettings(pool=5000)),
    ...                   n_sims=64, seed=1)
    >>> ax = plot_estimates(result)                # = result.plot_estimates()
    >>> [bars.get_label() for bars in ax.containers]
    ['Significant reduction (18)', 'Inconclusive (46)', 'Significant increase (0)']
    >>> [line.get_gid() for line in ax.get_lines()]
    ['true effect', 'zero']
    """
    from matplotlib import ticker

    if not _carries(result, "replicates", "critical_value", "median_standard_error"):
        raise InvalidInputError("result", f"must be a SimulatedPowerResult from simulate(); "
                                          f"got {type(result).__name__}")
    replicates = result.replicates
    analysed = replicates[replicates["verdict"] != "not analysable"]
    if analysed.empty:
        raise InvalidInputError("result", f"has no analysed study to draw: none of its "
                                          f"{result.n_sims:,} could be analysed")
    ax = _axes(ax)
    scenario = result.scenario
    estimates = 100.0 * analysed["estimate"].to_numpy(dtype=float)
    bins = min(40, max(10, round(np.sqrt(len(estimates)))))
    edges = np.histogram_bin_edges(estimates, bins=bins)
    bottom = np.zeros(len(edges) - 1)
    for name in VERDICTS:
        counts, _ = np.histogram(estimates[analysed["verdict"] == name], bins=edges)
        ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge", bottom=bottom,
               color=COLORS[name], label=f"{name.capitalize()} ({counts.sum():,})", gid=name)
        bottom = bottom + counts
    effect = 100.0 * scenario.effect
    ax.axvline(effect, color=COLORS["solution"], linestyle=":", linewidth=2, gid="true effect",
               label=f"True effect: {_format.points(scenario.effect)}")
    ax.axvline(0, color=COLORS["target"], linewidth=1, gid="zero", label="No difference")
    z, se = result.critical_value, result.median_standard_error
    edge = 100.0 * z * se
    drawn = [edges[0], edges[-1], effect, 0.0, -edge, edge]
    margin = 0.05 * (max(drawn) - min(drawn))
    low, high = min(drawn) - margin, max(drawn) + margin
    sides = {"two-sided": ("reduction", "increase"), "less": ("reduction",),
             "greater": ("increase",)}[scenario.alternative]
    where = {"two-sided": f"beyond \u00b1{edge:.1f}", "less": f"below {-edge:.1f}",
             "greater": f"above {edge:+.1f}"}[scenario.alternative]
    label = (f"Significant at the median standard error: {where} points\n"
             f"({z:.2f} \u00d7 {100 * se:.1f} points)")
    for side in sides:
        span = (low, -edge) if side == "reduction" else (edge, high)
        ax.axvspan(*span, color=COLORS[f"significant {side}"], alpha=0.12, linewidth=0,
                   zorder=0, gid="significant region", label=label)
        label = None
    ax.set_xlim(low, high)
    ax.set_ylim(0, 1.05 * bottom.max())
    ax.set_xlabel("Estimated difference, treated minus comparison (percentage points)")
    ax.set_ylabel("Simulated studies")
    ax.yaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    lost = result.n_sims - len(analysed)
    first = (f"{len(analysed):,} of {result.n_sims:,} simulated studies analysed" if lost
             else f"{result.n_sims:,} simulated studies")
    _title(ax, scenario, first=first, simulated=True)
    # Below the axes: the histogram fills the plot, and a legend inside would hide bars.
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2, fontsize="small",
              frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return ax
