"""The command line: answers, JSON, help, and one-line errors for bad input."""

import json

import click
import pytest

from powerplan import Scenario, analytic, solve
from powerplan._format import percent
from powerplan_cli.main import cli


def run(runner, *args):
    return runner.invoke(cli, list(args))


def test_power_default_scenario_in_plain_words(runner):
    result = run(runner, "power")
    assert result.exit_code == 0, result.output
    expected = analytic(Scenario())
    assumed, first = result.stdout.splitlines()[:2]
    assert assumed.startswith("Assuming a base rate of 35% and an effect of -5.0 points")
    assert first == (f"With 300 people submitted, about 120 are analysed; the chance of a "
                     f"significant reduction is {percent(expected.p_significant_reduction, 0)}.")
    assert f"significant reduction  {percent(expected.p_significant_reduction)}" in result.stdout


def test_power_json_matches_the_library(runner):
    result = run(runner, "power", "--cohort", "500", "--retention", "35%", "--base-rate", "0.26",
                 "--effect", "-7pp", "--comparison-ratio", "20", "--json")
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    expected = analytic(Scenario(cohort=500, funnel=0.35, base_rate=0.26, effect=-0.07,
                                 comparison_ratio=20))
    for key in ("power", "p_significant_reduction", "p_significant_increase", "p_inconclusive",
                "cohort", "expected_n_treated"):
        assert payload[key] == pytest.approx(getattr(expected, key), abs=1e-15)
    assert payload["scenario"]["retention"] == 0.35


