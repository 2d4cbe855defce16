"""Assurance: the chance of each verdict averaged over a prior on the effect.

Power answers "what if the effect is exactly -5 points?". Assurance answers
"given what we believe about the effect, what is the chance of a significant
reduction?" (O'Hagan, Stevens and Campbell 2005, *Pharmaceutical
Statistics* 4: 187-201). Two analytic computations, and simulation:

``quadrature`` (the default; any prior, any method)
    The analytic verdict probabilities integrated over the prior restricted
    to valid treated rates, by Gauss-Legendre quadrature (or the exact sum
    for a discrete prior).
``closed-form`` (normal prior, ``wald`` method; asked for by name)
    Given ``k`` analysed people the estimate is ``N(d, se_k^2)`` and the
    effect ``d ~ N(mu, tau^2)``, so the estimate is ``N(mu, se_k^2 + tau^2)``
    and ``P(significant reduction | k) = Phi((-z se_k - mu) /
    sqrt(se_k^2 + tau^2))``, averaged over the binomial number analysed.
    ``se_k`` is evaluated at the prior mean's treated rate and the prior is
    not truncated: an approximation, within about a point of quadrature for
    typical priors, but up to two points off for a low base rate and a prior
    wide relative to it, which is why it is not the default.
``engine="simulate"``
    The whole study simulated at a few effects spread over the prior.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import _format, _validate
from ..errors import InvalidInputError
from ..formulas.analytic import analysed_distribution, analytic, formulas, verdict_grid
from ..design.priors import DiscretePrior, NormalPrior, Prior
from ..results.power import PowerResult
from ..design.scenario import Scenario, check_scenario
from ..engines import ANALYTIC, Engine, Simulator, as_engine, is_analytic
from .grid import Cell, cell_key, check_grid_options, run_cells

COMPUTATIONS = ("quadrature", "closed-form")


@dataclass(frozen=True, repr=False)
class AssuranceResult(PowerResult):
    """Verdict probabilities averaged over a prior on the effect.

    All :class:`PowerResult` fields, with ``effect`` and ``treated_rate`` at
    the prior mean and ``power`` the chance of any significant result, plus:

    Attributes
    ----------
    assurance : float
        Chance of a significant result in the direction hoped for: the
        measure's better one (a reduction of the rate or the frequency, a
        longer time to first reoffence), or the one a one-sided test looks in.
    p_effect_in_direction : float
        Prior probability that the true effect lies in that direction.
    ceiling : float
        What assurance tends to as the cohort grows: the prior's weight in
        that direction, plus the false positives where the prior puts weight
        on no effect at all (a discrete prior's mass at 0 times the test's
        one tail, ``alpha / 2`` two-sided, ``alpha`` one-sided). A small
        study's exact test can report more false positives than its level,
        and its assurance can then be above this; the printed result says so.
    prior : str
        Description of the prior.
    computation : str
        ``closed-form`` or ``quadrature``.
    """

    assurance: float = 0.0
    p_effect_in_direction: float = 0.0
    ceiling: float = 0.0
    prior: str = ""
    computation: str = ""
    mc_se: float | None = None
    n_sims: int | None = None

    def summary(self) -> str:
        return (
            f"With {_format.headcount(self.cohort)} submitted, about "
            f"{self.expected_n_treated:,.0f} are analysed; averaged over the prior "
            f"{self.prior}, the chance of a {self._better_words(hopes_higher(self.scenario))} "
            f"is {_format.percent(self.assurance, 0)}." + self._measure_note()
        )

    def _rows(self):
        rows = [row for row in super()._rows() if row[0] not in ("reoffending rate", "power")]
        rows.insert(3, ("comparison rate", _format.percent(self.base_rate)))
        rows.insert(4, ("prior on the effect", self.prior))
        why = "the prior's weight in that direction"
        if self.ceiling > self.p_effect_in_direction:
            why += (f", {_format.percent(self.p_effect_in_direction)}, and the false positives "
                    f"where it has no effect")
        if self.assurance > self.ceiling + 1e-12:
            # a small study's exact test can report more false positives than its level
            rows.insert(5, ("assurance", f"{_format.percent(self.assurance)} (above the "
                                         f"{_format.percent(self.ceiling)} it tends to as the "
                                         f"cohort grows: at this size the test reports more "
                                         f"false positives than its level)"))
        else:
            rows.insert(5, ("assurance", f"{_format.percent(self.assurance)} (ceiling "
                                         f"{_format.percent(self.ceiling)}: {why})"))
        if self.mc_se is not None:
            rows.insert(6, ("Monte Carlo error", f"+/- {100 * self.mc_se:.1f} points "
                                                 f"({self.n_sims:,} simulated studies)"))
        return rows

    def __str__(self) -> str:
        head = (f"Assurance ({self.computation}; {self.method} test, {self.alternative}, "
                f"alpha {self.alpha:g})")
        return head + "\n" + _format.table(self._rows())


def hopes_higher(scenario: Scenario) -> bool:
    """Whether the direction hoped for is a higher treated value: the one a one-sided
    test looks in, else the measure's better one (a longer time to first reoffence)."""
    tested = {"less": False, "greater": True}.get(scenario.alternative)
    return scenario.outcome.better > 0 if tested is None else tested


