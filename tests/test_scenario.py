"""Scenario, funnel and effect conversion: values, round trips and messages."""

import math

import pytest

from powerplan import Effect, Funnel, InvalidInputError, Scenario, from_difference, to_difference


def test_defaults_are_the_typical_scenario():
    s = Scenario()
    assert (s.cohort, s.retention, s.base_rate, s.effect) == (300, 0.40, 0.35, -0.05)
    assert (s.comparison_ratio, s.n_comparison, s.alpha) == (10.0, None, 0.05)
    assert (s.alternative, s.method) == ("two-sided", "welch")
    assert s.expected_n_treated == pytest.approx(120)


@pytest.mark.parametrize("changes, message", [
    ({"base_rate": 0}, "base_rate must be a proportion in (0, 1); got 0"),
    ({"base_rate": 1}, "base_rate must be a proportion in (0, 1); got 1"),
    ({"base_rate": -0.1}, "base_rate must be a proportion in (0, 1); got -0.1"),
    ({"base_rate": float("nan")}, "base_rate must be a proportion in (0, 1); got nan"),
    ({"base_rate": "0.3"}, "base_rate must be a proportion in (0, 1); got '0.3'"),
    ({"cohort": 0}, "cohort must be a whole number in [1, 10,000,000]; got 0"),
    ({"cohort": -5}, "cohort must be a whole number in [1, 10,000,000]; got -5"),
    ({"cohort": 2.5}, "cohort must be a whole number in [1, 10,000,000]; got 2.5"),
    ({"cohort": True}, "cohort must be a whole number in [1, 10,000,000]; got True"),
    ({"funnel": 0}, "retention must be a share in (0, 1]; got 0"),
    ({"funnel": 1.2}, "retention must be a share in (0, 1]; got 1.2"),
    ({"funnel": {"found": 0.8, "matched": 0}}, "stage 'matched' must be a share in (0, 1]; got 0"),
    ({"funnel": [1, 2]}, "funnel must be stage shares, {name: share} or [(name, share), ...]"),
    ({"funnel": [("found", 0.8, 1)]}, "funnel must be stage shares"),
    ({"effect": -0.35}, "effect must keep the treated rate (base rate 0.35 + effect) in (0, 1), "
                        "i.e. lie in (-0.35, 0.65); got -0.35"),
    ({"effect": 0.7}, "effect must keep the treated rate"),
    ({"comparison_ratio": 0}, "comparison_ratio must be a number in [1e-07, 10,000,000]; got 0"),
    ({"n_comparison": 0}, "n_comparison must be a whole number in [1, 10,000,000]; got 0"),
    ({"n_comparison": 10**23}, "n_comparison must be a whole number in [1, 10,000,000]"),
    ({"comparison_ratio": 5e-324}, "comparison_ratio must be a number in [1e-07, 10,000,000]; "
                                   "got 4.94066e-324"),
    ({"comparison_ratio": 1e308}, "comparison_ratio must be a number in [1e-07, 10,000,000]; "
                                  "got 1e+308"),
    ({"alpha": 0.6}, "alpha must be a significance level in [1e-10, 0.5); got 0.6"),
    ({"alternative": "both"}, "alternative must be one of 'two-sided', 'less', 'greater'; "
                              "got 'both'"),
    ({"method": "exact"}, "method must be one of 'welch', 'wald', 'pooled', 'arcsine', "
                          "'fleiss-cc', 'wald-exact', 'pooled-exact', 'arcsine-exact', "
                          "'fleiss-cc-exact'; got 'exact'"),
    ({"min_n_treated": 1}, "min_n_treated must be a whole number in [2, 10,000,000]; got 1"),
    ({"min_n_treated": 10**20}, "min_n_treated must be a whole number in [2, 10,000,000]; "
                                "got 100,000,000,000,000,000,000"),
])
def test_invalid_settings_name_the_field_and_range(changes, message):
    with pytest.raises(InvalidInputError) as info:
        Scenario(**changes)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)
    assert info.value.field in message


def test_funnel_stages_multiply_and_keep_order():
    s = Scenario(funnel={"found": 0.8, "in window": 0.6, "matched": 0.75})
    assert s.funnel.names == ("found", "in window", "matched")
    assert s.retention == pytest.approx(0.36)
    assert s.funnel.expected_counts(100) == pytest.approx([100, 80, 48, 36])


def test_funnel_rejects_duplicate_and_empty_stages():
    with pytest.raises(InvalidInputError, match="distinct"):
        Funnel.from_shares([("found", 0.8), ("found", 0.5)])
    with pytest.raises(InvalidInputError, match="^stage name 'Submitted' is taken: it stands for "
                                                "everyone submitted, before the first stage$"):
        Funnel.from_shares([("Submitted", 0.8), ("found", 0.5)])
    with pytest.raises(InvalidInputError, match="at least one stage"):
        Funnel(())


def test_fixed_comparison_size_replaces_ratio():
    s = Scenario(n_comparison=5000)
    assert s.comparison_size(120) == 5000
    assert Scenario().comparison_size(120) == pytest.approx(1200)


@pytest.mark.parametrize("scale, value", [
    ("difference", -0.05), ("points", -5), ("relative-risk", 0.85), ("odds-ratio", 0.7),
    ("relative-risk", 1.2), ("odds-ratio", 1.5),
])
@pytest.mark.parametrize("base_rate", [0.1, 0.35, 0.6])
def test_effect_conversion_round_trips(scale, value, base_rate):
    difference = to_difference(value, scale, base_rate)
    assert from_difference(difference, scale, base_rate) == pytest.approx(value, rel=1e-12)


