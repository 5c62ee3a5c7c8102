"""Pure scoring: a criteria set and the scores given -> subtotals, total, grade or level, and result.

No database here. ``spec_from_criteria_set`` turns a saved set into the plain structures below, so the
rules can be tested at every boundary without models, and so the admin form, the services and the
benchmark all compute results the same way.

Rules (DOMAIN.md):
- grade bands: the total maps to the highest band whose least total it reaches (inclusive);
  recognised when that band is a recognised one and every criterion reaches its minimum;
- pass/fail with levels: level 1 when every level-1 indicator is met, level 2 when every level-1 and
  level-2 indicator is met; recognised at level 1 or above;
- total threshold: recognised when the total reaches ``pass_total`` and no indicator is below
  ``indicator_minimum`` (both inclusive: 80 with every indicator at 5 or more is recognised);
- in every points mode an optional per-criterion minimum must be reached too.
An evaluation with an unscored indicator is incomplete and is neither recognised nor refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

GRADE_BANDS = "grade_bands"
PASS_FAIL_LEVELS = "pass_fail_levels"  # noqa: S105 (a mode name, not a password)
TOTAL_THRESHOLD = "total_threshold"

INCOMPLETE = "incomplete"
MEETS = "meets"
FAILS = "fails"

#: Grade shown when a total is below every band.
NO_GRADE = "Không đạt"


@dataclass(frozen=True)
class IndicatorSpec:
    id: int | str
    code: str
    max_points: Decimal | None = None  # None: met / not met
    level: int | None = None


@dataclass(frozen=True)
class CriterionSpec:
    number: str
    title: str
    indicators: tuple[IndicatorSpec, ...]
    min_points: Decimal | None = None


@dataclass(frozen=True)
class GradeBandSpec:
    label: str
    min_total: Decimal
    recognised: bool = True


@dataclass(frozen=True)
class CriteriaSpec:
    scoring_mode: str
    criteria: tuple[CriterionSpec, ...]
    grade_bands: tuple[GradeBandSpec, ...] = ()
    pass_total: Decimal | None = None
    indicator_minimum: Decimal | None = None

    @property
    def indicators(self) -> list[IndicatorSpec]:
        return [ind for crit in self.criteria for ind in crit.indicators]

    @property
    def max_total(self) -> Decimal:
        return sum((ind.max_points or Decimal(0) for ind in self.indicators), Decimal(0))


@dataclass
class CriterionResult:
    number: str
    subtotal: Decimal
    maximum: Decimal
    min_points: Decimal | None
    met_count: int = 0
    reaches_minimum: bool = True


@dataclass
class ScoringResult:
    result: str
    total: Decimal | None
    grade: str = ""
    level: int | None = None
    criteria: list[CriterionResult] = field(default_factory=list)
    #: Why the subject does not meet the criteria, or what is missing; plain English, translated on display.
    reasons: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def meets(self) -> bool:
        return self.result == MEETS


class ScoreError(ValueError):
    """A score that the criteria set cannot take (above the maximum, negative, not a half point...)."""


def check_points(value: Decimal, maximum: Decimal) -> None:
    """Raise ``ScoreError`` unless ``value`` is a multiple of 0.5 between 0 and ``maximum``."""
    if not value.is_finite():
        raise ScoreError("not_a_number")
    if value < 0:
        raise ScoreError("negative")
    if value > maximum:
        raise ScoreError("above_maximum")
    if (value * 2) != (value * 2).to_integral_value():
        raise ScoreError("not_half_point")


def _as_points(value) -> Decimal:
    if isinstance(value, bool):
        raise ScoreError("not_a_number")
    try:
        return Decimal(value)
    except (ArithmeticError, TypeError, ValueError) as exc:
        raise ScoreError("not_a_number") from exc


def score(spec: CriteriaSpec, values: dict) -> ScoringResult:
    """Compute the result of ``values`` (indicator id -> points Decimal, or bool for pass/fail)."""
    missing = [ind.code for ind in spec.indicators if values.get(ind.id) is None]
    criteria_results: list[CriterionResult] = []
    total = Decimal(0)
    for crit in spec.criteria:
        subtotal = Decimal(0)
        maximum = Decimal(0)
        met_count = 0
        for ind in crit.indicators:
            value = values.get(ind.id)
            if ind.max_points is None:
                if value is not None and not isinstance(value, bool):
                    raise ScoreError("not_met_value")
                met_count += 1 if value is True else 0
                continue
            maximum += ind.max_points
            if value is None:
                continue
            points = _as_points(value)
            check_points(points, ind.max_points)
            subtotal += points
        reaches = crit.min_points is None or subtotal >= crit.min_points
        criteria_results.append(CriterionResult(crit.number, subtotal, maximum, crit.min_points, met_count, reaches))
        total += subtotal

    if spec.scoring_mode == PASS_FAIL_LEVELS:
        outcome = _pass_fail(spec, values, criteria_results)
    else:
        outcome = _points(spec, values, total, criteria_results)
    outcome.missing = missing
    if missing:
        # No grade or level until every indicator is scored: a grade beside "not fully scored" misleads.
        outcome.result, outcome.grade, outcome.level, outcome.reasons = INCOMPLETE, "", None, []
    return outcome


def _points(spec: CriteriaSpec, values: dict, total: Decimal, crits: list[CriterionResult]) -> ScoringResult:
    # The reasons are shown to the officer beside the result, in the active language.
    from .points import points_text  # here: ``points`` uses this module's range rule

    reasons = [
        _("criterion %(number)s is below its minimum of %(minimum)s points")
        % {"number": c.number, "minimum": points_text(c.min_points)}
        for c in crits
        if not c.reaches_minimum
    ]
    grade = ""
    if spec.scoring_mode == GRADE_BANDS:
        band = next(
            (b for b in sorted(spec.grade_bands, key=lambda b: b.min_total, reverse=True) if total >= b.min_total),
            None,
        )
        grade = band.label if band else NO_GRADE
        if band is None or not band.recognised:
            reasons.insert(
                0,
                _("the total of %(total)s points is below the least recognised grade") % {"total": points_text(total)},
            )
    elif spec.scoring_mode == TOTAL_THRESHOLD:
        if spec.pass_total is not None and total < spec.pass_total:
            reasons.insert(
                0,
                _("the total of %(total)s points is below the %(needed)s needed")
                % {"total": points_text(total), "needed": points_text(spec.pass_total)},
            )
        if spec.indicator_minimum is not None:
            for ind in spec.indicators:
                value = values.get(ind.id)
                if ind.max_points is not None and value is not None and Decimal(value) < spec.indicator_minimum:
                    reasons.append(
                        _("indicator %(code)s is below the minimum of %(minimum)s points")
                        % {"code": ind.code, "minimum": points_text(spec.indicator_minimum)}
                    )
        grade = "Đạt" if not reasons else NO_GRADE
    else:
        raise ValueError(f"unknown scoring mode {spec.scoring_mode!r}")
    return ScoringResult(result=FAILS if reasons else MEETS, total=total, grade=grade, criteria=crits, reasons=reasons)


def _pass_fail(spec: CriteriaSpec, values: dict, crits: list[CriterionResult]) -> ScoringResult:
    def all_met(level: int) -> bool:
        relevant = [ind for ind in spec.indicators if (ind.level or 1) <= level]
        return bool(relevant) and all(values.get(ind.id) is True for ind in relevant)

    has_level_two = any((ind.level or 1) == 2 for ind in spec.indicators)
    level = None
    if all_met(1):
        level = 2 if has_level_two and all_met(2) else 1
    reasons = [] if level else [_("a level-1 indicator is not met")]
    grade = f"Mức {level}" if level else NO_GRADE
    met_total = Decimal(sum(c.met_count for c in crits))
    return ScoringResult(
        result=MEETS if level else FAILS, total=met_total, grade=grade, level=level, criteria=crits, reasons=reasons
    )


def spec_from_criteria_set(criteria_set) -> CriteriaSpec:
    """Plain spec of a saved (or in-memory cluster) ``CriteriaSet``; indicator ids are primary keys."""
    criteria = []
    for crit in criteria_set.criteria.all():
        indicators = tuple(
            IndicatorSpec(id=ind.pk, code=ind.code, max_points=ind.max_points, level=ind.level)
            for ind in crit.indicators.all()
        )
        criteria.append(CriterionSpec(crit.number, crit.title, indicators, crit.min_points))
    bands = tuple(GradeBandSpec(b.label, b.min_total, b.recognised) for b in criteria_set.grade_bands.all())
    return CriteriaSpec(
        scoring_mode=criteria_set.scoring_mode,
        criteria=tuple(criteria),
        grade_bands=bands,
        pass_total=criteria_set.pass_total,
        indicator_minimum=criteria_set.indicator_minimum,
    )
