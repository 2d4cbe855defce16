"""Learning from a published result: what the analysis found and what it could have found.

Given a published comparison (analysed treated people, treated and
comparison reoffending rates, optionally the comparison size) this module
re-runs the test the analysis ran (a two-sample t-test with unequal
variances on 0/1 outcomes, via statsmodels) and reports *design information*:
the smallest difference that study could have detected with the target power,
and the cohort that would have been needed to detect the difference observed.

This is deliberately not "observed power" (power computed at the observed
difference), which is a function of the p-value and says nothing new
(Hoenig and Heisey 2001, *The American Statistician* 55: 19-24).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from .. import _format, _validate
from ..errors import InvalidInputError, NoSolutionError
from ..results.power import _one_row, _plain
from ..design.scenario import MAX_COHORT, Scenario
from ..limits import check_alpha, check_n_comparison
from ..solvers.solve import solve
from ..results.display import Displays


@dataclass(frozen=True, repr=False)
class PublishedReview(Displays):
    """A published result re-analysed, with the design information it implies.

    Attributes
    ----------
    n_treated, n_comparison : float
        Analysed treated people and the (effective) comparison size used.
    treated_rate, comparison_rate, difference : float
        The published rates and their difference (treated minus comparison).
    ci_low, ci_high, p_value, df : float
        Confidence interval (level ``1 - alpha``), two-sided p-value and
        Welch degrees of freedom of the unequal-variance t-test.
    significant : bool
        ``p_value <= alpha``.
    mde : float or None
        Smallest difference (in the direction observed; a reduction when the
        observed difference is 0) detectable with ``target_power`` at this
        study's size; None when no difference is detectable.
    n_treated_needed, cohort_needed : int or None
        Analysed treated people, and people to submit at ``retention``,
        needed to detect the observed difference with ``target_power``; None
        when the observed difference is 0 or needs more than 10 million.
    notes : tuple of str
        Assumptions made (for example an assumed comparison size).
    """

    n_treated: int
    treated_rate: float
    comparison_rate: float
    n_comparison: float
    difference: float
    ci_low: float
    ci_high: float
    p_value: float
    df: float
    significant: bool
    alpha: float
    target_power: float
    retention: float
    mde: float | None
    n_treated_needed: int | None
    cohort_needed: int | None
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        out = {k: _plain(v) for k, v in self.__dict__.items()}
        out["notes"] = list(self.notes)
        return out

    def to_frame(self):
        """A one-row DataFrame of :meth:`to_dict` (notes joined)."""
        return _one_row(self.to_dict())

    def plot(self, ax=None, **options):
        """Draw the difference, its interval, zero and the MDE; see
        :func:`powerplan.plotting.plot_published`."""
        from ..plotting import plot_published

        return plot_published(self, ax=ax, **options)

    def summary(self) -> str:
        verdict = "significant" if self.significant else "not significant"
        level = _format.level(self.alpha)
        text = (f"{_format.percent(self.treated_rate)} treated vs "
                f"{_format.percent(self.comparison_rate)} comparison: a difference of "
                f"{_format.points(self.difference)} ({level} CI {100 * self.ci_low:+.1f} to "
                f"{100 * self.ci_high:+.1f}, {_format.p_is(self.p_value)}), {verdict}.")
        power = _format.percent(self.target_power, 0)
        if self.mde is not None:
            text += (f" With {self.n_treated:,} treated people analysed, the smallest difference "
                     f"detectable with {power} power was {100 * abs(self.mde):.1f} points.")
        if self.n_treated_needed is not None:
            text += (f" Detecting {100 * abs(self.difference):.1f} points with {power} power "
                     f"would need about {self.n_treated_needed:,} analysed "
                     f"({self.cohort_needed:,} submitted at "
                     f"{_format.percent(self.retention, 0)} retention).")
        return text

    def __str__(self) -> str:
        rows = [
            ("treated", f"{_format.people(self.n_treated)} analysed, "
                        f"{_format.percent(self.treated_rate)} reoffended"),
            ("comparison", f"{_format.people(self.n_comparison)} (effective), "
                           f"{_format.percent(self.comparison_rate)} reoffended"),
            ("difference", f"{100 * self.difference:+.2f} points"),
            (f"{_format.level(self.alpha)} CI",
             f"{100 * self.ci_low:+.2f} to {100 * self.ci_high:+.2f} points"),
            ("p-value", f"{_format.p_value(self.p_value)} (Welch t-test, {self.df:,.1f} df)"),
            ("verdict", "significant" if self.significant else "not significant (inconclusive)"),
            (f"detectable with {_format.percent(self.target_power, 0)} power",
             "-" if self.mde is None else f"{100 * abs(self.mde):.2f} points"),
            ("analysed needed for observed", "-" if self.n_treated_needed is None
             else f"{self.n_treated_needed:,}"),
            ("submitted needed", "-" if self.cohort_needed is None
             else f"{self.cohort_needed:,} at {_format.percent(self.retention, 0)} retention"),
        ]
        text = "Published result, re-analysed (design information, not observed power)\n"
        text += _format.table(rows)
        for note in self.notes:
            text += f"\nNote: {note}"
        return text


def _group(rate: float, n: float) -> DescrStatsW:
    """A group of 0/1 outcomes summarised by its rate: frequency weights on 0 and 1."""
    return DescrStatsW([0.0, 1.0], weights=[n * (1 - rate), n * rate])


def review_published(n_treated: int, treated_rate: float, comparison_rate: float, *,
                     n_comparison: float | None = None, comparison_ratio: float = 10.0,
                     alpha: float = 0.05, target_power: float = 0.8,
                     retention: float = 0.4) -> PublishedReview:
    """Re-analyse a published result and derive design information from it.

    Parameters
    ----------
    n_treated : int
        Treated people analysed (>= 2).
    treated_rate, comparison_rate : float
        Published one-year proven reoffending rates, proportions in (0, 1).
    n_comparison : float, optional
        Effective comparison size. If omitted, ``comparison_ratio * n_treated``
        is assumed and a note says so.
    comparison_ratio : float
        Used only when ``n_comparison`` is omitted.
    alpha : float
        Significance level of the published test.
    target_power : float
        Power for the design information.
    retention : float
        Share of people submitted who are analysed, to turn the analysed
        people needed into people to submit.

    Returns
    -------
    PublishedReview

    Examples
    --------
    A published analysis of 3,085 people: 19% reoffended against 26% in the
    comparison group (whose size we take as 10 times larger):

    >>> review = review_published(3085, 0.19, 0.26)
    >>> round(100 * review.ci_low, 1), round(100 * review.ci_high, 1), review.significant
    (-8.5, -5.5, True)
    """
    n_treated = _validate.integer("n_treated", n_treated, 2, MAX_COHORT)
    treated_rate = _validate.proportion("treated_rate", treated_rate)
    comparison_rate = _validate.proportion("comparison_rate", comparison_rate)
    alpha = check_alpha("alpha", alpha)
    target_power = _validate.proportion("target_power", target_power)
    retention = _validate.share("retention", retention)
    notes = []
    if n_comparison is None:
        n_comparison = _validate.positive("comparison_ratio", comparison_ratio) * n_treated
        if n_comparison < 2:
            raise InvalidInputError(
                "comparison_ratio", f"must give at least 2 comparison records "
                                    f"({comparison_ratio:g} x {n_treated:,} is {n_comparison:g})")
        notes.append(f"comparison size not given: assumed {comparison_ratio:g} effective "
                     f"records per treated person ({n_comparison:,.0f})")
    else:
        n_comparison = check_n_comparison("n_comparison", n_comparison)

    compare = CompareMeans(_group(treated_rate, n_treated), _group(comparison_rate, n_comparison))
    _, p_value, df = compare.ttest_ind(usevar="unequal")
    ci_low, ci_high = compare.tconfint_diff(alpha=alpha, usevar="unequal")
    difference = treated_rate - comparison_rate

    try:
        design = Scenario(cohort=n_treated, funnel=1.0, base_rate=comparison_rate,
                          effect=difference, comparison_ratio=n_comparison / n_treated,
                          alpha=alpha)
    except InvalidInputError as error:
        if error.field != "effect":
            raise
        # rates within rounding of 0 or 1 leave no treated rate to plan with
        raise InvalidInputError("treated_rate", f"is too close to 0 or 1 to plan with; got "
                                                f"{treated_rate:g}") from None
    direction = "increase" if difference > 0 else "reduction"
    try:
        mde = float(solve(design, "effect", target_power=target_power, direction=direction).value)
    except NoSolutionError as why:
        mde = None
        notes.append(f"no {direction} is detectable with this study's size: {why}")
    n_needed = cohort = None
    if difference != 0:
        try:
            n_needed = solve(design, "cohort", target_power=target_power).value
            cohort = solve(design.replace(funnel=retention), "cohort",
                           target_power=target_power).value
        except NoSolutionError as why:
            notes.append(f"the observed difference is too small to plan for: {why}")
            n_needed = cohort = None
    else:
        notes.append("the observed difference is 0: no cohort would detect it")
    return PublishedReview(
        n_treated=n_treated, treated_rate=treated_rate, comparison_rate=comparison_rate,
        n_comparison=float(n_comparison), difference=difference, ci_low=float(ci_low),
        ci_high=float(ci_high), p_value=float(p_value), df=float(df),
        significant=bool(p_value <= alpha), alpha=alpha, target_power=target_power,
        retention=retention, mde=mde, n_treated_needed=n_needed, cohort_needed=cohort,
        notes=tuple(notes),
    )
