"""A portfolio of evaluations: the exact distribution of significant results."""

import itertools

import numpy as np
import pytest

from powerplan import InvalidInputError, NormalPrior, Scenario, assurance, portfolio


def brute_force(chances):
    """Probability of each count by enumerating every combination of outcomes."""
    out = np.zeros(len(chances) + 1)
    for outcome in itertools.product([0, 1], repeat=len(chances)):
        out[sum(outcome)] += np.prod([p if o else 1 - p for p, o in zip(chances, outcome)])
    return out


def test_distribution_is_exact():
    services = {f"s{c}": Scenario(cohort=c, base_rate=b)
                for c, b in [(100, 0.2), (300, 0.3), (900, 0.4), (2000, 0.25), (60, 0.5)]}
    result = portfolio(services)
    chances = result.services["p_significant_reduction"].to_numpy()
    assert result.distribution == pytest.approx(brute_force(chances), abs=1e-14)
    # the mean number of reductions is the sum of the services' chances
    assert result.expected_reductions == pytest.approx(chances.sum(), abs=1e-12)
    assert result.p_at_least_one == pytest.approx(1 - np.prod(1 - chances), abs=1e-14)


def test_prior_uses_assurance_per_service():
    prior = NormalPrior.points(-4, 3)
    services = [Scenario(cohort=200), Scenario(cohort=800)]
    result = portfolio(services, prior=prior)
    expected = [assurance(s, prior).p_significant_reduction for s in services]
    assert result.services["p_significant_reduction"].tolist() == pytest.approx(expected)
    assert result.prior == prior.describe()
    assert list(result.services["name"]) == ["service 1", "service 2"]


def test_outputs():
    result = portfolio([Scenario(cohort=500)] * 3)
    frame = result.to_frame()
    assert frame["probability"].sum() == pytest.approx(1.0)
    assert frame.loc[0, "at_least"] == pytest.approx(1.0)
    d = result.to_dict()
    assert d["n_services"] == 3 and len(d["distribution"]) == 4
    assert result.summary().startswith("Across 3 evaluations, expect")


def test_invalid():
    with pytest.raises(InvalidInputError, match="services must list at least one service"):
        portfolio([])
    with pytest.raises(InvalidInputError, match="services must be Scenario values"):
        portfolio({"x": 300})
