"""Time to first reoffence in a simulated study: days among reoffenders, and the gate.

Whether each person reoffends is the rate's draw (:mod:`.rate`); a
reoffender's days to the first proven reoffence come from the replicate's
days generator (:mod:`.person`), by the inverse distribution function of the
truncated exponential with the group's mean. Each study compares the treated
reoffenders' mean days with their matched reoffending records' weighted mean
(Welch, with the reoffending records' Kish effective size), and reports it
only with at least 30 treated reoffenders: otherwise the verdict is *not
reported* (as it is if fewer than two comparison records reoffend, which
leaves nothing to compare).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..outcomes.time import truncated_exponential
from . import rate
from .person import (DAYS, NOT_REPORTED, days_from_uniforms, group_moments, outcome_generator,
                     placeholders, welch_means)
from .rate import RateComparison

#: The per-study columns of the replicates table.
COLUMNS = ("treated_days", "comparison_days", "treated_reoffenders")


class Days(NamedTuple):
    """Per study: mean days among treated and (weighted) comparison reoffenders, the
    treated reoffenders, their variances and the comparison reoffenders' effective size."""

    treated: np.ndarray
    comparison: np.ndarray
    treated_reoffenders: np.ndarray
    treated_variance: np.ndarray
    comparison_variance: np.ndarray
    comparison_reoffenders: np.ndarray


@dataclass(frozen=True)
class TimeModel:
    """The rate's calibrated model, each group's daily rate and the gate."""

    rate: rate.RateModel
    treated_lambda: float
    comparison_lambda: float
    gate: int


def calibrate(scenario, population, pool, pilot) -> TimeModel:
    """The rate's calibration (who reoffends), with each group's days distribution."""
    outcome = scenario.outcome
    return TimeModel(rate.calibrate(scenario, population, pool, pilot),
                     truncated_exponential(outcome.treated_days)[0],
                     truncated_exponential(outcome.days_to_first)[0],
                     outcome.min_treated_reoffenders)


draw_people = rate.draw_people


def days(model: TimeModel, matched, n_records, treated_y, record_y):
    """Days to the first reoffence of each reoffending treated person left after the
    funnel and each reoffending matched record (drawn for reoffenders only, study by
    study, records first; NaN for the others)."""
    m = matched
    blocks = len(n_records)
    record_reoffenders = np.bincount(m.record_row[record_y], minlength=blocks)
    treated_reoffenders = np.bincount(m.row[treated_y], minlength=blocks)
    uniforms = [np.empty(0)]
    split = []
    for rng, n_rec, n_row in zip(m.rngs, record_reoffenders, treated_reoffenders):
        uniforms.append(outcome_generator(rng, DAYS).random(int(n_rec) + int(n_row)))
        split.append(int(n_rec))
    records, treated = [np.empty(0)], [np.empty(0)]
    for u, n_rec in zip(uniforms[1:], split):
        records.append(u[:n_rec])
        treated.append(u[n_rec:])
    treated_days = np.full(len(treated_y), np.nan)
    treated_days[treated_y] = days_from_uniforms(np.concatenate(treated), model.treated_lambda)
    record_days = np.full(len(record_y), np.nan)
    record_days[record_y] = days_from_uniforms(np.concatenate(records), model.comparison_lambda)
    return treated_days, record_days


def summarise(model: TimeModel, treated_days, record_days, treated_y, record_y, matched,
              blocks: int) -> Days:
    """Each study's days among its treated and its (weighted) comparison reoffenders."""
    m = matched
    analysed = m.n_matches > 0
    reoffender = treated_y[analysed].astype(float)
    count, treated_mean, treated_var, _ = group_moments(
        np.nan_to_num(treated_days[analysed]), reoffender, m.row[analysed], blocks)
    _, comparison_mean, comparison_var, ess = group_moments(
        np.nan_to_num(record_days), m.record_weight * record_y, m.record_row, blocks)
    return Days(treated_mean, comparison_mean, count, treated_var, comparison_var,
                np.nan_to_num(ess))


def measure(model: TimeModel, population, strength: float, matched, n_records) -> Days:
    """Step 4: each study's days among treated and comparison reoffenders."""
    treated_y, record_y = rate.reoffended(model.rate, population, strength, matched, n_records)
    treated_days, record_days = days(model, matched, n_records, treated_y, record_y)
    return summarise(model, treated_days, record_days, treated_y, record_y, matched,
                     len(matched.n_treated))


def analyse(measured: Days, n_treated, n_comparison, ok, *, test, alpha, alternative,
            gate: int = 30) -> RateComparison:
    """Step 5: the weighted Welch t-test of days among reoffenders for the studies that
    are analysed and reported; the analysed others get the verdict *not reported*."""
    reported = ok & (measured.treated_reoffenders >= gate) & (measured.comparison_reoffenders > 1)
    values = placeholders(reported, measured.treated, measured.treated_variance,
                          measured.treated_reoffenders, measured.comparison,
                          measured.comparison_variance, measured.comparison_reoffenders)
    result = welch_means(*values, alpha=alpha, alternative=alternative)
    verdict = np.where(ok & ~reported, NOT_REPORTED, result.verdict)
    nan = np.where(reported, 1.0, np.nan)
    return result._replace(verdict=verdict, p_value=result.p_value * nan,
                           estimate=result.estimate * nan,
                           standard_error=result.standard_error * nan,
                           ci_low=result.ci_low * nan, ci_high=result.ci_high * nan)
