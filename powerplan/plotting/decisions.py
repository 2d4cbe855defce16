"""Figures of the decisions powerplan helps with: when to submit, what to
require of a programme, what a portfolio of evaluations may find, and what a
published result could have detected."""

from __future__ import annotations

import numpy as np

from .. import _format, _validate
from ..errors import InvalidInputError
from ._style import (AXIS_LABELS, COLORS, HEATMAP_COLORMAP, POWER_LABEL, _axes, _carries,
                     _label_chance, _label_x, _target_line, _tick_text, _title, _x)


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
        the months before the data service's minimum request is met, shaded;
        the legend below the axes. When every chance is far below the target
        the axis fits them (the target is then off the axis), and when no
        month reaches the target the figure says so.

    Examples
    --------
    >>> from powerplan import Intake, Scenario, submission_plan
    >>> plan = submission_plan(Scenario(base_rate=0.26, effect=-0.07),
    ...                        Intake.monthly(25, "2024-01"), now="2026-11", horizon_months=24)
    >>> ax = plot_submission_plan(plan)
    >>> [line.get_gid() for line in ax.get_lines()]
    ['chance', 'power', 'target', 'recommended', 'recommended point']
    >>> ax.get_legend().get_texts()[3].get_text()
    'Recommended: 2028-09 (751 analysable)'
    """
    if not _carries(plan, "months", "recommended", "chance", "intake"):
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
    highest = max(float(np.max([m.power for m in plan.months])), float(np.max(chance)))
    if highest < 0.5 * plan.target_power:
        # All far below the target: fit the axis to the values (the target is off it).
        top = max(0.1, float(np.ceil(highest * 1.25 / 0.05)) * 0.05)
        ax.set_ylim(0, top)
    if chosen is None:
        last = plan.months[-1]
        ax.text(0.02, 0.95, f"No month up to {last.month} reaches "
                            f"{_format.percent(plan.target_power, 0)} power",
                transform=ax.transAxes, va="top", ha="left", fontsize="small",
                bbox={"facecolor": "white", "edgecolor": "#999999", "alpha": 0.9},
                gid="no month")
    _title(ax, plan.scenario, omit=("cohort",), first=f"Intake {plan.intake.describe()}")
    ax.grid(True, alpha=0.3)
    # Below the axes, so that the legend never covers the data.
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, fontsize="small",
              frameon=False)
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
    [[315.0, 1449.0], [435.0, 1860.0]]
    >>> [text.get_text() for text in ax.texts]
    ['315', '1,449', '435', '1,860']
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
                  [f"{kind}: {table.no_answer_labels[kind]}" for kind in kinds],
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
    [0.148, 0.735, 0.116]
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
    'Smallest difference detectable with 80% power: -11.0 points'
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
