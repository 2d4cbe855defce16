"""What the figures draw (line data, bar sizes, markers), not how they look."""

import functools
import os
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")  # before pyplot: these tests never need a display

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from conftest import with_intervals  # noqa: E402
from matplotlib import colors, dates  # noqa: E402
from matplotlib.ticker import PercentFormatter  # noqa: E402

from statsmodels.stats.proportion import proportion_confint  # noqa: E402

from powerplan import (Intake, InvalidInputError, PowerCurve, Scenario,  # noqa: E402
                       SimulationSettings, analytic, mde_curve, portfolio, requirements_table, review_published,
                       simulate, solve, submission_plan, sweep)
from powerplan.plotting import (COLORS, plot_estimates, plot_funnel,  # noqa: E402
                                plot_mde_curve, plot_plan_funnels, plot_portfolio,
                                plot_power_curve,
                                plot_published, plot_requirements_heatmap,
                                plot_submission_plan, plot_verdicts)

FUNNEL = {"found": 0.8, "in window": 0.7, "matched": 0.75}
SMALL = Scenario(simulation=SimulationSettings(pool=5000))


@functools.cache
def simulated(**changes):
    """A small simulation, run once per module whichever tests draw it."""
    return simulate(SMALL.replace(**changes), n_sims=160, seed=3)


@functools.cache
def simulated_curve():
    return sweep(SMALL, "cohort", [150, 500, 1200], engine="simulate", n_sims=80, seed=2)


def line(ax, gid):
    (found,) = [artist for artist in ax.get_lines() if artist.get_gid() == gid]
    return found


@pytest.fixture(scope="module")
def cohort_curve():
    return sweep(Scenario(), "cohort", range(100, 3001, 100))


# Power curves ----------------------------------------------------------------

def test_power_line_is_the_curve(cohort_curve):
    ax = plot_power_curve(cohort_curve)
    drawn = line(ax, "power")
    assert np.array_equal(drawn.get_xdata(), cohort_curve.values)
    assert np.array_equal(drawn.get_ydata(), cohort_curve.power)
    assert ax.get_xlabel() == "People submitted"
    assert ax.get_ylabel() == "Chance of a significant result"
    assert isinstance(ax.yaxis.get_major_formatter(), PercentFormatter)
    assert ax.get_ylim() == (0, 1)
    assert "base rate 35%" in ax.get_title() and "40% analysed" in ax.get_title()
    assert "submitted" not in ax.get_title()  # the varied setting is on the axis instead


def test_minimum_cohort_marked_is_the_solvers_answer(cohort_curve):
    answer = solve(Scenario(), "cohort", target_power=0.8)
    ax = plot_power_curve(cohort_curve, solution=cohort_curve.solve(0.8))
    assert list(line(ax, "solution").get_xdata()) == [answer.value, answer.value]
    assert list(line(ax, "solution point").get_xdata()) == [answer.value]
    assert list(line(ax, "solution point").get_ydata()) == [answer.achieved_power]
    assert list(line(ax, "target").get_ydata()) == [0.8, 0.8]  # the solution's target
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["Analytic power", "Target: 80%", f"Minimum cohort: {answer.value:,}"]


def test_effects_are_drawn_in_points_with_the_mde_marked():
    curve = sweep(Scenario(cohort=1000), "effect", np.linspace(-0.15, 0, 16).round(3))
    answer = curve.solve(0.9)
    ax = curve.plot(solution=answer)
    assert np.allclose(line(ax, "power").get_xdata(), 100 * np.array(curve.values))
    assert line(ax, "solution").get_xdata()[0] == pytest.approx(100 * answer.value)
    assert list(line(ax, "target").get_ydata()) == [0.9, 0.9]
    assert ax.get_xlabel() == "Effect (percentage points)"
    assert "effect" not in ax.get_title() and "1,000 submitted" in ax.get_title()
    # the MDE as the command line says it: a size, in the direction's words
    marked = ax.get_legend().get_texts()[-1].get_text()
    assert marked == f"Smallest detectable reduction: {100 * abs(answer.value):.1f} points " \
                     f"(35.0% to {100 * (0.35 + answer.value):.1f}%)"
    assert marked.split(": ")[1] in answer.summary()


@pytest.mark.parametrize("field, values, label", [
    ("retention", [0.2, 0.6, 1.0], "Share of people submitted who are analysed"),
    ("base_rate", [0.1, 0.3, 0.6], "Comparison group's reoffending rate"),
])
def test_rates_are_on_a_percent_axis(field, values, label):
    curve = sweep(Scenario(), field, values)
    ax = plot_power_curve(curve, target_power=0.5)
    assert ax.get_xlabel() == label
    assert isinstance(ax.xaxis.get_major_formatter(), PercentFormatter)
    assert np.array_equal(line(ax, "power").get_xdata(), values)


def test_results_with_intervals_are_points_with_error_bars(cohort_curve):
    simulated = with_intervals(sweep(Scenario(), "cohort", [200, 1000, 2500]), half_width=0.04)
    ax = plot_power_curve(cohort_curve)
    assert plot_power_curve(simulated, ax=ax) is ax
    analytic_line, simulated_points = [l for l in ax.get_lines() if l.get_gid() == "power"]
    assert np.array_equal(analytic_line.get_ydata(), cohort_curve.power)
    assert simulated_points.get_linestyle() == "None" and simulated_points.get_marker() == "o"
    assert np.array_equal(simulated_points.get_ydata(), simulated.power)
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["Analytic power", "Analytic power with 95% interval"]
    (bars,) = ax.collections
    segments = np.array(bars.get_segments())
    assert np.allclose(segments[:, 0, 1], [r.ci_low for r in simulated.results])
    assert np.allclose(segments[:, 1, 1], [r.ci_high for r in simulated.results])
    assert np.allclose(segments[:, 0, 0], simulated.values)


