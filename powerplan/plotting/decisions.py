"""Figures of the decisions powerplan helps with: when to submit, what to
require of a programme, what a portfolio of evaluations may find, and what a
published result could have detected."""

from __future__ import annotations

import numpy as np

from .. import _format, _validate
from ..errors import InvalidInputError
from ._style import (AXIS_LABELS, COLORS, HEATMAP_COLORMAP, POWER_LABEL, _axes, _carries,
                     _label_chance, _label_x, _pyplot, _target_line, _tick_text, _title, _x)
from .study import _funnel_bars


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
        the axis fits them (the target is then off the axis, and out of the
        legend), and when no month reaches the target the figure says so.

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
        if plan.target_power > top:  # a line off the axis has no legend entry
            for target in (line for line in ax.get_lines() if line.get_gid() == "target"):
                target.set_label("_off the axis")
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


def _plan_months(plan, months) -> list:
    """The months to draw: those named (``YYYY-MM`` or a plan's months), else now and the
    recommended month (the best one when none is recommended), once each."""
    if months is None:
        later = plan.recommended or plan.best
        return [plan.current] + ([later] if later.month != plan.current.month else [])
    by_name = {m.month: m for m in plan.months}
    chosen = []
    for month in _validate.sequence("months", months):
        name = getattr(month, "month", month)
        if name not in by_name:
            raise InvalidInputError("months", f"must be months of the plan ({plan.months[0].month} "
                                              f"to {plan.months[-1].month}); got {name!r}")
        chosen.append(by_name[name])
    if not chosen:
        raise InvalidInputError("months", "must name at least one month")
    return chosen


def plot_plan_funnels(plan, axes=None, *, months=None):
    """Draw the funnel of a submission plan now and at a later month, side by side on
    one shared axis, each with its chance of a significant result.

    Parameters
    ----------
    plan : SubmissionPlan
        From :func:`powerplan.submission_plan`.
    axes : sequence of matplotlib Axes, optional
        One per month; a new figure of one row by default (its panels share
        their x axis).
    months : sequence of str or SubmissionMonth, optional
        The months to draw (``"2026-11"``). Default: now and the
        recommended month, or the best month when none is recommended (only
        now when that is now).

    Returns
    -------
    list of matplotlib Axes
        One per month, each the funnel (as :func:`plot_funnel` draws it) of
        the people analysable then, all on the same x limits so that the
        bars compare; each
        titled with its month and its chance of a significant reduction (of
        an increase, when the plan's effect is one).

    Examples
    --------
    >>> from powerplan import Intake, Scenario, submission_plan
    >>> plan = submission_plan(Scenario(base_rate=0.26, effect=-0.07),
    ...                        Intake.monthly(25, "2024-01"), now="2026-11", horizon_months=24)
    >>> now, later = plot_plan_funnels(plan)
    >>> now.get_xlim() == later.get_xlim()
    True
    >>> print(later.get_title())
    Later (2028-09): 81% chance of a significant reduction
    751 people analysable, about 300 analysed
    """
    if not _carries(plan, "months", "recommended", "chance", "intake"):
        raise InvalidInputError(
            "plan", f"must be a SubmissionPlan (from submission_plan); got {type(plan).__name__}")
    chosen = _plan_months(plan, months)
    if axes is None:
        figure = _pyplot().figure(figsize=(5.5 * len(chosen), 3.8), layout="constrained")
        axes = list(np.atleast_1d(figure.subplots(1, len(chosen), sharex=True)))
    else:
        axes = list(np.ravel(axes)) if not hasattr(axes, "plot") else [axes]
        if len(axes) != len(chosen):
            raise InvalidInputError("axes", f"must be one per month ({len(chosen)}); got "
                                            f"{len(axes)}")
    funnel = plan.scenario.funnel
    names = ["Analysable"] + [name[:1].upper() + name[1:] for name in funnel.names]
    highest = max(m.n_analysable for m in chosen)
    for ax, month in zip(axes, chosen):
        counts = funnel.expected_counts(month.n_analysable)
        _funnel_bars(ax, counts, names)
        ax.set_xlabel("People (expected number)")
        when = "Now" if month.month == plan.current.month else "Later"
        ax.set_title(f"{when} ({month.month}): {_format.percent(plan.chance(month), 0)} "
                     f"chance of a significant {plan.direction}\n"
                     f"{_format.headcount(month.n_analysable)} analysable, about "
                     f"{counts[-1]:,.0f} analysed", fontsize="medium")
    for ax in axes:  # one scale, so that the bars compare
        ax.set_xlim(0, 1.25 * max(highest, 1))
    return axes


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


