"""The simulator's side of the commands: its options, progress bar, runs and output.

Shared by ``powerplan simulate`` and the ``--engine simulate`` of ``power``,
``size``, ``mde`` and ``curve``.
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager

import click

import powerplan
from powerplan.limits import DEFAULT_SIMS

from . import figures
from .options import (RUN_OPTIONS, SIMULATION_OPTIONS, build_scenario, option_name,
                      prior_for)
from .output import emit_result

#: A run shows a progress bar once it has taken this long (seconds).
PROGRESS_AFTER = 1.0


class Progress:
    """A progress bar on ``stream`` that appears only once a run has taken a second.

    It is never shown when ``stream`` is not a terminal. Call it with the
    number of replicates just finished; :meth:`close` ends the bar.
    """

    def __init__(self, total: int, stream=None, clock=time.monotonic):
        self.total = total
        self.stream = sys.stderr if stream is None else stream
        self.clock = clock
        self.started = clock()
        self.done = 0
        self.bar = None

    def __call__(self, finished: int) -> None:
        self.done += finished
        if self.bar is None:
            if self.clock() - self.started < PROGRESS_AFTER or not self.stream.isatty():
                return
            self.bar = click.progressbar(length=self.total, label="Simulating",
                                         file=self.stream, show_eta=True)
            self.bar.__enter__()
            self.bar.update(self.done)
        else:
            self.bar.update(finished)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def split_engine(options: dict, engine: str) -> tuple[dict, dict]:
    """Take the simulator's options out of ``options``.

    Returns ``(simulation settings, run options)``. For the analytic engine
    any simulator option given is an error, and so, for the simulator, is an
    option only the analytic engine uses.
    """
    run = {key: options.pop(key) for key in RUN_OPTIONS}
    simulation = {key: options.pop(key) for key in SIMULATION_OPTIONS}
    if engine == "analytic":
        for key, value in (run | simulation).items():
            # --quiet (a flag, False when not given) asks nothing the analytic engine does
            if key != "quiet" and value is not None:
                raise click.UsageError(f"{option_name(key)} applies to the simulator; "
                                       f"add --engine simulate")
        return simulation, run
    # What the simulator does not use is the library's to say.
    for option in powerplan.Simulator.unused_settings:
        if options.get(option) is not None:
            raise click.UsageError(
                f"{option_name(option)} sets the analytic engine; the simulator's comparison "
                f"group comes from matching (--k, --pool) and its test is --test")
    return simulation, run


@contextmanager
def run_options(run: dict, total: int):
    """Seed, workers and a progress bar for ``total`` replicates, as library keywords.

    A context manager: the bar is closed when the run ends, however it ends.
    """
    progress = None if run["quiet"] else Progress(total)
    try:
        yield {"seed": run["seed"], "workers": run["workers"] or 1, "progress": progress}
    finally:
        if progress is not None:
            progress.close()


def emit_power(result, scenario, *, as_json: bool, plot_path=None) -> None:
    """Print a power or assurance result, then draw it (with ``--plot``)."""
    emit_result(as_json, result, scenario)
    if plot_path is not None:
        figures.draw(lambda: figures.power_figure(result), plot_path)


def run_simulation(options: dict, *, as_json: bool, prior=None, plot_path=None) -> None:
    """Build the scenario from command options, simulate it, print the result.

    Shared by ``powerplan simulate`` and ``powerplan power --engine simulate``
    so that both give the same answer. With a prior, the chances are
    averaged over it (simulated assurance).
    """
    simulation, run = split_engine(options, "simulate")
    figures.refuse_prior(plot_path, prior)
    scenario = build_scenario(simulation=simulation, uses_effect=prior is None, **options)
    prior = prior_for(scenario, prior)
    n_sims = DEFAULT_SIMS if run["sims"] is None else run["sims"]
    with run_options(run, n_sims) as keywords:
        if prior is None:
            result = powerplan.simulate(scenario, n_sims=n_sims, **keywords)
        else:
            result = powerplan.assurance(scenario, prior, engine="simulate", n_sims=n_sims,
                                         **keywords)
    emit_power(result, scenario, as_json=as_json, plot_path=plot_path)