def test_simulated_points_are_the_simulated_powers_with_their_wilson_intervals():
    curve = simulated_curve()
    ax = plot_power_curve(sweep(SMALL, "cohort", range(100, 1301, 100)))
    plot_power_curve(curve, ax=ax)
    points = [l for l in ax.get_lines() if l.get_gid() == "power"][1]
    assert np.array_equal(points.get_xdata(), curve.values)
    assert np.array_equal(points.get_ydata(), curve.power)
    significant = [int((r.replicates["verdict"].str.startswith("significant")).sum())
                   for r in curve.results]
    low, high = proportion_confint(significant, 80, alpha=0.05, method="wilson")
    (bars,) = ax.collections
    segments = np.array(bars.get_segments())
    assert np.allclose(segments[:, 0, 1], low) and np.allclose(segments[:, 1, 1], high)
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["Analytic power", "Simulated power with 95% interval"]
    assert "10 matches each from a pool of 5,000" in ax.get_title()


def test_solution_must_belong_to_the_curve(cohort_curve):
    with pytest.raises(InvalidInputError, match="solution solves for effect but the curve "
                                                "varies cohort"):
        plot_power_curve(cohort_curve, solution=solve(Scenario(), "effect"))
    other = solve(Scenario(base_rate=0.4), "cohort")
    with pytest.raises(InvalidInputError, match="another scenario than the curve's"):
        plot_power_curve(cohort_curve, solution=other)
    with pytest.raises(InvalidInputError, match=r"target_power must be the solution's target "
                                                r"\(0.8\) when both are given; got 0.9"):
        plot_power_curve(cohort_curve, target_power=0.9, solution=solve(Scenario(), "cohort"))
    with pytest.raises(InvalidInputError, match="target_power must be a proportion"):
        plot_power_curve(cohort_curve, target_power=80)
    from powerplan import NormalPrior
    assured = solve(Scenario(), "cohort", target_power=0.3, prior=NormalPrior(-0.05, 0.02))
    with pytest.raises(InvalidInputError, match="solution targets assurance, not power"):
        plot_power_curve(cohort_curve, solution=assured)


def test_draws_on_the_axes_given_and_makes_a_figure_otherwise(cohort_curve):
    fig, (left, right) = plt.subplots(1, 2)
    assert plot_power_curve(cohort_curve, ax=right) is right
    assert not left.get_lines() and right.get_lines()
    assert plot_power_curve(cohort_curve).figure is not fig


# MDE -------------------------------------------------------------------------

def test_mde_points_are_positive_reductions_in_points():
    curve = mde_curve(Scenario(), [200, 600, 1500])
    ax = plot_mde_curve(curve)
    drawn = line(ax, "mde")
    assert np.array_equal(drawn.get_xdata(), [200, 600, 1500])
    assert np.array_equal(drawn.get_ydata(), -100 * curve.effects)
    assert drawn.get_marker() == "o"
    assert ax.get_ylabel() == "Smallest detectable reduction (percentage points)"
    assert ax.get_title().startswith("Minimum detectable reduction with 80% power")
    assert curve.plot(ax=ax) is ax


# Verdicts --------------------------------------------------------------------

def stacks(curve):
    return [curve.p_significant_reduction, curve.p_inconclusive, curve.p_significant_increase]


def month_days(months):
    """``YYYY-MM`` texts as the first day of each month, as the figures place them."""
    return np.array(months, dtype="datetime64[M]").astype("datetime64[D]")


def test_verdict_bars_stack_the_three_probabilities(cohort_curve):
    ax = plot_verdicts(cohort_curve, kind="bars")
    bottom = np.zeros(len(cohort_curve.values))
    labels = ["Significant reduction", "Inconclusive", "Significant increase"]
    for bars, label, chance in zip(ax.containers, labels, stacks(cohort_curve), strict=True):
        assert bars.get_label() == label
        assert np.allclose([bar.get_height() for bar in bars], chance, atol=1e-12, rtol=1e-9)
        assert np.allclose([bar.get_y() for bar in bars], bottom)
        bottom = bottom + chance
    assert np.allclose(bottom, 1.0)
    ticks = [text.get_text() for text in ax.get_xticklabels()]
    assert ticks[:2] == ["100", "200"] and ticks[-1] == "3,000"


def test_verdict_areas_stack_the_three_probabilities():
    curve = sweep(Scenario(), "retention", [0.2, 0.5, 0.8, 1.0])
    ax = plot_verdicts(curve)
    bottom = np.zeros(4)
    areas = {area.get_gid(): area for area in ax.collections}
    names = ["significant reduction", "inconclusive", "significant increase"]
    for name, chance in zip(names, stacks(curve)):
        vertices = areas[name].get_paths()[0].vertices
        for x, low, high in zip(curve.values, bottom, bottom + chance):
            at_x = vertices[np.isclose(vertices[:, 0], x), 1]
            assert at_x.min() == pytest.approx(low, abs=1e-12)
            assert at_x.max() == pytest.approx(high, abs=1e-12)
        bottom = bottom + chance
    assert isinstance(ax.xaxis.get_major_formatter(), PercentFormatter)
    assert ax.get_ylabel() == "Chance of each verdict"


