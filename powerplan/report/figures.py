"""The report's figures, drawn by :mod:`powerplan.plotting`, each with a text alternative.

Each figure is drawn on a bare ``matplotlib.figure.Figure`` (no pyplot, no
global state) and written as SVG by :func:`.svg.figure_svg`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import _format
from .svg import figure_svg

#: Width and height of a figure, in inches: the text width of an A4 page.
SIZE = (7.0, 4.2)


@dataclass(frozen=True)
class Figure:
    """One figure of the report: its name (ids, file names), caption, text alternative
    and SVG."""

    name: str
    caption: str
    alt: str
    svg: str


def _axes(size=SIZE):
    from matplotlib.figure import Figure as MplFigure

    return MplFigure(figsize=size, layout="constrained").subplots()


def _done(name, caption, alt, ax) -> Figure:
    return Figure(name, caption, alt, figure_svg(ax.figure, prefix=f"figure-{name}", alt=alt))


def report_figures(report) -> tuple[Figure, ...]:
    """The funnel, the verdict chances, power by cohort and (with an intake) the chance
    by submission month."""
    figures = [_funnel(report), _verdicts(report), _power_by_cohort(report)]
    if report.plan is not None:
        figures.append(_plan(report))
    return tuple(figures)


def _funnel(report) -> Figure:
    from ..plotting import plot_funnel

    scenario = report.scenario
    counts = scenario.funnel.expected_counts(scenario.cohort)
    start = "analysable" if report.plan is not None else "submitted"
    steps = "; ".join(f"{name} {count:,.0f}" for name, count in
                      zip(scenario.funnel.names, counts[1:]))
    alt = (f"Bar chart of the funnel: of {_format.headcount(scenario.cohort)} {start}, "
           f"about {counts[-1]:,.0f} ({_format.percent(counts[-1] / counts[0], 0)}) are "
           f"expected to be analysed" + (f" ({steps})." if len(counts) > 2 else "."))
    caption = (f"The funnel: from the people {start} to the people analysed "
               f"(expected numbers).")
    return _done("funnel", caption, alt, plot_funnel(scenario, ax=_axes()))


def _verdicts(report) -> Figure:
    from ..plotting import plot_measures, plot_verdicts
    from ..results.curves import PowerCurve

    if report.measures is not None:
        results = report.measures.results
        alt = "Stacked bars of each headline measure's verdict chances: " + "; ".join(
            f"{r.scenario.outcome.measure}: significant improvement "
            f"{_format.percent(r.p_better, 0)}, inconclusive "
            f"{_format.percent(r.p_inconclusive, 0)}, significantly worse "
            f"{_format.percent(r.p_worse, 0)}" for r in results.values()) + "."
        ax = plot_measures(report.measures, ax=_axes())
        return _done("verdicts", "The chance of each verdict, for each headline measure.",
                     alt, ax)
    result = report.result
    alt = (f"Bar chart of the chance of each verdict: significant reduction "
           f"{_format.percent(result.p_significant_reduction, 0)}, inconclusive "
           f"{_format.percent(result.p_inconclusive, 0)}, significant increase "
           f"{_format.percent(result.p_significant_increase, 0)}.")
    one = PowerCurve("cohort", (report.scenario.cohort,), (result,), report.scenario)
    ax = plot_verdicts(one, ax=_axes(), kind="bars")
    return _done("verdicts", "The chance of each published verdict.", alt, ax)


def _power_by_cohort(report) -> Figure:
    from ..plotting import COLORS, plot_power_curve

    curve, cohort = report.curve, report.scenario.cohort
    ax = plot_power_curve(curve, ax=_axes(), target_power=report.target_power,
                          solution=report.size)
    power = curve.power[list(curve.values).index(cohort)]
    label = f"Your {_format.people(cohort)} people: power {_format.percent(power, 0)}"
    ax.axvline(cohort, color=COLORS["simulated"], linestyle="-.", linewidth=1.5,
               label=label, gid="your cohort")
    ax.plot([cohort], [power], "s", color=COLORS["simulated"], gid="your cohort point")
    ax.legend(loc="lower right", fontsize="small")
    needed = (f"it reaches the {_format.percent(report.target_power, 0)} target at "
              f"{_format.people(report.size.value)} people" if report.size is not None
              else f"it does not reach the {_format.percent(report.target_power, 0)} target")
    alt = (f"Line chart of the chance of a significant result against people submitted, "
           f"from {_format.people(curve.values[0])} to {_format.people(curve.values[-1])}: "
           f"{needed}; your {_format.people(cohort)} people give a chance of "
           f"{_format.percent(power, 0)} (a significant result either way).")
    return _done("power-by-cohort", "Power by people submitted, with the target power and "
                                    "your cohort marked.", alt, ax)


def _plan(report) -> Figure:
    from ..plotting import plot_submission_plan

    plan = report.plan
    ax = plot_submission_plan(plan, ax=_axes((7.0, 4.8)))
    chosen = plan.recommended
    when = (f"the recommended month is {chosen.month}, with "
            f"{_format.people(chosen.n_analysable)} analysable and a chance of "
            f"{_format.percent(plan.chance(chosen), 0)}" if chosen is not None
            else "no month reaches the target")
    alt = (f"Line chart of the chance of a significant {plan.direction} by submission "
           f"month, from {plan.months[0].month} ({_format.percent(plan.chance(plan.current), 0)}"
           f") to {plan.months[-1].month} ({_format.percent(plan.chance(plan.months[-1]), 0)}"
           f"): {when}.")
    return _done("submission-month", "The chance of a significant result by submission "
                                     "month.", alt, ax)
