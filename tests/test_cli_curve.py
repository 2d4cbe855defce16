"""``powerplan curve`` and ``--plot``: tables, CSV, JSON, figures and one-line errors."""

import json

import numpy as np
import pandas as pd
import pytest

from powerplan import (Intake, Scenario, SimulationSettings, requirements_table, solve,
                       submission_plan, sweep)
from powerplan_cli import figures
from powerplan_cli.main import cli

MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF", "svg": b"<svg"}


def run(runner, *args):
    return runner.invoke(cli, list(args))


def assert_image(path, kind):
    data = path.read_bytes()
    assert len(data) > 1000
    assert MAGIC[kind] in data[:1000] if kind == "svg" else data.startswith(MAGIC[kind])


@pytest.fixture
def drawn(monkeypatch):
    """The Axes each command saves, captured (and still written)."""
    saved = []
    real_save = figures.save

    def capture(ax, path, *option):
        saved.append(ax)
        real_save(ax, path, *option)

    monkeypatch.setattr(figures, "save", capture)
    return saved


def lines_by_gid(ax):
    return {line.get_gid(): line for line in ax.get_lines()}


# The curve -------------------------------------------------------------------

def test_curve_over_cohort_prints_the_library_table(runner):
    result = run(runner, "curve", "--over", "cohort=60:2000")
    assert result.exit_code == 0, result.output
    cohorts = np.unique(np.rint(np.linspace(60, 2000, 40)).astype(int))
    assumed, table = result.stdout.rstrip("\n").split("\n", 1)
    assert assumed.startswith("Assuming a base rate of 35% and an effect of -5.0 points")
    assert table == str(sweep(Scenario(), "cohort", cohorts))