def test_verdicts_stack_across_the_months_of_a_plan():
    plan = submission_plan(Scenario(base_rate=0.26, effect=-0.07), Intake.monthly(25, "2024-01"),
                           now="2025-11", horizon_months=30)
    frame = plan.to_frame()
    chances = [frame[c].to_numpy() for c in ("p_significant_reduction", "p_inconclusive",
                                             "p_significant_increase")]
    ax = plot_verdicts(plan, kind="bars")
    bottom = np.zeros(len(frame))
    for bars, chance in zip(ax.containers, chances, strict=True):
        assert np.allclose([bar.get_height() for bar in bars], chance, atol=1e-12, rtol=1e-9)
        assert np.allclose([bar.get_y() for bar in bars], bottom)
        bottom = bottom + chance
    labels = [text.get_text() for text in ax.get_xticklabels()]
    assert labels[0] == "2025-11" and labels[3] == "2026-02"  # a label every third month
    assert [text for text in labels if text] == list(frame["month"][::3])
    assert ax.get_xlabel() == "Submission month"
    assert "submitted" not in ax.get_title()  # each month has its own cohort

    ax = plot_verdicts(plan)
    areas = {area.get_gid(): area for area in ax.collections}
    x = dates.date2num(month_days(frame["month"]))
    vertices = areas["significant reduction"].get_paths()[0].vertices
    for at, chance in zip(x, chances[0]):
        assert vertices[np.isclose(vertices[:, 0], at), 1].max() == pytest.approx(chance)
    assert ax.get_xlim() == (x[0], x[-1])


def interval_segments(ax):
    """(x, low, high) of each Monte Carlo error bar drawn on the verdicts."""
    return [(segment[0][0], segment[0][1], segment[1][1]) for collection in ax.collections
            if collection.get_gid() == "interval" for segment in collection.get_segments()]


def test_simulated_verdicts_carry_their_monte_carlo_intervals():
    result = simulated(cohort=300)
    one = PowerCurve("cohort", (300,), (result,), result.scenario)
    ax = plot_verdicts(one, kind="bars")
    # The top of the bottom stack is the chance of a significant reduction: its interval;
    # the bottom of the top stack is one minus the chance of an increase: its interval.
    assert interval_segments(ax) == [
        pytest.approx((0, result.reduction_ci_low, result.reduction_ci_high)),
        pytest.approx((0, 1 - result.increase_ci_high, 1 - result.increase_ci_low))]
    answers = [t.get_text() for t in ax.texts if t.get_gid() == "answer"]
    assert answers[0] == (f"{100 * result.p_significant_reduction:.1f}% significant reduction\n"
                          f"(95% interval {100 * result.reduction_ci_low:.1f}% to "
                          f"{100 * result.reduction_ci_high:.1f}%)")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[-1] == "95% Monte Carlo interval"
    if result.p_significant_increase < 0.005:  # an invisible band has no legend entry
        assert "Significant increase" not in legend
    analytic_bars = plot_verdicts(sweep(Scenario(), "cohort", [300]), kind="bars")
    assert interval_segments(analytic_bars) == []
    assert "95% Monte Carlo interval" not in [
        t.get_text() for t in analytic_bars.get_legend().get_texts()]
    assert [t.get_text() for t in analytic_bars.texts][0].endswith("% significant reduction")


def test_simulated_verdict_areas_carry_intervals_at_each_value():
    curve = simulated_curve()
    ax = plot_verdicts(curve)
    bottom = [(x, low, high) for x, low, high in interval_segments(ax)][:len(curve.values)]
    assert bottom == [pytest.approx((x, r.reduction_ci_low, r.reduction_ci_high))
                      for x, r in zip(curve.values, curve.results)]


def test_measures_bars_are_each_measures_chances_and_name_only_visible_verdicts():
    from powerplan import compare_measures
    from powerplan.plotting import plot_measures

    result = compare_measures(Scenario(cohort=1000))
    ax = plot_measures(result)
    chances = np.array([[r.p_better, r.p_inconclusive, r.p_worse]
                        for r in result.results.values()])
    for bars, chance in zip(ax.containers, chances.T):
        assert [bar.get_width() for bar in bars] == pytest.approx(chance)
    assert chances[:, 2].max() < 0.005  # too rare to see on any bar: no legend entry
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Significant improvement", "Inconclusive"]


def test_verdict_kind_is_checked(cohort_curve):
    with pytest.raises(InvalidInputError, match="kind must be one of 'area', 'bars'; got 'pie'"):
        plot_verdicts(cohort_curve, kind="pie")
    single = sweep(Scenario(), "cohort", [300])
    with pytest.raises(InvalidInputError, match="'area' needs at least two values"):
        plot_verdicts(single)
    assert len(plot_verdicts(single, kind="bars").containers) == 3


