"""What a new user tripped over (the 'new user' issue): each with a test."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import powerplan
from powerplan import Scenario, SimulationSettings, Simulator, sweep
from powerplan_cli.main import cli

SMALL = Scenario(cohort=300, simulation=SimulationSettings(pool=2000))


# A simulated curve whose power is exactly 0% or 100% ---------------------------

def test_simulated_intervals_at_all_or_none_are_exact_and_contain_the_estimate():
    curve = sweep(SMALL, "effect", [-0.3, 0.0], engine=Simulator(n_sims=16, seed=1))
    certain = curve.results[0]
    assert certain.power == 1.0 and certain.ci_high == 1.0
    for result in curve.results:
        for low, share, high in [(result.ci_low, result.power, result.ci_high),
                                 (result.reduction_ci_low, result.p_significant_reduction,
                                  result.reduction_ci_high),
                                 (result.increase_ci_low, result.p_significant_increase,
                                  result.increase_ci_high)]:
            assert 0.0 <= low <= share <= high <= 1.0
    ax = curve.plot()  # drew a negative error bar before
    assert ax.get_lines()


def test_a_certain_share_prints_without_noise():
    result = powerplan.simulate(SMALL.replace(effect=-0.3), n_sims=16, seed=1)
    assert result.increase_ci_low == 0.0
    assert "<0.1% to" not in str(result)


def test_the_numbers_are_printed_before_the_figure_is_drawn(runner, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("no ink")

    monkeypatch.setattr(powerplan.plotting, "plot_power_curve", broken)
    monkeypatch.setattr(powerplan.PowerCurve, "plot", broken)
    out = tmp_path / "curve.png"
    result = runner.invoke(cli, ["curve", "--over", "cohort=100:300:3", "--out", str(out)])
    assert result.exit_code == 3
    assert "Power against people submitted" in result.output  # the table came first
    assert ("Error: the results above are complete, but the figure for --out could not be "
            "drawn: RuntimeError: no ink") in result.output
    assert not out.exists()


def test_a_simulated_curve_reaching_100_percent_draws(runner, tmp_path):
    out = tmp_path / "sim.png"
    result = runner.invoke(cli, ["curve", "--over", "effect=-30pp:-25pp:2", "--engine",
                                 "simulate", "--sims", "16", "--pool", "2000", "--seed", "1",
                                 "--quiet", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0


# Scenario(retention=...) as replace, from_dict and the CLI take it -------------

def test_a_scenario_takes_retention_as_replace_and_from_dict_do():
    assert Scenario(retention=0.4) == Scenario().replace(retention=0.4)
    assert Scenario(retention=0.4) == Scenario.from_dict({"retention": 0.4})
    assert Scenario(cohort=500, retention=0.25).expected_n_treated == 125
    with pytest.raises(powerplan.InvalidInputError, match="retention and funnel cannot both"):
        Scenario(retention=0.4, funnel=0.5)
    with pytest.raises(powerplan.InvalidInputError, match="retention"):
        Scenario(retention=1.5)


# Every result displays itself in a notebook --------------------------------------

def results():
    s = Scenario()
    return [powerplan.analytic(s), powerplan.solve(s, "cohort"),
            powerplan.sweep(s, "cohort", [100, 300]), powerplan.mde_curve(s, [300, 600]),
            powerplan.assurance(s, powerplan.NormalPrior.points(-4, 3)),
            powerplan.requirements_table(s, base_rates=[0.3], effects=[-0.05],
                                         retentions=[0.4]),
            powerplan.submission_plan(s, powerplan.Intake.monthly(20, "2024-03"),
                                      now="2026-11"),
            powerplan.portfolio([s, s.replace(cohort=600)]),
            powerplan.review_published(n_treated=90, treated_rate=0.13, comparison_rate=0.21),
            powerplan.simulate(SMALL, n_sims=16, seed=1)]


@pytest.mark.parametrize("result", results(), ids=lambda r: type(r).__name__)
def test_every_result_displays_itself(result):
    shown = repr(result)
    assert shown.startswith(f"<{type(result).__name__}: ") and "\n" not in shown
    assert len(shown) < 400
    page = result._repr_html_()
    assert page.startswith('<div class="powerplan-result">') and "<pre>" in page

    class Printer:  # the one method of IPython's pretty printer that results use
        def __init__(self):
            self.parts = []

        def text(self, value):
            self.parts.append(value)

    printer = Printer()
    result._repr_pretty_(printer, cycle=False)
    assert printer.parts == [str(result)]


def test_a_power_curve_shows_its_powers():
    curve = sweep(Scenario(), "cohort", [100, 300])
    assert repr(curve) == ("<PowerCurve: power by people submitted (analytic): "
                           "100: 10.1%, 300: 20.6%>")


def test_a_notebook_page_escapes_what_a_user_typed():
    result = powerplan.analytic(Scenario(funnel={"<script>alert(1)</script>": 0.5, "ok": 0.8}))
    assert "<script>" not in result._repr_html_()
    assert "&lt;script&gt;" in result._repr_html_()


def test_the_portfolio_counts_in_words():
    text = str(powerplan.portfolio([Scenario(), Scenario(cohort=900)]))
    assert "P(1 significant reduction) " in text and "P(2 significant reductions)" in text
    assert powerplan.portfolio([Scenario()]).summary().startswith("Across 1 evaluation, ")


# Ctrl-C and SIGTERM leave no worker behind -----------------------------------------

def _children(pid: int) -> list[int]:
    path = f"/proc/{pid}/task/{pid}/children"
    try:
        with open(path) as handle:
            return [int(child) for child in handle.read().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


#: Commands that run simulations in two worker processes for a long while.
_SIMULATING = {
    "simulate": ["simulate", "--sims", "500000"],
    "size": ["size", "--engine", "simulate", "--sims", "10000000", "--precision", "0.001"],
    "curve": ["curve", "--over", "cohort=100:400:4", "--engine", "simulate", "--sims", "200000"],
}


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="needs Linux's /proc")
@pytest.mark.parametrize("command", sorted(_SIMULATING))
@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_a_simulation_and_its_workers(command, signum, code):
    from powerplan.simulator.threads import cores

    workers = min(2, cores())  # the simulator starts no more workers than cores
    command = [sys.executable, "-m", "powerplan", *_SIMULATING[command], "--workers", "2",
               "--pool", "2000", "--seed", "1", "--quiet"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    children = []
    while len(children) < workers and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.1)
        children = _children(process.pid)
    assert len(children) >= workers, "the workers never started"
    time.sleep(0.5)
    children = sorted(set(children) | set(_children(process.pid)))
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == code
    assert b"Traceback" not in stderr
    deadline = time.monotonic() + 10
    while any(map(_alive, children)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(map(_alive, children))


def test_python_dash_m_and_shell_completion_work():
    version = subprocess.run([sys.executable, "-m", "powerplan", "--version"],
                             capture_output=True, text=True, check=True).stdout
    assert version.strip() == f"powerplan, version {powerplan.__version__}"
    script = subprocess.run([sys.executable, "-m", "powerplan"], capture_output=True, text=True,
                            env=os.environ | {"_POWERPLAN_COMPLETE": "bash_source"}).stdout
    assert "_powerplan_completion()" in script


def test_help_and_version_load_nothing_heavy():
    code = ("import sys\nfrom powerplan_cli.main import main\n"
            "for args in (['--help'], ['--version'], ['power', '--help']):\n"
            "    try:\n        main(args)\n    except SystemExit:\n        pass\n"
            "heavy = ('scipy', 'pandas', 'statsmodels', 'matplotlib')\n"
            "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith(heavy)}))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.splitlines()[-1]
    assert loaded == "[]"


# - is standard output for every output option, standard input for every input file -----

def test_a_dash_output_goes_to_stdout_and_the_text_to_stderr(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["curve", "--over", "cohort=100:300:3", "--csv", "-"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].startswith("cohort,power,")
    assert "Power against people submitted" in result.stderr
    assert not (tmp_path / "-").exists()
    picture = runner.invoke(cli, ["power", "--plot", "-"])
    assert picture.exit_code == 0
    assert picture.stdout_bytes.startswith(b"\x89PNG")
    assert "chance of a significant reduction" in picture.stderr


def test_only_one_output_can_take_stdout(runner):
    result = runner.invoke(cli, ["curve", "--over", "cohort=100:300:3", "--csv", "-", "--out", "-"])
    assert result.exit_code == 2
    assert "standard output (-) is already --csv's; give a file name" in result.stderr


@pytest.mark.parametrize("option, text, expected", [
    (["power", "--config", "-"], "cohort = 500\n", "With 500 people submitted"),
    (["portfolio", "--services", "-"], "name,cohort\nA,300\nB,900\n", "Across 2 evaluations"),
])
def test_a_dash_input_reads_stdin(runner, option, text, expected):
    result = runner.invoke(cli, option, input=text)
    assert result.exit_code == 0, result.output
    assert expected in result.output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_an_input_that_is_not_a_regular_file_is_refused(runner, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = runner.invoke(cli, ["power", "--config", str(fifo)])
    assert result.exit_code == 2
    assert f"{fifo} is not a regular file" in result.stderr


def test_simulate_help_shows_only_what_the_simulator_uses(runner):
    shown = runner.invoke(cli, ["simulate", "--help"]).output
    for option in ("--comparison-ratio", "--n-comparison", "--method"):
        assert option not in shown
    assert "--pool" in shown and "--test" in shown
    refused = runner.invoke(cli, ["simulate", "--n-comparison", "500"])
    assert refused.exit_code == 2 and "comes from matching" in refused.stderr


def test_table_takes_json_and_ranges_in_every_list(runner):
    as_json = runner.invoke(cli, ["table", "--json", "--base-rates", "0.3", "--effects", "-5pp",
                                  "--retentions", "0.4"])
    by_format = runner.invoke(cli, ["table", "--format", "json", "--base-rates", "0.3",
                                    "--effects", "-5pp", "--retentions", "0.4"])
    assert as_json.exit_code == 0 and as_json.output == by_format.output
    ranged = runner.invoke(cli, ["table", "--effects", "-10pp:-4pp:3pp", "--retentions", "0.4",
                                 "--base-rates", "0.3"])
    assert "4 pt  7 pt  10 pt" in ranged.output
    shown = runner.invoke(cli, ["table", "--help"]).output
    assert shown.count("START:STOP:STEP") >= 4
    clash = runner.invoke(cli, ["table", "--json", "--format", "csv"])
    assert clash.exit_code == 2


def test_the_answer_says_what_it_assumed_and_questions_an_odd_effect(runner):
    assumed = runner.invoke(cli, ["power"]).output.splitlines()[0]
    assert assumed == ("Assuming a base rate of 35% and an effect of -5.0 points, the typical "
                       "study's (give --base-rate and --effect for yours).")
    given = runner.invoke(cli, ["power", "--base-rate", "0.3", "--effect", "-4pp"]).output
    assert given.startswith("With 300 people submitted")
    increase = runner.invoke(cli, ["size", "--base-rate", "0.3", "--effect", "5pp"]).output
    assert increase.splitlines()[0] == ("Note: the effect +5.0 points is an increase in "
                                        "reoffending; a reduction is negative, such as -5pp.")
    tiny = runner.invoke(cli, ["power", "--base-rate", "0.3", "--effect", "-0.05pp"]).output
    assert tiny.splitlines()[0].startswith("Note: the effect -0.05 points is tiny")
    quiet = runner.invoke(cli, ["power", "--json"]).output
    assert quiet.startswith("{")  # JSON stays one object


@pytest.mark.parametrize("option", ["--start", "--now"])
def test_month_options_take_a_full_date_as_people_type_it(runner, option):
    dated = {"--start": "2025-01-15", "--now": "2026-11-30"}
    months = {"--start": "2025-01", "--now": "2026-11"}
    base = ["wait", "--intake-per-month", "10", "--start", "2025-01", "--now", "2026-11", "--json"]
    by_date = [dated[option] if word == months[option] else word for word in base]
    assert runner.invoke(cli, by_date).output == runner.invoke(cli, base).output
    wrong = runner.invoke(cli, ["wait", "--intake-per-month", "10", "--start", "2025-02-30"])
    assert wrong.exit_code == 2
    assert "must be a month YYYY-MM or a date YYYY-MM-DD; got '2025-02-30'" in wrong.stderr


# progress=True: one bar, in a notebook or a terminal ----------------------------------

def test_progress_true_shows_bars_over_the_whole_run(capsys):
    quiet = sweep(SMALL, "cohort", [200, 300], engine=Simulator(n_sims=32, seed=1))
    shown = sweep(SMALL, "cohort", [200, 300], engine=Simulator(n_sims=32, seed=1,
                                                                 progress=True))
    np.testing.assert_array_equal(quiet.power, shown.power)
    bar = capsys.readouterr().err
    # a sweep is a grid: one bar of its cells (both values), one of all their replicates
    assert "cells: 100%" in bar and "2/2" in bar and "64rep" in bar
    assert powerplan.simulate(SMALL, n_sims=16, seed=1, progress=True).power == \
        powerplan.simulate(SMALL, n_sims=16, seed=1).power


# One call for power by cohort for several effects --------------------------------------

def test_power_by_cohort_for_several_effects_in_one_call():
    family = powerplan.sweep_by(Scenario(), "cohort", [300, 1000], by="effect",
                                levels=[-0.03, -0.05, -0.08])
    frame = family.to_frame()
    assert list(frame.columns[:3]) == ["effect", "cohort", "power"]
    assert len(frame) == 6 and list(frame["effect"].unique()) == [-0.03, -0.05, -0.08]
    expected = powerplan.sweep(Scenario(effect=-0.05), "cohort", [300, 1000]).power
    np.testing.assert_allclose(frame.loc[frame["effect"] == -0.05, "power"], expected)
    ax = family.plot(target_power=0.8)
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend.count("Target: 80%") == 1
    assert [label for label in legend if label.startswith("effect")] == [
        "effect -3.0 points", "effect -5.0 points", "effect -8.0 points"]
    assert "Analytic power" not in legend and "effect" not in ax.get_title()
    with pytest.raises(powerplan.InvalidInputError, match="by must be another setting"):
        powerplan.sweep_by(Scenario(), "cohort", [300], by="cohort", levels=[1])
    with pytest.raises(powerplan.InvalidInputError, match="levels must be distinct"):
        powerplan.sweep_by(Scenario(), "cohort", [300], by="effect", levels=[-0.05, -0.05])


def test_the_glossary_explains_the_words_and_is_linked(runner):
    root = Path(__file__).resolve().parent.parent
    glossary = (root / "docs" / "glossary.md").read_text()
    for word in ("Power", "Significance", "Alpha", "Confidence interval", "The funnel",
                 "Retention", "Analysable, analysed", "Effective comparison size", "MDE",
                 "Assurance", "Prior", "Secondary measures"):
        assert f"**{word}" in glossary
    assert "docs/glossary.md" in runner.invoke(cli, ["--help"]).output
    for page in ("README.md", "docs/organisation.md", "docs/commissioner.md", "docs/analyst.md"):
        assert "glossary.md" in (root / page).read_text()


def test_a_png_is_written_at_a_resolution_fit_for_print(runner, tmp_path):
    out = tmp_path / "power.png"
    assert runner.invoke(cli, ["power", "--plot", str(out)]).exit_code == 0
    from matplotlib import image

    height, width = image.imread(out).shape[:2]
    assert width >= 11.0 * 300 - 1  # the 11-inch figure at 300 dots per inch


def test_a_wait_figure_that_reaches_nothing_says_so_and_fits_its_values():
    plan = powerplan.submission_plan(Scenario(base_rate=0.3, effect=-0.02),
                                     powerplan.Intake.monthly(5, "2024-01"), now="2026-11",
                                     horizon_months=12)
    assert plan.recommended is None
    ax = plan.plot()
    bottom, top = ax.get_ylim()
    highest = max(m.power for m in plan.months)
    assert bottom == 0 and highest < top <= max(0.1, 1.3 * highest)
    notes = [text.get_text() for text in ax.texts if text.get_gid() == "no month"]
    assert notes == ["No month up to 2027-11 reaches 80% power"]
    legend = ax.get_legend()
    assert legend.get_bbox_to_anchor().y0 < ax.get_window_extent().y0  # below the data


def test_the_verdict_bar_carries_its_answer_and_no_invisible_band():
    from powerplan.plotting import plot_verdicts

    result = powerplan.analytic(Scenario())
    one = powerplan.PowerCurve("cohort", (300,), (result,), result.scenario)
    ax = plot_verdicts(one, kind="bars")
    written = [text.get_text() for text in ax.texts if text.get_gid() == "answer"]
    assert written == ["20.5% significant reduction", "79.4% inconclusive"]
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["Inconclusive", "Significant reduction"]  # the 0.1% increase is unseen
