"""Solving by simulation: a smooth power curve fitted to simulated verdicts.

Bisecting noisy simulated power estimates wastes replicates and can stop
anywhere inside the noise. Instead:

1. start from the analytic answer;
2. simulate a few values of the unknown around it with *common random
   numbers* (the same seed at every value of a round, so the replicates at
   neighbouring values share their random draws and the differences between
   values are estimated more precisely than the powers themselves);
3. fit a probit model to the verdicts (one row per simulated study), ``P(significant) = Phi(a + b x)`` with
   ``x = log(cohort)`` (or the size of the effect), by statsmodels' binomial
   GLM, and solve it for the target;
4. while the 95% interval of the answer (delta method on the fitted
   coefficients) is wider than the precision asked for, simulate a new round
   of values around the current answer with twice the replicates, and refit
   on everything;
5. check the answer by simulating it directly.

With common random numbers the verdicts of one replicate at neighbouring
values are positively correlated, so the fit's covariance is cluster-robust
over replicates (a model that took them as independent would understate the
uncertainty of the curve's level and give too narrow an interval).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from .. import _format, _validate
from ..errors import InvalidInputError, NoSolutionError
from ..results.power import VERDICTS, Solution
from ..design.scenario import MAX_COHORT, Scenario
from ..engines import DEFAULT_PRECISION, Simulator
from ..results.intervals import wilson_interval

#: Replicates at each value in the first round.
FIRST_ROUND_SIMS = 300
#: The first round's values, as multiples of the analytic answer.
FIRST_ROUND = (0.7, 0.85, 1.0, 1.2, 1.45)
#: Later rounds' values, as multiples of the current answer.
LATER_ROUNDS = (0.9, 0.95, 1.0, 1.05, 1.1)
#: Most rounds a search runs (each doubles the replicates per value).
MAX_ROUNDS = 12
#: More replicates than any value of one round can have (numbers the clusters).
MAX_ROUND_SIMS = 10_000_000
#: The unknowns a simulated search solves for.
SIMULATED_UNKNOWNS = ("cohort", "effect")
#: Verdicts that count as significant for power.
SIGNIFICANT = (VERDICTS[-1], VERDICTS[1])


@dataclass(frozen=True, repr=False)
class SimulatedSolution(Solution):
    """A :class:`Solution` found by simulation, with its uncertainty.

    ``achieved_power`` and ``power_below`` are read off the fitted curve;
    ``result`` is a direct simulation at the answer (its power carries its
    own Monte Carlo error).

    Attributes
    ----------
    interval : tuple of float
        95% interval of the unknown (before rounding a cohort up).
    precision : float
        The relative half-width asked for; ``reached`` says whether the
        interval is at least that narrow.
    reached : bool
    n_sims : int
        Replicates simulated in all, the check at the answer included.
    seed : int
        The seed's entropy; the same seed repeats the search exactly.
    coefficients : tuple of float
        ``(a, b)`` of the fitted curve ``Phi(a + b x)``.
    design : pandas.DataFrame
        Every simulated value: ``round``, ``value``, ``n_sims``,
        ``significant`` and ``power``.

    Examples
    --------
    >>> from powerplan import Scenario, SimulationSettings, solve
    >>> small = Scenario(effect=-0.25, funnel=0.5, simulation=SimulationSettings(pool=1000))
    >>> answer = solve(small, "cohort", engine="simulate", seed=1, precision=0.2,
    ...                max_sims=2000)
    >>> answer.design[["value", "power"]].round(3)
       value  power
    0   27.0  0.650
    1   33.0  0.713
    2   39.0  0.750
    3   47.0  0.867
    4   57.0  0.890
    >>> low, high = answer.design_intervals()
    >>> low.round(3), high.round(3)
    (array([0.594, 0.66 , 0.698, 0.824, 0.85 ]), array([0.702, 0.762, 0.796, 0.901, 0.921]))
    >>> answer.value, answer.fitted_power([answer.value - 1, answer.value]).round(3)
    (42, array([0.8  , 0.808]))
    >>> round(answer.power_below, 3), round(answer.achieved_power, 3)  # read off that curve
    (0.8, 0.808)
    """

    interval: tuple[float, float] = (math.nan, math.nan)
    precision: float = DEFAULT_PRECISION
    reached: bool = False
    n_sims: int = 0
    seed: int = 0
    coefficients: tuple[float, float] = (math.nan, math.nan)
    design: pd.DataFrame = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict:
        """The answer, its interval and the search, as plain values (JSON-ready).

        The figures of the direct simulation at the answer keep their
        :class:`~powerplan.SimulatedPowerResult` names, except that its
        replicates and seed are under ``check``; ``n_sims`` and ``seed`` are
        the whole search's.
        """
        out = super().to_dict()
        out["check"] = {"power": self.result.power, "mc_se": self.result.mc_se,
                        "n_sims": self.result.n_sims, "seed": self.result.seed}
        out |= {"interval": [float(v) for v in self.interval], "precision": self.precision,
                "reached": self.reached, "n_sims": self.n_sims, "seed": self.seed,
                "coefficients": [float(v) for v in self.coefficients],
                "design": self.design.to_dict("records")}
        return out

    def design_intervals(self) -> tuple[np.ndarray, np.ndarray]:
        """The 95% Wilson interval of the simulated power at each value tried.

        Returns
        -------
        low, high : numpy.ndarray
            The bounds for each row of :attr:`design`, in its order, from its
            ``significant`` studies of ``n_sims`` (the interval a
            :class:`~powerplan.SimulatedPowerResult` gives its power).
        """
        low, high = wilson_interval(self.design["significant"].to_numpy(),
                                    self.design["n_sims"].to_numpy())
        return np.asarray(low, dtype=float), np.asarray(high, dtype=float)

    def fitted_power(self, values) -> np.ndarray:
        """Power on the fitted curve at ``values`` of the unknown.

        Parameters
        ----------
        values : sequence of numbers
            Cohorts (people submitted, above 0) or effects (proportion units),
            as the unknown is.

        Returns
        -------
        numpy.ndarray
            ``Phi(a + b x)`` at each value, with ``(a, b)`` the
            :attr:`coefficients` and ``x`` the log of the cohort or the size
            of the effect, as the search fitted it.
        """
        values = np.asarray(_validate.sequence("values", values), dtype=float)
        if self.unknown == "cohort" and not (values > 0).all():
            raise InvalidInputError("values", f"must be cohorts above 0; got {values.min():g}")
        a, b = self.coefficients
        covariate = np.log(values) if self.unknown == "cohort" else np.abs(values)
        return special.ndtr(a + b * covariate)

    def _interval_text(self) -> str:
        low, high = self.interval
        if self.unknown == "cohort":
            return f"{low:,.0f} to {high:,.0f} people"
        return f"{100 * low:+.2f} to {100 * high:+.2f} points"

    def summary(self) -> str:
        return (f"{super().summary()} By simulation: 95% interval {self._interval_text()}, "
                f"from {self.n_sims:,} simulated studies.")

    def _answer_rows(self) -> list[tuple[str, str]]:
        rows = super()._answer_rows()
        rows[1] = (f"achieved {self.measure}", f"{_format.percent(self.achieved_power, 3)} "
                                               f"on the fitted curve")
        rows[2:2] = [
            ("95% interval", self._interval_text()),
            ("precision", f"+/-{_format.percent(self.precision, 0)} "
                          f"{'reached' if self.reached else 'NOT reached'}"),
            ("simulated studies", f"{self.n_sims:,} (seed {self.seed})"),
            ("power at the answer", f"{_format.percent(self.result.power)} +/- "
                                    f"{100 * self.result.mc_se:.1f} points, simulated directly"),
        ]
        return rows


class _Unknown:
    """How the unknown enters the scenario and the fitted curve."""

    def __init__(self, scenario: Scenario, unknown: str, direction: str):
        self.scenario = scenario
        self.name = unknown
        self.sign = -1.0 if direction == "reduction" else 1.0

    def x(self, value: float) -> float:
        """The curve's covariate: log cohort, or the size of the effect."""
        return math.log(value) if self.name == "cohort" else abs(value)

    def value(self, x: float) -> float:
        return math.exp(x) if self.name == "cohort" else self.sign * x

    def valid(self, value: float) -> float | None:
        """The value kept inside its range, or None if there is no room."""
        if self.name == "cohort":
            return float(min(max(round(value), 2), MAX_COHORT))
        room = abs(self.scenario.outcome.largest_effect(int(self.sign), margin=1e-6))
        size = min(abs(value), room)
        return self.sign * size if size > 0 else None

    def clip(self, value: float) -> float:
        """``value`` kept inside the values a scenario allows (for an interval's bounds)."""
        if self.name == "cohort":
            return float(min(max(value, 1.0), MAX_COHORT))
        room = abs(self.scenario.outcome.largest_effect(int(self.sign), margin=1e-6))
        return self.sign * min(max(self.sign * value, 0.0), room)

    def out_of_range(self, value: float, target: float) -> str:
        """Why no value in range reaches ``target``: the fitted curve reaches it only at
        ``value``, beyond the largest cohort or effect a scenario allows."""
        aim = _format.percent(target)
        if self.name == "cohort":
            return (f"no cohort up to {MAX_COHORT:,} reaches {aim} power by simulation: the "
                    f"fitted curve reaches it at about {value:,.0f} people submitted")
        outcome = self.scenario.outcome
        return (f"no effect this study can have is detected with {aim} power by simulation: "
                f"the fitted curve reaches it only at {outcome.describe_effect(value)}, beyond "
                f"{outcome.extreme_words(int(self.sign))}; submit more people")

    def scenario_at(self, value: float) -> Scenario:
        if self.name == "cohort":
            return self.scenario.replace(cohort=int(value))
        return self.scenario.replace(effect=value)