# Funnel ----------------------------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda s: s, analytic, lambda s: solve(s, "cohort")], ids=["scenario", "result", "solution"])
def test_funnel_bars_are_the_expected_counts(make):
    scenario = Scenario(cohort=500, funnel=FUNNEL)
    study = make(scenario)
    cohort = study.scenario.cohort if hasattr(study, "scenario") else scenario.cohort
    ax = plot_funnel(study)
    (bars,) = ax.containers
    expected = scenario.funnel.expected_counts(cohort)
    assert [bar.get_width() for bar in bars] == expected
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Submitted", "Found", "In window",
                                                             "Matched"]
    labels = [text.get_text() for text in ax.texts]
    assert labels[0] == f"{cohort:,} (100%)"
    assert labels[-1] == f"{expected[-1]:,.0f} (42%)"


def test_simulated_funnel_is_the_mean_of_the_studies_with_the_matching_stage():
    result = simulate(SMALL.replace(funnel=FUNNEL), n_sims=40, seed=3)
    ax = plot_funnel(result)
    assert [bar.get_width() for bar in ax.containers[0]] == [
        *result.mean_funnel.values(), result.mean_n_treated]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Submitted", "Found", "In window", "Matched", "After matching"]
    assert ax.get_xlabel() == f"People (mean of {result.n_sims} simulated studies)"
    assert ax.get_title().endswith(f"{result.mean_n_treated:,.0f} analysed after matching")


def test_funnel_refuses_other_objects():
    with pytest.raises(InvalidInputError, match="study must be a Scenario or a result carrying "
                                                "one; got dict"):
        plot_funnel({"cohort": 300})


# Submit now or wait ----------------------------------------------------------

def plan_of(per_month=25, **settings):
    scenario = Scenario(base_rate=0.26, effect=-0.07).replace(**settings)
    return submission_plan(scenario, Intake.monthly(per_month, "2024-01"), now="2025-11",
                           horizon_months=36)


def test_plan_lines_are_the_plans_chances_with_the_recommendation_marked():
    plan = plan_of()
    ax = plan.plot()
    months = month_days([m.month for m in plan.months])
    chance, power = line(ax, "chance"), line(ax, "power")
    assert np.array_equal(chance.get_xdata(), months)
    assert np.array_equal(chance.get_ydata(), [m.p_significant_reduction for m in plan.months])
    assert np.array_equal(power.get_ydata(), [m.power for m in plan.months])
    assert list(line(ax, "target").get_ydata()) == [0.8, 0.8]
    assert plan.recommended_month == "2028-09"
    marked = month_days([plan.recommended_month])[0]
    assert list(line(ax, "recommended").get_xdata()) == [marked, marked]
    assert list(line(ax, "recommended point").get_ydata()) == \
        [plan.recommended.p_significant_reduction]
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["Fewer than 60 analysable", "Chance of a significant reduction",
                      "Power (a significant result either way)", "Target: 80%",
                      "Recommended: 2028-09 (751 analysable)"]
    assert ax.get_xlabel() == "Submission month" and ax.get_ylim() == (0, 1)
    assert ax.get_title().startswith("Intake 25 people a month from 2024-01, 40% analysed")


def test_months_below_the_minimum_request_are_shaded():
    plan = plan_of()
    (shade,) = [patch for patch in plan.plot().patches if patch.get_gid() == "below minimum"]
    first_enough = next(m.month for m in plan.months if not m.below_minimum_request)
    assert plan.months[0].below_minimum_request
    start, stop = dates.date2num(month_days([plan.months[0].month, first_enough]))
    assert (shade.get_x(), shade.get_x() + shade.get_width()) == pytest.approx((start, stop))


def test_plan_without_a_recommendation_marks_no_month():
    plan = plan_of(per_month=5)
    assert plan.recommended_month is None
    ax = plot_submission_plan(plan)
    gids = {artist.get_gid() for artist in ax.get_lines()}
    assert {"chance", "power", "target"} <= gids and "recommended" not in gids
    assert not any(t.get_text().startswith("Recommended")
                   for t in ax.get_legend().get_texts())


def test_plan_of_an_increase_draws_the_chance_of_an_increase():
    plan = plan_of(effect=0.07)
    ax = plot_submission_plan(plan)
    assert np.array_equal(line(ax, "chance").get_ydata(),
                          [m.p_significant_increase for m in plan.months])
    assert ax.get_legend().get_texts()[1].get_text() == "Chance of a significant increase"


def test_plan_enough_people_from_the_start_has_no_shade():
    plan = submission_plan(Scenario(), Intake.monthly(40, "2020-01"), now="2025-11",
                           horizon_months=6)
    assert not any(m.below_minimum_request for m in plan.months)
    assert list(plot_submission_plan(plan).patches) == []


def test_plan_funnels_now_and_later_share_one_axis_and_say_their_chance():
    plan = plan_of(funnel={"found": 0.85, "matched": 0.75})
    later = plan.recommended
    panels = plot_plan_funnels(plan)
    assert len(panels) == 2 and panels[0].figure is panels[1].figure
    for ax, month in zip(panels, (plan.current, later)):
        assert [bar.get_width() for bar in ax.containers[0]] == pytest.approx(
            plan.scenario.funnel.expected_counts(month.n_analysable))
        assert [t.get_text() for t in ax.get_yticklabels()] == ["Analysable", "Found",
                                                                "Matched"]
        assert f"({month.month}): {100 * plan.chance(month):.0f}% chance of a significant " \
               f"reduction" in ax.get_title()
    assert panels[0].get_title().startswith("Now (2025-11)")
    assert panels[1].get_title().startswith(f"Later ({later.month})")
    assert panels[0].get_xlim() == panels[1].get_xlim() == (0, 1.25 * later.n_analysable)


