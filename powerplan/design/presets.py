"""Named priors built from published matched-cohort reoffending results, and
:func:`parse_prior`, which reads a prior typed as text or named by its preset.

``PUBLISHED_RESULTS`` lists headline results of Justice Data Lab analyses
(analysed treated people, treated and comparison one-year proven reoffending
rates, as published, rounded to whole percentages) with where each was read.
The presets are meta-analytic summaries of these rows, computed with
statsmodels' ``combine_effects`` (DerSimonian-Laird between-service variance;
each row's sampling variance ``p1 q1 / n1 + p2 q2 / (10 n1)``, assuming 10
effective comparison records per treated person):

``published``
    Normal with the random-effects mean and the between-service standard
    deviation tau. The rows are selected (charities publicise good results;
    most published analyses are inconclusive, but most rows here are
    significant), so this is optimistic.
``published-sceptical``
    The fixed-effect (precision-weighted) mean, dominated by the largest
    programmes, with the same tau.

docs/assurance.md gives the numbers and their weaknesses.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np

from ..errors import InvalidInputError
from .priors import DiscretePrior, NormalPrior, Prior, _outcome

#: (service and report, analysed treated, treated rate, comparison rate, significant, source)
PUBLISHED_RESULTS = (
    ("Prisoners' Education Trust, any grant (Jan 2014)", 3085, 0.19, 0.26, True,
     "https://www.prisonerseducation.org.uk/resources/justice-data-lab-re-offending-analysis-"
     "prisoners-education-trust"),
    ("The Clink restaurant training (Nov 2016)", 89, 0.17, 0.29, True,
     "https://paperzz.com/doc/8151855/re-offending-behaviour-after-participation-in-the-clink-r..."),
    ("The Clink (Jul 2022)", 258, 0.12, 0.13, False,
     "https://gov.uk/government/statistics/justice-data-lab-statistics-july-2022/"
     "the-clink-report-html-version"),
    ("Brighton Women's Centre, 2nd analysis (Oct 2024)", 114, 0.25, 0.28, False,
     "https://gov.uk/government/statistics/justice-data-lab-statistics-october-2024/"
     "brighton-womens-centre-bwc-report-html-version"),
    ("Langley House Trust (2015)", 231, 0.26, 0.35, True,
     "https://www.langleyhousetrust.org/justice-data-lab-results-show-impact-on-reoffending/"),
    ("Blue Sky, employment after custody", 72, 0.31, 0.43, True,
     "https://www.readkong.com/page/justice-data-lab-re-offending-analysis-blue-sky-6996247"),
    ("LandWorks (Apr 2026)", 90, 0.13, 0.21, True,
     "https://www.gov.uk/government/statistics/justice-data-lab-statistics-april-2026/"
     "landworks-report-html-version"),
    ("City & Guilds prison courses (Feb 2017)", 8513, 0.40, 0.42, True,
     "https://pdfslide.us/documents/justice-data-lab-analysis-re-offending-behaviour-after-"
     "participation-with-city.html"),
    ("City & Guilds 3rd analysis, males (Apr 2026)", 19807, 0.20, 0.19, False,
     "https://www.gov.uk/government/statistics/justice-data-lab-statistics-april-2026/"
     "city-and-guilds-3rd-analysis-report-html-version"),
)

_ASSUMED_COMPARISON_RATIO = 10


@cache
def published_meta_analysis():
    """statsmodels' combined-effects result for :data:`PUBLISHED_RESULTS`.

    >>> meta = published_meta_analysis()
    >>> round(100 * float(meta.mean_effect_re), 2), round(100 * float(meta.mean_effect_fe), 2)
    (-4.71, -0.63)
    >>> round(100 * float(np.sqrt(meta.tau2)), 2)
    3.82
    """
    from statsmodels.stats.meta_analysis import combine_effects

    n = np.array([row[1] for row in PUBLISHED_RESULTS], dtype=float)
    treated = np.array([row[2] for row in PUBLISHED_RESULTS])
    comparison = np.array([row[3] for row in PUBLISHED_RESULTS])
    variance = (treated * (1 - treated) / n
                + comparison * (1 - comparison) / (_ASSUMED_COMPARISON_RATIO * n))
    return combine_effects(treated - comparison, variance, method_re="dl")


def _published() -> NormalPrior:
    meta = published_meta_analysis()
    return NormalPrior(float(meta.mean_effect_re), float(np.sqrt(meta.tau2)))


def _published_sceptical() -> NormalPrior:
    meta = published_meta_analysis()
    return NormalPrior(float(meta.mean_effect_fe), float(np.sqrt(meta.tau2)))


#: Preset name -> function building the prior (computed on first use).
PRIOR_PRESETS = {"published": _published, "published-sceptical": _published_sceptical}


def preset(name: str) -> NormalPrior:
    """The prior named ``name`` (see :data:`PRIOR_PRESETS`)."""
    return PRIOR_PRESETS[name]()


#: The forms parse_prior reads, for its error message.
_FORMS = ("normal:MEAN,SD in {unit} (normal:{example}) or discrete:EFFECT@WEIGHT,... in "
          "{unit} (discrete:{discrete})")
_EXAMPLES = {"points": ("-4,3", "-6@0.3,-3@0.5,0@0.2"),
             "offences per person": ("-0.2,0.1", "-0.3@0.5,0@0.5"),
             "days": ("20,10", "30@0.5,0@0.5")}


def parse_prior(text: str, outcome=None) -> Prior:
    """Read ``normal:-4,3`` or ``discrete:-6@0.3,-3@0.5,0@0.2`` in the units of
    ``outcome``'s effect (points of the rate when ``outcome`` is None or the rate;
    offences per person for the frequency, days for the time to first reoffence),
    or the name of a preset (the presets are summaries of published rates, so
    they are for the rate only).

    >>> parse_prior("normal:-4,3")
    NormalPrior(mean=-0.04, sd=0.03)
    >>> parse_prior("discrete:-6@1,0@1").weights
    (0.5, 0.5)
    >>> from powerplan.outcomes import TimeToFirst
    >>> parse_prior("normal:20,10", TimeToFirst())
    NormalPrior(mean=20.0, sd=10.0)
    """
    rate = _outcome(outcome) is None or outcome.name == "rate"
    unit = "points" if rate else outcome.unit
    cleaned = str(text).strip().lower().replace(" ", "")
    if cleaned in PRIOR_PRESETS:
        if not rate:
            raise InvalidInputError(
                "prior", f"preset {cleaned!r} summarises published reoffending rates, so it "
                         f"is for the rate only; give the {outcome.measure} a normal: or "
                         f"discrete: prior in {unit}")
        return preset(cleaned)
    try:
        kind, _, body = cleaned.partition(":")
        if kind == "normal":
            mean, sd = (float(v) for v in body.split(","))
            return (NormalPrior.points if rate else NormalPrior)(mean, sd)
        if kind == "discrete":
            pairs = [re.fullmatch(r"([-+.\d]+)@([.\d]+)", item).groups() for item in body.split(",")]
            return (DiscretePrior.points if rate else DiscretePrior)(
                [float(e) for e, _ in pairs], [float(w) for _, w in pairs])
    except InvalidInputError:
        raise
    except (ValueError, AttributeError):
        pass
    presets = ", ".join(sorted(PRIOR_PRESETS))
    forms = _FORMS.format(unit=unit, example=_EXAMPLES[unit][0], discrete=_EXAMPLES[unit][1])
    raise InvalidInputError("prior", f"must be {forms}, or a preset ({presets}); got {text!r}")
