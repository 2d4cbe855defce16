"""A portfolio of evaluations: how many significant results to expect.

A funder or commissioner with several services, each to be evaluated
separately, asks how many of the evaluations will report a significant
reduction. With each service's chance ``p_i`` (power at its effect, or
assurance under a prior with its effect drawn independently for each
service), the number of significant reductions follows the Poisson-binomial
distribution, computed exactly (:func:`poisson_binomial`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import _format, _validate
from ..formulas.analytic import analytic
from ..engines import ANALYTIC, Engine, Simulator, as_engine
from ..solvers.assurance import assurance
from ..solvers.grid import Cell, cell_key, cell_seed, check_grid_options, run_cells
from ..errors import InvalidInputError
from ..limits import MAX_SERVICES
from ..design.priors import Prior
from ..results.power import _plain
from ..design.scenario import Scenario
from ..results.display import Displays


@dataclass(frozen=True, repr=False)
class PortfolioResult(Displays):
    """Expected significant results over independent evaluations.

    Attributes
    ----------
    services : pandas.DataFrame
        One row per service: name, cohort, base_rate, retention, effect (or
        the prior mean), expected_n_treated and its verdict probabilities.
    expected_reductions, expected_increases : float
        Expected numbers of significant reductions and increases.
    distribution : numpy.ndarray
        ``distribution[j]`` is the chance of exactly ``j`` significant
        reductions, ``j = 0 .. number of services``.
    prior : str or None
        The prior the effects were drawn from, if any.
    """

    services: pd.DataFrame = field(repr=False)
    expected_reductions: float
    expected_increases: float
    distribution: np.ndarray = field(repr=False)
    prior: str | None

    @property
    def p_at_least_one(self) -> float:
        """Chance of at least one significant reduction."""
        return float(1.0 - self.distribution[0])

    def to_frame(self) -> pd.DataFrame:
        """The distribution: one row per number of significant reductions."""
        count = np.arange(len(self.distribution))
        return pd.DataFrame({"significant_reductions": count, "probability": self.distribution,
                             "at_least": self.distribution[::-1].cumsum()[::-1]})

    def to_dict(self) -> dict:
        return {
            "n_services": len(self.services),
            "expected_reductions": self.expected_reductions,
            "expected_increases": self.expected_increases,
            "p_at_least_one": self.p_at_least_one,
            "prior": self.prior,
            "distribution": [float(p) for p in self.distribution],
            "services": [{k: _plain(v) for k, v in row.items()}
                         for row in self.services.to_dict("records")],
        }

    def plot(self, ax=None):
        """Draw the chance of each number of significant reductions; see
        :func:`powerplan.plotting.plot_portfolio`."""
        from ..plotting import plot_portfolio

        return plot_portfolio(self, ax=ax)

    def summary(self) -> str:
        return (f"Across {_format.count(len(self.services), 'evaluation')}, expect "
                f"{self.expected_reductions:.1f} significant reductions (and "
                f"{self.expected_increases:.2f} significant increases); the chance of at least "
                f"one significant reduction is {_format.percent(self.p_at_least_one, 0)}.")

    def __str__(self) -> str:
        rows = [(str(row["name"]),
                 f"{row['cohort']:,} submitted, {_format.percent(row['p_significant_reduction'])}"
                 f" chance of a significant reduction")
                for row in self.services.to_dict("records")]
        text = "Portfolio of evaluations" + (f" (prior {self.prior})" if self.prior else "")
        text += "\n" + _format.table(rows)
        text += "\n" + _format.table([
            (f"P({_format.count(j, 'significant reduction')})", _format.percent(p))
            for j, p in enumerate(self.distribution)][:11])
        return text


def _service(scenario: Scenario, prior: Prior | None, *, engine: Engine):
    """One service's verdict chances: power at its effect, or assurance under ``prior``
    (module-level, so a Dask worker can import it)."""
    if prior is None:
        return engine.power(scenario)
    return assurance(scenario, prior, engine=engine)


def portfolio(services: Mapping[str, Scenario] | Sequence[Scenario],
              prior: Prior | None = None, *, engine: Engine | str = ANALYTIC, client=None,
              store=None, progress=None) -> PortfolioResult:
    """Distribution of the number of significant reductions across services.

    Parameters
    ----------
    services : mapping of name to Scenario, or sequence of Scenario
        One scenario per service (each evaluated separately).
    prior : NormalPrior or DiscretePrior, optional
        If given, each service's effect is drawn independently from it and
        its chances are assurances; otherwise each scenario's own effect is
        used.
    engine : powerplan.analytic, Simulator, "analytic" or "simulate"
        How each service's chances are computed. A
        :class:`~powerplan.Simulator` simulates each service with its own
        seed, drawn from the simulator's seed and the service's name
        (:func:`~powerplan.solvers.grid.cell_seed`); the distribution then
        takes the simulated chances as the services' chances (their Monte
        Carlo error, in the ``mc_se`` column, is not carried into it).
    client, store, progress
        Simulation only: the services are the cells of a grid, run on a
        ``dask.distributed`` client, read from and written to a results
        store, and reported to a progress bar or
        :class:`~powerplan.GridProgress`, as for
        :func:`powerplan.requirements_table`.

    Returns
    -------
    PortfolioResult

    Raises
    ------
    GridError
        Some services' simulations failed (the others finished, and are in
        the store if one was given); the message names each with its error.

    Examples
    --------
    >>> from powerplan import Scenario
    >>> result = portfolio({"small": Scenario(cohort=150), "large": Scenario(cohort=2000)})
    >>> round(result.expected_reductions, 3), round(result.p_at_least_one, 3)
    (0.968, 0.852)
    """
    named = dict(services) if isinstance(services, Mapping) else {
        f"service {i + 1}": s
        for i, s in enumerate(_validate.sequence("services", services, of="Scenario values"))}
    if not named:
        raise InvalidInputError("services", "must list at least one service")
    if len(named) > MAX_SERVICES:
        raise InvalidInputError("services", f"must list at most {MAX_SERVICES:,} services; "
                                            f"got {len(named):,}")
    for name, scenario in named.items():
        if not isinstance(scenario, Scenario):
            raise InvalidInputError("services", f"must be Scenario values; got {scenario!r} "
                                                f"for {name!r}")
        if scenario.outcome.better > 0:  # a portfolio counts significant reductions
            raise InvalidInputError(
                "outcome", f"must be a measure for which lower is better (the rate or the "
                           f"frequency): a portfolio counts significant reductions; got the "
                           f"{scenario.outcome.measure} for {name!r}")
    engine = as_engine(engine)
    client, store, progress = check_grid_options(engine, client, store, progress)
    if isinstance(engine, Simulator):
        engine = engine.seeded()
        for scenario in named.values():
            engine.check(scenario)
        results = _simulated(named, prior, engine, client, store, progress)
    else:
        results = [analytic(scenario) if prior is None else assurance(scenario, prior)
                   for scenario in named.values()]
    rows = []
    for (name, scenario), result in zip(named.items(), results):
        rows.append({"name": name, "cohort": scenario.cohort, "base_rate": scenario.base_rate,
                     "retention": scenario.retention, "effect": result.effect,
                     "expected_n_treated": result.expected_n_treated,
                     "p_significant_reduction": result.p_significant_reduction,
                     "p_significant_increase": result.p_significant_increase,
                     "p_inconclusive": result.p_inconclusive}
                    | ({"mc_se": result.mc_se} if isinstance(engine, Simulator) else {}))
    frame = pd.DataFrame(rows)
    chances = frame["p_significant_reduction"].to_numpy()
    distribution = poisson_binomial(chances)
    return PortfolioResult(frame, float(chances.sum()),
                           float(frame["p_significant_increase"].sum()), distribution,
                           None if prior is None else prior.describe())


def poisson_binomial(chances) -> np.ndarray:
    """The chances of 0, 1, ..., n successes of independent trials with these chances.

    Built one trial at a time (each step mixes the distribution so far with itself
    shifted by one), in memory linear in the number of trials and a fraction of a second
    for 10,000 of them. (scipy's ``poisson_binom(chances).pmf(range(n + 1))`` gives the
    same numbers but holds an n by n array: 1.7 GB and minutes for 10,000 services.)

    >>> poisson_binomial([0.5, 0.5]).tolist()
    [0.25, 0.5, 0.25]
    """
    chances = np.asarray(chances, dtype=float)
    distribution = np.zeros(len(chances) + 1)
    distribution[0] = 1.0
    for n, p in enumerate(chances, start=1):
        distribution[1:n + 1] = distribution[1:n + 1] * (1.0 - p) + distribution[:n] * p
        distribution[0] *= 1.0 - p
    return distribution


def _simulated(named: dict, prior, engine: Simulator, client, store, progress) -> tuple:
    """Each service simulated as a cell of a grid, seeded by its name."""
    cells = []
    for name, scenario in named.items():
        inputs = {"service": name}
        own = engine.replace(seed=cell_seed(engine.seed, inputs))
        key = cell_key("portfolio", inputs, scenario, own, prior=prior)
        cells.append(Cell(inputs, _service, (scenario, prior), own, key, grid="portfolio"))
    run = run_cells(cells, client=client, store=store, progress=progress)
    run.raise_failures()
    return run.answers