def _null_mass(prior: Prior, scenario: Scenario) -> float:
    """The prior's weight on no effect at all (a discrete prior's mass at 0)."""
    if isinstance(prior, DiscretePrior):
        effects, weights = prior.nodes(scenario.outcome)
        return float(weights[effects == 0].sum())
    return 0.0


def ceiling(prior: Prior, scenario: Scenario) -> float:
    """What assurance tends to as the cohort grows: every effect in the direction hoped
    for is detected, none the other way, and an effect of exactly 0 is reported in that
    direction at the test's one-tail level (``alpha / 2`` two-sided, ``alpha``
    one-sided)."""
    tail = scenario.alpha / 2 if scenario.alternative == "two-sided" else scenario.alpha
    return min(1.0, _direction_mass(prior, scenario) + tail * _null_mass(prior, scenario))


def _direction_mass(prior: Prior, scenario: Scenario) -> float:
    greater = hopes_higher(scenario)
    if isinstance(prior, DiscretePrior):
        effects, weights = prior.nodes(scenario.outcome)
        return float(weights[(effects > 0) if greater else (effects < 0)].sum())
    low, high = scenario.outcome.effect_range()
    inside = prior.mass(low, high)
    part = prior.mass(0.0, high) if greater else prior.mass(low, 0.0)
    return part / inside


def _closed_form(scenario: Scenario, prior: NormalPrior):
    outcome = scenario.outcome

    def chances(n):
        """Chances of a significant reduction and increase with ``n`` analysed."""
        return formulas(outcome).normal_prior_chances(
            outcome, prior.mean, prior.sd, n, scenario.comparison_size(n),
            alpha=scenario.alpha, alternative=scenario.alternative)

    k, weight = analysed_distribution(scenario)
    analysable = k >= scenario.min_n_treated
    reduction, increase = (np.where(analysable, chance, 0.0) for chance in chances(
        np.where(analysable, k, scenario.min_n_treated).astype(float)))
    expected = scenario.expected_n_treated
    at_mean = float(sum(chances(expected))) if expected >= scenario.min_n_treated else 0.0
    return float(np.dot(weight, reduction)), float(np.dot(weight, increase)), at_mean


#: Where, in standard errors of the estimate either side of no effect, the
#: quadrature's panels break: a large study's power climbs from alpha to 1
#: over a few standard errors, much narrower than a prior can be.
PANEL_BREAKS = (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0, 8.0)


def quadrature_nodes(scenario: Scenario, prior: Prior) -> tuple[np.ndarray, np.ndarray]:
    """The effects and weights the quadrature integrates the verdict chances with: a
    normal prior's panels break at multiples of the study's null standard error
    (:data:`PANEL_BREAKS`); a discrete prior's own effects."""
    if isinstance(prior, NormalPrior):
        n1 = max(scenario.expected_n_treated, 1.0)
        spread = float(formulas(scenario.outcome).null_standard_error(
            scenario.outcome, n1, float(scenario.comparison_size(n1))))
        breaks = [sign * m * spread for m in PANEL_BREAKS for sign in (-1, 1)]
        return prior.nodes(scenario.outcome, breakpoints=breaks)
    return prior.nodes(scenario.outcome)


def _quadrature(scenario: Scenario, prior: Prior):
    effects, weights = quadrature_nodes(scenario, prior)
    reduction, increase, at_mean = verdict_grid(scenario, effects)
    return (float(np.dot(weights, reduction)), float(np.dot(weights, increase)),
            float(np.dot(weights, at_mean)))


def _node(scenario: Scenario, *, engine: Simulator):
    """The simulated result at one effect (module-level, so a Dask worker can import it)."""
    return engine.power(scenario)


def _simulated(scenario: Scenario, prior: Prior, simulator: Simulator, *, client=None,
               store=None, progress=None):
    """Verdict chances simulated at a few effects and combined with the prior's weights.

    Each effect gets its own seed, spawned from ``seed`` with
    ``numpy.random.SeedSequence`` (node ``j``'s is ``SeedSequence(seed,
    spawn_key=(j,))``), so the effects' estimates are independent
    and the Monte Carlo variance is ``sum(w_j^2 p_j (1 - p_j) / n_j)``.
    (Common random numbers would make neighbouring effects' verdicts move
    together and so inflate the variance of a weighted sum.) The effects
    are the cells of a grid (:func:`powerplan.solvers.grid.run_cells`).

    Returns the shares of reductions and increases, the standard error of
    the share in the direction hoped for, the replicates simulated in all,
    and the last result (to describe the study).
    """
    effects, weights = prior.few_nodes(scenario.outcome)
    n_sims = _validate.integer("n_sims", simulator.n_sims, len(effects))
    each = math.ceil(n_sims / len(effects))
    children = np.random.SeedSequence(simulator.seed).spawn(len(effects))
    cells = []
    for number, (effect, child) in enumerate(zip(effects, children)):
        node = simulator.replace(n_sims=each, seed=int(child.generate_state(1)[0]))
        at = scenario.replace(effect=float(effect))
        inputs = {"node": number, "effect": float(effect)}
        cells.append(Cell(inputs, _node, (at,), node, cell_key("assurance", inputs, at, node),
                          grid="assurance"))
    run = run_cells(cells, client=client, store=store, progress=progress)
    run.raise_failures()
    reduction = increase = variance = 0.0
    for weight, result in zip(weights, run.answers):
        reduction += weight * result.p_significant_reduction
        increase += weight * result.p_significant_increase
        hoped = (result.p_significant_increase if hopes_higher(scenario)
                 else result.p_significant_reduction)
        variance += weight ** 2 * hoped * (1 - hoped) / each
    return float(reduction), float(increase), math.sqrt(variance), each * len(effects), result