def test_plan_funnels_of_chosen_months_and_of_nobody_yet():
    plan = submission_plan(Scenario(base_rate=0.26, effect=0.07),
                           Intake.monthly(25, "2025-06"), now="2025-11", horizon_months=36)
    assert plan.current.n_analysable == 0
    fig, axes = plt.subplots(1, 3)
    months = [plan.current, plan.months[20].month, plan.months[-1]]
    drawn = plot_plan_funnels(plan, axes, months=months)
    assert list(drawn) == list(axes)
    assert [bar.get_width() for bar in axes[0].containers[0]] == [0.0, 0.0]
    assert "chance of a significant increase" in axes[2].get_title()
    assert len({ax.get_xlim() for ax in axes}) == 1
    with pytest.raises(InvalidInputError, match="months must be months of the plan"):
        plot_plan_funnels(plan, months=["2020-01"])
    with pytest.raises(InvalidInputError, match=r"axes must be one per month \(3\); got 1"):
        plot_plan_funnels(plan, axes[:1], months=months)
    with pytest.raises(InvalidInputError, match="plan must be a SubmissionPlan"):
        plot_plan_funnels(Scenario())


def test_submission_plan_figure_refuses_other_objects(cohort_curve):
    with pytest.raises(InvalidInputError, match="plan must be a SubmissionPlan "
                                                r"\(from submission_plan\); got PowerCurve"):
        plot_submission_plan(cohort_curve)


# Requirements heatmap --------------------------------------------------------

@pytest.fixture(scope="module")
def cohort_table():
    # a 5% base rate cannot fall by 10 or 6 points: those cells have no answer
    return requirements_table(Scenario(), base_rates=[0.05, 0.25, 0.45],
                              effects=[-0.10, -0.06, -0.02], retentions=[0.4, 0.8])


