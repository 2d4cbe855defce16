"""The frequency in a simulated study: offences per person, tested by the weighted Welch t-test.

Whether each person reoffends is the rate's draw (:mod:`.rate`, calibrated the
same way); a reoffender's further offences come from the replicate's counts
generator (:mod:`.person`): negative binomial with the treated or the
comparison reoffenders' mean beyond the first. Each study compares the
treated mean with the weighted comparison mean, by the Welch t-test with the
comparison's Kish effective size, as the analysis does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import rate
from .person import COUNTS, draw_extra_offences, group_moments, outcome_generator, \
    placeholders, welch_means
from .rate import RateComparison

#: The per-study columns of the replicates table.
COLUMNS = ("treated_frequency", "comparison_frequency")


class Frequencies(NamedTuple):
    """Per study: the two groups' mean offences per person, then their variances."""

    treated: np.ndarray
    comparison: np.ndarray
    treated_variance: np.ndarray
    comparison_variance: np.ndarray


@dataclass(frozen=True)
class FrequencyModel:
    """The rate's calibrated model and each group's reoffenders' mean count."""

    rate: rate.RateModel
    treated_count: float
    comparison_count: float
    dispersion: float


def calibrate(scenario, population, pool, pilot) -> FrequencyModel:
    """The rate's calibration (who reoffends), with the counts of the outcome."""
    outcome = scenario.outcome
    return FrequencyModel(rate.calibrate(scenario, population, pool, pilot),
                          outcome.treated_offences_per_reoffender,
                          outcome.offences_per_reoffender, outcome.dispersion)


draw_people = rate.draw_people


def offences(model: FrequencyModel, treated_y, record_y, matched, n_records):
    """Offences in the year of each treated person left after the funnel and of each
    matched record (0 for those who do not reoffend, ``treated_y``, ``record_y``: the
    further offences are drawn for reoffenders only)."""
    m = matched
    blocks = len(n_records)
    # Counts are drawn for reoffenders only, study by study, records first.
    record_reoffenders = np.bincount(m.record_row[record_y], minlength=blocks)
    treated_reoffenders = np.bincount(m.row[treated_y], minlength=blocks)
    extra_records, extra_treated = [np.empty(0)], [np.empty(0)]
    for rng, n_rec, n_row in zip(m.rngs, record_reoffenders, treated_reoffenders):
        counts = outcome_generator(rng, COUNTS)
        extra_records.append(draw_extra_offences(counts, model.comparison_count - 1,
                                                 model.dispersion, int(n_rec)))
        extra_treated.append(draw_extra_offences(counts, model.treated_count - 1,
                                                 model.dispersion, int(n_row)))
    treated = np.zeros(len(treated_y))
    treated[treated_y] = 1.0 + np.concatenate(extra_treated)
    records = np.zeros(len(record_y))
    records[record_y] = 1.0 + np.concatenate(extra_records)
    return treated, records


def measure(model: FrequencyModel, population, strength: float, matched,
            n_records) -> Frequencies:
    """Step 4: each study's treated and weighted comparison offences per person."""
    treated_y, record_y = rate.reoffended(model.rate, population, strength, matched, n_records)
    return summarise(*offences(model, treated_y, record_y, matched, n_records), matched)


def summarise(treated, records, matched) -> Frequencies:
    """Each study's treated and weighted comparison offences per person."""
    m = matched
    blocks = len(m.n_treated)
    analysed = m.n_matches > 0
    _, treated_mean, treated_var, _ = group_moments(
        treated[analysed], np.ones(int(analysed.sum())), m.row[analysed], blocks)
    _, comparison_mean, comparison_var, _ = group_moments(records, m.record_weight,
                                                          m.record_row, blocks)
    return Frequencies(treated_mean, comparison_mean, treated_var, comparison_var)


def analyse(measured: Frequencies, n_treated, n_comparison, ok, *, test, alpha,
            alternative) -> RateComparison:
    """Step 5: the weighted Welch t-test of the frequencies, for the studies that can be
    analysed (``ok``; the others get placeholders and are not reported)."""
    values = placeholders(ok, measured.treated, measured.treated_variance, n_treated,
                          measured.comparison, measured.comparison_variance, n_comparison)
    return welch_means(*values, alpha=alpha, alternative=alternative)
