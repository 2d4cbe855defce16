"""Figures of powerplan results, drawn with matplotlib.

Each function takes a result, draws on ``ax`` (a new figure when ``ax`` is
None) and returns the Axes; none calls ``show()`` or saves a file. matplotlib
is imported inside the functions, so ``import powerplan`` does not load it;
where no display is present a non-interactive backend is chosen.

Effects are drawn in percentage points, rates and chances as percentages,
in the Okabe-Ito colours (distinguishable with colour-blindness).

Examples
--------
>>> from powerplan import Scenario, sweep
>>> curve = sweep(Scenario(), "cohort", range(100, 3001, 100))
>>> ax = plot_power_curve(curve, solution=curve.solve(0.8))
>>> ax.get_xlabel(), ax.get_ylabel()
('People submitted', 'Chance of a significant result')
>>> print(ax.get_title())
40% analysed, base rate 35%, effect -5.0 points,
10 comparison records each, wald test, alpha 0.05
"""

from __future__ import annotations

import numpy as np

from .. import _format, _validate
from ..errors import InvalidInputError
from ..design.scenario import Scenario
from ..solvers.sweep import vary
from ..decisions.tables import NO_ANSWER
from ..decisions.wait import SubmissionPlan
from ._style import (AXIS_LABELS, COLORS, ENGINE_WORDS, HEATMAP_COLORMAP, KINDS,
                     POWER_LABEL, VERDICT_LABEL, VERDICTS, _axes, _label_chance, _label_x,
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
    probe = curve.values[0]
    if vary(solution.scenario, curve.field, probe) != vary(curve.scenario, curve.field, probe):
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
    x, power = _x(curve.field, curve.values), curve.power
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
        at = _x(curve.field, [solution.value])[0]
        marker = color or COLORS["solution"]
        ax.axvline(at, color=marker, linestyle=":", linewidth=2,
                   label=_solution_label(solution), gid="solution")
        ax.plot([at], [solution.achieved_power], "o", color=marker, gid="solution point")
    _label_x(ax, curve.field)
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
    array([9.18, 4.79])
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
    if isinstance(result, SubmissionPlan):
        frame = result.to_frame()
        chances = [frame[column].to_numpy() for column in columns]
        # The cohort is each month's people analysable, not the scenario's.
        return "month", list(frame["month"]), chances, result.scenario, ("cohort",)
    chances = [getattr(result, column) for column in columns]
    return result.field, result.values, chances, result.scenario, (result.field,)


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
        increase; each stack reaches 100%.

    Examples
    --------
    >>> from powerplan import Scenario, sweep
    >>> curve = sweep(Scenario(), "cohort", [300, 1000])
    >>> ax = plot_verdicts(curve, kind="bars")
    >>> [bars.get_label() for bars in ax.containers]
    ['Significant reduction', 'Inconclusive', 'Significant increase']
    >>> [round(float(bar.get_height()), 3) for bar in ax.containers[0]]
    [0.205, 0.545]
    """
    _validate.choice("kind", kind, KINDS)
    field, values, chances, scenario, omit = _verdict_stacks(curve)
    if kind == "area" and len(values) < 2:
        raise InvalidInputError("kind", "'area' needs at least two values; use kind='bars'")
    ax = _axes(ax)
    stacks = list(zip(VERDICTS, chances))
    bottom = np.zeros(len(values))
    if kind == "area":
        x = _x(field, values)
        for name, chance in stacks:
            ax.fill_between(x, bottom, bottom + chance, color=COLORS[name],
                            label=name.capitalize(), gid=name, linewidth=0)
            bottom = bottom + chance
        ax.set_xlim(x[0], x[-1])
        _label_x(ax, field)
    else:
        x = np.arange(len(values))
        for name, chance in stacks:
            ax.bar(x, chance, bottom=bottom, color=COLORS[name], label=name.capitalize(),
                   width=0.7)
            bottom = bottom + chance
        labels = [_tick_text(field, v) for v in values]
        if field == "month":  # consecutive months: about a dozen labels are enough
            step = -(-len(labels) // 12)
            labels = [text if i % step == 0 else "" for i, text in enumerate(labels)]
        ax.set_xticks(x, labels, rotation=45 if len(x) > 8 else 0)
        ax.set_xlabel(AXIS_LABELS[field])
    _label_chance(ax, VERDICT_LABEL)
    _title(ax, scenario, omit=omit, simulated=getattr(curve, "engine", None) == "simulate")
    handles, labels = ax.get_legend_handles_labels()
    # Legend top to bottom in the order of the stack.
    ax.legend(handles[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(1.01, 1))
    return ax


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
        the number of people and their share of those submitted.

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
    if not isinstance(scenario, Scenario):
        raise InvalidInputError(
            "study", f"must be a Scenario or a result carrying one; got {type(study).__name__}")
    ax = _axes(ax)
    counts = scenario.funnel.expected_counts(scenario.cohort)
    names = ["Submitted"] + [name[:1].upper() + name[1:] for name in scenario.funnel.names]
    y = np.arange(len(counts))
    bars = ax.barh(y, counts, color=color or COLORS["funnel"], height=0.6)
    ax.bar_label(bars, padding=4, labels=[
        f"{count:,.0f} ({_format.percent(count / counts[0], 0)})" for count in counts])
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.25 * counts[0])
    ax.xaxis.set_major_formatter("{x:,.0f}")
    ax.set_xlabel("People (expected number)")
    ax.set_title(f"From {_format.headcount(scenario.cohort)} submitted to about "
                 f"{counts[-1]:,.0f} analysed", fontsize="medium")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_submission_plan(plan, ax=None):
    """Draw the chance of a significant result by submission month, the recommendation marked.

    Parameters
    ----------
    plan : SubmissionPlan
        From :func:`powerplan.submission_plan`.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib Axes
        At the first day of each month: the chance of a significant
        reduction (of an increase, when the plan's effect is one) and, thinner,
        power; the target power as a dashed line; the recommended month as a
        dotted vertical line and a point (none when no month is recommended);
        the months before the data service's minimum request is met, shaded.

    Examples
    --------
    >>> from powerplan import Intake, Scenario, submission_plan
    >>> plan = submission_plan(Scenario(base_rate=0.26, effect=-0.07),
    ...                        Intake.monthly(25, "2024-01"), now="2026-11", horizon_months=24)
    >>> ax = plot_submission_plan(plan)
    >>> [line.get_gid() for line in ax.get_lines()]
    ['chance', 'power', 'target', 'recommended', 'recommended point']
    >>> ax.get_legend().get_texts()[3].get_text()
    'Recommended: 2028-07 (701 analysable)'
    """
    if not isinstance(plan, SubmissionPlan):
        raise InvalidInputError(
            "plan", f"must be a SubmissionPlan (from submission_plan); got {type(plan).__name__}")
    ax = _axes(ax)
    months = _x("month", [m.month for m in plan.months])
    chance = np.array([plan.chance(m) for m in plan.months])
    below = sum(m.below_minimum_request for m in plan.months)  # counts only grow: a prefix
    if below:
        ax.axvspan(months[0], months[min(below, len(months) - 1)], color=COLORS["below minimum"],
                   label=f"Fewer than {plan.minimum_request} analysable", gid="below minimum")
    color = COLORS[f"significant {plan.direction}"]
    ax.plot(months, chance, "o-", markersize=3, linewidth=2, color=color,
            label=f"Chance of a significant {plan.direction}", gid="chance")
    ax.plot(months, [m.power for m in plan.months], linestyle="--", linewidth=1, zorder=3,
            color=COLORS["power"], label="Power (a significant result either way)", gid="power")
    _target_line(ax, plan.target_power)
    chosen = plan.recommended
    if chosen is not None:
        at = _x("month", [chosen.month])[0]
        ax.axvline(at, color=COLORS["solution"], linestyle=":", linewidth=2, gid="recommended",
                   label=f"Recommended: {chosen.month} ({_format.people(chosen.n_analysable)} "
                         f"analysable)")
        ax.plot([at], [plan.chance(chosen)], "o", color=COLORS["solution"],
                gid="recommended point")
    ax.set_xlim(months[0], months[-1])
    _label_x(ax, "month")
    _label_chance(ax, POWER_LABEL)
    _title(ax, plan.scenario, omit=("cohort",), first=f"Intake {plan.intake.describe()}")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")  # chances rise with the months
    return ax


def _table_retention(table, retention) -> float:
    """The retention to draw: the one given, which the table must hold, or its only one."""
    held = table.retentions
    words = ", ".join(f"{r:g}" for r in held)
    if retention is None:
        if len(held) > 1:
            raise InvalidInputError("retention", f"must be given: the table holds several "
                                                 f"({words}); draw one at a time")
        return held[0]
    retention = _validate.share("retention", retention)
    found = [r for r in held if np.isclose(r, retention)]
    if not found:
        raise InvalidInputError("retention", f"must be one the table holds ({words}); "
                                             f"got {retention:g}")
    return found[0]


def _table_scale(table):
    """Colour map and norm over the whole table, so panels of every retention share them."""
    from matplotlib import colormaps, colors

    values = table.cells["value"].to_numpy(dtype=float)
    values = values[np.isfinite(values)]
    low, high = (values.min(), values.max()) if len(values) else (None, None)
    cmap = colormaps[HEATMAP_COLORMAP]
    if table.quantity == "cohort":
        return cmap, colors.LogNorm(low, high)
    # MDEs are negative: the larger reduction, the harder, takes the bright end as a
    # large cohort does.
    return cmap.reversed(), colors.Normalize(low, high)


def _colorbar(ax, image, table) -> None:
    from matplotlib import ticker

    bar = ax.figure.colorbar(image, ax=ax)
    if table.quantity == "cohort":
        bar.set_label(AXIS_LABELS["cohort"])
        bar.ax.yaxis.set_major_locator(ticker.LogLocator(subs=(1, 2, 5)))
        bar.ax.yaxis.set_major_formatter(ticker.StrMethodFormatter("{x:,.0f}"))
        bar.ax.yaxis.set_minor_formatter(ticker.NullFormatter())
    elif table.direction == "reduction":
        bar.set_label("Smallest detectable reduction (percentage points)")
        bar.ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda x, _: f"{-100 * x:g}"))
        bar.ax.invert_yaxis()  # larger reductions at the top, as larger cohorts are
    else:
        bar.set_label("Smallest detectable increase (percentage points)")
        bar.ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda x, _: f"{100 * x:g}"))


def plot_requirements_heatmap(table, ax=None, *, retention=None):
    """Draw a requirements table for one retention as an annotated heatmap.

    Parameters
    ----------
    table : RequirementsTable
        From :func:`powerplan.requirements_table`: minimum cohorts over base
        rate x effect (``quantity="cohort"``) or minimum detectable
        reductions (increases for an ``alternative="greater"`` scenario)
        over base rate x cohort (``quantity="effect"``).
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    retention : float, optional
        The retention to draw; required when the table holds several.

    Returns
    -------
    matplotlib Axes
        One image whose array is ``table.grid(retention)`` (base rates up,
        effects or cohorts across), masked where a cell has no answer; each
        cell labelled as the printed table labels it. Cells without an
        answer are grey and hatched, and the legend says why. Cohorts are
        coloured on a log scale; the colour scale (viridis, with a colour
        bar) spans the whole table, so panels of each retention compare.

    Examples
    --------
    >>> from powerplan import Scenario, requirements_table
    >>> table = requirements_table(Scenario(), base_rates=[0.25, 0.35],
    ...                            effects=[-0.05, -0.10], retentions=[0.4])
    >>> ax = plot_requirements_heatmap(table)
    >>> ax.images[0].get_array().tolist()
    [[289.0, 1405.0], [414.0, 1829.0]]
    >>> [text.get_text() for text in ax.texts]
    ['289', '1,405', '414', '1,829']
    """
    from matplotlib.patches import Patch, Rectangle

    retention = _table_retention(table, retention)
    grid = table.grid(retention)
    labels = table.labels(retention).to_numpy()
    values = np.ma.masked_invalid(grid.to_numpy(dtype=float))
    ax = _axes(ax)
    cmap, norm = _table_scale(table)
    image = ax.imshow(values, cmap=cmap, norm=norm, origin="lower", aspect="auto",
                      gid="requirements")
    red, green, blue, _ = np.moveaxis(cmap(norm(values)), -1, 0)
    light = 0.299 * red + 0.587 * green + 0.114 * blue > 0.5  # dark text reads on light cells
    hatched = {"hatch": "//", "facecolor": COLORS["no answer"], "edgecolor": "#888888"}
    kinds = []
    for (row, column), label in np.ndenumerate(labels):
        if values.mask[row, column]:
            ax.add_patch(Rectangle((column - 0.5, row - 0.5), 1, 1, linewidth=0,
                                   gid="no answer", **hatched))
            kinds += [label] if label not in kinds else []
        dark = values.mask[row, column] or light[row, column]
        ax.text(column, row, label, ha="center", va="center", fontsize="small",
                color="black" if dark else "white")
    columns = table.column_field
    ax.set_xticks(range(grid.shape[1]), [_tick_text(columns, v) for v in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [_tick_text("base_rate", v) for v in grid.index])
    ax.set_xlabel(AXIS_LABELS[columns])
    ax.set_ylabel(AXIS_LABELS["base_rate"])
    if len(values.compressed()):
        _colorbar(ax, image, table)
    if kinds:
        ax.legend([Patch(**hatched) for _ in kinds],
                  [f"{kind}: {NO_ANSWER[kind]}" for kind in kinds],
                  loc="upper left", bbox_to_anchor=(0, -0.15), fontsize="small", frameon=False)
    power = _format.percent(table.target_power, 0)
    first = (f"Minimum people to submit for {power} power" if table.quantity == "cohort"
             else f"Minimum detectable {table.direction} with {power} power")
    _title(ax, table.scenario, omit=("cohort", "retention", "base_rate", "effect"),
           first=f"{first}, {100 * retention:g}% analysed")
    return ax


def plot_portfolio(result, ax=None):
    """Draw the chance of each number of significant reductions across a portfolio.

    Parameters
    ----------
    result : PortfolioResult
        From :func:`powerplan.portfolio`.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib Axes
        One bar per number of significant reductions, 0 to the number of
        services, its height the chance of exactly that many; the expected
        number as a dashed vertical line.

    Examples
    --------
    >>> from powerplan import Scenario, portfolio
    >>> result = portfolio({"small": Scenario(cohort=150), "large": Scenario(cohort=2000)})
    >>> ax = plot_portfolio(result)
    >>> [round(float(bar.get_height()), 3) for bar in ax.containers[0]]
    [0.145, 0.751, 0.103]
    """
    from matplotlib import ticker

    ax = _axes(ax)
    counts = np.arange(len(result.distribution))
    bars = ax.bar(counts, result.distribution, width=0.7,
                  color=COLORS["significant reduction"])
    if len(counts) <= 15:  # more labels would overlap
        ax.bar_label(bars, padding=2, fontsize="small",
                     labels=[_format.percent(p, 0) for p in result.distribution])
    ax.axvline(result.expected_reductions, color=COLORS["target"], linestyle="--",
               linewidth=1, gid="expected",
               label=f"Expected number: {result.expected_reductions:.1f}")
    ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    ax.set_xlabel("Number of significant reductions")
    _label_chance(ax, "Chance of exactly that number")
    services = len(result.services)
    prior = f", effects drawn from {result.prior}" if result.prior else ""
    ax.set_title(f"{services} separate evaluations{prior}: chance of at least one "
                 f"significant reduction {_format.percent(result.p_at_least_one, 0)}",
                 fontsize="medium")
    ax.legend(loc="upper right")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_published(review, ax=None):
    """Draw a published difference with its confidence interval, against zero and the MDE.

    Parameters
    ----------
    review : PublishedReview
        From :func:`powerplan.review_published`.
    ax : matplotlib Axes, optional
        Where to draw; a new figure (short and wide) by default.

    Returns
    -------
    matplotlib Axes
        The difference (treated minus comparison, in percentage points) as
        a point with its confidence interval; no difference as a solid
        vertical line; the smallest difference the study could detect with
        the target power as a dotted one (none when no difference was
        detectable).

    Examples
    --------
    >>> from powerplan import review_published
    >>> ax = plot_published(review_published(114, 0.25, 0.28))
    >>> [line.get_gid() for line in ax.get_lines() if line.get_gid()]  # not the caps
    ['difference', 'zero', 'mde']
    >>> ax.get_legend().get_texts()[1].get_text()
    'Smallest difference detectable with 80% power: -10.6 points'
    """
    ax = _axes(ax, size=(7.0, 3.0))
    level = _format.percent(1 - review.alpha, 0)
    difference, low, high = 100 * np.array([review.difference, review.ci_low, review.ci_high])
    bars = ax.errorbar([difference], [0], xerr=[[difference - low], [high - difference]],
                       fmt="o", capsize=6, markersize=8, color=COLORS["power"],
                       label=f"Difference with its {level} confidence interval")
    bars.lines[0].set_gid("difference")
    ax.axvline(0, color=COLORS["target"], linewidth=1, label="No difference", gid="zero")
    drawn = [0.0, low, high]
    if review.mde is not None:
        ax.axvline(100 * review.mde, color=COLORS["solution"], linestyle=":", linewidth=2,
                   gid="mde", label=f"Smallest difference detectable with "
                                    f"{_format.percent(review.target_power, 0)} power: "
                                    f"{_format.points(review.mde)}")
        drawn.append(100 * review.mde)
    margin = 0.15 * (max(drawn) - min(drawn))
    ax.set_xlim(min(drawn) - margin, max(drawn) + margin)
    ax.set_ylim(-1, 1)
    ax.set_yticks([])
    ax.set_xlabel("Treated minus comparison reoffending rate (percentage points)")
    verdict = "significant" if review.significant else "not significant"
    ax.set_title(f"{_format.people(review.n_treated)} analysed: "
                 f"{_format.percent(review.treated_rate)} treated against "
                 f"{_format.percent(review.comparison_rate)} comparison, {verdict} "
                 f"(p = {review.p_value:.2g})", fontsize="medium")
    ax.legend(loc="upper left", fontsize="small")
    ax.spines[["top", "right", "left"]].set_visible(False)
    return ax


def plot_simulated_solution(solution, ax=None):
    """Draw how a simulated solution was found: simulated power at each value
    tried (with 95% Wilson intervals), the fitted probit curve, the target and
    the answer with its 95% interval.

    Parameters
    ----------
    solution : SimulatedSolution
        From ``solve(..., engine="simulate")``.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    from scipy import stats
    from statsmodels.stats.proportion import proportion_confint

    from ..solvers.simulated import SimulatedSolution

    if not isinstance(solution, SimulatedSolution):
        raise InvalidInputError("solution", f"must be a SimulatedSolution from "
                                            f"solve(..., engine='simulate'); got {solution!r}")
    ax = _axes(ax)
    field = solution.unknown
    design = solution.design
    low, high = proportion_confint(design["significant"], design["n_sims"], method="wilson")
    x = _x(field, design["value"])
    power = design["power"].to_numpy()
    bars = ax.errorbar(x, power, yerr=[power - low, high - power], fmt="o", capsize=3,
                       color=COLORS["simulated"], label="Simulated power with 95% interval")
    bars.lines[0].set_gid("simulated")
    a, b = solution.coefficients
    values = np.linspace(design["value"].min(), design["value"].max(), 200)
    covariate = np.log(values) if field == "cohort" else np.abs(values)
    ax.plot(_x(field, values), stats.norm.cdf(a + b * covariate), color=COLORS["power"],
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


def _critical_difference(result, analysed) -> tuple[float, float]:
    """The normal critical value of the test and the analysed studies' median
    standard error of the difference (proportion units)."""
    from scipy import stats

    scenario = result.scenario
    z = stats.norm.isf(scenario.alpha / (2 if scenario.alternative == "two-sided" else 1))
    se = analysed["standard_error"].to_numpy(dtype=float)
    if scenario.simulation.test == "arcsine":
        # Its standard error is of 2 asin(sqrt(rate)); d(rate) = sqrt(rate (1 - rate)) d(that).
        rate = analysed["comparison_rate"].to_numpy(dtype=float)
        se = se * np.sqrt(rate * (1.0 - rate))
    return float(z), float(np.nanmedian(se))


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

    from ..results.power import SimulatedPowerResult

    if not isinstance(result, SimulatedPowerResult):
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
    z, se = _critical_difference(result, analysed)
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
