"""The registry of settings: each setting named, printed, drawn and typed once."""

import dataclasses

import pytest

import powerplan
from powerplan import SETTINGS, Scenario, limits
from powerplan.design.settings import KINDS, settings_for
from powerplan.outcomes import OUTCOMES
from powerplan_cli.main import cli


def scenario_settings(outcome) -> set[str]:
    own = {f.name for f in dataclasses.fields(Scenario)} - {"funnel", "outcome", "simulation"}
    return own | {"retention"} | {f.name for f in dataclasses.fields(outcome)}


@pytest.mark.parametrize("name", sorted(OUTCOMES))
def test_every_setting_of_a_scenario_is_in_its_registry(name):
    outcome = OUTCOMES[name]
    assert set(settings_for(outcome)) == scenario_settings(outcome)
    for setting in settings_for(outcome).values():
        assert setting.kind in KINDS
        assert setting.words and setting.axis and setting.option.startswith("--")


def test_every_setting_a_curve_varies_is_an_option_of_power():
    options = {opt for param in cli.commands["power"].params for opt in param.opts}
    for name in limits.FIELDS:
        assert SETTINGS[name].option in options


def test_printed_and_drawn_values_follow_the_kind():
    assert SETTINGS["effect"].format(-0.05) == "-5.0 points"
    assert SETTINGS["effect"].drawn(-0.05) == pytest.approx(-5.0)
    assert SETTINGS["base_rate"].tick(0.35) == "35%"
    assert SETTINGS["cohort"].tick(12500) == "12,500"
    assert SETTINGS["comparison_ratio"].format(10) == "10"


def test_the_registry_is_what_the_figures_and_the_command_line_show():
    from powerplan.plotting import AXIS_LABELS
    from powerplan_cli.options import option_name

    for name in limits.FIELDS:
        assert AXIS_LABELS[name] == SETTINGS[name].axis
        assert option_name(name) == SETTINGS[name].option
    assert powerplan.SETTINGS is SETTINGS
