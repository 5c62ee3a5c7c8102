"""Creating an evaluation, recording its scores and evidence, versioning a criteria set."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from .. import scoring
from ..evidence import validate_evidence_file
from ..models import CriteriaSet, CriteriaSetStatus, Evaluation, Evidence, Score, Subject
from ..models.criteria import SourceStatus
from .areas import evaluation_area_refusal
from .base import WorkflowError, actor
from .workflow import evaluation_may_change


def evaluation_prepare(evaluation: Evaluation, *, user=None) -> Evaluation:
    """Copy kind and area from the subject as it is today (history stays true after later moves)."""
    evaluation.kind = evaluation.subject.kind
    evaluation.area_id = evaluation.subject.area_id
    if evaluation.created_by_id is None and getattr(user, "is_authenticated", False):
        evaluation.created_by = user
    return evaluation


def evaluation_create(
    *, subject: Subject, year: int, criteria_set: CriteriaSet, user=None, note: str = "", area=None
) -> Evaluation:
    """A new draft evaluation of ``subject`` for ``year`` against ``criteria_set`` (of the subject's kind);
    ``area``: the unit the subject was in on the year's evaluation date, when the caller knows it (an
    imported row of a past year names it), else the subject's area."""
    if criteria_set.kind != subject.kind:
        raise ValidationError({"criteria_set": _("This criteria set is for another kind of learning model.")})
    refusal = evaluation_area_refusal(subject, year, area)
    if refusal:
        raise ValidationError({"subject": refusal})
    evaluation = evaluation_prepare(
        Evaluation(subject=subject, year=year, criteria_set=criteria_set, note=note), user=user
    )
    if area is not None:
        evaluation.area = area
    evaluation.full_clean()
    evaluation.save()
    return evaluation


def evaluation_apply_result(*, evaluation: Evaluation, result: scoring.ScoringResult) -> None:
    """Copy a scoring result onto the evaluation's stored fields (not saved)."""
    evaluation.total = result.total
    evaluation.grade = result.grade
    evaluation.level = result.level
    evaluation.result = result.result


class StaleEdit(Exception):
    """The evaluation changed after the form was opened; nothing was saved."""

    def __init__(self, evaluation: Evaluation):
        super().__init__(evaluation.pk)
        self.evaluation = evaluation


def _score_values(spec: scoring.CriteriaSpec, rows, *, self_assessed: bool = False) -> dict:
    points_field, met_field = ("self_points", "self_met") if self_assessed else ("points", "met")
    kinds = {ind.id: ind.max_points is not None for ind in spec.indicators}
    return {row.indicator_id: getattr(row, points_field if kinds.get(row.indicator_id) else met_field) for row in rows}