def _fit(verdicts: pd.DataFrame, unknown: _Unknown, target: float):
    """Probit fit and the solution with its delta-method standard error.

    ``verdicts`` has one row per simulated study: ``value``, ``significant``
    (0/1) and ``cluster``, the replicate it shares its random numbers with
    at the other values of its round. The covariance is cluster-robust over
    those replicates, because common random numbers make the verdicts of one
    replicate at neighbouring values move together.
    """
    import statsmodels.api as sm

    x = np.array([unknown.x(v) for v in verdicts["value"]])
    model = sm.GLM(verdicts["significant"].to_numpy(), sm.add_constant(x),
                   family=sm.families.Binomial(link=sm.families.links.Probit()))
    fit = model.fit(cov_type="cluster", cov_kwds={"groups": verdicts["cluster"].to_numpy()})
    a, b = (float(v) for v in fit.params)
    if not b > 0:
        return a, b, math.nan, math.inf
    q = special.ndtri(target)
    root = (q - a) / b
    gradient = np.array([-1.0 / b, -(q - a) / b ** 2])
    se = float(np.sqrt(gradient @ np.asarray(fit.cov_params()) @ gradient))
    return a, b, root, se


def solve_by_simulation(scenario: Scenario, unknown: str, start: float, *,
                        target_power: float = 0.8, direction: str = "reduction",
                        simulator: Simulator | None = None) -> SimulatedSolution:
    """The minimum cohort or the MDE by simulating the whole study.

    Called by :func:`powerplan.solve` with a :class:`~powerplan.Simulator` as
    engine; see the module docstring for the method.

    Parameters
    ----------
    scenario : Scenario
    unknown : {"cohort", "effect"}
        (:func:`powerplan.solve` checks it.)
    start : float
        Where the search starts: the analytic answer (which
        :func:`powerplan.solve` finds first).
    target_power : float
        In (alpha, 1).
    direction : {"reduction", "increase"}
        For the effect.
    simulator : Simulator
        Its ``precision`` (stop when the 95% interval of the answer is within
        this fraction of it), ``max_sims`` (replicates the search may use; it
        stops there, saying the precision was not reached), ``seed`` (None
        draws a fresh one, reported), ``workers`` and ``progress``; its
        ``n_sims`` is not used, as the search sets each round's replicates.

    Returns
    -------
    SimulatedSolution
    """
    from ..simulator.replicate import sharing_pools

    # The values of a round share their seed, and so their pool: drawn once a round.
    with sharing_pools():
        return _search(scenario, unknown, start, target_power, direction,
                       Simulator() if simulator is None else simulator)


