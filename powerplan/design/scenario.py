"""The planned study: one frozen value that everything else is a function of."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace

from .. import _validate
from .effects import Effect
from ..errors import InvalidInputError
from .funnel import Funnel
from ..formulas.rate import ALTERNATIVES, METHODS
from .simulation_settings import SimulationSettings
from ..limits import MAX_COHORT, MAX_COMPARISON_RATIO, MAX_N_COMPARISON, MIN_COMPARISON_RATIO


def comparison_ratio(field: str, value) -> float:
    """A comparison ratio in [MIN_COMPARISON_RATIO, MAX_COMPARISON_RATIO]."""
    return _validate.between(field, value, MIN_COMPARISON_RATIO, MAX_COMPARISON_RATIO)


@dataclass(frozen=True)
class Scenario:
    """A planned matched-cohort evaluation of one-year proven reoffending.

    The defaults form the built-in typical scenario.

    Parameters
    ----------
    cohort : int
        People submitted to the data service, a whole number >= 1.
    funnel : Funnel, float or mapping
        Stages from submitted to analysed. A float is an overall retention
        in (0, 1]; a mapping ``{"found": 0.8, "in window": 0.6}`` gives
        named stages in order. Default: one stage keeping 0.40.
    base_rate : float
        Comparison group's one-year reoffending rate, a proportion in (0, 1).
    effect : float or Effect
        Treated rate minus comparison rate in proportion units (-0.05 is a
        5-point reduction). An :class:`Effect` on another scale (relative
        risk, odds ratio, points) is converted at ``base_rate``. The treated
        rate must stay inside (0, 1).
    comparison_ratio : float
        Comparison records per analysed treated person, the effective number
        after weighting; in [1e-7, 10,000,000].
    n_comparison : int or None
        A fixed comparison size (effective), a whole number in
        [1, 10,000,000]. When given it is used instead of ``comparison_ratio``.
    alpha : float
        Significance level in (0, 1); a result is significant when p <= alpha.
    alternative : {"two-sided", "less", "greater"}
        ``less`` looks only for a lower treated rate (a reduction),
        ``greater`` only for a higher one.
    method : {"wald", "pooled", "arcsine", "fleiss-cc"}
        The test whose power is computed; see :mod:`powerplan.formulas.rate`.
    min_n_treated : int
        Fewest analysed treated people for which an analysis is run; below it
        the study is not analysable and counts as not significant. A whole
        number in [2, 10,000,000] (``MAX_COHORT``).
    simulation : SimulationSettings or mapping
        How :func:`powerplan.simulate` draws, matches and tests the study
        (pool, covariates, k, caliper, selection, test, ...); the analytic
        engine ignores it. Default: :class:`SimulationSettings` defaults.

    Examples
    --------
    >>> s = Scenario()
    >>> s.cohort, s.retention, s.base_rate, s.treated_rate
    (300, 0.4, 0.35, 0.3)
    >>> Scenario(base_rate=0.2, effect=Effect(0.75, "relative-risk")).effect
    -0.05
    >>> Scenario(base_rate=1.5)
    Traceback (most recent call last):
    ...
    powerplan.errors.InvalidInputError: base_rate must be a proportion in (0, 1); got 1.5
    """

    cohort: int = 300
    funnel: Funnel = field(default=Funnel.single(0.40))
    base_rate: float = 0.35
    effect: float = -0.05
    comparison_ratio: float = 10.0
    n_comparison: int | None = None
    alpha: float = 0.05
    alternative: str = "two-sided"
    method: str = "wald"
    min_n_treated: int = 2
    simulation: SimulationSettings = field(default_factory=SimulationSettings)

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "cohort", _validate.integer("cohort", self.cohort, 1, MAX_COHORT))
        set_(self, "funnel", Funnel.coerce(self.funnel))
        set_(self, "base_rate", _validate.proportion("base_rate", self.base_rate))
        effect = self.effect
        if isinstance(effect, Effect):
            effect = effect.difference(self.base_rate)
        effect = _validate.real("effect", effect)
        treated = self.base_rate + effect
        if not 0.0 < treated < 1.0:
            raise InvalidInputError(
                "effect",
                f"must keep the treated rate (base rate {self.base_rate:g} + effect) in (0, 1), "
                f"i.e. lie in ({-self.base_rate:g}, {1 - self.base_rate:g}); got {effect:g}",
            )
        set_(self, "effect", effect)
        set_(self, "comparison_ratio", comparison_ratio("comparison_ratio", self.comparison_ratio))
        if self.n_comparison is not None:
            set_(self, "n_comparison", _validate.integer("n_comparison", self.n_comparison, 1,
                                                         MAX_N_COMPARISON))
        alpha = _validate.proportion("alpha", self.alpha)
        if alpha >= 0.5:
            raise InvalidInputError("alpha", f"must be a significance level in (0, 0.5); got {alpha:g}")
        set_(self, "alpha", alpha)
        _validate.choice("alternative", self.alternative, ALTERNATIVES)
        _validate.choice("method", self.method, METHODS)
        set_(self, "min_n_treated",
             _validate.integer("min_n_treated", self.min_n_treated, 2, MAX_COHORT))
        set_(self, "simulation", SimulationSettings.coerce(self.simulation))

    # Derived quantities -------------------------------------------------
    @property
    def retention(self) -> float:
        """Overall share of the cohort analysed."""
        return self.funnel.retention

    @property
    def treated_rate(self) -> float:
        """Treated group's expected reoffending rate: base rate + effect."""
        return self.base_rate + self.effect

    @property
    def expected_n_treated(self) -> float:
        """Expected analysed treated people: cohort x retention."""
        return self.cohort * self.retention

    def comparison_size(self, n_treated):
        """Effective comparison size when ``n_treated`` people are analysed."""
        if self.n_comparison is not None:
            # keep the shape of n_treated so callers can pass arrays
            return self.n_comparison + 0 * n_treated
        return self.comparison_ratio * n_treated

    def replace(self, **changes) -> "Scenario":
        """A copy with some settings changed (validated again); ``retention``
        (an overall share) may stand for a one-stage funnel.

        >>> Scenario().replace(retention=0.5).funnel
        Funnel(stages=(Stage(name='analysed', share=0.5),))
        """
        return replace(self, **_retention_as_funnel(changes))

    # Conversion ----------------------------------------------------------
    def to_dict(self) -> dict:
        """Plain settings, in the form :meth:`from_dict` reads back."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["simulation"] = self.simulation.to_dict()
        stages = self.funnel.to_dict()
        del out["funnel"]
        if list(stages) == ["analysed"]:
            out["retention"] = stages["analysed"]
        else:
            out["funnel"] = stages
        return out

    @classmethod
    def from_dict(cls, settings: Mapping) -> "Scenario":
        """Build from plain settings (for example a parsed TOML file).

        Keys are the field names, plus ``retention`` (an overall share) as an
        alternative to ``funnel`` (a table of stage shares). ``effect`` may be
        a number or text such as ``"-5pp"``, ``"rr=0.9"``, ``"or=0.8"``;
        ``simulation`` a table of :class:`SimulationSettings`.

        >>> s = Scenario.from_dict({"cohort": 500, "effect": "rr=0.8", "retention": 0.5})
        >>> round(s.effect, 12), s.retention
        (-0.07, 0.5)
        """
        allowed = [f.name for f in fields(cls)] + ["retention"]
        settings = dict(settings)
        for key in settings:
            if key not in allowed:
                raise InvalidInputError(
                    str(key), f"is not a scenario setting; allowed: {', '.join(allowed)}"
                )
        settings = _retention_as_funnel(settings)
        if isinstance(settings.get("funnel"), Mapping):
            settings["funnel"] = Funnel.from_shares(settings["funnel"])
        if isinstance(settings.get("effect"), str):
            settings["effect"] = Effect.parse(settings["effect"])
        return cls(**settings)


def _retention_as_funnel(settings: dict) -> dict:
    """Settings with an overall ``retention`` turned into a one-stage ``funnel``."""
    if "retention" not in settings:
        return settings
    if "funnel" in settings:
        raise InvalidInputError("retention", "and funnel cannot both be given")
    settings = dict(settings)
    settings["funnel"] = Funnel.single(settings.pop("retention"))
    return settings


def check_scenario(value, field: str = "scenario") -> Scenario:
    """``value`` if it is a :class:`Scenario`; the check every public entry point makes."""
    if not isinstance(value, Scenario):
        raise InvalidInputError(field, f"must be a Scenario; got {value!r}")
    return value