@pytest.mark.parametrize("spec, field, values", [
    ("cohort=60:100:5", "cohort", [60, 70, 80, 90, 100]),
    ("cohort=1,000:3,000:3", "cohort", [1000, 2000, 3000]),
    ("effect=-0.15:-0.01:3", "effect", [-0.15, -0.08, -0.01]),
    ("effect=-15pp:-1pp:3", "effect", [-0.15, -0.08, -0.01]),
    ("effect=rr=0.8:rr=0.9:2", "effect", [-0.07, -0.035]),
    ("retention=0.1:1:4", "retention", [0.1, 0.4, 0.7, 1.0]),
    ("retention=10%:100%:4", "retention", [0.1, 0.4, 0.7, 1.0]),
    ("base-rate=0.1:0.6:3", "base_rate", [0.1, 0.35, 0.6]),
    ("comparison-ratio=1:9:3", "comparison_ratio", [1.0, 5.0, 9.0]),
    ("alpha=0.01:0.1:2", "alpha", [0.01, 0.1]),
])
def test_over_forms(runner, spec, field, values):
    result = run(runner, "curve", "--over", spec, "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["field"] == field
    assert payload["values"] == pytest.approx(values, abs=1e-12)
    expected = sweep(Scenario(), field, payload["values"])
    assert [r["power"] for r in payload["results"]] == list(expected.power)


def test_the_varied_option_is_replaced_and_the_others_kept(runner):
    result = run(runner, "curve", "--over", "cohort=100:200:2", "--cohort", "5000",
                 "--base-rate", "0.25", "--json")
    payload = json.loads(result.stdout)
    assert payload["values"] == [100, 200]
    assert [r["base_rate"] for r in payload["results"]] == [0.25, 0.25]


def test_csv_is_the_curves_frame(runner, tmp_path):
    path = tmp_path / "curve.csv"
    result = run(runner, "curve", "--over", "retention=0.2:1:5", "--cohort", "800",
                 "--csv", str(path))
    assert result.exit_code == 0, result.output
    expected = sweep(Scenario(cohort=800), "retention", [0.2, 0.4, 0.6, 0.8, 1.0]).to_frame()
    pd.testing.assert_frame_equal(pd.read_csv(path), expected, check_exact=False, rtol=1e-12)


def test_target_power_marks_the_solvers_minimum_cohort(runner, tmp_path, drawn):
    path = tmp_path / "curve.png"
    result = run(runner, "curve", "--over", "cohort=60:2000", "--target-power", "0.8",
                 "--out", str(path), "--json")
    assert result.exit_code == 0, result.output
    answer = solve(Scenario(), "cohort", target_power=0.8)
    assert json.loads(result.stdout)["solution"]["cohort"] == answer.value
    (ax,) = drawn
    lines = lines_by_gid(ax)
    assert list(lines["solution"].get_xdata()) == [answer.value, answer.value]
    assert list(lines["target"].get_ydata()) == [0.8, 0.8]
    assert list(lines["power"].get_xdata()) == json.loads(result.stdout)["values"]
    assert_image(path, "png")
    text = run(runner, "curve", "--over", "cohort=60:2000", "--target-power", "0.8").stdout
    assert text.rstrip().endswith(answer.summary())


def test_target_power_over_effect_marks_the_mde(runner, tmp_path, drawn):
    result = run(runner, "curve", "--over", "effect=-15pp:0pp:16", "--cohort", "1000",
                 "--target-power", "0.8", "--out", str(tmp_path / "effect.svg"))
    assert result.exit_code == 0, result.output
    answer = solve(Scenario(cohort=1000), "effect")
    assert lines_by_gid(drawn[0])["solution"].get_xdata()[0] == pytest.approx(100 * answer.value)
    assert_image(tmp_path / "effect.svg", "svg")


def test_target_power_over_base_rate_is_only_a_line(runner, tmp_path, drawn):
    result = run(runner, "curve", "--over", "base-rate=0.1:0.6", "--target-power", "0.5",
                 "--out", str(tmp_path / "rates.pdf"), "--json")
    assert result.exit_code == 0, result.output
    assert "solution" not in json.loads(result.stdout)
    assert set(lines_by_gid(drawn[0])) == {"power", "target"}
    assert_image(tmp_path / "rates.pdf", "pdf")


@pytest.mark.parametrize("kind", sorted(MAGIC))
def test_out_writes_the_format_its_extension_names(runner, tmp_path, kind):
    path = tmp_path / f"curve.{kind.upper()}"
    result = run(runner, "curve", "--over", "cohort=60:600:5", "--out", str(path))
    assert result.exit_code == 0, result.output
    assert_image(path, kind)


# By simulation ---------------------------------------------------------------

SMALL = Scenario(simulation=SimulationSettings(pool=5000))


def test_simulated_curve_draws_points_with_intervals_over_the_analytic_line(runner, tmp_path,
                                                                            drawn):
    figure, table = tmp_path / "curve.png", tmp_path / "curve.csv"
    result = run(runner, "curve", "--over", "cohort=150:600:3", "--engine", "simulate",
                 "--sims", "32", "--seed", "4", "--pool", "5000", "--target-power", "0.8",
                 "--out", str(figure), "--csv", str(table), "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    expected = sweep(SMALL, "cohort", [150, 375, 600], engine="simulate", n_sims=32, seed=4)
    assert payload["engine"] == "simulate" and payload["values"] == [150, 375, 600]
    assert [r["power"] for r in payload["results"]] == list(expected.power)
    assert [r["seed"] for r in payload["results"]] == [4, 4, 4]
    line = sweep(SMALL, "cohort", np.unique(np.rint(np.linspace(150, 600, 40)).astype(int)))
    assert payload["analytic"]["values"] == list(line.values)
    assert payload["solution"]["cohort"] == solve(SMALL, "cohort").value
    written = pd.read_csv(table)
    assert not written.astype(str).apply(lambda column: column.str.contains("{")).any().any()
    frame = expected.to_frame().astype(  # None: not estimated by simulation
        {name: float for name in ("power_at_expected_n", "p_false_reduction",
                                  "p_false_increase", "exact_share")})
    pd.testing.assert_frame_equal(written, frame, check_exact=False, rtol=1e-12)
    (ax,) = drawn
    analytic_line, points = [l for l in ax.get_lines() if l.get_gid() == "power"]
    assert np.array_equal(analytic_line.get_ydata(), line.power)
    assert np.array_equal(points.get_xdata(), expected.values)
    assert np.array_equal(points.get_ydata(), expected.power)
    (bars,) = ax.collections
    segments = np.array(bars.get_segments())
    assert np.allclose(segments[:, 0, 1], [r["ci_low"] for r in payload["results"]])
    assert np.allclose(segments[:, 1, 1], [r["ci_high"] for r in payload["results"]])
    assert_image(figure, "png")


def test_simulated_curve_has_eight_points_unless_steps_are_given(runner, tmp_path):
    result = run(runner, "curve", "--over", "effect=-15pp:0pp", "--engine", "simulate",
                 "--sims", "16", "--seed", "1", "--pool", "5000", "--quiet",
                 "--out", str(tmp_path / "effects.pdf"))
    assert result.exit_code == 0, result.output
    expected = sweep(SMALL, "effect", np.linspace(-0.15, 0, 8).round(12), engine="simulate",
                     n_sims=16, seed=1)
    assumed, table = result.stdout.rstrip("\n").split("\n", 1)
    assert assumed.startswith("Assuming a base rate of 35%, the typical study's")
    assert table == str(expected)
    assert_image(tmp_path / "effects.pdf", "pdf")


# Errors ----------------------------------------------------------------------

FORM = ("must be FIELD=START:STOP[:STEPS] with FIELD one of cohort, effect, retention, "
        "base-rate, comparison-ratio, alpha (such as cohort=60:2000 or effect=-0.15:-0.01:15)")

BAD = [
    (["--over", "cohort"], f"'--over': {FORM}; got 'cohort'"),
    (["--over", "cohort=60"], f"'--over': {FORM}; got 'cohort=60'"),
    (["--over", "cohort=60:100:5:6"], f"'--over': {FORM}; got 'cohort=60:100:5:6'"),
    (["--over", "size=60:100"], f"'--over': {FORM}; got 'size=60:100'"),
    (["--over", "cohort=a:100"], "'--over': START and STOP for cohort must be whole numbers "
                                 "of people; got 'cohort=a:100'"),
    (["--over", "cohort=60.5:100"], "'--over': START and STOP for cohort must be whole numbers"),
    (["--over", "retention=lots:1"], "'--over': START and STOP for retention must be shares "
                                     "such as 0.1 or 10%; got 'retention=lots:1'"),
    (["--over", "effect=big:-0.01"], "'--over': must be a difference in proportion units"),
    (["--over", "cohort=60:100:1"], "'--over': STEPS must be a whole number in [2, 1,000]; "
                                    "got 'cohort=60:100:1'"),
    (["--over", "cohort=60:100:many"], "'--over': STEPS must be a whole number in [2, 1,000]"),
    (["--over", "cohort=2000:60"], "'--over': START must be below STOP; got 2000 and 60"),
    (["--over", "effect=-1pp:-15pp"], "'--over': START must be below STOP; got -0.01 and -0.15"),
    (["--over", "cohort=0:100"], "'--over': cohort must be a whole number in [1, 10,000,000]; "
                                 "got 0"),
    (["--over", "retention=0:1"], "'--over': retention must be a share in (0, 1]; got 0"),
    (["--over", "retention=0.1:inf"],
     "'--over': START and STOP must be finite numbers; got 'retention=0.1:inf'"),
    (["--over", "base-rate=nan:0.5"],
     "'--over': START and STOP must be finite numbers; got 'base-rate=nan:0.5'"),
    (["--over", "comparison-ratio=1:1e308"],
     "'--over': comparison_ratio must be a number in [1e-07, 10,000,000]; got 1e+308"),
    (["--over", "base-rate=0.01:0.5"], "'--over': effect must keep the treated rate"),
    (["--over", "cohort=1:20000000"], "'--over': cohort must be a whole number in "
                                       "[1, 10,000,000]; got 20,000,000"),  # STOP, as typed
    (["--over", "alpha=0.1:0.6"], "'--over': alpha must be a significance level in [1e-10, 0.5)"),
    ([], "Missing option '--over'"),
    (["--over", "cohort=60:100", "--out", "curve.jpg"],
     "'--out': must be a file name ending in .png, .svg or .pdf; got 'curve.jpg'"),
    (["--over", "cohort=60:100", "--out", "curve"],
     "'--out': must be a file name ending in .png, .svg or .pdf; got 'curve'"),
    (["--over", "cohort=60:100", "--target-power", "0.01"],
     "'--target-power': must be in (alpha, 1) = (0.05, 1)"),
    (["--over", "cohort=60:100", "--engine", "guess"], "'--engine': 'guess' is not"),
    (["--over", "cohort=60:100", "--seed", "1", "--out", "curve.png"],
     "--seed applies to the simulator; add --engine simulate"),
    (["--over", "cohort=60:100", "--engine", "simulate", "--method", "pooled"],
     "--method sets the analytic engine"),
    (["--over", "cohort=100:5000:3", "--engine", "simulate", "--pool", "1000", "--out",
      "curve.png"], "Invalid value for '--pool': must be at least the expected number of "
                   "treated people analysed (cohort x retention = 1,020); got 1,000"),
    (["--over", "cohort=60:100", "--engine", "simulate", "--sims", "0"],
     "Invalid value for '--sims': must be a whole number in [1, 10,000,000]; got 0"),
    (["--over", "cohort=100:200:2", "--engine", "simulate", "--k", "100000"],
     "Invalid value for '--k': must be a whole number in [1, 100]; got 100,000"),
]


@pytest.mark.parametrize("args, message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_is_one_line_exit_2(runner, args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(runner, "curve", *args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: ") and message in line
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_unreachable_target_still_gives_the_curve_and_says_so(runner, tmp_path):
    # The curve is the answer asked for; the target is a mark on it that does not exist.
    figure = tmp_path / "curve.svg"
    args = ["curve", "--over", "cohort=60:100", "--effect", "-0.0001", "--n-comparison",
            "100", "--target-power", "0.9"]
    result = run(runner, *args, "--out", str(figure))
    assert result.exit_code == 0, result.output
    assert "The target of 90% power is not reached: no cohort reaches 90.0% power" in \
        result.stdout
    assert "    100" in result.stdout  # the curve's last row
    assert figure.stat().st_size > 0
    payload = json.loads(run(runner, *args, "--json").stdout)
    assert payload["target_not_reached"].startswith("The target of 90% power is not reached")
    assert "solution" not in payload and len(payload["values"]) == 40


WRITERS = [
    ["curve", "--over", "cohort=60:100:3", "--out"],
    ["curve", "--over", "cohort=60:100:3", "--csv"],
    ["wait", "--intake-per-month", "25", "--start", "2024-01", "--now", "2025-11", "--plot"],
    ["table", "--retentions", "0.5", "--plot"],
    ["power", "--plot"],
]


@pytest.mark.parametrize("args", WRITERS, ids=[" ".join(a[:1] + a[-1:]) for a in WRITERS])
def test_file_in_a_missing_folder_is_bad_input(runner, tmp_path, args):
    path = tmp_path / "missing" / "curve.png"
    result = run(runner, *args, str(path))
    assert result.exit_code == 2
    assert result.stderr == (f"Error: Invalid value for '{args[-1]}': cannot write {path}: "
                             f"there is no folder {path.parent}\n")


def test_file_that_is_a_folder_is_bad_input(runner, tmp_path):
    folder = tmp_path / "curve.png"
    folder.mkdir()
    result = run(runner, "power", "--plot", str(folder))
    assert result.exit_code == 2
    assert result.stderr == (f"Error: Invalid value for '--plot': cannot write {folder}: "
                             f"it is a folder\n")


@pytest.mark.parametrize("args", WRITERS, ids=[" ".join(a[:1] + a[-1:]) for a in WRITERS])
def test_file_that_cannot_be_written_is_bad_input(runner, tmp_path, monkeypatch, args):
    import pandas
    from matplotlib.figure import Figure

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Figure, "savefig", refuse)
    monkeypatch.setattr(pandas.DataFrame, "to_csv", refuse)
    path = tmp_path / "curve.png"
    result = run(runner, *args, str(path))
    assert result.exit_code == 2
    assert result.stderr == (f"Error: Invalid value for '{args[-1]}': cannot write {path}: "
                             f"Permission denied\n")


def test_curve_has_help_with_examples(runner):
    result = run(runner, "curve", "--help")
    assert result.exit_code == 0
    assert "--over FIELD=START:STOP[:STEPS]" in result.stdout
    assert "powerplan curve --over cohort=60:2000" in result.stdout
    assert "curve" in run(runner, "--help").stdout


# --plot on the planning commands ---------------------------------------------

def test_power_plot_draws_the_funnel_and_the_verdicts(runner, tmp_path, drawn):
    path = tmp_path / "power.png"
    result = run(runner, "power", "--stage", "found=0.8", "--stage", "matched=0.5",
                 "--plot", str(path))
    assert result.exit_code == 0, result.output
    assert_image(path, "png")
    funnel, verdicts = drawn[0].figure.axes
    scenario = Scenario(funnel={"found": 0.8, "matched": 0.5})
    assert [bar.get_width() for bar in funnel.containers[0]] == \
        scenario.funnel.expected_counts(300)
    from powerplan import analytic
    expected = analytic(scenario)
    heights = [bars[0].get_height() for bars in verdicts.containers]
    assert heights == pytest.approx([expected.p_significant_reduction, expected.p_inconclusive,
                                     expected.p_significant_increase], abs=1e-12)


@pytest.mark.parametrize("command", [["simulate"], ["power", "--engine", "simulate"]])
def test_simulated_power_plot_has_the_matching_stage_and_the_intervals(runner, tmp_path,
                                                                       drawn, command):
    path = tmp_path / "simulated.png"
    args = [*command, "--cohort", "200", "--pool", "5000", "--sims", "64", "--seed", "1"]
    result = run(runner, *args, "--json", "--plot", str(path))
    assert result.exit_code == 0, result.output
    assert_image(path, "png")
    payload = json.loads(result.stdout)
    funnel, verdicts = drawn[0].figure.axes
    assert [t.get_text() for t in funnel.get_yticklabels()][-1] == "After matching"
    assert funnel.containers[0][-1].get_width() == pytest.approx(payload["mean_n_treated"])
    answer = [t.get_text() for t in verdicts.texts if t.get_gid() == "answer"][0]
    assert answer.startswith(f"{100 * payload['p_significant_reduction']:.1f}% significant "
                             f"reduction\n(95% interval {100 * payload['reduction_ci_low']:.1f}%")
    assert "95% Monte Carlo interval" in [t.get_text() for t in verdicts.get_legend().get_texts()]


def test_size_plot_marks_the_minimum_cohort(runner, tmp_path, drawn):
    path = tmp_path / "size.svg"
    result = run(runner, "size", "--target-power", "0.9", "--plot", str(path))
    assert result.exit_code == 0, result.output
    assert_image(path, "svg")
    answer = solve(Scenario(), "cohort", target_power=0.9)
    lines = lines_by_gid(drawn[0])
    assert lines["solution"].get_xdata()[0] == answer.value
    assert list(lines["target"].get_ydata()) == [0.9, 0.9]
    cohorts = lines["power"].get_xdata()
    assert cohorts[0] < answer.value < cohorts[-1]


@pytest.mark.parametrize("direction", ["reduction", "increase"])
def test_mde_plot_marks_the_mde(runner, tmp_path, drawn, direction):
    path = tmp_path / "mde.pdf"
    result = run(runner, "mde", "--cohort", "1000", "--direction", direction,
                 "--plot", str(path))
    assert result.exit_code == 0, result.output
    assert_image(path, "pdf")
    answer = solve(Scenario(cohort=1000), "effect", direction=direction)
    lines = lines_by_gid(drawn[0])
    assert lines["solution"].get_xdata()[0] == pytest.approx(100 * answer.value)
    effects = lines["power"].get_xdata()
    assert min(effects) <= 100 * answer.value <= max(effects)
    assert 0 in effects


def test_wait_plot_draws_the_plan(runner, tmp_path, drawn):
    path = tmp_path / "wait.png"
    result = run(runner, "wait", "--intake-per-month", "25", "--start", "2024-01",
                 "--now", "2025-11", "--base-rate", "0.26", "--effect", "-7pp",
                 "--plot", str(path))
    assert result.exit_code == 0, result.output
    assert_image(path, "png")
    plan = submission_plan(Scenario(base_rate=0.26, effect=-0.07), Intake.monthly(25, "2024-01"),
                           now="2025-11")
    lines = lines_by_gid(drawn[0])
    assert list(lines["chance"].get_ydata()) == [m.p_significant_reduction for m in plan.months]
    marked = np.datetime64(f"{plan.recommended_month}-01")
    assert list(lines["recommended"].get_xdata()) == [marked, marked]


def test_table_plot_draws_a_heatmap_per_retention(runner, tmp_path, drawn):
    path = tmp_path / "table.svg"
    result = run(runner, "table", "--base-rates", "0.25,0.35", "--effects", "-3pp,-6pp",
                 "--retentions", "0.2,0.5,0.8", "--plot", str(path))
    assert result.exit_code == 0, result.output
    assert_image(path, "svg")
    table = requirements_table(Scenario(), base_rates=[0.25, 0.35], effects=[-0.03, -0.06],
                               retentions=[0.2, 0.5, 0.8])
    assert result.stdout == table.to_text() + "\n"
    panels = [ax for ax in drawn[0].figure.axes if ax.images]
    assert len(panels) == 3  # two to a row; the fourth place is left empty
    for ax, retention in zip(panels, (0.2, 0.5, 0.8)):
        assert np.array_equal(ax.images[0].get_array(), table.grid(retention).to_numpy())
        assert f"{100 * retention:g}% analysed" in ax.get_title()


def test_table_plot_of_mdes_for_one_retention(runner, tmp_path, drawn):
    path = tmp_path / "mde.pdf"
    result = run(runner, "table", "--mde", "--cohorts", "100,1000", "--retentions", "40%",
                 "--format", "json", "--plot", str(path))
    assert result.exit_code == 0, result.output
    assert_image(path, "pdf")
    (panel,) = [ax for ax in drawn[0].figure.axes if ax.images]
    table = requirements_table(Scenario(), quantity="effect", cohorts=[100, 1000],
                               retentions=[0.4])
    assert np.array_equal(panel.images[0].get_array(), table.grid(0.4).to_numpy())


def test_published_plot_draws_the_difference_against_zero_and_the_mde(runner, tmp_path,
                                                                      drawn):
    path = tmp_path / "published.png"
    args = ["published", "--n-treated", "3085", "--treated-rate", "19%",
            "--comparison-rate", "26%"]
    result = run(runner, *args, "--plot", str(path))
    assert result.exit_code == 0, result.output
    assert_image(path, "png")
    assert result.stdout == run(runner, *args).stdout  # the numbers come first, the same
    from powerplan import review_published
    review = review_published(3085, 0.19, 0.26)
    lines = lines_by_gid(drawn[0])
    assert lines["difference"].get_xdata()[0] == pytest.approx(100 * review.difference)
    assert lines["mde"].get_xdata()[0] == pytest.approx(100 * review.mde)
    assert drawn[0].get_title().endswith("(p < 0.001)")
    assert "p < 0.001" in result.stdout


@pytest.mark.parametrize("command", ["power", "size", "mde", "wait", "table"])
def test_plot_refuses_other_extensions(runner, command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(runner, command, "--plot", "figure.gif")
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line == ("Error: Invalid value for '--plot': must be a file name ending in .png, "
                    ".svg or .pdf; got 'figure.gif'")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["power", "size"])
def test_plot_is_refused_with_a_prior(runner, command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(runner, command, "--prior", "normal:-4,3", "--plot", "figure.png")
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line == ("Error: Invalid value for '--plot': draws power, so it cannot be combined "
                    "with --prior yet")
    assert list(tmp_path.iterdir()) == []
