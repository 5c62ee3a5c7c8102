"""The scoring-mode rules of a criteria set, in one place: what each mode needs, what it cannot use, and
whether its thresholds can be reached. Pure: the admin form and the file import both describe the set
they hold and phrase the breaches in their own terms (form fields, or the file's keys and positions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .models import ScoringMode

POINTS_MODES = (ScoringMode.GRADE_BANDS, ScoringMode.TOTAL_THRESHOLD)


@dataclass(frozen=True)
class IndicatorDraft:
    max_points: Decimal | None
    level: int | None = None
    #: The maximum was filled in (an unreadable value still counts as given).
    has_max_points: bool | None = None

    @property
    def given(self) -> bool:
        return self.max_points is not None if self.has_max_points is None else self.has_max_points


@dataclass(frozen=True)
class CriterionDraft:
    min_points: Decimal | None
    indicators: list[IndicatorDraft] = field(default_factory=list)


@dataclass(frozen=True)
class SetDraft:
    mode: str | None
    pass_total: Decimal | None
    indicator_minimum: Decimal | None
    band_minimums: list[Decimal | None]
    criteria: list[CriterionDraft]
    #: The total needed was filled in (an unreadable value still counts as given).
    pass_total_given: bool | None = None


@dataclass(frozen=True)
class Breach:
    """One broken rule: ``code`` names it, ``where`` the part ((), ("band", b), ("criterion", c) or
    ("indicator", c, i), positions from 0), ``values`` what a message may quote."""

    code: str
    where: tuple = ()
    values: dict = field(default_factory=dict)


def criteria_set_mode_breaches(*, draft: SetDraft) -> list[Breach]:
    """The mode rules ``draft`` breaks, in the order of the set (empty when it is consistent)."""
    mode = draft.mode
    breaches: list[Breach] = []
    indicators = [((c, i), ind) for c, crit in enumerate(draft.criteria) for i, ind in enumerate(crit.indicators)]
    if mode == ScoringMode.PASS_FAIL_LEVELS:
        breaches += [Breach("points_unused", ("indicator", *pos)) for pos, ind in indicators if ind.given]
        if indicators and not any((ind.level or 1) == 1 for _pos, ind in indicators):
            breaches.append(Breach("no_level_one"))
        breaches += [
            Breach("min_points_unused", ("criterion", c))
            for c, crit in enumerate(draft.criteria)
            if crit.min_points is not None
        ]
    elif mode in POINTS_MODES:
        breaches += [Breach("max_points_needed", ("indicator", *pos)) for pos, ind in indicators if not ind.given]
    has_bands = bool(draft.band_minimums)
    if mode == ScoringMode.GRADE_BANDS and not has_bands:
        breaches.append(Breach("bands_needed"))
    if mode != ScoringMode.GRADE_BANDS and has_bands:
        breaches.append(Breach("bands_unused"))
    given = draft.pass_total is not None if draft.pass_total_given is None else draft.pass_total_given
    if mode == ScoringMode.TOTAL_THRESHOLD and not given:
        breaches.append(Breach("pass_total_needed"))
    if mode != ScoringMode.TOTAL_THRESHOLD:
        for key in ("pass_total", "indicator_minimum"):
            if getattr(draft, key) is not None:
                breaches.append(Breach("threshold_unused", values={"key": key}))
    if mode in POINTS_MODES and all(ind.max_points is not None for _pos, ind in indicators):
        breaches += _unreachable(draft, indicators)
    return breaches


def _unreachable(draft: SetDraft, indicators: list) -> list[Breach]:
    """Thresholds above what the set (or the criterion) can give: they can never be met."""
    breaches = []
    max_total = sum((ind.max_points for _pos, ind in indicators), Decimal(0))
    if draft.pass_total is not None and draft.pass_total > max_total:
        breaches.append(Breach("pass_total_unreachable", values={"value": draft.pass_total, "max": max_total}))
    for b, minimum in enumerate(draft.band_minimums):
        if minimum is not None and minimum > max_total:
            breaches.append(Breach("band_unreachable", ("band", b), {"value": minimum, "max": max_total}))
    for c, crit in enumerate(draft.criteria):
        crit_max = sum((ind.max_points for ind in crit.indicators), Decimal(0))
        if crit.min_points is not None and crit.min_points > crit_max:
            breaches.append(
                Breach("criterion_unreachable", ("criterion", c), {"value": crit.min_points, "max": crit_max})
            )
    if draft.indicator_minimum is not None:
        breaches += [
            Breach(
                "indicator_below_minimum",
                ("indicator", *pos),
                {"max": ind.max_points, "min": draft.indicator_minimum},
            )
            for pos, ind in indicators
            if ind.max_points < draft.indicator_minimum
        ]
    return breaches
