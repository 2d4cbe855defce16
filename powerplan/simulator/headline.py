"""The three headline measures in one simulated study: the same people, the same weights.

Each replicate draws who reoffends exactly as the rate's simulation does (so
the rate's verdicts are the rate-only simulation's, seed for seed), the
reoffenders' counts and days from the replicate's own further generators
(:mod:`.person`: the frequency-only and time-only simulations draw the same),
and runs each measure's weighted Welch t-test as the analysis does, the time
to first reoffence only with 30 treated reoffenders. The replicate columns
hold every measure's estimate, p-value and verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import frequency, rate, time

#: The per-study columns of the replicates table: the rate's first (its test is the
#: study's own ``estimate``, ``p_value`` and ``verdict``), then the others'.
COLUMNS = ("treated_rate", "comparison_rate", "treated_frequency", "comparison_frequency",
           "frequency_estimate", "frequency_standard_error", "frequency_ci_low",
           "frequency_ci_high", "frequency_p_value", "frequency_verdict", "treated_days",
           "comparison_days", "treated_reoffenders", "time_estimate", "time_standard_error",
           "time_ci_low", "time_ci_high", "time_p_value", "time_verdict")


class Headlines(NamedTuple):
    treated_rate: np.ndarray
    comparison_rate: np.ndarray
    treated_frequency: np.ndarray
    comparison_frequency: np.ndarray
    frequency_estimate: np.ndarray
    frequency_standard_error: np.ndarray
    frequency_ci_low: np.ndarray
    frequency_ci_high: np.ndarray
    frequency_p_value: np.ndarray
    frequency_verdict: np.ndarray
    treated_days: np.ndarray
    comparison_days: np.ndarray
    treated_reoffenders: np.ndarray
    time_estimate: np.ndarray
    time_standard_error: np.ndarray
    time_ci_low: np.ndarray
    time_ci_high: np.ndarray
    time_p_value: np.ndarray
    time_verdict: np.ndarray


@dataclass(frozen=True)
class HeadlineModel:
    """Each measure's calibrated model (one calibration of who reoffends), and the test."""

    frequency: frequency.FrequencyModel
    time: time.TimeModel
    alpha: float
    alternative: str


def calibrate(scenario, headline, population, pool, pilot, rate_model) -> HeadlineModel:
    """The frequency's and the time's models around the rate's calibration."""
    f, t = headline.frequency, headline.time
    return HeadlineModel(
        frequency.FrequencyModel(rate_model, f.treated_offences_per_reoffender,
                                 f.offences_per_reoffender, f.dispersion),
        time.TimeModel(rate_model, *(time.truncated_exponential(d)[0]
                                     for d in (t.treated_days, t.days_to_first)),
                       t.min_treated_reoffenders),
        scenario.alpha, scenario.alternative)


def measure(model: HeadlineModel, population, strength: float, matched, n_records) -> Headlines:
    """Step 4 for all three measures, and step 5 for the frequency and the time (the
    rate's test is :func:`analyse`, the study's own)."""
    m = matched
    treated_y, record_y = rate.reoffended(model.frequency.rate, population, strength, m,
                                          n_records)
    rates = rate.summarise(treated_y, record_y, m)
    counts = frequency.summarise(*frequency.offences(model.frequency, treated_y, record_y, m,
                                                     n_records), m)
    days = time.summarise(model.time, *time.days(model.time, m, n_records, treated_y, record_y),
                          treated_y, record_y, m, len(m.n_treated))
    ok = m.reason == 0
    tested = dict(alpha=model.alpha, alternative=model.alternative, test="welch")
    by_count = frequency.analyse(counts, m.n_treated, m.ess, ok, **tested)
    by_days = time.analyse(days, m.n_treated, m.ess, ok, gate=model.time.gate, **tested)
    return Headlines(*rates, counts.treated, counts.comparison, by_count.estimate,
                     by_count.standard_error, by_count.ci_low, by_count.ci_high,
                     by_count.p_value, by_count.verdict,
                     days.treated, days.comparison, days.treated_reoffenders,
                     by_days.estimate, by_days.standard_error, by_days.ci_low,
                     by_days.ci_high, by_days.p_value, by_days.verdict)


def analyse(measured: Headlines, n_treated, n_comparison, ok, *, test, alpha, alternative):
    """Step 5 for the rate: the study's own test (see :func:`.rate.analyse`)."""
    return rate.analyse((measured.treated_rate, measured.comparison_rate), n_treated,
                        n_comparison, ok, test=test, alpha=alpha, alternative=alternative)
