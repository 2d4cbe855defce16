"""Each outcome measure meets the contract of tests/outcome_contract.py."""

from outcome_contract import CheckOutcome

from powerplan.outcomes import Rate


class TestRate(CheckOutcome):
    outcome = Rate(base_rate=0.35, effect=-0.05)
    exact_size_methods = ("wald", "pooled", "arcsine")