@pytest.mark.parametrize("effect, expected", [
    ("-5pp", -0.05), ("rr=0.8", -0.07), ("or=0.5", 0.35 * 0.5 / (0.65 + 0.35 * 0.5) - 0.35),
    ("-0.05", -0.05),
])
def test_effect_forms(runner, effect, expected):
    result = run(runner, "power", "--effect", effect, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["effect"] == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("option, text, key, expected", [
    ("--cohort", "1,000", "cohort", 1000),
    ("--cohort", "1_000", "cohort", 1000),
    ("--comparison-ratio", "1,000.5", "n_comparison", 1000.5 * 120),
    ("--base-rate", "35%", "base_rate", 0.35),
])
def test_numbers_with_thousands_separators_and_percentages(runner, option, text, key, expected):
    result = run(runner, "power", option, text, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[key] == pytest.approx(expected)


def test_stages_multiply(runner):
    result = run(runner, "power", "--stage", "found=0.8", "--stage", "in window=60%",
                 "--stage", "matched=0.75", "--json")
    payload = json.loads(result.stdout)
    assert payload["retention"] == pytest.approx(0.36)
    assert payload["scenario"]["funnel"] == {"found": 0.8, "in window": 0.6, "matched": 0.75}


def test_size_json_and_text(runner):
    result = run(runner, "size", "--json", "--target-power", "0.9")
    payload = json.loads(result.stdout)
    answer = solve(Scenario(), "cohort", target_power=0.9)
    assert payload["cohort"] == answer.value
    assert payload["n_treated"] == pytest.approx(answer.n_treated)
    assert payload["achieved_power"] >= payload["target_power"] == 0.9
    text = run(runner, "size", "--target-power", "0.9").stdout
    assert text.splitlines()[1].startswith(f"To reach 90% power, submit at least {answer.value:,} people")


def test_mde_json(runner):
    result = run(runner, "mde", "--cohort", "1000", "--json")
    payload = json.loads(result.stdout)
    answer = solve(Scenario(cohort=1000), "effect")
    assert payload["effect"] == pytest.approx(answer.value)
    assert payload["achieved_power"] == pytest.approx(0.8, abs=1e-9)
    assert run(runner, "mde", "--cohort", "1000").stdout.splitlines()[1].startswith(
        "With 1,000 people submitted (about 400 analysed), the smallest reduction detectable")


def test_config_file_with_overrides(runner, tmp_path):
    config = tmp_path / "study.toml"
    config.write_text('cohort = 800\nbase_rate = 0.26\neffect = "rr=0.75"\n'
                      '[funnel]\nfound = 0.8\nmatched = 0.5\n')
    result = run(runner, "power", "--config", str(config), "--cohort", "900", "--json")
    payload = json.loads(result.stdout)
    assert payload["cohort"] == 900
    assert payload["base_rate"] == 0.26
    assert payload["effect"] == pytest.approx(-0.065)
    assert payload["retention"] == pytest.approx(0.4)
    # --retention replaces the config's funnel
    payload = json.loads(run(runner, "power", "--config", str(config), "--retention", "0.7",
                             "--json").stdout)
    assert payload["retention"] == 0.7


def _write(tmp_path, text):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    return str(path)


BAD_INPUTS = [
    (["power", "--base-rate", "0"], "'--base-rate': must be a proportion in (0, 1); got 0"),
    (["power", "--base-rate", "1"], "'--base-rate': must be a proportion in (0, 1); got 1"),
    (["power", "--base-rate", "-0.1"], "'--base-rate': must be a proportion in (0, 1); got -0.1"),
    (["power", "--base-rate", "1.5"], "'--base-rate': must be a proportion in (0, 1); got 1.5"),
    (["power", "--base-rate", "abc"], "'--base-rate': must be a proportion in (0, 1); got 'abc'"),
    (["power", "--cohort", "0"], "'--cohort': must be a whole number >= 1; got 0"),
    (["power", "--cohort", "-5"], "'--cohort': must be a whole number >= 1; got -5"),
    (["power", "--cohort", "12.5"], "'--cohort': must be a whole number >= 1; got '12.5'"),
    (["power", "--cohort", "20000000"], "'--cohort': must be a whole number in [1, 10,000,000]"),
    (["power", "--retention", "0"], "'--retention': must be a share in (0, 1]; got 0"),
    (["power", "--retention", "150%"], "'--retention': must be a share in (0, 1]; got 1.5"),
    (["power", "--effect", "-0.4"], "'--effect': must keep the treated rate (base rate 0.35 + "
                                    "effect) in (0, 1), i.e. lie in (-0.35, 0.65); got -0.4"),
    (["power", "--effect", "lots"], "'--effect': must be a difference in proportion units"),
    (["power", "--effect", "rr=3"], "'--effect': must keep the treated rate"),
    (["power", "--stage", "found"], "'--stage': must be NAME=SHARE with a share in (0, 1]"),
    (["power", "--stage", "found=2"], "'--stage': stage 'found' must be a share in (0, 1]; got 2"),
    (["power", "--stage", "a=0.5", "--stage", "a=0.5"], "stage names must be distinct"),
    (["simulate", "--stage", "submitted=0.5", "--stage", "found=0.8"],
     "'--stage': name 'submitted' is taken: it stands for everyone submitted, before the "
     "first stage"),
    (["power", "--retention", "0.5", "--stage", "a=0.5"], "give either --retention or --stage"),
    (["power", "--comparison-ratio", "0"],
     "'--comparison-ratio': must be a number in [1e-07, 10,000,000]; got 0"),
    (["power", "--comparison-ratio", "1e308"],
     "'--comparison-ratio': must be a number in [1e-07, 10,000,000]; got 1e+308"),
    (["power", "--comparison-ratio", "2,5"],
     "'--comparison-ratio': must be a number in [1e-07, 10,000,000]; got '2,5'"),
    (["power", "--cohort", "1,0000"], "'--cohort': must be a whole number >= 1; got '1,0000'"),
    (["power", "--base-rate", "0,35"], "'--base-rate': must be a proportion in (0, 1); got '0,35'"),
    (["power", "--stage", "found=0,8"], "'--stage': stage 'found' must be a share in (0, 1]; "
                                        "got '0,8'"),
    (["power", "--alpha", "0.7"], "'--alpha': must be a significance level in [1e-10, 0.5)"),
    (["power", "--alternative", "sideways"], "'--alternative': 'sideways' is not one of"),
    (["power", "--method", "exact"], "'--method': 'exact' is not one of"),
    (["power", "--config", "missing.toml"], "'--config': File 'missing.toml' does not exist"),
    (["size", "--target-power", "1"], "'--target-power': must be a proportion in (0, 1); got 1"),
    (["size", "--target-power", "0.01"], "'--target-power': must be in (alpha, 1) = (0.05, 1)"),
    (["power", "--min-n-treated", "99999999999999999999"],
     "'--min-n-treated': must be a whole number in [2, 10,000,000]; "
     "got 99,999,999,999,999,999,999"),
    (["power", "--cohort"], "Option '--cohort' requires an argument"),
    (["power", "--colour", "red"], "No such option"),
]


@pytest.mark.parametrize("args, message", BAD_INPUTS, ids=[" ".join(a) for a, _ in BAD_INPUTS])
def test_bad_input_is_one_line_exit_2(runner, args, message):
    result = run(runner, *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert message in lines[0]
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("content, message", [
    ("colour = 'red'\n", "colour is not a scenario setting; allowed: cohort, funnel,"),
    ("cohort = [1\n", "is not valid TOML"),
    ("base_rate = 1.5\n", "base_rate must be a proportion in (0, 1); got 1.5"),
    ("retention = 0.5\n[funnel]\nfound = 0.5\n", "retention and funnel cannot both be given"),
    ("effect = 'huge'\n", "effect must be a difference in proportion units"),
    ("[funnel]\nfound = 0\n", "stage 'found' must be a share in (0, 1]; got 0"),
    ("min_n_treated = 99999999999999999999\n",
     "min_n_treated must be a whole number in [2, 10,000,000]"),
    ("funnel = [1, 2]\n", "funnel must be stage shares, {name: share} or [(name, share), ...] "
                          "such as {\"found\": 0.8, \"matched\": 0.5}, or one overall retention; "
                          "got [1, 2]"),
    ("funnel = 2\n", "retention must be a share in (0, 1]; got 2"),
    ("funnel = [['found', 0.8], ['matched', 0]]\n",
     "stage 'matched' must be a share in (0, 1]; got 0"),
    ("retention = 'most'\n", "retention must be a share in (0, 1]; got 'most'"),
])
def test_bad_config_files_name_the_file(runner, tmp_path, content, message):
    path = _write(tmp_path, content)
    result = run(runner, "power", "--config", path)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: Invalid value for '--config': ")
    assert message in lines[0]


def test_config_file_that_is_not_text_names_the_file(runner, tmp_path):
    path = tmp_path / "study.toml"
    path.write_bytes(bytes(range(128, 256)))
    result = run(runner, "power", "--config", str(path))
    assert result.exit_code == 2
    assert result.stderr == (f"Error: Invalid value for '--config': {path} is not UTF-8 text, "
                             f"so not a TOML file\n")


def test_config_file_may_start_with_a_byte_order_mark(runner, tmp_path):
    path = tmp_path / "study.toml"
    path.write_bytes("\ufeffcohort = 500\n".encode())
    result = run(runner, "power", "--config", str(path), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["cohort"] == 500


LOW_BASE_RATE = ["--base-rate", "0.04"]  # the default effect, -5 points, cannot apply


@pytest.mark.parametrize("args", [
    ["mde"],
    ["size", "--prior", "normal:-2,1"],
    ["power", "--prior", "normal:-2,1"],
    ["simulate", "--prior", "normal:-2,1", "--sims", "12", "--seed", "1", "--pool", "1000"],
    ["power", "--engine", "simulate", "--prior", "normal:-2,1", "--sims", "12", "--seed", "1",
     "--pool", "1000"],
    ["curve", "--over", "effect=-3pp:-1pp:3"],
], ids=lambda args: " ".join(args[:3]))
def test_commands_that_set_the_effect_ignore_the_default_one(runner, args):
    result = run(runner, *args, *LOW_BASE_RATE)
    assert result.exit_code == 0, result.output


def test_table_and_portfolio_ignore_the_default_effect(runner, tmp_path):
    config = _write(tmp_path, "base_rate = 0.04\n")
    result = run(runner, "table", "--config", config, "--retentions", "0.4")
    assert result.exit_code == 0, result.output
    services = tmp_path / "services.csv"
    services.write_text("name,cohort\nA,500\n")
    result = run(runner, "portfolio", "--services", str(services), "--prior", "normal:-2,1",
                 *LOW_BASE_RATE)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("args", [["mde", "--effect", "-0.05"], ["size"],
                                  ["power", "--prior", "normal:-2,1", "--effect", "-5pp"]])
def test_an_effect_that_is_used_or_given_is_still_checked(runner, args):
    result = run(runner, *args, *LOW_BASE_RATE)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: Invalid value for '--effect': must keep the "
                                    "treated rate (base rate 0.04 + effect) in (0, 1)")


def test_no_solution_is_one_line_exit_1(runner):
    result = run(runner, "size", "--effect", "0")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: the effect is 0, so power stays at alpha (0.05) whatever the cohort; give the "
        "effect to detect (for example -0.05)"]


def test_unexpected_errors_are_one_line(runner, monkeypatch):
    import powerplan

    def broken(scenario):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(powerplan, "analytic", broken)
    result = run(runner, "power")
    assert result.exit_code == 3  # not 1, which means no answer exists
    assert result.stderr.splitlines() == [
        "Error: unexpected RuntimeError: disk on fire; this is a bug in powerplan: please report "
        "it with the command you ran (POWERPLAN_DEBUG=1 shows the traceback)"]


def test_no_arguments_prints_the_help(runner):
    result = run(runner)
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout == run(runner, "--help").stdout
    assert result.stdout.splitlines()[0].endswith(" [OPTIONS] COMMAND [ARGS]...")


def test_help_lists_every_command_with_an_example(runner):
    result = run(runner, "--help")
    assert result.exit_code == 0
    for name, command in cli.commands.items():
        assert name in result.stdout
        assert "e.g. powerplan " + name in command.short_help


def _commands():
    return sorted(cli.commands.items())


@pytest.mark.parametrize("name, command", _commands(), ids=[n for n, _ in _commands()])
def test_every_command_and_option_has_help(runner, name, command):
    assert command.help and "Example" in command.help
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"{name} {param.opts} has no help"
    assert run(runner, name, "--help").exit_code == 0


def test_version(runner):
    from powerplan import __version__

    assert run(runner, "--version").stdout.strip() == f"powerplan, version {__version__}"
