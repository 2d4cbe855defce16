"""Each outcome measure meets the contract of tests/outcome_contract.py."""

from outcome_contract import CheckOutcome

from powerplan.outcomes import Frequency, Rate, TimeToFirst


class TestRate(CheckOutcome):
    outcome = Rate(base_rate=0.35, effect=-0.05)
    exact_size_methods = ("wald", "pooled", "arcsine")
    summed_methods = ("welch", "wald-exact", "pooled-exact", "arcsine-exact", "fleiss-cc-exact")


class TestFrequency(CheckOutcome):
    # No effect on the rate, so that at no effect on the frequency the two groups are
    # alike (with one, Zhu and Lakkis' null variances take the comparison group's
    # dispersion for both: tests/test_frequency.py measures what that does).
    outcome = Frequency(base_rate=0.35, rate_effect=0.0, offences_per_reoffender=3.0,
                        dispersion=1.0, effect=-0.15)
    exact_size_methods = Frequency.methods


class TestTime(CheckOutcome):
    # No effect on the rate, so that a survival analysis's null (a hazard ratio of 1) is
    # the measure's at no effect on the days; with one it is not (docs/measures.md).
    outcome = TimeToFirst(base_rate=0.35, rate_effect=0.0, days_to_first=140.0, effect=10.0)
    exact_size_methods = ("welch", "logrank-schoenfeld", "logrank-freedman")
