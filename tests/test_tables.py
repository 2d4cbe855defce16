"""Requirement tables: each cell is the solver's answer; impossible cells are marked."""

import json

import numpy as np
import pytest

from powerplan import InvalidInputError, Scenario, requirements_table, solve
from powerplan.design.effects import Effect, to_difference
from powerplan.design.funnel import Funnel


def test_each_cell_is_the_solver_answer():
    base = Scenario(method="pooled", comparison_ratio=5)
    table = requirements_table(base, base_rates=[0.2, 0.4], effects=[-0.03, -0.08],
                               retentions=[0.3, 0.7])
    assert len(table.cells) == 8
    for row in table.cells.to_dict("records"):
        expected = solve(base.replace(base_rate=row["base_rate"], effect=row["effect"],
                                      funnel=Funnel.single(row["retention"])), "cohort")
        assert row["value"] == expected.value
        assert row["status"] == "ok"


def test_a_ratio_effect_is_converted_at_each_cells_base_rate():
    # The one conversion (Scenario's, by to_difference): rr=0.8 is -4 points at 20% and
    # -8 points at 40%; the column keeps the ratio as given.
    base = Scenario(comparison_ratio=5)
    table = requirements_table(base, base_rates=[0.2, 0.4],
                               effects=[Effect(0.8, "relative-risk"), "or=0.7", -0.05, "-3pp"],
                               retentions=[0.4, 0.6])
    given = table.cells[["effect_scale", "effect_value"]].drop_duplicates()
    assert given.to_records(index=False).tolist() == [
        ("relative-risk", 0.8), ("odds-ratio", 0.7), ("difference", -0.05),
        ("difference", -0.03)]
    for row in table.cells.to_dict("records"):
        effect = Effect(row["effect_value"], row["effect_scale"])
        assert row["effect"] == pytest.approx(
            to_difference(effect.value, effect.scale, row["base_rate"]), abs=1e-15)
        expected = solve(base.replace(base_rate=row["base_rate"], effect=effect,
                                      funnel=Funnel.single(row["retention"])), "cohort")
        assert row["value"] == expected.value
    grid = table.grid(0.4)
    assert list(grid.columns) == ["rr=0.8", "or=0.7", "-0.05", "-0.03"]  # as given
    assert table.labels(0.4).shape == (2, 4)
    header = table.to_text().splitlines()[3].split()
    assert header == ["base", "rate", "rr=0.8", "or=0.7", "5", "pt", "3", "pt"]
    assert "as given, a ratio converted to points at each row's base rate" in table.to_text()


def test_a_ratio_leaving_no_valid_rate_is_marked_in_its_cell():
    table = requirements_table(Scenario(), base_rates=[0.2, 0.6], effects=["rr=2"],
                               retentions=[0.4])
    cells = table.cells.set_index("base_rate")
    assert cells.loc[0.2, "status"] == "ok"
    assert cells.loc[0.6, "status"].startswith("invalid: effect must keep the treated rate")
    assert np.isnan(cells.loc[0.6, "effect"])
    assert table.labels(0.4).loc[0.6, "rr=2"] == "n/a"
    with pytest.raises(InvalidInputError, match="effects must be distinct; got rr=0.8 twice"):
        requirements_table(Scenario(), effects=["rr=0.8", Effect(0.8, "relative-risk")])


def test_minimum_cohort_falls_with_larger_reductions_and_more_retention():
    table = requirements_table(Scenario())
    for retention in (0.2, 0.4, 0.6, 0.8):
        grid = table.grid(retention)
        values = grid[sorted(grid.columns, reverse=True)].to_numpy()
        assert (np.diff(values, axis=1) < 0).all()
    assert (table.grid(0.2).to_numpy() > table.grid(0.8).to_numpy()).all()


def test_mde_table_cells():
    table = requirements_table(Scenario(), quantity="effect", base_rates=[0.3], cohorts=[200, 800],
                               retentions=[0.5])
    for row in table.cells.to_dict("records"):
        answer = solve(Scenario(cohort=row["cohort"], base_rate=0.3, funnel=0.5), "effect")
        assert row["value"] == pytest.approx(answer.value)
    values = table.cells["value"].to_numpy()
    assert abs(values[1]) < abs(values[0])


