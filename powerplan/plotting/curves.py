"""Figures of power against one setting: power curves, MDE curves, verdict
stacks, and how a simulated solution was found.

Examples
--------
>>> from powerplan import Scenario, sweep
>>> curve = sweep(Scenario(), "effect", [-0.1, -0.05, 0.0])
>>> ax = plot_power_curve(curve, target_power=0.8)
>>> ax.get_xlabel(), ax.get_ylabel()
('Effect (percentage points)', 'Chance of a significant result')
"""

from __future__ import annotations

import numpy as np

from .. import _format, _validate
from ..errors import InvalidInputError
from ._style import (AXIS_LABELS, COLORS, ENGINE_WORDS, KINDS, OKABE_ITO, POWER_LABEL,
                     VERDICT_LABEL, VERDICTS, _axes, _carries, _label_chance, _label_x, _settings,
                     _solution_label, _target_line, _tick_text, _title, _x)


def _check_solution(curve, solution) -> None:
    measure = getattr(solution, "measure", "power")
    if measure != "power":
        raise InvalidInputError(
            "solution", f"targets {measure}, not power; a power curve marks only a solution "
                        f"for power")
    if solution.unknown != curve.field:
        raise InvalidInputError(
            "solution", f"solves for {solution.unknown} but the curve varies {curve.field}")
    if not curve.varies(solution.scenario):
        raise InvalidInputError(
            "solution", "is for another scenario than the curve's; pass curve.solve(...)")


def plot_power_curve(curve, ax=None, *, target_power=None, solution=None, label=None,
                     color=None):
    """Draw power against the setting a :class:`~powerplan.PowerCurve` varies.

    Results without an interval are drawn as a line; results carrying a
    Monte Carlo interval (``ci_low``, ``ci_high``: the 95% Wilson interval
    of a simulated result) as points with error bars. Draw an analytic and
    a simulated curve on the same ``ax`` to compare them.

    Parameters
    ----------
    curve : PowerCurve
        The power at each value, from :func:`powerplan.sweep`.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    target_power : float, optional
        Draw the target power as a horizontal dashed line. Defaults to the
        solution's target when ``solution`` is given.
    solution : Solution, optional
        Where the curve's setting reaches the target, from
        ``curve.solve(target_power)``: drawn as a vertical dotted line and a
        point (the minimum cohort, the MDE or the retention needed).
    label, color : str, optional
        Legend label and colour of the curve (and of its solution, when a
        colour is given). A target already drawn on ``ax`` is not repeated.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> from powerplan import Scenario, sweep
    >>> curve = sweep(Scenario(), "effect", [-0.15, -0.1, -0.05, 0.0])
    >>> ax = plot_power_curve(curve, target_power=0.8)
    >>> [line.get_gid() for line in ax.get_lines()]
    ['power', 'target']
    >>> ax.get_lines()[0].get_xdata()
    array([-15., -10.,  -5.,   0.])
    """
    if solution is not None:
        _check_solution(curve, solution)
        if target_power is None:
            target_power = solution.target_power
        elif target_power != solution.target_power:
            raise InvalidInputError(
                "target_power", f"must be the solution's target ({solution.target_power:g}) "
                                f"when both are given; got {target_power:g}")
    if target_power is not None:
        target_power = _validate.proportion("target_power", target_power)
    ax = _axes(ax)
    outcome = curve.scenario.outcome
    x, power = _x(curve.field, curve.values, outcome), curve.power
    name = ENGINE_WORDS.get(curve.engine, f"Power ({curve.engine})")
    if curve.has_intervals:
        low = np.array([r.ci_low for r in curve.results], dtype=float)
        high = np.array([r.ci_high for r in curve.results], dtype=float)
        bars = ax.errorbar(x, power, yerr=[power - low, high - power], fmt="o", capsize=3,
                           color=color or COLORS["simulated"],
                           label=label or f"{name} with 95% interval")
        bars.lines[0].set_gid("power")
    else:
        ax.plot(x, power, color=color or COLORS["power"], linewidth=2,
                label=label or name, gid="power")
    if target_power is not None:
        _target_line(ax, target_power)
    if solution is not None:
        at = _x(curve.field, [solution.value], outcome)[0]
        marker = color or COLORS["solution"]
        ax.axvline(at, color=marker, linestyle=":", linewidth=2,
                   label=_solution_label(solution), gid="solution")
        ax.plot([at], [solution.achieved_power], "o", color=marker, gid="solution point")
    _label_x(ax, curve.field, outcome)
    _label_chance(ax, POWER_LABEL)
    _title(ax, curve.scenario, omit=(curve.field,), simulated=curve.engine == "simulate")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best")
    return ax