@pytest.mark.parametrize("retention", [0.4, 0.8])
def test_heatmap_array_is_the_table(cohort_table, retention):
    grid = cohort_table.grid(retention)
    ax = cohort_table.plot(retention=retention)
    (image,) = ax.images
    drawn = image.get_array()
    assert np.array_equal(drawn.mask, grid.isna().to_numpy())
    assert np.array_equal(drawn.filled(np.nan), grid.to_numpy(), equal_nan=True)
    assert [text.get_text() for text in ax.texts] == \
        list(cohort_table.labels(retention).to_numpy().ravel())
    assert [t.get_text() for t in ax.get_xticklabels()] == ["-10", "-6", "-2"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["5%", "25%", "45%"]
    assert ax.get_xlabel() == "Effect (percentage points)"
    assert ax.get_ylabel() == "Comparison group's reoffending rate"
    assert ax.get_title().startswith(f"Minimum people to submit for 80% power, "
                                     f"{100 * retention:g}% analysed")


def test_heatmap_marks_cells_without_an_answer(cohort_table):
    ax = plot_requirements_heatmap(cohort_table, retention=0.4)
    hatched = [patch for patch in ax.patches if patch.get_gid() == "no answer"]
    assert [(p.get_x() + 0.5, p.get_y() + 0.5) for p in hatched] == [(0, 0), (1, 0)]
    assert all(p.get_hatch() == "//" for p in hatched)
    assert [ax.texts[i].get_text() for i in (0, 1)] == ["n/a", "n/a"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == \
        ["n/a: the effect leaves no valid treated rate"]


def test_heatmap_colours_cohorts_on_one_log_scale_for_the_whole_table(cohort_table):
    values = cohort_table.cells["value"].dropna()
    for retention in (0.4, 0.8):
        norm = cohort_table.plot(retention=retention).images[0].norm
        assert isinstance(norm, colors.LogNorm)
        assert (norm.vmin, norm.vmax) == (values.min(), values.max())


def test_mde_heatmap():
    table = requirements_table(Scenario(), quantity="effect", base_rates=[0.25, 0.45],
                               cohorts=[200, 1000, 5000], retentions=[0.5])
    ax = plot_requirements_heatmap(table)  # the only retention
    assert np.array_equal(ax.images[0].get_array(), table.grid(0.5).to_numpy())
    assert [t.get_text() for t in ax.get_xticklabels()] == ["200", "1,000", "5,000"]
    assert [text.get_text() for text in ax.texts] == \
        [f"{100 * abs(v):.1f}" for v in table.grid(0.5).to_numpy().ravel()]
    assert ax.get_xlabel() == "People submitted"
    assert not isinstance(ax.images[0].norm, colors.LogNorm)
    (colorbar,) = [axes for axes in ax.figure.axes if axes is not ax]
    assert colorbar.get_ylabel() == "Smallest detectable reduction (percentage points)"
    assert ax.get_title().startswith("Minimum detectable reduction with 80% power, 50% analysed")


@pytest.mark.parametrize("alternative, direction, sign", [("two-sided", "reduction", -1),
                                                          ("greater", "increase", 1)])
def test_mde_heatmap_colour_bar_reads_in_points_of_the_tested_direction(alternative, direction,
                                                                       sign):
    table = requirements_table(Scenario(alternative=alternative), quantity="effect",
                               base_rates=[0.25, 0.45], cohorts=[200, 1000], retentions=[0.5])
    ax = plot_requirements_heatmap(table)
    (colorbar,) = [axes for axes in ax.figure.axes if axes is not ax]
    ax.figure.canvas.draw()
    assert colorbar.get_ylabel() == f"Smallest detectable {direction} (percentage points)"
    ticks = [(value, text.get_text()) for value, text in
             zip(colorbar.get_yticks(), colorbar.get_yticklabels()) if text.get_text()]
    assert ticks and all(float(text) == pytest.approx(sign * 100 * value)
                         for value, text in ticks)
    assert all(sign * v > 0 for v in table.grid(0.5).to_numpy().ravel())
    assert ax.get_title().startswith(f"Minimum detectable {direction} with 80% power")


def test_heatmap_without_any_answer_says_why():
    table = requirements_table(Scenario(n_comparison=100), base_rates=[0.3],
                               effects=[-0.001], retentions=[0.5])
    ax = plot_requirements_heatmap(table)
    assert ax.images[0].get_array().mask.all()
    assert [text.get_text() for text in ax.texts] == ["none"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == \
        ["none: no answer within 10,000,000 people or at any effect"]
    assert ax.figure.axes == [ax]  # no colour bar without a value


def test_heatmap_of_one_cell():
    table = requirements_table(Scenario(), base_rates=[0.35], effects=[-0.1], retentions=[0.4])
    ax = plot_requirements_heatmap(table)
    assert ax.images[0].get_array().tolist() == [[435.0]] == table.grid(0.4).to_numpy().tolist()
    assert [text.get_text() for text in ax.texts] == ["435"]


def test_heatmap_of_ratio_effects_heads_each_column_as_given():
    table = requirements_table(Scenario(), base_rates=[0.2, 0.4],
                               effects=["rr=0.8", -0.05, "or=0.8"], retentions=[0.4])
    ax = plot_requirements_heatmap(table)
    assert ax.images[0].get_array().tolist() == table.grid(0.4).to_numpy().tolist()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["rr=0.8", "-5", "or=0.8"]
    assert ax.get_xlabel() == "Effect as given (a ratio converted at each row's base rate)"


def test_heatmap_retention_is_checked(cohort_table):
    with pytest.raises(InvalidInputError, match=r"retention must be given: the table holds "
                                                r"several \(0.4, 0.8\); draw one at a time"):
        plot_requirements_heatmap(cohort_table)
    with pytest.raises(InvalidInputError, match=r"retention must be one the table holds "
                                                r"\(0.4, 0.8\); got 0.5"):
        plot_requirements_heatmap(cohort_table, retention=0.5)
    with pytest.raises(InvalidInputError, match="retention must be a share in"):
        plot_requirements_heatmap(cohort_table, retention=40)


# Portfolio and published results ---------------------------------------------

def test_portfolio_bars_are_the_distribution():
    result = portfolio([Scenario(cohort=c) for c in (150, 600, 2000)])
    ax = result.plot()
    (bars,) = ax.containers
    assert [bar.get_height() for bar in bars] == list(result.distribution)
    assert [bar.get_x() + bar.get_width() / 2 for bar in bars] == [0, 1, 2, 3]
    assert list(line(ax, "expected").get_xdata()) == [result.expected_reductions] * 2
    assert ax.get_xlabel() == "Number of significant reductions"
    assert "3 separate evaluations" in ax.get_title()


@pytest.mark.parametrize("args", [(3085, 0.19, 0.26), (90, 0.13, 0.21), (114, 0.25, 0.28)])
def test_published_interval_against_zero_and_the_mde(args):
    review = review_published(*args)
    ax = review.plot()
    assert list(line(ax, "difference").get_xdata()) == [pytest.approx(100 * review.difference)]
    (interval,) = ax.collections
    ((low, _), (high, _)), = interval.get_segments()
    assert (low, high) == pytest.approx((100 * review.ci_low, 100 * review.ci_high))
    assert list(line(ax, "zero").get_xdata()) == [0, 0]
    assert line(ax, "mde").get_xdata()[0] == pytest.approx(100 * review.mde)
    verdict = "significant" if review.significant else "not significant"
    assert ax.get_title().startswith(f"{args[0]:,} analysed") and verdict in ax.get_title()


PUBLISHED = [(3085, 0.19, 0.26), (90, 0.13, 0.21), (114, 0.25, 0.28)]


def test_published_results_are_one_forest_plot_on_a_shared_axis():
    reviews = [review_published(*args) for args in PUBLISHED]
    ax = plot_published({"large": reviews[0], "small": reviews[1], "inconclusive": reviews[2]})
    assert len(ax.figure.axes) == 1  # one axis shared by every row
    rows = [artist for artist in ax.get_lines() if artist.get_gid() == "difference"]
    assert [(r.get_xdata()[0], r.get_ydata()[0]) for r in rows] == [
        pytest.approx((100 * review.difference, -i)) for i, review in enumerate(reviews)]
    intervals = [segments for collection in ax.collections
                 for segments in collection.get_segments()]
    assert [(low, high) for ((low, _), (high, _)) in intervals] == [
        pytest.approx((100 * r.ci_low, 100 * r.ci_high)) for r in reviews]
    mdes = [artist for artist in ax.get_lines() if artist.get_gid() == "mde"]
    assert [m.get_xdata()[0] for m in mdes] == [pytest.approx(100 * r.mde) for r in reviews]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["large", "small", "inconclusive"]
    low, high = ax.get_xlim()
    assert low < min(100 * r.ci_low for r in reviews) and high > max(100 * r.ci_high
                                                                     for r in reviews)
    # the legend names each kind of mark once, however many rows
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Difference with its 95% confidence interval", "No difference",
        "Smallest difference detectable with 80% power"]
    # each row's numbers as the command line gives them: p readable, the MDE as a size
    captions = [t.get_text() for t in ax.texts if t.get_gid() == "numbers"]
    assert captions[0] == ("-7.0 points (95% CI -8.5 to -5.5), p < 0.001, significant; "
                           "detectable with 80% power: 2.3 points")
    for caption, review in zip(captions, reviews):
        assert f"{100 * abs(review.mde):.1f} points" in caption
        assert f"{100 * abs(review.mde):.1f} points" in review.summary()
        assert "e-" not in caption and "0.000" not in caption
    assert ax.get_title() == "3 published results, each difference with its 95% confidence interval"


def test_published_rows_default_labels_and_refusals():
    reviews = [review_published(*args) for args in PUBLISHED[:2]]
    ax = plot_published(reviews)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["3,085 analysed\n19.0% vs 26.0%",
                                                            "90 analysed\n13.0% vs 21.0%"]
    assert plot_published(reviews, labels=["a", "b"]).get_yticklabels()[1].get_text() == "b"
    with pytest.raises(InvalidInputError, match="labels must name each of the 2 reviews"):
        plot_published(reviews, labels=["a"])
    with pytest.raises(InvalidInputError, match="review must be a PublishedReview"):
        plot_published([reviews[0], Scenario()])
    with pytest.raises(InvalidInputError, match="review must hold at least one"):
        plot_published([])


def test_a_tiny_p_value_reads_p_below_a_thousandth():
    review = review_published(3085, 0.19, 0.26)
    assert review.p_value < 1e-17
    ax = plot_published(review)
    assert ax.get_title().endswith("significant (p < 0.001)")
    assert "p < 0.001" in review.summary() and "< 0.001 (Welch" in str(review)


def test_published_without_a_detectable_difference_marks_none():
    review = review_published(5, 0.5, 0.5, n_comparison=2)
    assert review.mde is None
    ax = plot_published(review)
    assert "mde" not in {artist.get_gid() for artist in ax.get_lines()}


# Files -----------------------------------------------------------------------

# Simulated estimates ---------------------------------------------------------

def x_extent(patch):
    """The data x range a span covers (a Polygon or, from matplotlib 3.9, a Rectangle)."""
    corners = patch.get_patch_transform().transform(patch.get_path().vertices)
    return corners[:, 0].min(), corners[:, 0].max()


def shaded(ax):
    return sorted(x_extent(p) for p in ax.patches if p.get_gid() == "significant region")


def test_estimate_bars_are_the_analysed_studies_by_verdict():
    result = simulated(cohort=12, effect=-0.25)  # a few studies too small to analyse
    assert result.n_unanalysable > 0
    ax = plot_estimates(result)
    counts = [int(sum(bar.get_height() for bar in bars)) for bars in ax.containers]
    assert sum(counts) == result.n_sims - result.n_unanalysable
    n = result.n_sims
    assert counts == [round(n * result.p_significant_reduction),
                      round(n * result.p_inconclusive) - result.n_unanalysable,
                      round(n * result.p_significant_increase)]
    for bars, name in zip(ax.containers, ["significant reduction", "inconclusive",
                                          "significant increase"]):
        assert all(colors.same_color(bar.get_facecolor(), COLORS[name]) for bar in bars)
    assert [bars.get_label() for bars in ax.containers][0] == \
        f"Significant reduction ({counts[0]:,})"
    assert line(ax, "true effect").get_xdata()[0] == pytest.approx(-25.0)
    assert list(line(ax, "zero").get_xdata()) == [0, 0]
    assert ax.get_title().startswith(f"{n - result.n_unanalysable} of {n} simulated studies "
                                     f"analysed")


def test_estimate_bars_cover_every_estimate_in_points():
    result = simulated()
    ax = plot_estimates(result)
    lefts = [bar.get_x() for bar in ax.containers[0]]
    rights = [bar.get_x() + bar.get_width() for bar in ax.containers[0]]
    estimates = 100 * result.replicates["estimate"]
    assert lefts[0] == pytest.approx(estimates.min()) and rights[-1] == pytest.approx(
        estimates.max())
    assert ax.get_xlabel() == "Estimated difference, treated minus comparison (percentage points)"


@pytest.mark.parametrize("test", ["welch", "arcsine"])
def test_shaded_region_is_the_critical_value_times_the_median_standard_error(test):
    result = simulate(Scenario(cohort=600, simulation=SimulationSettings(pool=5000, test=test)),
                      n_sims=160, seed=5)
    ax = plot_estimates(result)
    (low, reduction_edge), (increase_edge, high) = shaded(ax)
    se = result.replicates["standard_error"]
    if test == "arcsine":  # its standard error is on the arcsine scale
        rate = result.replicates["comparison_rate"]
        se = se * np.sqrt(rate * (1 - rate))
    edge = 100 * 1.959964 * se.median()
    assert -reduction_edge == pytest.approx(edge, rel=1e-5)
    assert increase_edge == pytest.approx(edge, rel=1e-5)
    label = [text.get_text() for text in ax.get_legend().get_texts()][2]
    assert label.startswith(f"Significant at the median standard error: beyond \u00b1{edge:.1f}")
    # Each study is judged on its own standard error, yet the shade sorts nearly all of them.
    estimates = 100 * result.replicates["estimate"]
    inside = (estimates <= reduction_edge) | (estimates >= increase_edge)
    significant = result.replicates["verdict"].str.startswith("significant")
    assert (inside == significant).mean() >= 0.95


def test_one_sided_test_shades_one_side():
    result = simulated(alternative="less")
    (low, edge), = shaded(plot_estimates(result))
    assert edge == pytest.approx(-100 * 1.644854 * result.replicates["standard_error"].median(),
                                 rel=1e-5)


def test_estimates_delegate_and_refusals():
    result = simulated()
    ax = result.plot_estimates()
    assert [b.get_label() for b in ax.containers] == \
        [b.get_label() for b in plot_estimates(result).containers]
    with pytest.raises(InvalidInputError, match="result must be a SimulatedPowerResult from "
                                                "simulate\\(\\); got PowerResult"):
        plot_estimates(analytic(Scenario()))


MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF", "svg": b"<svg"}

FIGURES = {
    "power curve": lambda: plot_power_curve(
        sweep(Scenario(), "cohort", [100, 1000, 2000]), target_power=0.8),
    "simulated power curve": lambda: plot_power_curve(
        with_intervals(sweep(Scenario(), "cohort", [100, 1000, 2000]))),
    "mde curve": lambda: plot_mde_curve(mde_curve(Scenario(), [300, 900])),
    "verdict areas": lambda: plot_verdicts(sweep(Scenario(), "effect", [-0.1, 0.0, 0.1])),
    "verdict bars": lambda: plot_verdicts(sweep(Scenario(), "cohort", [100, 900]), kind="bars"),
    "funnel": lambda: plot_funnel(Scenario(funnel=FUNNEL)),
    "submission plan": lambda: plot_submission_plan(plan_of()),
    "verdicts by month": lambda: plot_verdicts(plan_of()),
    "requirements heatmap": lambda: plot_requirements_heatmap(
        requirements_table(Scenario(), base_rates=[0.05, 0.3], effects=[-0.1, -0.03],
                           retentions=[0.4]), retention=0.4),
    "mde heatmap": lambda: plot_requirements_heatmap(
        requirements_table(Scenario(), quantity="effect", base_rates=[0.3], cohorts=[100, 900],
                           retentions=[0.4])),
    "portfolio": lambda: plot_portfolio(portfolio([Scenario(cohort=200), Scenario()])),
    "plan funnels": lambda: plot_plan_funnels(plan_of())[0],
    "published": lambda: plot_published(review_published(114, 0.25, 0.28)),
    "simulated curve": lambda: plot_power_curve(simulated_curve()),
    "estimates": lambda: plot_estimates(simulated()),
}


def assert_image(path, kind):
    data = path.read_bytes()
    assert len(data) > 1000
    if kind == "svg":
        assert MAGIC["svg"] in data[:1000]
    else:
        assert data.startswith(MAGIC[kind])


@pytest.mark.parametrize("kind", sorted(MAGIC))
@pytest.mark.parametrize("figure", sorted(FIGURES))
def test_every_figure_saves_as_every_format(figure, kind, tmp_path):
    ax = FIGURES[figure]()
    path = tmp_path / f"figure.{kind}"
    ax.figure.savefig(path)
    assert_image(path, kind)


def test_plotting_never_shows_or_saves(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("plotting must not show or save")

    monkeypatch.setattr(plt, "show", refuse)
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", refuse)
    monkeypatch.setattr(matplotlib.figure.Figure, "show", refuse)
    for draw in FIGURES.values():
        draw()


# Import and backend ----------------------------------------------------------

def run_python(code, **env):
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("DISPLAY", "WAYLAND_DISPLAY", "MPLBACKEND")}
    environment.update(env)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=environment, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_importing_powerplan_does_not_import_matplotlib():
    code = ("import sys, powerplan, powerplan.plotting, powerplan_cli.main\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))")
    assert run_python(code) == "[]"


@pytest.mark.parametrize("choose", [
    {"MPLBACKEND": "TkAgg"},
    {"POWERPLAN_TEST_USE": "TkAgg"},
])
def test_without_a_display_a_gui_backend_gives_way_to_agg(choose):
    code = ("import os, matplotlib\n"
            "if 'POWERPLAN_TEST_USE' in os.environ:\n"
            "    matplotlib.use(os.environ['POWERPLAN_TEST_USE'])\n"
            "import powerplan\n"
            "from powerplan.plotting import plot_funnel\n"
            "plot_funnel(powerplan.Scenario())\n"
            "print(matplotlib.get_backend().lower())")
    assert run_python(code, **choose) == "agg"


def test_overlaid_curves_share_one_target_line():
    ax = None
    for base_rate in (0.2, 0.4):
        curve = sweep(Scenario(base_rate=base_rate), "cohort", [500, 1500, 3000])
        ax = plot_power_curve(curve, ax=ax, solution=curve.solve(0.8), color="#0072B2")
    gids = [line.get_gid() for line in ax.get_lines()]
    assert gids.count("target") == 1 and gids.count("solution") == 2
    assert all(line.get_color() == "#0072B2" for line in ax.get_lines()
               if line.get_gid() in ("power", "solution", "solution point"))
    plot_power_curve(curve, ax=ax, target_power=0.9)
    assert gids.count("target") + 1 == [l.get_gid() for l in ax.get_lines()].count("target")