def _search(scenario, unknown, start, target_power, direction, simulator) -> SimulatedSolution:
    from ..simulator.replicate import verdicts_only

    precision, max_sims = simulator.precision, simulator.max_sims
    root = np.random.SeedSequence(simulator.seed)
    how = _Unknown(scenario, unknown, direction)
    rows, verdicts, used, n_round, answer = [], [], 0, FIRST_ROUND_SIMS, float(start)
    multiples, reached, fitted = FIRST_ROUND, False, None
    for number, child in enumerate(root.spawn(MAX_ROUNDS)):
        values = sorted({v for v in (how.valid(answer * m) for m in multiples) if v is not None})
        if used + n_round * (len(values) + 1) > max_sims:
            break
        round_seed, last_n = int(child.generate_state(1)[0]), n_round
        for value in values:
            with verdicts_only():  # the rounds' balance is never read
                result = simulator.replace(n_sims=n_round, seed=round_seed).power(
                    how.scenario_at(value))
            significant = result.replicates["verdict"].isin(SIGNIFICANT).to_numpy(dtype=int)
            verdicts.append(pd.DataFrame({"value": value, "significant": significant,
                                          "cluster": number * MAX_ROUND_SIMS
                                          + np.arange(n_round)}))
            rows.append({"round": number, "value": value, "n_sims": n_round,
                         "significant": int(significant.sum()), "power": result.power})
            used += n_round
        fitted = _fit(pd.concat(verdicts, ignore_index=True), how, target_power)
        a, b, x_root, se = fitted
        if not math.isfinite(x_root):
            raise NoSolutionError(
                f"the simulated power does not rise with the {unknown} around the analytic "
                f"answer ({start:g}); the simulated study may not detect this effect")
        answer = how.value(x_root)
        if how.clip(answer) != answer:  # the fit reaches the target outside the range:
            answer = how.clip(answer)   # look at its edge next, and refuse if it stays there
        half_width = math.expm1(1.96 * se) if unknown == "cohort" else 1.96 * se / x_root
        reached = half_width <= precision
        if reached:
            break
        multiples, n_round = LATER_ROUNDS, 2 * n_round
    if fitted is None:
        raise InvalidInputError("max_sims", f"must allow at least one round of "
                                            f"{FIRST_ROUND_SIMS * (len(FIRST_ROUND) + 1):,} "
                                            f"replicates; got {max_sims:,}")
    a, b, x_root, se = fitted
    if how.clip(how.value(x_root)) != how.value(x_root):
        raise NoSolutionError(how.out_of_range(how.value(x_root), target_power))
    low, high = sorted(how.clip(how.value(x_root + s * 1.96 * se)) for s in (-1, 1))
    if unknown == "cohort":
        value = int(math.ceil(answer - 1e-9))
        below_x = how.x(value - 1) if value > 1 else -math.inf
    else:
        value = answer
        below_x = None
    check_seed = int(root.spawn(1)[0].generate_state(1)[0])
    # the last round reserved room for a check of its own size within max_sims
    result = simulator.replace(n_sims=last_n, seed=check_seed).power(how.scenario_at(value))
    used += last_n
    achieved = float(special.ndtr(a + b * how.x(value)))
    below = None if below_x is None else float(special.ndtr(a + b * below_x))
    notes = [] if reached else [
        f"the 95% interval is wider than +/-{_format.percent(precision, 0)}: {max_sims:,} replicates were "
        f"not enough; allow more with max_sims"]
    return SimulatedSolution(
        unknown=unknown, value=value, target_power=target_power, achieved_power=achieved,
        power_below=below, result=result, scenario=result.scenario, notes=tuple(notes),
        interval=(low, high), precision=precision, reached=reached, n_sims=used,
        seed=int(root.entropy), coefficients=(a, b), design=pd.DataFrame(rows))