def assurance(scenario: Scenario, prior: Prior, *, computation: str | None = None,
              engine: Engine | str = ANALYTIC, n_sims: int | None = None, seed: int | None = None,
              workers: int = 1, progress=None, client=None, store=None) -> AssuranceResult:
    """Chance of each verdict averaged over a prior belief about the effect.

    Parameters
    ----------
    scenario : Scenario
        The planned study; its ``effect`` is replaced by the prior.
    prior : NormalPrior or DiscretePrior
        Belief about the true effect (see :mod:`powerplan.design.priors`).
    computation : {"quadrature", "closed-form"}, optional
        Analytic engine only; quadrature by default. The closed form needs a
        normal prior and the ``wald`` method and is an approximation (see the
        module docstring).
    engine : powerplan.analytic, Simulator, "analytic" or "simulate"
        A :class:`~powerplan.Simulator` simulates the whole study at 12 effects spread over the
        prior (Gauss-Legendre nodes on its quantiles; a discrete prior's own
        effects) and weights them; the result carries ``mc_se``.
    n_sims, seed, workers
        For ``engine="simulate"`` (a Simulator carries its own): replicates
        in all (default 1,000, shared equally among the effects), the seed
        and processes, as for :func:`powerplan.simulate`.
    progress, client, store
        Simulation only: the effects are the cells of a grid, run as
        :func:`powerplan.sweep` runs its values (a progress callback or
        bar, a ``dask.distributed`` client, a results store); see
        :func:`powerplan.requirements_table`.

    Returns
    -------
    AssuranceResult

    Examples
    --------
    >>> from powerplan import Scenario
    >>> from powerplan.design.priors import NormalPrior
    >>> result = assurance(Scenario(cohort=1000), NormalPrior.points(-4, 3))
    >>> round(result.assurance, 4), result.computation
    (0.4258, 'quadrature')
    >>> round(assurance(Scenario(cohort=1000, method="wald"), NormalPrior.points(-4, 3),
    ...                 computation="closed-form").assurance, 4)
    0.4211
    """
    check_scenario(scenario)
    if computation is not None:
        _validate.choice("computation", computation, COMPUTATIONS)
    engine = as_engine(engine, n_sims=n_sims, seed=seed, workers=workers)
    client, store, progress = check_grid_options(engine, client, store, progress)
    if not isinstance(prior, (NormalPrior, DiscretePrior)):
        raise InvalidInputError("prior", f"must be a NormalPrior or DiscretePrior; got {prior!r}")
    simulated = {}
    if not is_analytic(engine):
        if computation is not None:
            raise InvalidInputError("computation", "applies to the analytic engine only")
        reduction, increase, mc_se, used, described = _simulated(
            scenario, prior, engine.seeded(), client=client, store=store, progress=progress)
        at_mean, computation = None, "simulation"
        simulated = {"mc_se": mc_se, "n_sims": used, "engine": "simulate",
                     "method": described.method}
    else:
        computation = computation or "quadrature"
        if computation == "closed-form":
            if not (isinstance(prior, NormalPrior) and scenario.method == "wald"):
                raise InvalidInputError("computation", "closed-form needs a normal prior and "
                                                       "method 'wald'; use 'quadrature'")
            reduction, increase, at_mean = _closed_form(scenario, prior)
        else:
            reduction, increase, at_mean = _quadrature(scenario, prior)
    reduction, increase = min(1.0, reduction), min(1.0, increase)
    power = min(1.0, reduction + increase)
    mean = prior.mean
    low, high = scenario.outcome.effect_range()
    shown = scenario.replace(effect=min(max(mean, low + 1e-9), high - 1e-9))
    base = analytic(shown)
    fields = base.to_dict() | {
        "power": power, "p_significant_reduction": reduction,
        # the chance of not being reported depends on the rate, not on the effect
        "p_significant_increase": increase,
        "p_inconclusive": max(0.0, 1.0 - power - base.p_not_reported),
        "power_at_expected_n": None if at_mean is None else min(1.0, at_mean),
        "assurance": increase if hopes_higher(scenario) else reduction,
        "p_effect_in_direction": _direction_mass(prior, scenario),
        "ceiling": ceiling(prior, scenario),
        "prior": prior.describe(scenario.outcome), "computation": computation,
    } | simulated
    return AssuranceResult(**fields, scenario=shown)