def _column_tick(field: str, value) -> str:
    """A column's tick: a ratio as given (``rr=0.8``), else the value as axes tick it."""
    if isinstance(value, str):
        return value if "=" in value else _tick_text(field, float(value))
    return _tick_text(field, value)


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
    ax.set_xticks(range(grid.shape[1]), [_column_tick(columns, v) for v in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [_tick_text("base_rate", v) for v in grid.index])
    given = any(isinstance(v, str) for v in grid.columns)  # effects as given, some ratios
    ax.set_xlabel("Effect as given (a ratio converted at each row's base rate)" if given
                  else AXIS_LABELS[columns])
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


def _reviews(review, labels):
    """(label, review) of each row: one review, a sequence, or a mapping of label to review."""
    if isinstance(review, dict):
        if labels is not None:
            raise InvalidInputError("labels", "must not be given with a mapping of reviews, "
                                              "whose keys are the labels")
        labels, reviews = [str(label) for label in review], list(review.values())
    elif _carries(review, "difference", "ci_low", "ci_high", "p_value"):
        reviews = [review]
    else:
        reviews = list(_validate.sequence("review", review))
    if not reviews:
        raise InvalidInputError("review", "must hold at least one PublishedReview")
    for one in reviews:
        if not _carries(one, "difference", "ci_low", "ci_high", "p_value", "mde"):
            raise InvalidInputError("review", f"must be a PublishedReview from "
                                              f"review_published(); got {type(one).__name__}")
    if labels is None:
        labels = [f"{_format.people(r.n_treated)} analysed\n{_format.percent(r.treated_rate)} "
                  f"vs {_format.percent(r.comparison_rate)}" for r in reviews]
    labels = [str(label) for label in labels]
    if len(labels) != len(reviews):
        raise InvalidInputError("labels", f"must name each of the {len(reviews)} reviews; got "
                                          f"{len(labels)}")
    return list(zip(labels, reviews))


def _published_caption(review) -> str:
    """A row's numbers as the command line states them: the difference, its interval, the
    p-value, the verdict and the size of the smallest detectable difference."""
    level = _format.percent(1 - review.alpha, 0)
    verdict = "significant" if review.significant else "not significant"
    text = (f"{_format.points(review.difference)} ({level} CI {100 * review.ci_low:+.1f} to "
            f"{100 * review.ci_high:+.1f}), {_format.p_is(review.p_value)}, {verdict}")
    if review.mde is not None:
        text += (f"; detectable with {_format.percent(review.target_power, 0)} power: "
                 f"{100 * abs(review.mde):.1f} points")
    return text


def plot_published(review, ax=None, *, labels=None):
    """Draw published differences with their confidence intervals, against zero and the
    smallest difference each study could detect: a forest plot, one row per result.

    Parameters
    ----------
    review : PublishedReview, sequence of them, or mapping of label to one
        From :func:`powerplan.review_published`.
    ax : matplotlib Axes, optional
        Where to draw; a new figure (wide, a row per result) by default.
    labels : sequence of str, optional
        Each row's name (a mapping's keys name them); by default the people
        analysed and the two rates.

    Returns
    -------
    matplotlib Axes
        On one shared axis (treated minus comparison, in percentage points),
        from the top, each result's difference as a point with its
        confidence interval, and the smallest difference its study could
        detect with the target power as a marker on the side of the
        difference observed (none when no difference was detectable); no
        difference as a solid vertical line. Above each row its numbers as
        the command line gives them: the difference, the interval, the
        p-value (``p < 0.001`` below a thousandth) and the verdict, and the
        smallest detectable difference as a size (``10.6 points``). The
        legend, below the axes, names each kind of mark once.

    Examples
    --------
    >>> from powerplan import review_published
    >>> ax = plot_published(review_published(114, 0.25, 0.28))
    >>> [line.get_gid() for line in ax.get_lines() if line.get_gid()]  # not the caps
    ['difference', 'zero', 'mde']
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['Difference with its 95% confidence interval', 'No difference', 'Smallest difference detectable with 80% power']
    >>> print(ax.texts[0].get_text())
    -3.0 points (95% CI -11.5 to +5.5), p = 0.485, not significant; detectable with 80% power: 11.0 points
    """
    rows = _reviews(review, labels)
    ax = _axes(ax, size=(8.0, 1.6 + 1.0 * len(rows)))
    y = -np.arange(len(rows), dtype=float)
    drawn = [0.0]
    levels = {_format.percent(1 - r.alpha, 0) for _, r in rows}
    level = levels.pop() if len(levels) == 1 else "the published"
    powers = {_format.percent(r.target_power, 0) for _, r in rows}
    power = f"{powers.pop()} power" if len(powers) == 1 else "the target power"
    interval_label = f"Difference with its {level} confidence interval"
    for at, (_, one) in zip(y, rows):
        difference, low, high = 100 * np.array([one.difference, one.ci_low, one.ci_high])
        bars = ax.errorbar([difference], [at], xerr=[[difference - low], [high - difference]],
                           fmt="o", capsize=6, markersize=8, color=COLORS["power"],
                           label=interval_label)
        bars.lines[0].set_gid("difference")
        interval_label = None  # the legend names each kind once
        drawn += [low, high]
    ax.axvline(0, color=COLORS["target"], linewidth=1, label="No difference", gid="zero")
    mde_label = f"Smallest difference detectable with {power}"
    for at, (_, one) in zip(y, rows):
        if one.mde is not None:
            ax.plot([100 * one.mde], [at], linestyle="none", marker="|", markersize=22,
                    markeredgewidth=2.5, color=COLORS["solution"], gid="mde", label=mde_label)
            mde_label = None
            drawn.append(100 * one.mde)
    margin = 0.12 * (max(drawn) - min(drawn))
    ax.set_xlim(min(drawn) - margin, max(drawn) + margin)
    for at, (_, one) in zip(y, rows):
        ax.text(0.01, at + 0.42, _published_caption(one), transform=ax.get_yaxis_transform(),
                ha="left", va="center", fontsize="small", gid="numbers",
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1})
    ax.set_ylim(y[-1] - 0.6, 0.75)
    ax.set_yticks(y, [label for label, _ in rows])
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel("Treated minus comparison reoffending rate (percentage points)")
    if len(rows) == 1:
        one = rows[0][1]
        verdict = "significant" if one.significant else "not significant"
        ax.set_title(f"{_format.people(one.n_treated)} analysed: "
                     f"{_format.percent(one.treated_rate)} treated against "
                     f"{_format.percent(one.comparison_rate)} comparison, {verdict} "
                     f"({_format.p_is(one.p_value)})", fontsize="medium")
    else:
        ax.set_title(f"{len(rows)} published results, each difference with its {level} "
                     f"confidence interval", fontsize="medium")
    handles, texts = ax.get_legend_handles_labels()
    order = sorted(range(len(texts)), key=lambda i: not texts[i].startswith("Difference"))
    ax.legend([handles[i] for i in order], [texts[i] for i in order], loc="upper center",
              bbox_to_anchor=(0.5, -0.22 if len(rows) == 1 else -0.12), ncol=3,
              fontsize="small", frameon=False)
    ax.grid(True, axis="x", alpha=0.3)
    ax.spines[["top", "right", "left"]].set_visible(False)
    return ax