def test_effect_conversion_definitions():
    # relative risk: treated / comparison; odds ratio: treated odds / comparison odds
    assert 0.35 + to_difference(0.8, "relative-risk", 0.35) == pytest.approx(0.28)
    p1 = 0.35 + to_difference(0.5, "odds-ratio", 0.35)
    assert (p1 / (1 - p1)) / (0.35 / 0.65) == pytest.approx(0.5)
    assert to_difference(1.0, "odds-ratio", 0.2) == pytest.approx(0.0)


@pytest.mark.parametrize("text, expected", [
    ("-0.05", Effect(-0.05)), ("-5pp", Effect(-5, "points")), ("-5 points", Effect(-5, "points")),
    ("rr=0.9", Effect(0.9, "relative-risk")), ("OR=0.8", Effect(0.8, "odds-ratio")),
    (" +0.02 ", Effect(0.02)),
])
def test_effect_parse(text, expected):
    assert Effect.parse(text) == expected


@pytest.mark.parametrize("text, fragment", [
    ("abc", "must be a difference in proportion units (-0.05), points (-5pp)"),
    ("rr=0", "rr= must be a ratio > 0"),
    ("or=-1", "or= must be a ratio > 0"),
    ("-5", "must be a difference in (-1, 1)"),
    ("rr=", "must be a difference in proportion units"),
])
def test_effect_parse_errors(text, fragment):
    with pytest.raises(InvalidInputError, match=None) as info:
        Effect.parse(text)
    assert fragment in str(info.value)


def test_effect_object_is_converted_at_the_base_rate():
    s = Scenario(base_rate=0.4, effect=Effect(0.75, "relative-risk"))
    assert s.effect == pytest.approx(-0.1)
    assert isinstance(s.effect, float)


def test_dict_round_trip_single_and_staged():
    for scenario in (Scenario(), Scenario(cohort=999, funnel={"found": 0.9, "matched": 0.5},
                                          effect=0.03, n_comparison=4000, method="pooled")):
        assert Scenario.from_dict(scenario.to_dict()) == scenario


def test_from_dict_rejects_unknown_keys_and_both_funnel_forms():
    with pytest.raises(InvalidInputError, match="colour is not a scenario setting; allowed: "):
        Scenario.from_dict({"colour": "red"})
    with pytest.raises(InvalidInputError, match="retention and funnel cannot both be given"):
        Scenario.from_dict({"retention": 0.5, "funnel": {"found": 0.5}})


def test_replace_takes_retention_for_a_one_stage_funnel():
    assert Scenario(funnel={"found": 0.5}).replace(retention=0.3) == Scenario(funnel=0.3)
    with pytest.raises(InvalidInputError, match="^retention must be a share in"):
        Scenario().replace(retention=1.5)
    with pytest.raises(InvalidInputError, match="retention and funnel cannot both be given"):
        Scenario().replace(retention=0.5, funnel=0.5)


def test_replace_validates_again():
    with pytest.raises(InvalidInputError, match="cohort"):
        Scenario().replace(cohort=-1)
    assert Scenario().replace(cohort=10).cohort == 10


def test_scenario_is_hashable_and_frozen():
    s = Scenario()
    assert hash(s) == hash(Scenario())
    with pytest.raises(AttributeError):
        s.cohort = 5
    assert math.isclose(s.treated_rate, 0.30)


def _general_replace(scenario, changes):
    """What ``Scenario.replace`` does without its quick path: every setting built again."""
    import dataclasses

    from powerplan.design.scenario import _retention_as_funnel

    return dataclasses.replace(scenario, **_retention_as_funnel(changes))


def _outcome_of(make):
    try:
        return repr(make())
    except InvalidInputError as error:
        return f"error: {error}"


def test_replace_quick_path_equals_building_every_setting_again():
    """Cohort, retention and the outcome's parameters are changed by copying and checking
    only them (a table makes thousands of such copies): the same scenario, or the same
    error, as building every setting again, whatever the mix of valid and invalid values."""
    import itertools

    from powerplan import Frequency, TimeToFirst

    bases = [Scenario(), Scenario(cohort=1000, funnel={"a": 0.5, "b": 0.8}, base_rate=0.2,
                                  method="wald"),
             Scenario(outcome=Frequency()), Scenario(outcome=TimeToFirst(), cohort=50)]
    values = {"cohort": [500, 0, 2.5, "x", 10 ** 8, True], "retention": [0.5, 1.0, 0.0, "a"],
              "base_rate": [0.1, 0.0, 1.2, None],
              "effect": [-0.05, 0.3, -0.5, None, Effect(0.8, "relative-risk"), "bad", 20.0]}
    checked = 0
    for base in bases:
        for keys in itertools.chain.from_iterable(
                itertools.combinations(values, r) for r in (1, 2, 3)):
            for combo in itertools.product(*(values[k] for k in keys)):
                changes = dict(zip(keys, combo))
                quick = _outcome_of(lambda: base.replace(**changes))
                assert quick == _outcome_of(lambda: _general_replace(base, changes)), changes
                checked += 1
    assert checked > 2000
    copy = Scenario().replace(cohort=10)
    assert copy == Scenario(cohort=10) and hash(copy) == hash(Scenario(cohort=10))


def test_a_funnel_pickled_before_its_retention_was_kept_still_has_one():
    # Found in review: results stored by the code before (a simulated sweep's store)
    # hold funnels without the kept product of their shares.
    import pickle

    funnel = Funnel.from_shares({"found": 0.8, "matched": 0.5})
    older = object.__new__(Funnel)
    older.__dict__.update({k: v for k, v in funnel.__dict__.items() if k != "_retention"})
    again = pickle.loads(pickle.dumps(older))
    assert math.isclose(again.retention, 0.4) and again == funnel
