"""How a file of people becomes an estimated funnel: the settings of powerplan check.

Kept apart from the check itself (:mod:`powerplan.decisions.check`), which
reads frames with pandas, so that the command line can show these defaults
in its help without loading it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from .. import _validate, limits


@dataclass(frozen=True)
class CheckSettings:
    """How a file of people becomes an estimated funnel. Every default is an assumption
    documented in docs/organisation.md ("The settings of a check"); replace it with
    the data service's own figures when it gives them.

    Attributes
    ----------
    found_with_pnc_number : float
        Chance that a person with a valid PNC number is found in the records, in [0, 1].
    found_with_prison_number : float
        Chance for a person with a prison number and no valid PNC number.
    found_with_name_and_date_of_birth : float
        Chance for a person with a forename, surname and date of birth only.
    found_with_nothing : float
        Chance for a person without even a name and date of birth.
    matched : float
        Share of the people found and analysable who are matched to comparison
        records (and have a qualifying sentence), in (0, 1].
    earliest_index_date : datetime.date
        Index dates before it are taken for mistakes and left out.
    youngest, oldest : int
        Ages at the index date outside [youngest, oldest] make a date of birth invalid.
    """

    found_with_pnc_number: float = 0.95
    found_with_prison_number: float = 0.90
    found_with_name_and_date_of_birth: float = 0.70
    found_with_nothing: float = 0.0
    matched: float = 0.75
    earliest_index_date: dt.date = dt.date(2000, 1, 1)
    youngest: int = 10
    oldest: int = 100

    def __post_init__(self):
        set_ = object.__setattr__
        for name in ("found_with_pnc_number", "found_with_prison_number",
                     "found_with_name_and_date_of_birth", "found_with_nothing"):
            set_(self, name, _validate.between(name, getattr(self, name), 0.0, 1.0))
        set_(self, "matched", _validate.share("matched", self.matched))
        set_(self, "earliest_index_date",
             limits.date("earliest_index_date", self.earliest_index_date))
        set_(self, "youngest", _validate.integer("youngest", self.youngest, 0, 150))
        set_(self, "oldest", _validate.integer("oldest", self.oldest, self.youngest + 1, 150))

    def found(self, identified_by: str) -> float:
        """The chance of being found for people identified by ``identified_by``
        (one of :data:`~powerplan.decisions.people.IDENTIFIED_BY`)."""
        return getattr(self, f"found_with_{identified_by}")

    def to_dict(self) -> dict:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["earliest_index_date"] = self.earliest_index_date.isoformat()
        return out
