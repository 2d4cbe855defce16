"""Settings of the simulated study: the comparison pool, covariates, matching, test.

They are one field of :class:`~powerplan.Scenario` (``scenario.simulation``)
and a ``[simulation]`` table in a scenario file. The analytic engine ignores
them; :func:`powerplan.simulate` uses them instead of ``comparison_ratio``,
``n_comparison`` and ``method``, because in a simulated study the comparison
group comes out of matching and the test is the one the analysis runs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields

from .. import _validate
from ..errors import InvalidInputError
from .covariates import MIN_AGE, CovariateModel, max_selection
from ..limits import (MAX_AGE_MEAN, MAX_AGE_SD, MAX_CALIPER, MAX_K, MAX_OUTCOME_STRENGTH,
                      MAX_POOL, MAX_PRIOR_OFFENCES_DISPERSION, MAX_PRIOR_OFFENCES_MEAN,
                      MAX_SELECTION, MIN_POOL, MIN_PRIOR_OFFENCES_DISPERSION,
                      SELECTION_SHARE_OF_LIMIT, TESTS)


@dataclass(frozen=True)
class SimulationSettings:
    """How the simulated study draws its people, matches them and tests.

    Defaults describe a typical request to the data service; see
    ``docs/simulation.md`` for why each was chosen.

    Parameters
    ----------
    pool : int
        Comparison pool size: national records of people who did not get the
        service, a whole number >= 100. Default 50,000.
    k : int
        Comparison records matched to each treated person (nearest on the
        logit propensity score), a whole number in [1, 100]. Default 10.
    replacement : bool
        Whether a comparison record may be matched to several treated people.
        Default True, as the data service does.
    caliper : float
        Widest accepted distance between a treated person and a match, in
        standard deviations of the logit propensity score (pooled over the
        treated and the pool); in (0, 10]. Default 0.2 (Austin 2011).
    selection : float
        How far treated people differ from the pool: their selection index
        sits about this many pool standard deviations higher (they are
        younger, more often male, with more prior offences, more often
        leaving custody); 0 for no selection. In [0, 1.5], and at most 3/4
        of the selection at which the treated would have no finite mean
        (2.01 with the default covariates). Default 0.5.
    outcome_strength : float
        How strongly the covariates predict reoffending: one pool standard
        deviation of the risk index multiplies the odds of reoffending by
        ``exp(outcome_strength)``; in [0, 5]. Default 1.0.
    bias : float
        Unobserved confounding, for sensitivity analyses: a difference in
        reoffending rate (proportion units) between the treated and their
        matched records that the covariates do not explain; the study then
        estimates ``effect + bias``. Default 0.
    test : {"welch", "wald", "pooled", "arcsine", "fleiss-cc"}
        The test run on each simulated study. ``welch`` (default) is the
        weighted two-sample Welch t-test real analyses run; the others are
        the simulated twins of the analytic methods.
    age_mean, age_sd : float
        Pool's mean age, in (18, 80], and its standard deviation, in (0, 30]
        years; ages are 18 plus a negative binomial count, so ``age_sd**2``
        must exceed ``age_mean - 18``. Defaults 32 and 10.
    male_share, custody_share : float
        Pool's shares of men and of people leaving custody, in (0, 1).
        Defaults 0.85 and 0.3.
    prior_offences_mean : float
        Pool's mean number of prior proven offences, in (0, 100]. Default 10.
    prior_offences_dispersion : float
        Negative binomial shape of prior offences, in [0.1, 1000]; smaller
        values give a longer tail. Default 1.5 (standard deviation about 8.8 at mean 10).

    Examples
    --------
    >>> SimulationSettings(k=5).k
    5
    >>> SimulationSettings(k=0)
    Traceback (most recent call last):
    ...
    powerplan.errors.InvalidInputError: k must be a whole number in [1, 100]; got 0
    """

    pool: int = 50_000
    k: int = 10
    replacement: bool = True
    caliper: float = 0.2
    selection: float = 0.5
    outcome_strength: float = 1.0
    bias: float = 0.0
    test: str = "welch"
    age_mean: float = 32.0
    age_sd: float = 10.0
    male_share: float = 0.85
    custody_share: float = 0.3
    prior_offences_mean: float = 10.0
    prior_offences_dispersion: float = 1.5

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "pool", _validate.integer("pool", self.pool, MIN_POOL, MAX_POOL))
        set_(self, "k", _validate.integer("k", self.k, 1, MAX_K))
        set_(self, "replacement", _validate.flag("replacement", self.replacement))
        set_(self, "caliper", _validate.up_to("caliper", self.caliper, MAX_CALIPER))
        set_(self, "outcome_strength", _validate.between(
            "outcome_strength", self.outcome_strength, 0.0, MAX_OUTCOME_STRENGTH))
        bias = _validate.real("bias", self.bias)
        if not -1.0 < bias < 1.0:
            raise InvalidInputError("bias", f"must be a difference in (-1, 1); got {bias:g}")
        set_(self, "bias", bias)
        _validate.choice("test", self.test, TESTS)
        age_mean = _validate.real("age_mean", self.age_mean)
        if not MIN_AGE < age_mean <= MAX_AGE_MEAN:
            raise InvalidInputError("age_mean", f"must be a number in ({MIN_AGE:g}, "
                                                f"{MAX_AGE_MEAN:g}]; got {age_mean:g}")
        set_(self, "age_mean", age_mean)
        age_sd = _validate.up_to("age_sd", self.age_sd, MAX_AGE_SD, "a number of years")
        if not age_sd ** 2 > age_mean - MIN_AGE:
            raise InvalidInputError(
                "age_sd", f"must be > sqrt(age_mean - {MIN_AGE}) = "
                          f"{(age_mean - MIN_AGE) ** 0.5:.3g} (ages above {MIN_AGE} are "
                          f"negative binomial); got {age_sd:g}")
        set_(self, "age_sd", age_sd)
        set_(self, "male_share", _validate.proportion("male_share", self.male_share))
        set_(self, "custody_share", _validate.proportion("custody_share", self.custody_share))
        set_(self, "prior_offences_mean", _validate.up_to(
            "prior_offences_mean", self.prior_offences_mean, MAX_PRIOR_OFFENCES_MEAN))
        set_(self, "prior_offences_dispersion", _validate.between(
            "prior_offences_dispersion", self.prior_offences_dispersion,
            MIN_PRIOR_OFFENCES_DISPERSION, MAX_PRIOR_OFFENCES_DISPERSION))
        selection = _validate.non_negative("selection", self.selection)
        largest = self.largest_selection()
        if selection > largest:
            raise InvalidInputError(
                "selection", f"must be a number in [0, {largest:g}] with these covariate "
                             f"settings; got {selection:g}")
        set_(self, "selection", selection)

    def largest_selection(self) -> float:
        """The largest ``selection`` allowed with these covariates: ``MAX_SELECTION``, or
        less when 3/4 of the limit of a finite treated mean is lower (rounded down to
        0.01)."""
        limit = SELECTION_SHARE_OF_LIMIT * max_selection(self.pool_covariates())
        return min(MAX_SELECTION, math.floor(100 * limit) / 100)

    def pool_covariates(self) -> CovariateModel:
        """The pool's covariate model."""
        return CovariateModel.from_moments(
            age_mean=self.age_mean, age_sd=self.age_sd, male_share=self.male_share,
            prior_offences_mean=self.prior_offences_mean,
            prior_offences_dispersion=self.prior_offences_dispersion,
            custody_share=self.custody_share)

    def to_dict(self) -> dict:
        """Plain settings, in the form :meth:`from_dict` reads back."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, settings: Mapping) -> "SimulationSettings":
        """Build from plain settings (for example a ``[simulation]`` TOML table)."""
        if not isinstance(settings, Mapping):
            raise InvalidInputError("simulation", f"must be a table of simulation settings; "
                                                  f"got {_validate.shown(settings)}")
        allowed = [f.name for f in fields(cls)]
        for key in settings:
            if key not in allowed:
                raise InvalidInputError(
                    str(key), f"is not a simulation setting; allowed: {', '.join(allowed)}")
        return cls(**settings)

    @classmethod
    def coerce(cls, value) -> "SimulationSettings":
        """Accept settings or a mapping of them."""
        if isinstance(value, SimulationSettings):
            return value
        if isinstance(value, Mapping):
            return cls.from_dict(value)
        raise InvalidInputError(
            "simulation", f"must be SimulationSettings or a table of them; got {value!r}")
