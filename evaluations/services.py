"""Writes: create evaluations, record scores, version criteria sets. Each write is one transaction."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import scoring
from .evidence import validate_evidence_file
from .models import CriteriaSet, CriteriaSetStatus, Evaluation, Evidence, Score, Subject


def evaluation_prepare(evaluation: Evaluation, *, user=None) -> Evaluation:
    """Copy kind and area from the subject as it is today (history stays true after later moves)."""
    evaluation.kind = evaluation.subject.kind
    evaluation.area_id = evaluation.subject.area_id
    if evaluation.created_by_id is None and getattr(user, "is_authenticated", False):
        evaluation.created_by = user
    return evaluation


def evaluation_create(
    *, subject: Subject, year: int, criteria_set: CriteriaSet, user=None, note: str = ""
) -> Evaluation:
    """A new draft evaluation of ``subject`` for ``year`` against ``criteria_set`` (of the subject's kind)."""
    if criteria_set.kind != subject.kind:
        raise ValidationError({"criteria_set": _("This criteria set is for another kind of learning model.")})
    evaluation = evaluation_prepare(
        Evaluation(subject=subject, year=year, criteria_set=criteria_set, note=note), user=user
    )
    evaluation.full_clean()
    evaluation.save()
    return evaluation


def apply_result(evaluation: Evaluation, result: scoring.ScoringResult) -> None:
    """Copy a scoring result onto the evaluation's stored fields (not saved)."""
    evaluation.total = result.total
    evaluation.grade = result.grade
    evaluation.level = result.level
    evaluation.result = result.result


@transaction.atomic
def evaluation_record_scores(
    *,
    evaluation: Evaluation,
    values: dict,
    notes: dict | None = None,
    spec: scoring.CriteriaSpec | None = None,
) -> scoring.ScoringResult:
    """Store the scores of ``values`` (indicator id -> Decimal points, bool met, or None) and the result.

    Scores are validated by the scoring rules first (``scoring.ScoreError`` leaves everything as it
    was); indicators not in ``values`` keep their stored score.
    """
    spec = spec or scoring.spec_from_criteria_set(evaluation.criteria_set)
    by_id = {ind.id: ind for ind in spec.indicators}
    unknown = set(values) - set(by_id)
    if unknown:
        raise ValueError(f"indicators {sorted(unknown)} are not in criteria set {evaluation.criteria_set_id}")
    notes = notes or {}

    stored = {s.indicator_id: s for s in evaluation.scores.all()}
    merged = {ind_id: (s.points if by_id[ind_id].max_points is not None else s.met) for ind_id, s in stored.items()}
    merged.update(values)
    result = scoring.score(spec, merged)

    to_create, to_update = [], []
    for ind_id, value in values.items():
        points = Decimal(value) if by_id[ind_id].max_points is not None and value is not None else None
        met = value if by_id[ind_id].max_points is None else None
        row = stored.get(ind_id)
        if row is None:
            to_create.append(
                Score(evaluation=evaluation, indicator_id=ind_id, points=points, met=met, note=notes.get(ind_id, ""))
            )
        else:
            row.points, row.met = points, met
            if ind_id in notes:
                row.note = notes[ind_id]
            to_update.append(row)
    Score.objects.bulk_create(to_create)
    Score.objects.bulk_update(to_update, ["points", "met", "note"])
    apply_result(evaluation, result)
    evaluation.save(update_fields=["total", "grade", "level", "result", "updated_at"])
    return result


def evaluation_result(evaluation: Evaluation) -> scoring.ScoringResult:
    """The result of the stored scores, recomputed (for display, with per-criterion subtotals)."""
    spec = scoring.spec_from_criteria_set(evaluation.criteria_set)
    kinds = {ind.id: ind.max_points is not None for ind in spec.indicators}
    values = {s.indicator_id: (s.points if kinds.get(s.indicator_id) else s.met) for s in evaluation.scores.all()}
    return scoring.score(spec, values)


@transaction.atomic
def criteria_set_new_version(*, criteria_set: CriteriaSet) -> CriteriaSet:
    """A draft copy of ``criteria_set`` numbered after the highest version of its code."""
    latest = CriteriaSet.objects.filter(code=criteria_set.code).order_by("-version").values_list("version", flat=True)
    source = CriteriaSet.objects.prefetch_related("grade_bands", "criteria__indicators").get(pk=criteria_set.pk)
    copy = CriteriaSet.objects.get(pk=source.pk)
    copy.pk = None
    copy.id = None
    copy.version = (latest.first() or 0) + 1
    copy.status = CriteriaSetStatus.DRAFT
    copy.save()
    for band in source.grade_bands.all():
        band.pk = None
        band.criteria_set = copy
        band.save()
    for criterion in source.criteria.all():
        indicators = list(criterion.indicators.all())
        criterion.pk = None
        criterion.criteria_set = copy
        criterion.save()
        for indicator in indicators:
            indicator.pk = None
            indicator.criterion = criterion
            indicator.save()
    return copy


def evidence_add(*, evaluation: Evaluation, upload, indicator=None, description: str = "", user=None) -> Evidence:
    """Store one evidence file after the content checks; raises ValidationError with the reason otherwise."""
    allowed = validate_evidence_file(upload)
    if indicator is not None and indicator.criterion.criteria_set_id != evaluation.criteria_set_id:
        raise ValueError("indicator belongs to another criteria set")
    evidence = Evidence(
        evaluation=evaluation,
        indicator=indicator,
        original_name=(upload.name or "file")[:255],
        content_type=allowed.content_type,
        size=upload.size,
        description=description[:500],
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    evidence.file.save(upload.name, upload, save=False)
    evidence.save()
    return evidence
