"""Every public entry point answers a wrong kind of argument with one named error.

A string where a Scenario belongs, a single number where a list belongs or
text among weights must raise InvalidInputError naming the parameter, never
an AttributeError or TypeError from deep inside.
"""

import re

import pytest

import powerplan as pp
from powerplan import DiscretePrior, Intake, InvalidInputError, NormalPrior, Scenario

PRIOR = NormalPrior.points(-4, 3)
NOT_A_SCENARIO = "scenario must be a Scenario; got 'x'"

CASES = [
    (lambda: pp.analytic("x"), NOT_A_SCENARIO),
    (lambda: pp.simulate("x"), NOT_A_SCENARIO),
    (lambda: pp.assurance("x", PRIOR), NOT_A_SCENARIO),
    (lambda: pp.solve("x", "cohort"), NOT_A_SCENARIO),
    (lambda: pp.solve("x", "cohort", engine="simulate"), NOT_A_SCENARIO),
    (lambda: pp.sweep("x", "cohort", [100]), NOT_A_SCENARIO),
    (lambda: pp.mde_curve("x", [100]), NOT_A_SCENARIO),
    (lambda: pp.requirements_table("x"), NOT_A_SCENARIO),
    (lambda: pp.submission_plan("x", Intake.monthly(5, "2024-01"), now="2026-01"),
     NOT_A_SCENARIO),
    (lambda: pp.solve(Scenario(), "cohort", engine="simulate", bogus=1),
     "bogus is not a setting of the simulated solver; it takes precision, max_sims, seed, "
     "workers, progress"),
    (lambda: pp.assurance(Scenario(), PRIOR, workers=2),
     "workers applies only with engine 'simulate'"),
    (lambda: pp.assurance(Scenario(), PRIOR, progress=print),
     "progress applies only with engine 'simulate'"),
    (lambda: pp.sweep(Scenario(), "cohort", [100], seed=1),
     "seed applies only with engine 'simulate'"),
    (lambda: pp.portfolio(5), "services must be a sequence of Scenario values; got 5"),
    (lambda: pp.requirements_table(Scenario(), base_rates=0.3),
     "base_rates must be a sequence of numbers; got 0.3"),
    (lambda: DiscretePrior(-0.05, 1.0), "prior effects must be a sequence of numbers; got -0.05"),
    (lambda: DiscretePrior.points(-5, 1), "prior effects must be a sequence of numbers; got -5"),
    (lambda: DiscretePrior((-0.05,), ("a",)), "prior weights must be numbers; got ['a']"),
    (lambda: DiscretePrior((-0.05,), (None,)), "prior weights must be numbers; got [None]"),
    (lambda: DiscretePrior((-0.05,), 1.0), "prior weights must be a sequence of numbers; got 1.0"),
]


@pytest.mark.parametrize("call, message", CASES)
def test_wrong_kinds_of_argument_are_named(call, message):
    with pytest.raises(InvalidInputError, match="^" + re.escape(message)):
        call()
