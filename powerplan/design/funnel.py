"""The funnel from people submitted to people analysed.

Each stage keeps a share of the people who reached it (found in the national
records, index date inside the data window, matched to comparison records,
...). Overall retention is the product of the shares; a single overall
retention is the one-stage funnel.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .. import _validate
from ..errors import InvalidInputError

#: The name of everyone submitted, before the first stage (the simulator's funnel
#: table starts with it), so no stage may take it.
SUBMITTED = "submitted"


@dataclass(frozen=True)
class Stage:
    """One stage of the funnel: its name and the share of people it keeps."""

    name: str
    share: float


#: One-stage funnels already made, by their retention (a float): Funnel.single's.
_SINGLE: dict = {}


@dataclass(frozen=True)
class Funnel:
    """Ordered stages, each keeping a share in (0, 1] of those who reach it.

    Stage names are distinct, not empty and not ``submitted`` (everyone
    submitted, before the first stage).

    Examples
    --------
    >>> funnel = Funnel.from_shares({"found": 0.8, "in window": 0.7, "matched": 0.75})
    >>> round(funnel.retention, 6)
    0.42
    >>> [round(n, 1) for n in funnel.expected_counts(300)]
    [300.0, 240.0, 168.0, 126.0]
    """

    stages: tuple[Stage, ...]

    def __post_init__(self):
        stages = tuple(_validate.sequence("funnel", self.stages, of="Stage values"))
        if not stages:
            raise InvalidInputError("funnel", "must have at least one stage")
        checked = []
        for stage in stages:
            if not isinstance(stage, Stage):
                raise InvalidInputError("funnel", f"stages must be Stage values; got {stage!r}")
            name = str(stage.name).strip()
            if not name:
                raise InvalidInputError("stage", "names must not be empty")
            if name.lower() == SUBMITTED:
                raise InvalidInputError("stage", f"name {name!r} is taken: it stands for "
                                                 f"everyone submitted, before the first stage")
            field = "retention" if len(stages) == 1 and name == "analysed" else f"stage {name!r}"
            checked.append(Stage(name, _validate.share(field, stage.share)))
        names = [s.name for s in checked]
        if len(set(names)) != len(names):
            raise InvalidInputError("stage", f"names must be distinct; got {names}")
        object.__setattr__(self, "stages", tuple(checked))

    @classmethod
    def single(cls, retention: float) -> "Funnel":
        """A one-stage funnel keeping ``retention`` of the cohort."""
        if cls is not Funnel or type(retention) is not float:
            return cls((Stage("analysed", retention),))
        # Solvers and tables make the same few thousands of times: each is made once.
        funnel = _SINGLE.get(retention)
        if funnel is None:
            funnel = _SINGLE[retention] = cls((Stage("analysed", retention),))
            if len(_SINGLE) > 4096:
                _SINGLE.pop(next(iter(_SINGLE)))
        return funnel

    @classmethod
    def from_shares(cls, shares: Mapping[str, float] | Iterable[tuple[str, float]]) -> "Funnel":
        """Build from ``{name: share}`` or ``[(name, share), ...]``, in order."""
        pairs = shares.items() if isinstance(shares, Mapping) else \
            _validate.sequence("funnel", shares, of="(name, share) pairs")
        stages = []
        for pair in pairs:
            if isinstance(pair, (str, bytes)) or not isinstance(pair, Iterable) or \
                    getattr(pair, "ndim", 1) == 0 or len(pair := tuple(pair)) != 2:
                raise InvalidInputError(
                    "funnel", f"must be stage shares, {{name: share}} or [(name, share), ...] "
                              f"such as {{\"found\": 0.8, \"matched\": 0.5}}; got "
                              f"{_validate.shown(pair)} in {_validate.shown(shares)}")
            name, share = pair
            if not isinstance(name, str):
                raise InvalidInputError("stage", f"names must be text; got {name!r}")
            stages.append(Stage(name, share))
        return cls(tuple(stages))

    @classmethod
    def coerce(cls, value) -> "Funnel":
        """Accept a Funnel, an overall retention, or stage shares.

        >>> Funnel.coerce([1, 2])
        Traceback (most recent call last):
        ...
        powerplan.errors.InvalidInputError: funnel must be stage shares, ... got [1, 2]
        """
        if isinstance(value, Funnel):
            return value
        if isinstance(value, Mapping):
            return cls.from_shares(value)
        if isinstance(value, (list, tuple)):
            if not all(isinstance(v, (list, tuple)) and len(v) == 2 for v in value):
                raise InvalidInputError(
                    "funnel", f"must be stage shares, {{name: share}} or [(name, share), ...] "
                              f"such as {{\"found\": 0.8, \"matched\": 0.5}}, or one overall "
                              f"retention; got {value!r}")
            return cls.from_shares(value)
        return cls.single(value)

    @property
    def retention(self) -> float:
        """Overall share of the cohort analysed: the product of the shares (computed at the
        first of the many times power evaluations ask, and kept)."""
        kept = self.__dict__.get("_retention")
        if kept is None:
            kept = math.prod(stage.share for stage in self.stages)
            object.__setattr__(self, "_retention", kept)
        return kept

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(stage.name for stage in self.stages)

    def expected_counts(self, cohort: float) -> list[float]:
        """Expected people submitted and after each stage (one more than stages)."""
        counts = [_validate.non_negative("cohort", cohort)]
        for stage in self.stages:
            counts.append(counts[-1] * stage.share)
        return counts

    def to_dict(self) -> dict[str, float]:
        return {stage.name: stage.share for stage in self.stages}
