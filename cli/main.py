"""``powerplan``: answer power and sample-size questions from the shell."""

from __future__ import annotations

import os
import signal
import sys

import click

import powerplan
from powerplan.errors import InvalidInputError, NoSolutionError, shorten

from . import files
from .options import as_options, option_name

#: Exit codes: 0 answered, 1 no answer exists, 2 bad input (including a file that
#: cannot be read or written), 3 an internal error (a bug), 130 interrupted (Ctrl-C).
EXIT_NO_SOLUTION = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130
#: Where to report an internal error.
REPORT = ("this is a bug in powerplan: please report it with the command you ran "
          "(POWERPLAN_DEBUG=1 shows the traceback)")


class PowerplanGroup(click.Group):
    """A click group whose errors are one line on stderr, never a traceback."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        files.forget_written()
        try:
            # Outside standalone mode click returns the exit code of --help,
            # --version and ctx.exit() (click >= 8.1) and raises everything else.
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as error:
            _error(error.format_message())
            code = error.exit_code
        except InvalidInputError as error:
            _error(f"Invalid value for '{option_name(error.field)}': {error.requirement}")
            code = EXIT_BAD_INPUT
        except NoSolutionError as error:
            _error(as_options(str(error)))
            code = EXIT_NO_SOLUTION
        except (click.Abort, KeyboardInterrupt):
            # Ctrl-C: the user knows; say nothing more (the shell's convention, 128 + SIGINT).
            code = EXIT_INTERRUPTED
        except Exception as error:
            if os.environ.get("POWERPLAN_DEBUG"):
                raise
            _error(f"unexpected {type(error).__name__}: {error}; {REPORT}")
            code = EXIT_INTERNAL
        if standalone_mode:
            sys.exit(code)
        return code

    def parse_args(self, ctx, args):
        # Plain `powerplan` asks what it can do: the help is the answer, on stdout
        # (click would report it as a usage error).
        if not args and not ctx.resilient_parsing:
            click.echo(ctx.get_help())
            ctx.exit()
        return super().parse_args(ctx, args)


def _error(message: str) -> None:
    """Print an error (a value echoed in it cut short), and the files the command wrote
    before it failed, if any: a failed command says exactly what it left behind."""
    click.echo(f"Error: {shorten(message)}", err=True)
    done = files.written()
    if done:
        click.echo(f"Written before the error: {', '.join(str(path) for path in done)}",
                   err=True)


@click.group(cls=PowerplanGroup, context_settings={"help_option_names": ["-h", "--help"]},
             epilog="The words used here (power, significance, the funnel, retention, MDE, "
                    "assurance) are explained in docs/glossary.md.")
@click.version_option(powerplan.__version__, prog_name="powerplan")
def cli():
    """Power and sample size for matched-cohort reoffending evaluations.

    Every command describes one planned study with the same options
    (cohort, retention or funnel stages, base rate, effect, comparison
    design, test); the defaults are a typical study: 300 people submitted,
    40% analysed, a 35% base rate, a 5-point reduction, 10 comparison
    records per treated person, a two-sided Wald test at alpha 0.05.

    \b
    Examples:
      powerplan power --cohort 300 --retention 0.4 --effect -5pp
      powerplan size --base-rate 0.35 --effect rr=0.85 --target-power 0.8
      powerplan mde --cohort 1000 --stage found=0.8 --stage matched=0.5

    Exit codes: 0 answered, 1 no answer exists, 2 bad input (including files
    that cannot be read or written), 3 an internal error (a bug: please
    report it), 130 interrupted.
    """


# Each module adds its commands to the group.
from .commands import (check, curve, plan, portfolio, published, report,  # noqa: E402
                       simulate, table, wait)

plan.register(cli)
simulate.register(cli)
table.register(cli)
published.register(cli)
portfolio.register(cli)
wait.register(cli)
check.register(cli)
curve.register(cli)
report.register(cli)


def _stop(signum, frame):
    """SIGTERM ends the command through Python (exit 143, the shell's 128 + SIGTERM), so
    that a simulation's worker processes are terminated with it, not left running."""
    raise SystemExit(128 + signum)


def main(argv=None):
    """Console-script entry point."""
    signal.signal(signal.SIGTERM, _stop)
    cli.main(args=argv, prog_name="powerplan")