@transaction.atomic
def evaluation_record_scores(
    *,
    evaluation: Evaluation,
    values: dict,
    notes: dict | None = None,
    self_values: dict | None = None,
    spec: scoring.CriteriaSpec | None = None,
    user=None,
    expected_version: int | None = None,
    log_action: str = "evaluations.score",
) -> scoring.ScoringResult:
    """Store the verified scores of ``values`` (indicator id -> Decimal points, bool met, or None).

    ``self_values`` holds the subject's self-assessment where the set has one; the result always
    comes from the verified scores. Only a draft changes: a submitted evaluation is returned first and
    a recognised one changes only through revocation. ``expected_version`` is the evaluation's version
    the form was opened on: if the evaluation was saved since (even for the first time), ``StaleEdit``
    is raised and nothing is written. Imports pass none and write over what is stored. ``log_action`` names
    the change in the history (a family's self-assessment sent with its code is not an officer's scoring).
    Scores are validated by the scoring rules first (``scoring.ScoreError`` leaves everything as it was);
    indicators not in ``values`` keep their stored score.
    """
    if expected_version is not None:
        # Compare and swap in one statement: of two saves made from forms opened on the same version,
        # only the first finds it; the second matches no row (it waits for the first to commit).
        swapped = Evaluation.objects.filter(pk=evaluation.pk, version=expected_version).update(
            version=expected_version + 1
        )
        if not swapped:
            raise StaleEdit(Evaluation.objects.select_related("latest_revision__user").get(pk=evaluation.pk))
        evaluation.version = expected_version + 1
    locked = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if not evaluation_may_change(evaluation=locked):
        raise WorkflowError(
            _("Only a draft evaluation can be scored; this one is “%(status)s”.")
            % {"status": locked.get_status_display()}
        )
    spec = spec or scoring.spec_from_criteria_set(evaluation.criteria_set)
    by_id = {ind.id: ind for ind in spec.indicators}
    unknown = (set(values) | set(self_values or {})) - set(by_id)
    if unknown:
        raise ValueError(f"indicators {sorted(unknown)} are not in criteria set {evaluation.criteria_set_id}")
    notes = notes or {}
    self_values = self_values or {}

    stored = {s.indicator_id: s for s in Score.objects.filter(evaluation=evaluation)}
    merged = _score_values(spec, stored.values())
    merged.update(values)
    result = scoring.score(spec, merged)
    self_result = None
    if self_values or any(s.self_points is not None or s.self_met is not None for s in stored.values()):
        self_merged = _score_values(spec, stored.values(), self_assessed=True)
        self_merged.update(self_values)
        self_result = scoring.score(spec, self_merged)

    to_create, to_update = [], []
    for ind_id in set(values) | set(self_values):
        is_points = by_id[ind_id].max_points is not None
        row = stored.get(ind_id) or Score(evaluation=evaluation, indicator_id=ind_id)
        if ind_id in values:
            value = values[ind_id]
            row.points = Decimal(value) if is_points and value is not None else None
            row.met = None if is_points else value
        if ind_id in self_values:
            value = self_values[ind_id]
            row.self_points = Decimal(value) if is_points and value is not None else None
            row.self_met = None if is_points else value
        if ind_id in notes:
            row.note = notes[ind_id]
        (to_update if row.pk else to_create).append(row)
    Score.objects.bulk_create(to_create)
    Score.objects.bulk_update(to_update, ["points", "met", "self_points", "self_met", "note"])
    evaluation_apply_result(evaluation=evaluation, result=result)
    evaluation.self_total = self_result.total if self_result else None
    fields = ["total", "grade", "level", "result", "self_total", "updated_at"]
    # The swap above counted this save already; without one, the save counts it.
    evaluation.save(update_fields=[*fields, "version"] if expected_version is not None else fields)
    evaluation.save_revision(user=actor(user), log_action=log_action, clean=False)
    return result


def evaluation_result(evaluation: Evaluation) -> scoring.ScoringResult:
    """The result of the stored scores, recomputed (for display, with per-criterion subtotals)."""
    spec = scoring.spec_from_criteria_set(evaluation.criteria_set)
    return scoring.score(spec, _score_values(spec, evaluation.scores.all()))


def evaluation_self_result(evaluation: Evaluation) -> scoring.ScoringResult:
    """The result the subject's own self-assessment would give (shown beside the verified one)."""
    spec = scoring.spec_from_criteria_set(evaluation.criteria_set)
    return scoring.score(spec, _score_values(spec, evaluation.scores.all(), self_assessed=True))


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


@transaction.atomic
def criteria_set_complete(*, criteria_set: CriteriaSet, texts: dict, document: dict, confirm: bool, user) -> None:
    """Write the wording of ``criteria_set`` (``texts``: ``{(criterion or indicator, attribute): text}``; the
    issuing ``document``'s number, issuer and source note) and, with ``confirm``, mark it confirmed against its
    official document. Words only: codes, maxima, levels and structure stay, so scores already given stand.
    Each change is in the audit log."""
    for (obj, attribute), text in texts.items():
        if getattr(obj, attribute) != text:
            setattr(obj, attribute, text)
            obj.save(update_fields=[attribute])
    for attribute, value in document.items():
        setattr(criteria_set, attribute, value)
    fields = [*document, "updated_at"]
    if confirm:
        criteria_set.source_status = SourceStatus.CONFIRMED
        fields.append("source_status")
    criteria_set.save(update_fields=fields)
    log(criteria_set, "evaluations.criteria_set_confirm" if confirm else "wagtail.edit", user=actor(user))


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