def plot_mde_curve(curve, ax=None, *, label=None, color=None):
    """Draw the minimum detectable effect against people submitted.

    Parameters
    ----------
    curve : MDECurve
        From :func:`powerplan.mde_curve`.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    label, color : str, optional
        Legend label and colour.

    Returns
    -------
    matplotlib Axes
        Points (joined by a line) at the size of each MDE in percentage
        points: a positive number for a reduction or an increase.

    Examples
    --------
    >>> from powerplan import Scenario, mde_curve
    >>> ax = plot_mde_curve(mde_curve(Scenario(), [500, 2000]))
    >>> ax.get_lines()[0].get_ydata().round(2)
    array([9.37, 4.83])
    >>> ax.get_ylabel()
    'Smallest detectable reduction (percentage points)'
    """
    ax = _axes(ax)
    size = 100.0 * np.abs(curve.effects)
    ax.plot(np.asarray(curve.cohorts, dtype=float), size, "o-", color=color or COLORS["mde"],
            label=label or f"{_format.percent(curve.target_power, 0)} power", gid="mde")
    _label_x(ax, "cohort")
    ax.set_ylabel(f"Smallest detectable {curve.direction} (percentage points)")
    ax.set_ylim(bottom=0)
    _title(ax, curve.scenario, omit=("cohort", "effect"),
           first=f"Minimum detectable {curve.direction} with "
                 f"{_format.percent(curve.target_power, 0)} power")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best")
    return ax


def _verdict_stacks(result):
    """(field, values, chance of each verdict, scenario, settings the title omits)."""
    columns = ["p_" + name.replace(" ", "_") for name in VERDICTS]
    if _carries(result, "months"):  # a submission plan: one stack per month
        frame = result.to_frame()
        chances = [frame[column].to_numpy() for column in columns]
        # The cohort is each month's people analysable, not the scenario's.
        return "month", list(frame["month"]), chances, result.scenario, ("cohort",)
    chances = [getattr(result, column) for column in columns]
    return result.field, result.values, chances, result.scenario, (result.field,)


def _stacks(result, chances, scenario) -> list:
    """(colour name, label, chances) from the bottom: the three verdicts in the measure's
    words, and "not reported" for a measure with a reporting gate (time to first
    reoffence)."""
    outcome = scenario.outcome
    words = (outcome.lower_words, "inconclusive", outcome.higher_words)
    # colours mean better (green) and worse (vermillion): a longer time is better
    colours = VERDICTS if outcome.better < 0 else VERDICTS[::-1]
    stacks = [(name, text.capitalize(), chance)
              for name, text, chance in zip(colours, words, chances)]
    if outcome.min_treated_reoffenders:
        if _carries(result, "months"):
            missing = result.to_frame()["p_not_reported"].to_numpy(dtype=float)
        else:
            missing = np.array([r.p_not_reported for r in result.results])
        stacks.append(("not reported", "Not reported", missing))
    return stacks


#: Each verdict's Monte Carlo interval, by its chance's place in the stack (lower words,
#: inconclusive, higher words), as a simulated result names it.
_VERDICT_INTERVALS = ("reduction", "inconclusive", "increase")


def _verdict_intervals(result):
    """The 95% Monte Carlo interval of each verdict's chance at each value, as (low, high)
    arrays in the stack's order, or None when the results carry none (analytic)."""
    results = getattr(result, "results", None)
    if results is None or not all(_carries(r, "reduction_ci_low", "increase_ci_high",
                                           "inconclusive_ci_low") for r in results):
        return None
    return [(np.array([getattr(r, f"{name}_ci_low") for r in results], dtype=float),
             np.array([getattr(r, f"{name}_ci_high") for r in results], dtype=float))
            for name in _VERDICT_INTERVALS]


