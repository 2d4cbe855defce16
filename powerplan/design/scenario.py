"""The planned study: one frozen value that everything else is a function of."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from dataclasses import dataclass, field, fields, replace

from .. import _validate
from .effects import Effect
from ..errors import InvalidInputError
from .funnel import Funnel
from ..limits import ALTERNATIVES, check_alpha
from ..outcomes import OUTCOMES, Outcome, Rate
from .simulation_settings import SimulationSettings
from ..limits import MAX_COHORT, MAX_COMPARISON_RATIO, MAX_N_COMPARISON, MIN_COMPARISON_RATIO

#: The built-in funnel: one stage keeping 40% of the cohort.
DEFAULT_FUNNEL = Funnel.single(0.40)


def check_comparison_ratio(field: str, value) -> float:
    """A comparison ratio in [MIN_COMPARISON_RATIO, MAX_COMPARISON_RATIO]."""
    return _validate.between(field, value, MIN_COMPARISON_RATIO, MAX_COMPARISON_RATIO)


@dataclass(frozen=True, init=False)
class Scenario:
    """A planned matched-cohort evaluation of one outcome measure.

    The defaults form the built-in typical scenario. The measure is an
    :class:`~powerplan.outcomes.Outcome` (default the one-year proven
    reoffending :class:`~powerplan.outcomes.Rate`); its parameters may be
    given directly, so ``Scenario(base_rate=0.35, effect=-0.05)`` is
    shorthand for ``Scenario(outcome=Rate(base_rate=0.35, effect=-0.05))``,
    and given together with ``outcome`` they change its parameters.

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
    method : str
        The test whose power is computed and how; see
        :mod:`powerplan.formulas.rate`. For the rate: ``welch`` (the Welch
        t-test real analyses run, summed exactly for small studies), the
        normal approximations ``wald``, ``pooled``, ``arcsine``,
        ``fleiss-cc``, or those z-tests summed exactly (``wald-exact``, ...).
        Default: the outcome's first method (``welch`` for the rate).
    min_n_treated : int
        Fewest analysed treated people for which an analysis is run; below it
        the study is not analysable and counts as not significant. A whole
        number in [2, 10,000,000] (``MAX_COHORT``).
    simulation : SimulationSettings or mapping
        How :func:`powerplan.simulate` draws, matches and tests the study
        (pool, covariates, k, caliper, selection, test, ...); the analytic
        engine ignores it. Default: :class:`SimulationSettings` defaults.
    outcome : Outcome
        The measure compared, with its parameters and effect (keyword only).
    retention : float, optional
        An overall share analysed in (0, 1], in place of ``funnel``: a
        one-stage funnel (keyword only, as in :meth:`replace` and
        :meth:`from_dict`).

    Examples
    --------
    >>> s = Scenario()
    >>> s.cohort, s.retention, s.base_rate, s.treated_rate
    (300, 0.4, 0.35, 0.3)
    >>> s.outcome
    Rate(base_rate=0.35, effect=-0.05)
    >>> Scenario(retention=0.5) == Scenario(funnel=0.5)
    True
    >>> Scenario(base_rate=0.2, effect=Effect(0.75, "relative-risk")).effect
    -0.05
    >>> Scenario(base_rate=1.5)
    Traceback (most recent call last):
    ...
    powerplan.errors.InvalidInputError: base_rate must be a proportion in (0, 1); got 1.5
    """

    cohort: int
    funnel: Funnel
    outcome: Outcome
    comparison_ratio: float
    n_comparison: int | None
    alpha: float
    alternative: str
    method: str
    min_n_treated: int
    simulation: SimulationSettings

    def __init__(self, cohort: int = 300, funnel=None, base_rate: float | None = None,
                 effect=None, comparison_ratio: float = 10.0, n_comparison: int | None = None,
                 alpha: float = 0.05, alternative: str = "two-sided", method: str | None = None,
                 min_n_treated: int = 2, simulation=None, *, outcome: Outcome | None = None,
                 retention: float | None = None, **parameters):
        set_ = object.__setattr__
        set_(self, "cohort", _validate.integer("cohort", cohort, 1, MAX_COHORT))
        if retention is not None:
            if funnel is not None:
                raise InvalidInputError("retention", "and funnel cannot both be given")
            funnel = Funnel.single(retention)
        set_(self, "funnel", Funnel.coerce(DEFAULT_FUNNEL if funnel is None else funnel))
        set_(self, "outcome", _outcome(outcome, base_rate=base_rate, effect=effect, **parameters))
        set_(self, "comparison_ratio", check_comparison_ratio("comparison_ratio", comparison_ratio))
        if n_comparison is not None:
            n_comparison = _validate.integer("n_comparison", n_comparison, 1, MAX_N_COMPARISON)
        set_(self, "n_comparison", n_comparison)
        set_(self, "alpha", check_alpha("alpha", alpha))
        set_(self, "alternative", _validate.choice("alternative", alternative, ALTERNATIVES))
        method = self.outcome.default_method if method is None else method
        set_(self, "method", _validate.choice("method", method, self.outcome.methods))
        set_(self, "min_n_treated", _validate.integer("min_n_treated", min_n_treated, 2, MAX_COHORT))
        set_(self, "simulation", SimulationSettings.coerce(
            SimulationSettings() if simulation is None else simulation))

    # The outcome's parameters, as the rate names them ---------------------
    @property
    def base_rate(self) -> float:
        """Comparison group's reoffending rate, a proportion in (0, 1)."""
        return self.outcome.base_rate

    @property
    def effect(self) -> float:
        """The effect on the outcome's own scale (for the rate, treated minus base rate)."""
        return self.outcome.effect

    # Derived quantities -------------------------------------------------
    @property
    def retention(self) -> float:
        """Overall share of the cohort analysed."""
        return self.funnel.retention

    @property
    def treated_rate(self) -> float:
        """Treated group's expected reoffending rate: base rate + effect."""
        return self.outcome.treated_rate

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

        A new ``outcome`` brings its own default method unless a method was
        chosen (one other than the old outcome's default) or is given:

        >>> from powerplan import Frequency
        >>> Scenario().replace(outcome=Frequency()).method
        'welch'
        """
        parameters = {key: value for key, value in changes.items()
                      if key not in ("cohort", "retention")}
        if changes and parameters.keys() <= _parameters(type(self.outcome)):
            # The changes of solvers, sweeps and tables, made thousands of times: only what
            # changes is checked again (the rest was when this scenario was made), in the
            # order of the general path: a retention, the cohort, the outcome.
            copy = object.__new__(type(self))
            copy.__dict__.update(self.__dict__)
            if "retention" in changes:
                object.__setattr__(copy, "funnel", Funnel.single(changes["retention"]))
            if "cohort" in changes:
                object.__setattr__(copy, "cohort", _validate.integer(
                    "cohort", changes["cohort"], 1, MAX_COHORT))
            if parameters:
                object.__setattr__(copy, "outcome", _outcome(self.outcome, **parameters))
            return copy
        outcome = changes.get("outcome", self.outcome)
        allowed = _settings(type(outcome) if isinstance(outcome, Outcome) else type(self.outcome))
        for key in changes:
            if key not in allowed:
                raise InvalidInputError(
                    str(key), f"is not a scenario setting; allowed: {', '.join(allowed)}")
        if ("outcome" in changes and "method" not in changes
                and self.method == self.outcome.default_method):
            changes["method"] = None
        return replace(self, **_retention_as_funnel(changes))

    # Conversion ----------------------------------------------------------
    def to_dict(self) -> dict:
        """Plain settings, in the form :meth:`from_dict` reads back."""
        out = {}
        for f in fields(self):
            if f.name == "outcome":
                if self.outcome.name != Rate.name:
                    out["outcome"] = self.outcome.name
                out |= self.outcome.to_dict()
            else:
                out[f.name] = getattr(self, f.name)
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
        if not isinstance(settings, Mapping):
            raise InvalidInputError("settings", f"must be a mapping of setting names to values "
                                                f"(a dict, a TOML table); got "
                                                f"{_validate.shown(settings)}")
        settings = dict(settings)
        name = settings.get("outcome", Rate.name)
        outcome = OUTCOMES.get(name) if isinstance(name, str) else None
        if outcome is None:
            raise InvalidInputError("outcome", f"must be one of {', '.join(OUTCOMES)}; "
                                               f"got {settings['outcome']!r}")
        allowed = _settings(outcome)
        for key in settings:
            if key not in allowed:
                raise InvalidInputError(
                    str(key), f"is not a scenario setting; allowed: {', '.join(allowed)}"
                )
        settings = _retention_as_funnel(settings)
        if isinstance(settings.get("funnel"), Mapping):
            settings["funnel"] = Funnel.from_shares(settings["funnel"])
        if isinstance(settings.get("effect"), str):
            settings["effect"] = outcome.parse_effect(settings["effect"])
        parameters = {f.name: settings.pop(f.name) for f in fields(outcome) if f.name in settings}
        settings.pop("outcome", None)
        return cls(**settings, outcome=outcome(**parameters))


def _outcome(outcome: Outcome | None, **parameters) -> Outcome:
    """The outcome with the parameters given beside it (None: not given) applied."""
    given = {name: value for name, value in parameters.items() if value is not None}
    if outcome is None:
        outcome = Rate()
    elif not isinstance(outcome, Outcome):
        raise InvalidInputError("outcome", f"must be an Outcome such as Rate(); got {outcome!r}")
    return outcome.replace(**given) if given else outcome


@lru_cache(maxsize=None)
def _parameters(outcome: type) -> frozenset:
    """The names of an outcome's own parameters (base_rate, effect, ...)."""
    return frozenset(f.name for f in fields(outcome))


def _settings(outcome: type) -> list[str]:
    """The names a scenario about ``outcome`` takes: its fields, ``retention`` and the
    outcome's own parameters."""
    return [f.name for f in fields(Scenario) if f.name != "outcome"] + [
        "retention", "outcome", *(f.name for f in fields(outcome))]


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
