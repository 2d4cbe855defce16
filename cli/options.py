"""Scenario options shared by the commands, and building a Scenario from them.

The options' values are read by the types in :mod:`.params`; a scenario file
given with --config is read here, and the options given override it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path

import click

import powerplan

from powerplan import (OUTCOMES, SETTINGS, Frequency, Funnel, Headline, Scenario, TimeToFirst,
                       limits)
from powerplan.errors import InvalidInputError
from powerplan.limits import (ALTERNATIVES, DEFAULT_MAX_SIMS, DEFAULT_SIMS, FOLLOW_UP_DAYS,
                              FREQUENCY_METHODS, MAX_COHORT, MAX_COMPARISON_RATIO, MAX_DISPERSION,
                              MAX_K, MAX_N_COMPARISON, MAX_OFFENCES_PER_REOFFENDER,
                              MAX_CALIPER, MAX_OUTCOME_STRENGTH, MAX_POOL, MAX_SELECTION, MAX_SIMS,
                              MAX_WORKERS, MEASURES, METHODS, MIN_COMPARISON_RATIO, MIN_MAX_SIMS,
                              MIN_POOL, SIMULATION_NODES, TESTS, TIME_METHODS)

from . import files
from .output import NOTES
from .params import (COMPARISON_RATIO, DAYS_TO_FIRST, DISPERSION, EFFECT, MEASURE_EFFECT,
                     OFFENCES_PER_REOFFENDER, PROPORTION, RATE_EFFECT, SHARE, Checked, InputFile,
                     PriorType, StageType, StandardInput, prior_problem, whole_number)

#: Command-line spelling of each library setting, for error messages: the scenario's
#: settings from the library's registry, then the options of the other commands.
OPTION_NAMES = {
    **{name: setting.option for name, setting in SETTINGS.items()},
    # the other measures' settings
    **{setting.name: setting.option for outcome in OUTCOMES.values()
       for setting in outcome.settings},
    "outcome": "--measure",
    "measure": "--measure",
    "frequency_effect": "--frequency-effect",
    "time_effect": "--time-effect",
    "funnel": "--stage",
    "stage": "--stage",
    # powerplan published
    "n_treated": "--n-treated",
    "treated_rate": "--treated-rate",
    "comparison_rate": "--comparison-rate",
    "target_power": "--target-power",
    "direction": "--direction",
    "prior": "--prior",
    "per_month": "--intake-per-month",
    "start": "--start",
    "end": "--end",
    "index_dates": "--index-dates",
    "index_date": "--index-dates",
    "lag_months": "--lag-months",
    "windows": "--window",
    "horizon_months": "--horizon-months",
    "now": "--now",
    # simulation settings and run options
    "pool": "--pool",
    "k": "--k",
    "replacement": "--no-replacement",
    "caliper": "--caliper",
    "selection": "--selection",
    "outcome_strength": "--outcome-strength",
    "bias": "--bias",
    "test": "--test",
    "n_sims": "--sims",
    "max_sims": "--sims",
    "precision": "--precision",
    "sims": "--sims",
    "seed": "--seed",
    "workers": "--workers",
    "quiet": "--quiet",
}

#: Simulation settings the command line sets (the rest come from a config file).
SIMULATION_OPTIONS = ("pool", "k", "replacement", "caliper", "selection", "outcome_strength",
                      "bias", "test")
#: Options of a simulation run rather than of the scenario.
RUN_OPTIONS = ("sims", "seed", "workers", "quiet")


def option_name(field: str) -> str:
    """The option a library field is set by (``"stage 'found'"`` -> ``--stage``)."""
    return OPTION_NAMES.get(field.split(" ")[0], field)


#: Library keywords a message or note may name, said as the command line's options.
_KEYWORDS = re.compile(r"\b(max_sims|n_sims|min_n_treated)\b")


def as_options(text: str) -> str:
    """``text`` with the library keywords it names (``max_sims``) as their options
    (``--sims``), for a message or note printed by the command line.

    >>> as_options("allow more with max_sims")
    'allow more with --sims'
    """
    return _KEYWORDS.sub(lambda match: option_name(match.group(1)), text)


#: The built-in scenario, whose settings the options' help gives as defaults.
DEFAULT = Scenario()
SIMULATION = DEFAULT.simulation
#: The other measures' defaults, for their options' help.
FREQUENCY, TIME = Frequency(), TimeToFirst()

#: Options that set one measure's parameters, by parameter name.
MEASURE_PARAMETERS = ("rate_effect", "offences_per_reoffender", "dispersion", "days_to_first")

def scenario_options(command=None, *, without=(), measures=MEASURES):
    """Add the options that describe a planned study to a command.

    ``@scenario_options`` adds them all; ``@scenario_options(without=("cohort",))``
    leaves out the named ones (by parameter name) for commands that vary them;
    ``measures`` are the choices of --measure (``power`` also takes ``all``).
    """
    if command is None:
        return lambda command: scenario_options(command, without=without, measures=measures)
    options = {
        "config": click.option(
            "--config", type=InputFile(),
            help="Scenario file (TOML) with keys such as cohort, retention, base_rate; "
                 "options given on the command line override it."),
        "cohort": click.option(
            "--cohort", type=whole_number("cohort", 1),
            help=f"People submitted to the data service (whole number >= 1). "
                 f"[default: {DEFAULT.cohort}]"),
        "retention": click.option(
            "--retention", type=SHARE,
            help=f"Retention: the share of the people submitted who are analysed, every "
                 f"loss included (found in the records, index date inside the data window, "
                 f"matched), in (0, 1] (0.4 or 40%). [default: {DEFAULT.retention:.2f}]"),
        "stages": click.option(
            "--stage", "stages", type=StageType(), multiple=True,
            help="A funnel stage as NAME=SHARE, repeatable in order "
                 "(--stage found=0.8 --stage \"in window=0.7\" --stage matched=0.6); "
                 "instead of --retention."),
        "base_rate": click.option(
            "--base-rate", type=PROPORTION,
            help=f"Comparison group's one-year reoffending rate, in (0, 1) (0.35 or 35%). "
                 f"[default: {DEFAULT.base_rate:g}]"),
        "effect": click.option(
            "--effect", type=EFFECT,
            help=f"Treated minus comparison rate: -0.05, -5pp (points), rr=0.9 "
                 f"(relative risk) or or=0.8 (odds ratio). [default: {DEFAULT.effect:g}]"),
        "comparison_ratio": click.option(
            "--comparison-ratio", type=COMPARISON_RATIO,
            help=f"Effective comparison records per analysed treated person, in "
                 f"[{MIN_COMPARISON_RATIO:g}, {MAX_COMPARISON_RATIO:,.0f}]. "
                 f"[default: {DEFAULT.comparison_ratio:g}]"),
        "n_comparison": click.option(
            "--n-comparison",
            type=whole_number("n_comparison", 1, MAX_N_COMPARISON),
            help=f"A fixed effective comparison size (whole number in "
                 f"[1, {MAX_N_COMPARISON:,}]), instead of --comparison-ratio."),
        "alpha": click.option(
            "--alpha", type=PROPORTION,
            help=f"Significance level, in [1e-10, 0.5). [default: {DEFAULT.alpha:g}]"),
        "alternative": click.option(
            "--alternative", type=click.Choice(ALTERNATIVES),
            help=f"two-sided, or less / greater to look only for a reduction / increase. "
                 f"[default: {DEFAULT.alternative}]"),
        "method": click.option(
            "--method", type=click.Choice(sorted({*METHODS, *FREQUENCY_METHODS, *TIME_METHODS})),
            help=f"Test. The rate: welch (as real analyses run it, exact for small studies) "
                 f"[default: {DEFAULT.method}], or the normal approximations wald (unpooled), "
                 f"pooled, arcsine, fleiss-cc, or those tests exact (wald-exact, ...); the "
                 f"frequency: welch (as real "
                 f"analyses), negbin-alt, negbin-control, negbin-pooled (Zhu and Lakkis); "
                 f"the time: welch (as real analyses), logrank-schoenfeld, logrank-freedman "
                 f"(a survival analysis of the same people)."),
        "measure": click.option(
            "--measure", type=click.Choice(measures),
            help="The headline measure: rate (one-year proven reoffending), frequency "
                 "(proven reoffences per person) or time (days to first reoffence, among "
                 "reoffenders; reported only with 30 treated reoffenders)"
                 + (", or all three together (with --rate-effect, --frequency-effect and "
                    "--time-effect)" if "all" in measures else "")
                 + ". --effect is on its scale: -5pp or rr=0.9; -0.2 or rr=0.8 offences per "
                   "person; +20d. [default: rate]"),
        "rate_effect": click.option(
            "--rate-effect", type=RATE_EFFECT,
            help=f"With --measure frequency or time: the effect on the reoffending rate in "
                 f"the same study, -0.05 or -5pp. [default: {100 * FREQUENCY.rate_effect:g}pp]"),
        "offences_per_reoffender": click.option(
            "--offences-per-reoffender", type=OFFENCES_PER_REOFFENDER,
            help=f"With --measure frequency: comparison reoffenders' mean proven reoffences "
                 f"in the year, in [1, {MAX_OFFENCES_PER_REOFFENDER:g}]. "
                 f"[default: {FREQUENCY.offences_per_reoffender:g}]"),
        "dispersion": click.option(
            "--dispersion", type=DISPERSION,
            help=f"With --measure frequency: negative binomial dispersion of the reoffences "
                 f"after the first (variance mean + dispersion x mean^2), in "
                 f"[0, {MAX_DISPERSION:g}]. [default: {FREQUENCY.dispersion:g}]"),
        "days_to_first": click.option(
            "--days-to-first", type=DAYS_TO_FIRST,
            help=f"With --measure time: comparison reoffenders' mean days to the first proven "
                 f"reoffence, in (0, {FOLLOW_UP_DAYS:g}). [default: {TIME.days_to_first:g}]"),
        "min_n_treated": click.option(
            "--min-n-treated",
            type=whole_number("min_n_treated", 2, MAX_COHORT),
            help=f"Fewest analysed treated people for an analysis to run (whole number in "
                 f"[2, {MAX_COHORT:,}]). [default: {DEFAULT.min_n_treated}]"),
    }
    for name, option in reversed(options.items()):
        if name not in without:
            command = option(command)
    return command


def prior_option(command):
    return click.option(
        "--prior", type=PriorType(),
        help="A belief about the effect instead of one value: normal:MEAN,SD in points "
             "(normal:-4,3), discrete:-6@0.3,-3@0.5,0@0.2, or a preset (published, "
             "published-sceptical; rate only). With --measure frequency in offences per "
             "person (normal:-0.2,0.1), with --measure time in days (normal:20,10). "
             "Reports assurance.")(command)


#: --sims for a command that simulates a study a given number of times.
SIMS_HELP = (f"Simulated studies (whole number >= 1; with --prior, at least one at each "
             f"effect simulated: {SIMULATION_NODES} for a normal prior, one per effect of a "
             f"discrete one); the Monte Carlo error of power is at most 0.5/sqrt(sims). "
             f"[default: {DEFAULT_SIMS:,}]")
#: --sims for a command that solves by simulation (size, mde).
SOLVER_SIMS_HELP = (f"With --engine simulate: the most simulated studies the search may use "
                    f"(whole number >= {MIN_MAX_SIMS:,}). [default: {DEFAULT_MAX_SIMS:,}]")


def simulation_options(command, sims_help: str = SIMS_HELP):
    """Add the simulated study's settings and run options to a command."""
    options = [
        click.option("--sims", type=whole_number("n_sims", 1, MAX_SIMS), help=sims_help),
        click.option("--seed", type=whole_number("seed", 0),
                     help="Seed (whole number >= 0): the same seed gives the same answer. "
                          "[default: a fresh one, printed with the result]"),
        click.option("--workers", type=whole_number("workers", 1, MAX_WORKERS),
                     help="Processes to simulate in parallel (>= 1). [default: 1]"),
        click.option("--pool", type=whole_number("pool", MIN_POOL, MAX_POOL),
                     help=f"Comparison pool: national records to match from (>= the expected "
                          f"number analysed). [default: {SIMULATION.pool:,}]"),
        click.option("--k", type=whole_number("k", 1, MAX_K),
                     help=f"Comparison records matched to each treated person (whole number "
                          f"in [1, {MAX_K}]). [default: {SIMULATION.k}]"),
        click.option("--caliper", type=Checked("number", "caliper",
                                                  lambda f, v: limits.up_to(f, v, MAX_CALIPER)),
                     help=f"Widest accepted match, in SDs of the logit propensity score "
                          f"(in (0, {MAX_CALIPER:g}]). "
                          f"[default: {SIMULATION.caliper:g}]"),
        click.option("--no-replacement", "replacement", flag_value=False, default=None,
                     help="Use each comparison record at most once (greedy matching)."),
        click.option("--selection", type=Checked("number", "selection", limits.non_negative),
                     help=f"How far treated people differ from the pool, in pool SDs of a "
                          f"selection index (in [0, {MAX_SELECTION:g}], less for long-tailed "
                          f"covariates in a config file; 0 for none). "
                          f"[default: {SIMULATION.selection:g}]"),
        click.option("--outcome-strength",
                     type=Checked("number", "outcome_strength",
                                  lambda f, v: limits.between(f, v, 0.0, MAX_OUTCOME_STRENGTH)),
                     help=f"How strongly the covariates predict reoffending: the log odds "
                          f"ratio per pool SD of risk (in [0, {MAX_OUTCOME_STRENGTH:g}]). "
                          f"[default: {SIMULATION.outcome_strength:.1f}]"),
        click.option("--bias", type=Checked("number", "bias", limits.real),
                     help=f"Unobserved confounding: a difference in reoffending rate the "
                          f"matching cannot remove, added to the estimate. "
                          f"[default: {SIMULATION.bias:g}]"),
        click.option("--test", type=click.Choice(TESTS),
                     help=f"Test each simulated study runs: welch (weighted Welch t-test, as "
                          f"real analyses) or an analytic method's twin. "
                          f"[default: {SIMULATION.test}]"),
        click.option("--quiet", is_flag=True,
                     help="No progress bar (it only shows on a terminal, for runs over 1 s)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def solver_simulation_options(command):
    """:func:`simulation_options` for a command that solves by simulation."""
    return simulation_options(command, SOLVER_SIMS_HELP)


def target_power_option(command):
    return click.option(
        "--target-power", type=PROPORTION, default=0.8, show_default=True,
        help="Power to reach, in (alpha, 1) (0.8 or 80%).")(command)


def json_option(command):
    return click.option("--json", "as_json", is_flag=True,
                        help="Print one JSON object instead of text.")(command)


def _read_config(path: Path) -> dict:
    def bad(message):
        return click.BadParameter(f"{path} {message}", param_hint="'--config'")

    try:
        data = path.read_bytes() if isinstance(path, StandardInput) else \
            files.read_bounded(path, bad)
        # utf-8-sig: editors on Windows start a file with a byte-order mark
        return tomllib.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise bad("is not UTF-8 text, so not a TOML file") from None
    except tomllib.TOMLDecodeError as error:
        raise bad(f"is not valid TOML: {error}") from None
    except RecursionError:
        raise bad("is not a scenario file: its tables or lists are nested too deeply") from None
    except OSError as error:
        raise bad(f"cannot be read: {error.strerror}") from None


def build_scenario(config=None, stages=(), simulation=None, *, uses_effect=True,
                   **options) -> Scenario:
    """Defaults, then the config file, then the options given.

    ``simulation`` holds simulation settings given as options; they override
    the config file's ``[simulation]`` table key by key. A command that sets
    or ignores the effect (``uses_effect=False``) gets an effect of 0 unless
    one is given, so that the default -5 points is not refused for a base
    rate below 5%.
    """
    settings = _read_config(config) if config is not None else {}
    from_config = set(settings)
    given = {key: value for key, value in options.items() if value is not None}
    measure = given.pop("measure", None)
    if measure == "all":
        raise click.BadParameter("all is planned by powerplan power only",
                                 param_hint="'--measure'")
    if measure is not None:
        from_config.discard("outcome")
        settings.pop("outcome", None)
        if measure != "rate":
            given["outcome"] = measure
    _check_measure_parameters(given, given.get("outcome", settings.get("outcome", "rate")))
    if "retention" in given and stages:
        raise click.UsageError("give either --retention or --stage, not both")
    if "retention" in given or stages:
        settings.pop("retention", None)
        settings.pop("funnel", None)
        from_config -= {"retention", "funnel"}
    if stages:
        names = [name for name, _ in stages]
        if len(set(names)) != len(names):
            raise click.BadParameter(f"stage names must be distinct; got {names}",
                                     param_hint="'--stage'")
        given["funnel"] = Funnel.from_shares(stages)
    for key in given:
        from_config.discard(key)
    settings.update(given)
    if not uses_effect:
        settings.setdefault("effect", 0.0)
    simulation = {key: value for key, value in (simulation or {}).items() if value is not None}
    if simulation or isinstance(settings.get("simulation"), Mapping):
        table = dict(settings.get("simulation", {}))
        from_config |= set(table) - set(simulation)
        settings["simulation"] = table | simulation
    try:
        scenario = Scenario.from_dict(settings)
    except InvalidInputError as error:
        key = error.field.split(" ")[0]
        # a funnel from the file is checked as retention, funnel or a stage
        funnel_from_config = from_config & {"retention", "funnel"}
        if key in from_config or (key in ("retention", "funnel", "stage") and funnel_from_config):
            raise click.BadParameter(f"{config}: {error.field} {error.requirement}",
                                     param_hint="'--config'") from None
        raise
    _note(scenario, settings, uses_effect)
    return scenario


#: Below this size (in proportion units, a tenth of a point) an effect is worth a note.
TINY_EFFECT = 0.001


def _note(scenario: Scenario, settings: dict, uses_effect: bool) -> None:
    """Notes for the first lines of the answer: the defaults assumed, an effect in the
    other direction than the reduction the answer speaks of, an effect too small to
    have been meant."""
    assumed = [key for key in ("base_rate", "effect")
               if key not in settings and (key != "effect" or uses_effect)]
    notes = [_assumed(scenario, assumed)] if assumed else []
    effect = scenario.effect
    if uses_effect and effect != 0:
        rate = scenario.outcome.name == "rate"
        if scenario.outcome.direction(effect) != "better":
            notes.append(f"Note: the effect {scenario.outcome.describe_effect()} is an increase "
                         f"in reoffending; a reduction is negative, such as -5pp." if rate else
                         f"Note: the effect {scenario.outcome.describe_effect()} is in the worse "
                         f"direction for the {scenario.outcome.measure}.")
        if rate and abs(effect) < TINY_EFFECT:
            notes.append(f"Note: the effect {100 * effect:+g} points is tiny (under a tenth of a "
                         f"point); -0.05 without pp is a 5-point reduction.")
    context = click.get_current_context(silent=True)
    if context is not None:
        context.meta[NOTES] = notes
        context.meta[ASSUMED] = (scenario, assumed)


#: The scenario of the answer and the settings its first line says were assumed.
ASSUMED = "powerplan.assumed"


def _assumed(scenario: Scenario, assumed: list) -> str:
    """The note saying which typical settings were assumed."""
    words = {"base_rate": f"a base rate of {scenario.base_rate:.0%}",
             "effect": f"an effect of {scenario.outcome.describe_effect()}"}
    options = " and ".join(SETTINGS[key].option for key in assumed)
    return (f"Assuming {' and '.join(words[key] for key in assumed)}, the typical "
            f"study's (give {options} for yours).")


def given_elsewhere(keys) -> None:
    """Settings the command took from elsewhere after all (every row of a file gave them):
    the first line no longer says they were assumed."""
    context = click.get_current_context(silent=True)
    if context is None or ASSUMED not in context.meta:
        return
    scenario, assumed = context.meta[ASSUMED]
    left = [key for key in assumed if key not in keys]
    if left == assumed:
        return
    notes = context.meta[NOTES]
    notes[0] = _assumed(scenario, left) if left else None
    context.meta[NOTES] = [note for note in notes if note is not None]
    context.meta[ASSUMED] = (scenario, left)


def _check_measure_parameters(given: dict, measure: str) -> None:
    """Refuse an option of a measure other than the one planned for, naming its measure."""
    outcome = OUTCOMES.get(measure)
    if outcome is None:  # the config file's outcome; Scenario.from_dict says what is wrong
        return
    for name in MEASURE_PARAMETERS:
        if name in given and name not in outcome.parameters:
            takers = " or ".join(key for key, other in OUTCOMES.items()
                                 if name in other.parameters)
            raise click.BadParameter(f"applies to --measure {takers}",
                                     param_hint=f"'{OPTION_NAMES[name]}'")


def prior_for(scenario, prior):
    """The --prior text read in the units of the scenario's measure (points of the
    rate, offences per person, days), or None."""
    if prior is None or not isinstance(prior, str):
        return prior
    try:
        return powerplan.parse_prior(prior, scenario.outcome)
    except InvalidInputError as error:
        raise click.BadParameter(prior_problem(error), param_hint="'--prior'") from None


def headline_options(command):
    """--frequency-effect and --time-effect: the effects of --measure all."""
    command = click.option(
        "--time-effect", type=MEASURE_EFFECT,
        help=f"With --measure all: the effect on the time to first reoffence, in days "
             f"(+20d). [default: {Headline().time_effect:+g}d]")(command)
    return click.option(
        "--frequency-effect", type=MEASURE_EFFECT,
        help=f"With --measure all: the effect on the frequency, offences per person (-0.2) "
             f"or a ratio (rr=0.8). [default: {Headline().frequency_effect:g}]")(
        command)


def headline_from(defaults: dict, shared: dict, frequency_effect, time_effect):
    """The three measures' parameters from the options, each error naming its option."""
    def checked(option, build):
        try:
            return build()
        except InvalidInputError as error:
            name = option or option_name(error.field)
            raise click.BadParameter(error.requirement, param_hint=f"'{name}'") from None

    settings = defaults | {name: value for name, value in shared.items() if value is not None}
    headline = checked(None, lambda: Headline(**settings))
    if frequency_effect is not None:
        frequency = headline.frequency
        settings["frequency_effect"] = checked("--frequency-effect", lambda: frequency.replace(
            effect=frequency.parse_effect(frequency_effect)).effect)
    if time_effect is not None:
        time = headline.time
        settings["time_effect"] = checked("--time-effect", lambda: time.replace(
            effect=time.parse_effect(time_effect)).effect)
    return checked(None, lambda: Headline(**settings))


def build_headline(options: dict, frequency_effect, time_effect, simulation=None):
    """The scenario (its outcome the rate) and the three measures' parameters of
    ``--measure all``, from the options (each error naming its option)."""
    options = dict(options, measure=None)
    shared = {name: options.pop(name) for name in MEASURE_PARAMETERS}
    scenario = build_scenario(simulation=simulation, **options)
    headline = headline_from(Headline.of(scenario.outcome).to_dict(), shared,
                             frequency_effect, time_effect)
    return scenario, headline


def refuse_headline_effects(frequency_effect, time_effect) -> None:
    """--frequency-effect and --time-effect are the effects of --measure all only."""
    for name, value in (("--frequency-effect", frequency_effect),
                        ("--time-effect", time_effect)):
        if value is not None:
            raise click.BadParameter("applies to --measure all; with one measure give "
                                     "--effect", param_hint=f"'{name}'")