def _boundary_intervals(ax, x, chances, intervals, stacks) -> None:
    """The Monte Carlo interval of the edges the verdicts' own intervals fix: the top of
    the bottom stack (its chance) and, with no stack above it, the bottom of the top one
    (one minus its chance)."""
    edges = [(chances[0], *intervals[0])]
    if len(stacks) == 3:  # no "not reported" stack above the higher verdict
        low, high = intervals[2]
        edges.append((1 - chances[2], 1 - high, 1 - low))
    label = "95% Monte Carlo interval"
    for edge, low, high in edges:
        low, high = np.minimum(low, edge), np.maximum(high, edge)  # contain the estimate
        bars = ax.errorbar(x, edge, yerr=[edge - low, high - edge], fmt="none", capsize=4,
                           color=COLORS["target"], linewidth=1.2, label=label, zorder=4)
        bars.lines[2][0].set_gid("interval")
        label = None


def plot_verdicts(curve, ax=None, *, kind="area"):
    """Stack the chances of the three published verdicts across a curve's values,
    or across the months of a submission plan.

    Parameters
    ----------
    curve : PowerCurve or SubmissionPlan
        From :func:`powerplan.sweep`, over any setting, or from
        :func:`powerplan.submission_plan`, over its submission months.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    kind : {"area", "bars"}
        Stacked areas over the values (at least two), or stacked bars, one
        per value.

    Returns
    -------
    matplotlib Axes
        From the bottom: significant reduction, inconclusive, significant
        increase; each stack reaches 100%. Up to three bars carry their
        chances written on them; a verdict whose band is too thin to see
        anywhere (under half a percent) has no legend entry. A simulated
        curve's 95% Monte Carlo intervals are drawn as error bars on the
        edges its verdicts' intervals fix (the top of the bottom stack and,
        unless a "not reported" stack lies above it, the bottom of the top
        one), and written on the bars beside each chance.

    Examples
    --------
    >>> from powerplan import Scenario, sweep
    >>> curve = sweep(Scenario(), "cohort", [300, 1000])
    >>> ax = plot_verdicts(curve, kind="bars")
    >>> [bars.get_label() for bars in ax.containers]
    ['Significant reduction', 'Inconclusive', 'Significant increase']
    >>> [round(float(bar.get_height()), 3) for bar in ax.containers[0]]
    [0.217, 0.543]
    """
    _validate.choice("kind", kind, KINDS)
    field, values, chances, scenario, omit = _verdict_stacks(curve)
    if kind == "area" and len(values) < 2:
        raise InvalidInputError("kind", "'area' needs at least two values; use kind='bars'")
    ax = _axes(ax)
    stacks = _stacks(curve, chances, scenario)
    intervals = _verdict_intervals(curve)
    outcome = scenario.outcome
    bottom = np.zeros(len(values))
    if kind == "area":
        x = _x(field, values, outcome)
        for name, label, chance in stacks:
            ax.fill_between(x, bottom, bottom + chance, color=COLORS[name],
                            label=label, gid=name, linewidth=0)
            bottom = bottom + chance
        ax.set_xlim(x[0], x[-1])
        _label_x(ax, field, outcome)
    else:
        x = np.arange(len(values))
        for index, (name, label, chance) in enumerate(stacks):
            ax.bar(x, chance, bottom=bottom, color=COLORS[name], label=label, width=0.7)
            if len(x) <= ANSWERED_BARS:  # few bars: the answer written on them
                for i, (at, low, share) in enumerate(zip(x, bottom, chance)):
                    if share >= LABELLED_SHARE:
                        text = f"{_format.percent(share)} {name}"
                        if intervals is not None and index < len(intervals):
                            low_ci, high_ci = (bound[i] for bound in intervals[index])
                            text += (f"\n(95% interval {_format.percent(low_ci)} to "
                                     f"{_format.percent(high_ci)})")
                        ax.text(at, low + share / 2, text, ha="center", va="center",
                                fontsize="small", gid="answer")
            bottom = bottom + chance
        labels = [_tick_text(field, v, outcome) for v in values]
        if field == "month":  # consecutive months: about a dozen labels are enough
            step = -(-len(labels) // 12)
            labels = [text if i % step == 0 else "" for i, text in enumerate(labels)]
        ax.set_xticks(x, labels, rotation=45 if len(x) > 8 else 0)
        ax.set_xlabel(AXIS_LABELS[field] if field == "month" else _settings(outcome)[field].axis)
    if intervals is not None:
        _boundary_intervals(ax, x, chances, intervals, stacks)
    _label_chance(ax, VERDICT_LABEL)
    _title(ax, scenario, omit=omit, simulated=getattr(curve, "engine", None) == "simulate")
    handles = dict(zip(*reversed(ax.get_legend_handles_labels())))
    # Legend top to bottom in the order of the stack, without a band too thin to see.
    kept = [label for _, label, chance in stacks[::-1] if chance.max() >= VISIBLE_SHARE]
    kept += [label for label in handles if label == "95% Monte Carlo interval"]
    ax.legend([handles[label] for label in kept], kept, loc="upper left",
              bbox_to_anchor=(1.01, 1))
    return ax


#: Bars few enough to carry their answer, and the shares worth writing on them.
ANSWERED_BARS = 3
LABELLED_SHARE = 0.04
#: A band thinner than this everywhere is not seen, so it gets no legend entry.
VISIBLE_SHARE = 0.005


def plot_simulated_solution(solution, ax=None):
    """Draw how a simulated solution was found: simulated power at each value
    tried (with 95% Wilson intervals), the fitted probit curve, the target and
    the answer with its 95% interval.

    Parameters
    ----------
    solution : SimulatedSolution
        From ``solve(..., engine="simulate")``: its ``design``, with
        ``design_intervals()``, and its ``fitted_power`` are drawn.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib Axes
    """
    if not _carries(solution, "design", "design_intervals", "fitted_power", "interval"):
        raise InvalidInputError("solution", f"must be a SimulatedSolution from "
                                            f"solve(..., engine='simulate'); got {solution!r}")
    ax = _axes(ax)
    field = solution.unknown
    design = solution.design
    low, high = solution.design_intervals()
    x = _x(field, design["value"])
    power = design["power"].to_numpy()
    bars = ax.errorbar(x, power, yerr=[power - low, high - power], fmt="o", capsize=3,
                       color=COLORS["simulated"], label="Simulated power with 95% interval")
    bars.lines[0].set_gid("simulated")
    values = np.linspace(design["value"].min(), design["value"].max(), 200)
    ax.plot(_x(field, values), solution.fitted_power(values), color=COLORS["power"],
            linewidth=2, label="Fitted curve (probit)", gid="fit")
    _target_line(ax, solution.target_power)
    at = _x(field, [solution.value])[0]
    ax.axvline(at, color=COLORS["solution"], linestyle=":", linewidth=2,
               label=_solution_label(solution), gid="solution")
    ax.axvspan(*sorted(_x(field, solution.interval)), color=COLORS["solution"], alpha=0.15,
               label="95% interval of the answer", gid="interval")
    _label_x(ax, field)
    _label_chance(ax, POWER_LABEL)
    _title(ax, solution.scenario, omit=(field,), simulated=True)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best")
    return ax


def plot_power_curves(family, ax=None, *, target_power=None):
    """Draw a family of power curves (:func:`powerplan.sweep_by`) on one figure.

    Each curve is labelled by its level of the second setting (``effect
    -5.0 points``) in its own colour; the title states only what the curves
    share, and the legend names each curve once.

    >>> from powerplan import Scenario, sweep_by
    >>> family = sweep_by(Scenario(), "cohort", [300, 1000, 2000], by="effect",
    ...                   levels=[-0.03, -0.05, -0.08])
    >>> ax = plot_power_curves(family, target_power=0.8)
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['effect -3.0 points', 'Target: 80%', 'effect -5.0 points', 'effect -8.0 points']
    >>> "effect" in ax.get_title() or "submitted" in ax.get_title()
    False
    """
    colors = [OKABE_ITO[name] for name in ("blue", "vermillion", "bluish green", "orange",
                                           "reddish purple", "sky blue", "yellow", "black")]
    ax = _axes(ax)
    for index, (level, curve) in enumerate(zip(family.levels, family.curves)):
        plot_power_curve(curve, ax=ax, target_power=target_power, label=family.label(level),
                         color=colors[index % len(colors)])
    _title(ax, family.scenario, omit=(family.field, family.by),
           simulated=family.curves[0].engine == "simulate")
    return ax
