"""Figures from the command line: the --plot option, the pictures, and saving them.

The figures are drawn by :mod:`powerplan.plotting` on a bare
``matplotlib.figure.Figure`` (no pyplot, so no display and no global
state); this is the only place powerplan writes an image. matplotlib is
imported only when a figure is asked for, and so are numpy and the plotting
package (``powerplan --help`` loads neither).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

import powerplan

from .files import atomic_write
from .params import STDOUT, FigureFile

#: Points drawn along a curve when the command chooses the values.
CURVE_POINTS = 60


def plot_option(help_text: str):
    """``--plot FILE`` for a command that can draw its answer."""
    return click.option("--plot", "plot_path", type=FigureFile(),
                        help=f"{help_text} Written as PNG, SVG or PDF by the file's extension "
                             f"(- for a PNG on standard output).")


def refuse_prior(plot_path, prior) -> None:
    """The planning figures draw power; with --prior the answer is assurance instead."""
    if plot_path is not None and prior is not None:
        raise click.BadParameter("draws power, so it cannot be combined with --prior yet",
                                 param_hint="'--plot'")


def new_axes(panels: int = 1, *, rows: int = 1, size=(7.0, 4.5), width_ratios=None):
    """Axes on a new figure of ``size`` inches: one, a row of ``panels``, or ``rows`` such
    rows."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, layout="constrained")
    return figure.subplots(rows, panels, width_ratios=width_ratios)


#: Dots per inch of a PNG: fit for print (matplotlib's default, 100, is for screens;
#: SVG and PDF are vector graphics, whatever it says).
PRINT_DPI = 300


def save(ax, path: Path, option: str = "--plot") -> None:
    """Write the figure holding ``ax`` to ``path``, in the format its extension names
    (``-``: a PNG on standard output)."""
    if path == STDOUT:
        ax.figure.savefig(sys.stdout.buffer, format="png", dpi=PRINT_DPI)
        return
    with atomic_write(path, option) as temporary:
        try:
            ax.figure.savefig(temporary, format=path.suffix.lower().lstrip("."),
                              dpi=PRINT_DPI)
        except OSError:
            raise
        except Exception as error:  # a backend failing part-way (matplotlib's PDF writer)
            raise click.BadParameter(f"cannot write {path}: {type(error).__name__}: {error}",
                                     param_hint=f"'{option}'") from None


def draw(make_figure, path: Path, option: str = "--plot") -> None:
    """Draw a figure and save it, after the command has printed its numbers.

    ``make_figure`` returns an Axes of the figure. Drawing comes last so
    that a figure that cannot be drawn never takes computed results with it:
    the error says the numbers above are complete.
    """
    try:
        ax = make_figure()
    except click.ClickException:
        raise
    except Exception as error:
        failure = click.ClickException(
            f"the results above are complete, but the figure for {option} could not be "
            f"drawn: {type(error).__name__}: {error}")
        failure.exit_code = 3  # an internal error, as cli.main's unexpected ones
        raise failure from None
    save(ax, path, option)


def write_csv(frame, path: Path, option: str = "--csv") -> None:
    """Write ``frame`` as CSV to ``path`` (``-``: standard output), text cells that a
    spreadsheet would run as formulas written as text."""
    from .output import spreadsheet_safe

    if path == STDOUT:
        click.echo(spreadsheet_safe(frame).to_csv(index=False), nl=False)
        return
    with atomic_write(path, option) as temporary:
        spreadsheet_safe(frame).to_csv(temporary, index=False)


# The pictures of the planning commands ----------------------------------------

def power_figure(result):
    """The funnel beside the chances of the three verdicts."""
    from powerplan import plotting

    funnel, verdicts = new_axes(2, size=(11.0, 4.5), width_ratios=(3, 2))
    plotting.plot_funnel(result, ax=funnel)
    one = powerplan.PowerCurve("cohort", (result.cohort,), (result,), result.scenario)
    plotting.plot_verdicts(one, ax=verdicts, kind="bars")
    return funnel


def measures_figure(result):
    """The three headline measures' verdict chances side by side."""
    from powerplan import plotting

    return plotting.plot_measures(result, ax=new_axes())


def solution_fit_figure(solution):
    """A simulated solution: the simulated powers, the fitted curve and the answer."""
    from powerplan import plotting

    return plotting.plot_simulated_solution(solution, ax=new_axes())


def size_figure(scenario, solution):
    """Power against cohort, from a fifth to twice the answer, with the answer marked."""
    import numpy as np

    answer = solution.value
    cohorts = np.unique(np.rint(np.linspace(max(1, answer / 5), 2 * answer, CURVE_POINTS)))
    curve = powerplan.sweep(scenario, "cohort", cohorts.astype(int))
    return curve.plot(ax=new_axes(), solution=solution)


def published_figure(review):
    """A published difference with its interval, against zero and the smallest detectable."""
    from powerplan import plotting

    return plotting.plot_published(review, ax=new_axes(size=(8.0, 2.8)))


def table_figure(table):
    """One heatmap per retention of a requirements table, two to a row."""
    import numpy as np

    retentions = table.retentions
    columns = min(len(retentions), 2)
    rows = -(-len(retentions) // columns)
    axes = np.ravel(new_axes(columns, rows=rows, size=(6.5 * columns, 4.8 * rows)))
    for ax, retention in zip(axes, retentions):
        table.plot(ax=ax, retention=retention)
    for ax in axes[len(retentions):]:  # an odd panel out leaves one empty
        ax.remove()
    return axes[0]


def mde_figure(scenario, solution):
    """Power against effect, from none to twice the MDE, with the MDE marked."""
    import numpy as np

    # Stop short of a treated rate of 0% or 100%, which no scenario allows.
    if solution.value < 0:
        far = max(2 * solution.value, -0.98 * scenario.base_rate)
    else:
        far = min(2 * solution.value, 0.98 * (1 - scenario.base_rate))
    effects = np.linspace(min(far, 0.0), max(far, 0.0), CURVE_POINTS + 1)
    curve = powerplan.sweep(scenario, "effect", effects)
    return curve.plot(ax=new_axes(), solution=solution)
