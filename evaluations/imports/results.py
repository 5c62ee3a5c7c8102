"""Evaluation results: one row per subject and year, with a score in one column per indicator.

Totals alone cannot be recomputed (grades, levels and per-indicator minima need every indicator), so
a results file must have indicator columns headed by the indicator codes of its criteria set ("1.1",
"Chỉ số 1.1"); a "Tổng điểm" column, when present, is checked against the computed total. Every
result is computed by ``scoring.score`` and written through the evaluation services, so imported
evaluations are exactly like those typed in. An evaluation already decided (recognised or not) is
never changed by an import.

A row's commune and village are those in force on the evaluation date of its year (``calendar``): a 2024
row names the units of 2024, a 2026 row today's. The subject is looked for where it is now (a subject the
2025 reorganisation moved is found from its 2024 village), and the evaluation is filed on the unit the
subject was in on that date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .. import scoring, services
from ..calendar import evaluation_date
from ..models import AdministrativeUnit, CriteriaSet, CriteriaSetStatus, Evaluation, Subject
from ..models.subjects import SUBJECT_MODELS
from ..points import PointsError, points_parse, points_text
from . import columns as cols
from .cells import Rejection, RowError, as_bool
from .planning import NAME_FIELD, Plan, Planner, folded
from .readers import FileRefused, clean_text
from .resolve import Placement, ResolveError
from .writing import refuse_units_not_in_force


@dataclass
class ResultRecord:
    row: int
    subject_id: int
    year: int
    criteria_set: CriteriaSet
    spec: scoring.CriteriaSpec
    values: dict = field(default_factory=dict)  # indicator id -> Decimal or bool
    evaluation: Evaluation | None = None
    #: The unit a new evaluation is filed on: the subject's on the year's evaluation date.
    area: AdministrativeUnit | None = None


def indicator_columns(header: cols.Header) -> dict[str, int]:
    """Indicator code -> column index, from the header row."""
    found = {}
    for index, label in enumerate(header.labels):
        code = cols.indicator_code(label)
        if code and index not in header.positions.values():
            found.setdefault(code, index)
    return found


class ResultPlanner(Planner):
    def __init__(self, kind, header, **kwargs):
        super().__init__(kind, header, **kwargs)
        self.indicators = indicator_columns(header)
        if not self.indicators:
            raise FileRefused(
                _(
                    "A results file needs one column per indicator, headed by its code (1.1, 1.2, ...): a total "
                    "alone cannot be checked or give a grade. Add the indicator columns."
                )
            )
        self.sets: dict[str, tuple[CriteriaSet, scoring.CriteriaSpec] | None] = {}
        self.subjects: dict[tuple, list[tuple]] = {}
        self.records: list[ResultRecord] = []

    def criteria_set(self, code: str, kind: str):
        if code not in self.sets:
            found = (
                CriteriaSet.objects.filter(code=code)
                .exclude(status=CriteriaSetStatus.DRAFT)
                .prefetch_related("criteria__indicators", "grade_bands")
                .order_by("-version")
                .first()
            )
            self.sets[code] = (found, scoring.spec_from_criteria_set(found)) if found else None
        found = self.sets[code]
        if found is None:
            raise RowError("criteria_set", _("There is no criteria set with code “%(code)s”.") % {"code": code})
        if kind and found[0].kind != kind:
            raise RowError("criteria_set", _("This criteria set is for another kind of learning model."))
        return found

    def scope(self, placement: Placement) -> tuple[int, ...]:
        """Where the subject of a row may be stored now: the row's unit (in force on its year's date), the
        unit it became today, and the units that map onto that (``UnitResolver.scope``)."""
        resolver = self.resolver
        unit = placement.unit
        try:
            now = resolver.unit_on(unit, self.today)
        except ResolveError:
            now = unit
        return tuple(dict.fromkeys([*resolver.scope(unit, placement.review), *resolver.scope(now)]))

    def subject(self, kind: str, placement: Placement, code: str, name: str) -> tuple[int, int]:
        """(subject id, its area id) of the row's subject; raises ``RowError``."""
        area = placement.unit
        key = (kind, area.pk, placement.review is not None)
        if key not in self.subjects:
            name_field = NAME_FIELD.get(kind)
            fields = ["pk", "code", "name", "area_id", *([name_field] if name_field else [])]
            self.subjects[key] = [
                (pk, subject_code, folded(display), folded(own[0] if own else ""), area_id)
                for pk, subject_code, display, area_id, *own in SUBJECT_MODELS[kind]
                .objects.filter(area_id__in=self.scope(placement))
                .values_list(*fields)
            ]
        rows = self.subjects[key]
        if code:
            matches = [r for r in rows if r[1] == code]
        else:
            wanted = folded(name)
            matches = [r for r in rows if wanted and wanted in (r[2], r[3])]
            if kind == "community" and not name:
                matches = rows
        if len(matches) > 1:
            # A community is its village: the one in the row's village rather than one in another part.
            matches = [r for r in matches if r[4] == area.pk] or matches
        if len(matches) == 1:
            return matches[0][0], matches[0][4]
        field_name = "code" if code else "subject_name"
        if not matches:
            raise RowError(
                field_name,
                _("No learning model “%(name)s” of this kind in %(area)s; register it or import its list first.")
                % {"name": code or name, "area": area.name},
            )
        raise RowError(
            field_name, _("Several learning models match “%(name)s”; use the code column.") % {"name": name}
        )

    def add(self, row: int, cells: list) -> None:
        """Check the row and keep it as a result to write; every error of the row is reported (each cell that
        does not parse, a year out of range, a missing name, an unknown place, criteria set, subject or score),
        as far as one error leaves the others checkable."""
        values, failed = self.parsed(row, cells)
        bad = bool(failed)
        kind = values.get("subject_kind")
        year = values.get("year")
        if year is not None and not 2000 <= year <= 2100:
            self.reject(row, "year", _("The year must be between 2000 and 2100."))
            bad, year = True, None
        village = kind in cols.VILLAGE_KINDS
        if village and not values.get("village") and "village" not in failed:
            self.reject(row, "village", _("This field is required."))
            bad = True
        name_failed = not failed.isdisjoint(("code", "subject_name"))
        named = bool(values.get("code") or values.get("subject_name"))
        if not named and not name_failed and kind != "community":  # an unknown kind needs a name all the same
            self.reject(row, "subject_name", _("Write the name or the code of the learning model."))
            bad = True
        found = None
        if values.get("criteria_set"):
            try:
                found = self.criteria_set(values["criteria_set"], kind)
            except RowError as error:
                self.reject(row, error.field, error.message)
                bad = True
        # The place and the subject are looked up on the year's date: only with a kind and a year that parsed.
        placement = None
        if kind and year is not None and self.place_written(values, failed, village):
            on = evaluation_date(year, self.today)
            placement = self.area_for(row, values, village=village, on=on)
            bad = bad or placement is None
        subject_id = subject_area_id = None
        if placement is not None and (named or kind == "community") and not name_failed:
            try:
                subject_id, subject_area_id = self.subject(
                    kind, placement, values.get("code") or "", values.get("subject_name") or ""
                )
            except RowError as error:
                self.reject(row, error.field, error.message)
                bad = True
        if found is None:
            return
        criteria_set, spec = found
        scored: dict = {}
        unscorable = False
        by_code = {ind.code: ind for ind in spec.indicators}
        for code, index in self.indicators.items():
            raw = cells[index] if index < len(cells) else None
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            where = f"{cols.column_letter(index)} ({self.header.labels[index].strip()})"
            label = _("Indicator %(code)s") % {"code": code}
            indicator = by_code.get(code)
            if indicator is None:
                message = _("Indicator %(code)s is not in this criteria set.") % {"code": code}
                self.rejections.append(Rejection(row, where, message, label))
                unscorable = True
                continue
            try:
                scored[indicator.id] = self.score_value(raw, indicator)
            except RowError as error:
                self.rejections.append(Rejection(row, where, error.message, label))
                unscorable = True
        if not scored and not unscorable:
            self.reject(row, "", _("No indicator of criteria set %(code)s is scored.") % {"code": criteria_set.code})
            return
        if bad or unscorable or subject_id is None:
            return
        # Where the subject was on the year's date: where it is, if that unit was in force then, else the
        # unit the row names (in force then, and mapping onto where the subject is now).
        subject_area = self.resolver.units.get(subject_area_id)
        area = subject_area if subject_area is not None and subject_area.is_current(on) else placement.unit
        record = ResultRecord(row, subject_id, year, criteria_set, spec, values=scored, area=area)
        result = scoring.score(spec, record.values)
        total = values.get("total") or ""
        if total and result.total is not None:
            try:
                written = Decimal(total.replace(",", "."))
            except InvalidOperation:
                written = None
            if written != result.total:
                self.reject(
                    row,
                    "total",
                    _("The total written is %(written)s but the indicators add up to %(total)s.")
                    % {"written": total, "total": points_text(result.total)},
                )
                return
        natural = (subject_id, year)
        if natural in self.seen:
            self.reject(
                row, "", _("Same household, clan, unit or person as row %(row)d.") % {"row": self.seen[natural]}
            )
            return
        self.seen[natural] = row
        self.records.append(record)

    @staticmethod
    def score_value(raw, indicator: scoring.IndicatorSpec):
        if indicator.max_points is None:
            value = as_bool(raw, cols.Column("score", "score"))
            return value
        try:
            points = points_parse(typed=clean_text(raw), maximum=indicator.max_points)
        except PointsError as error:
            raise RowError("score", str(error)) from None
        return points

    def finish(self, plan: Plan) -> Plan:
        existing = {
            (e.subject_id, e.year): e
            for e in Evaluation.objects.filter(
                subject_id__in={r.subject_id for r in self.records}, year__in={r.year for r in self.records}
            ).prefetch_related("scores")
        }
        for record in self.records:
            evaluation = existing.get((record.subject_id, record.year))
            if evaluation is None:
                plan.to_create.append(record)
                continue
            if evaluation.criteria_set_id != record.criteria_set.pk:
                self.reject(
                    record.row,
                    "criteria_set",
                    _("This subject was evaluated for that year against another criteria set."),
                )
                continue
            stored = {s.indicator_id: (s.points if s.points is not None else s.met) for s in evaluation.scores.all()}
            changed = {k: v for k, v in record.values.items() if stored.get(k) != v}
            if not changed:
                plan.unchanged += 1
                continue
            if not services.evaluation_may_change(evaluation=evaluation):
                self.reject(
                    record.row,
                    "",
                    _("The evaluation of %(year)d is already %(status)s; it cannot be changed by an import.")
                    % {"year": record.year, "status": evaluation.get_status_display().lower()},
                )
                continue
            record.evaluation = evaluation
            record.values = changed
            plan.to_update.append(record)
        self.records = []
        plan.rejections = sorted(self.rejections, key=lambda r: r.row)
        return plan


def write_results(creates: list[ResultRecord], updates: list[ResultRecord], *, user=None) -> None:
    """Create or update evaluations through the services (inside the import's transaction); a new
    evaluation is filed on a unit in force on its year's evaluation date, or nothing is written."""
    refuse_units_not_in_force([(r.row, r.area, evaluation_date(r.year)) for r in creates if r.area is not None])
    subjects = Subject.objects.in_bulk([r.subject_id for r in creates])
    for record in creates:
        evaluation = services.evaluation_create(
            subject=subjects[record.subject_id],
            year=record.year,
            criteria_set=record.criteria_set,
            user=user,
            area=record.area,
        )
        services.evaluation_record_scores(evaluation=evaluation, values=record.values, spec=record.spec)
    for record in updates:
        services.evaluation_record_scores(evaluation=record.evaluation, values=record.values, spec=record.spec)