def test_mde_table_looks_for_increases_when_the_test_does():
    scenario = Scenario(alternative="greater")
    table = requirements_table(scenario, quantity="effect", base_rates=[0.3], cohorts=[800],
                               retentions=[0.5])
    answer = solve(scenario.replace(cohort=800, base_rate=0.3, funnel=0.5), "effect",
                   direction="increase")
    assert table.cells["status"].tolist() == ["ok"]
    assert table.cells["value"].tolist() == [pytest.approx(answer.value)]
    assert answer.value > 0 and table.direction == "increase"
    assert table.to_text().startswith("Minimum detectable increase (points) with 80% power "
                                      "(welch test, greater, alpha 0.05)")


@pytest.mark.parametrize("effects, columns", [
    ([-0.05, -0.1], "reductions"), ([0.05, 0.1], "increases"), ([-0.05, 0.05], "effects"),
])
def test_cohort_table_title_names_the_kind_of_effect(effects, columns):
    table = requirements_table(Scenario(), base_rates=[0.3], effects=effects, retentions=[0.5])
    assert table.to_text().splitlines()[0].endswith(f"; columns are {columns} in points")


def test_impossible_and_invalid_cells_are_marked_not_dropped():
    table = requirements_table(Scenario(), base_rates=[0.15], effects=[-0.2, -0.0001, -0.05],
                               retentions=[0.4])
    statuses = table.cells["status"].tolist()
    assert statuses[0].startswith("invalid: effect must keep the treated rate")
    assert statuses[1].startswith("none: no cohort reaches 80.0% power")
    assert statuses[2] == "ok"
    text = table.to_text()
    assert "n/a" in text and "none" in text
    assert "none: no answer within 10,000,000 people" in text
    cells = json.loads(json.dumps(table.to_dict()))["cells"]
    assert [c["value"] is None for c in cells] == [True, True, False]


def test_formats():
    table = requirements_table(Scenario(), base_rates=[0.25, 0.35], effects=[-0.05, -0.1],
                               retentions=[0.4])
    markdown = table.to_markdown()
    assert "| base rate | 5 pt | 10 pt |" in markdown
    assert "|---|---:|---:|" in markdown
    for value in table.cells["value"]:
        assert f"{int(value):,}" in markdown and f"{int(value):,}" in table.to_text()
    frame = table.to_frame()
    assert list(frame.columns) == ["base_rate", "retention", "effect", "value",
                                   "achieved_power", "status", "flags"]


@pytest.mark.parametrize("kwargs, fragment", [
    ({"base_rates": [1.2]}, "base_rates must be a proportion in (0, 1); got 1.2"),
    ({"retentions": [0]}, "retentions must be a share in (0, 1]; got 0"),
    ({"effects": []}, "effects must list at least one value"),
    ({"effects": [-0.001 * i for i in range(1, 102)]}, "effects must list at most 100 values; "
                                                       "got 101"),
    ({"base_rates": [0.25, 0.35, 0.25]}, "base_rates must be distinct; got 0.25 twice"),
    ({"retentions": [0.3, 0.1 + 0.2]}, "retentions must be distinct; got 0.3 twice"),
    ({"quantity": "effect", "cohorts": [100, 100]}, "cohorts must be distinct; got 100 twice"),
    ({"quantity": "alpha"}, "quantity must be one of 'cohort', 'effect'"),
    ({"quantity": "effect", "cohorts": [0]}, "cohorts must be a whole number in [1, 10,000,000]"),
])
def test_invalid_grids(kwargs, fragment):
    with pytest.raises(InvalidInputError) as info:
        requirements_table(Scenario(), **kwargs)
    assert fragment in str(info.value)


@pytest.mark.parametrize("method, effects", [("wald", [-0.05, -0.10]), ("welch", [-0.10, -0.14])])
def test_cells_are_the_first_cohort_reaching_the_target_by_brute_force(method, effects):
    # The fast path (the solver's galloping search, shared chances, no scan where power
    # provably rises) against the slow one: power at every cohort up to the answer.
    from powerplan import analytic

    scenario = Scenario(method=method)
    table = requirements_table(scenario, base_rates=[0.15, 0.35], effects=effects,
                               retentions=[0.4, 1.0])
    for row in table.cells.to_dict("records"):
        cell = scenario.replace(base_rate=row["base_rate"], effect=row["effect"],
                                retention=row["retention"])
        powers = [analytic(cell.replace(cohort=c)).power for c in range(1, int(row["value"]) + 1)]
        assert powers[-1] >= 0.8 > max(powers[:-1]), row
