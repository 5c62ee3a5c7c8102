"""Writes: create evaluations, record scores, version criteria sets. Each write is one transaction."""

from __future__ import annotations

import datetime
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, F, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.log_actions import log
from wagtail.models import ModelLogEntry, Revision

from . import scoring
from .calendar import day_label, evaluation_date
from .evidence import validate_evidence_file
from .models import (
    AdministrativeUnit,
    CommendationProposal,
    CriteriaSet,
    CriteriaSetStatus,
    DecisionKind,
    Evaluation,
    EvaluationResult,
    EvaluationStatus,
    Evidence,
    RecognitionDecision,
    Score,
    Subject,
)
from .signals import evaluations_bulk_changed


def area_refusal(area: AdministrativeUnit, on: datetime.date) -> str | None:
    """Why a record dated ``on`` (a subject registered, a year's evaluation) cannot be filed on ``area``:
    the unit was not in force on that date. The message names the unit it went into. ``None`` if it can."""
    if area.is_current(on):
        return None
    if area.valid_to is not None and area.valid_to < on:
        from reorganisation.selectors import successor_of

        successor = successor_of(area)
        if successor is not None:
            return _(
                "“%(unit)s” ended on %(end)s and cannot hold records dated %(date)s: it went into “%(successor)s”."
            ) % {
                "unit": area.name,
                "end": day_label(area.valid_to),
                "date": day_label(on),
                "successor": successor.label_with_parent,
            }
        return _(
            "“%(unit)s” ended on %(end)s and cannot hold records dated %(date)s; choose a unit in force on that date."
        ) % {"unit": area.name, "end": day_label(area.valid_to), "date": day_label(on)}
    return _("“%(unit)s” only exists from %(start)s; a record dated %(date)s belongs to the units in force then.") % {
        "unit": area.name,
        "start": day_label(area.valid_from),
        "date": day_label(on),
    }


def evaluation_area_refusal(subject: Subject, year: int, area: AdministrativeUnit | None = None) -> str | None:
    """Why ``subject`` cannot be evaluated for ``year`` on ``area`` (its own unit when omitted): the unit was
    not in force at the year's evaluation date (see :func:`area_refusal`), or the subject was not on that
    year's register (registered later, or left)."""
    on = evaluation_date(year)
    if not subject.is_on_register(on):
        if subject.registered_on is not None and subject.registered_on > on:
            return _(
                "“%(subject)s” was registered on %(registered)s and is not on the register of %(year)s; "
                "if it was there earlier, correct its registration date first."
            ) % {"subject": subject.name, "registered": day_label(subject.registered_on), "year": year}
        return _("“%(subject)s” left the register on %(ended)s and is not on the register of %(year)s.") % {
            "subject": subject.name,
            "ended": day_label(subject.ended_on),
            "year": year,
        }
    refusal = area_refusal(area or subject.area, on)
    if refusal is None:
        return None
    return _(
        "An evaluation of %(year)s cannot be filed on the subject's unit: %(reason)s Move the subject to the unit "
        "in force first (edit the subject, or apply the reorganisation)."
    ) % {"year": year, "reason": refusal}


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


def apply_result(evaluation: Evaluation, result: scoring.ScoringResult) -> None:
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


class WorkflowError(Exception):
    """An action that the evaluation's status (or its result) does not allow; the message says why."""


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
) -> scoring.ScoringResult:
    """Store the verified scores of ``values`` (indicator id -> Decimal points, bool met, or None).

    ``self_values`` holds the subject's self-assessment where the set has one; the result always
    comes from the verified scores. Only a draft changes: a submitted evaluation is returned first and
    a recognised one changes only through revocation. ``expected_version`` is the evaluation's version
    the form was opened on: if the evaluation was saved since (even for the first time), ``StaleEdit``
    is raised and nothing is written. Imports pass none and write over what is stored.
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
    if locked.status != EvaluationStatus.DRAFT:
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
    apply_result(evaluation, result)
    evaluation.self_total = self_result.total if self_result else None
    fields = ["total", "grade", "level", "result", "self_total", "updated_at"]
    # The swap above counted this save already; without one, the save counts it.
    evaluation.save(update_fields=[*fields, "version"] if expected_version is not None else fields)
    evaluation.save_revision(user=_actor(user), log_action="evaluations.score", clean=False)
    return result


def _actor(user):
    return user if getattr(user, "is_authenticated", False) else None


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


# --- workflow -----------------------------------------------------------------------------------------
#
# draft -> submitted -> reviewed -> recognised | not recognised (by a decision); recognised -> revoked by
# a later decision. A submitted or reviewed evaluation can be returned to draft with a reason. Every
# transition saves a revision (author, time, previous version) and an audit-log entry.

#: action -> (statuses it starts from, status it leads to, permission it needs)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "submit": ((EvaluationStatus.DRAFT,), EvaluationStatus.SUBMITTED, "evaluations.submit_evaluation"),
    "review": ((EvaluationStatus.SUBMITTED,), EvaluationStatus.REVIEWED, "evaluations.review_evaluation"),
    "return": (
        (EvaluationStatus.SUBMITTED, EvaluationStatus.REVIEWED),
        EvaluationStatus.DRAFT,
        "evaluations.review_evaluation",
    ),
    "recognise": ((EvaluationStatus.REVIEWED,), EvaluationStatus.RECOGNISED, "evaluations.recognise_evaluation"),
    "not_recognise": (
        (EvaluationStatus.REVIEWED,),
        EvaluationStatus.NOT_RECOGNISED,
        "evaluations.recognise_evaluation",
    ),
    "revoke": ((EvaluationStatus.RECOGNISED,), EvaluationStatus.REVOKED, "evaluations.revoke_recognition"),
}


def transition_refusal(evaluation: Evaluation, action: str, user) -> str | None:
    """Why ``user`` may not apply ``action`` to ``evaluation`` now, or None when it is allowed."""
    from .access import user_reaches_unit

    sources, _target, permission = TRANSITIONS[action]
    if not user.has_perm(permission):
        return _("You do not have permission for this action.")
    if not user_reaches_unit(user, evaluation.area):
        return _("This evaluation is outside your area.")
    if evaluation.status not in sources:
        return _("“%(evaluation)s” is “%(status)s”; this action is not possible now.") % {
            "evaluation": evaluation,
            "status": evaluation.get_status_display(),
        }
    if action == "submit" and evaluation.result == EvaluationResult.INCOMPLETE:
        return _("“%(evaluation)s” is not fully scored yet.") % {"evaluation": evaluation}
    if action == "recognise" and evaluation.result != EvaluationResult.MEETS:
        return _("“%(evaluation)s” does not meet the criteria and cannot be recognised.") % {"evaluation": evaluation}
    return None


def _apply(evaluation: Evaluation, action: str, *, user, reason: str = "", decision=None) -> Evaluation:
    refusal = transition_refusal(evaluation, action, user)
    if refusal:
        raise WorkflowError(refusal)
    evaluation.status = TRANSITIONS[action][1]
    fields = ["status", "status_reason", "updated_at"]
    evaluation.status_reason = reason
    if action in ("recognise", "not_recognise"):
        evaluation.decision = decision
        fields.append("decision")
    if action == "revoke":
        evaluation.revocation = decision
        fields.append("revocation")
    if action in ("submit", "return", "recognise", "not_recognise", "revoke") and evaluation.locked:
        # A status change ends any edit in progress.
        evaluation.locked, evaluation.locked_by, evaluation.locked_at = False, None, None
        fields += ["locked", "locked_by", "locked_at"]
    evaluation.save(update_fields=fields)
    evaluation.save_revision(user=_actor(user), log_action=f"evaluations.{action}", clean=False)
    return evaluation


def _locked_for_transition(evaluation: Evaluation) -> Evaluation:
    return Evaluation.objects.select_for_update().select_related("area", "subject").get(pk=evaluation.pk)


@transaction.atomic
def evaluation_submit(*, evaluation: Evaluation, user) -> Evaluation:
    """Draft -> submitted for review; only a fully scored evaluation."""
    return _apply(_locked_for_transition(evaluation), "submit", user=user)


@transaction.atomic
def evaluation_review(*, evaluation: Evaluation, user) -> Evaluation:
    """Submitted -> reviewed (verified by a reviewer, ready for a decision)."""
    return _apply(_locked_for_transition(evaluation), "review", user=user)


@transaction.atomic
def evaluation_return(*, evaluation: Evaluation, user, reason: str) -> Evaluation:
    """Submitted or reviewed -> back to draft, with the reason the officer will read."""
    if not reason.strip():
        raise WorkflowError(_("Give the reason for returning the evaluation."))
    return _apply(_locked_for_transition(evaluation), "return", user=user, reason=reason.strip())


def decision_record(
    *,
    kind: str,
    number: str,
    decision_date,
    issuing_body: str,
    signatory: str,
    area,
    user,
    upload=None,
    reason: str = "",
) -> RecognitionDecision:
    """A new decision; its scanned file, if any, passes the same content checks as evidence."""
    from .access import user_reaches_unit

    if not user_reaches_unit(user, area):
        raise WorkflowError(_("The issuing unit is outside your area."))
    if kind == DecisionKind.REVOCATION and not reason.strip():
        raise WorkflowError(_("A revocation needs its reason."))
    decision = RecognitionDecision(
        kind=kind,
        number=number.strip(),
        decision_date=decision_date,
        issuing_body=issuing_body.strip(),
        signatory=signatory.strip(),
        area=area,
        reason=reason.strip(),
        created_by=_actor(user),
    )
    decision.full_clean()
    if upload is not None:
        validate_evidence_file(upload)
        decision.file_name = (upload.name or "")[:255]
        decision.file.save(upload.name, upload, save=False)
    decision.save()
    log(instance=decision, action="wagtail.create", user=_actor(user))
    return decision


@transaction.atomic
def evaluations_decide(*, evaluations, decision: RecognitionDecision, user, recognise: bool = True) -> dict:
    """Record ``decision`` for many reviewed evaluations at once (hundreds, as one paper decision does).

    Returns ``{"done": [...], "refused": [(evaluation, reason), ...]}``. Every evaluation is checked
    (status, result, permission, area) before anything is written; refused ones are left as they were.
    """
    action = "recognise" if recognise else "not_recognise"
    ids = [e.pk for e in evaluations]
    rows = list(
        Evaluation.objects.select_for_update()
        .filter(pk__in=ids)
        .select_related("area", "subject")
        .prefetch_related("scores")
        .order_by("pk")
    )
    done, refused = [], []
    for evaluation in rows:
        refusal = transition_refusal(evaluation, action, user)
        (refused.append((evaluation, refusal)) if refusal else done.append(evaluation))
    if not done:
        return {"done": [], "refused": refused}
    target = TRANSITIONS[action][1]
    now = timezone.now()
    for evaluation in done:
        evaluation.status, evaluation.decision, evaluation.status_reason = target, decision, ""
        evaluation.updated_at, evaluation.locked, evaluation.locked_by = now, False, None
    _bulk_revisions(done, user=user, action=f"evaluations.{action}", when=now, data={"decision": decision.number})
    # One UPDATE per chunk writes the new status and points each row at the revision just made for it.
    content_type = ContentType.objects.get_for_model(Evaluation)
    latest = (
        Revision.objects.filter(base_content_type=content_type, object_id=Cast(OuterRef("pk"), CharField()))
        .order_by("-pk")
        .values("pk")[:1]
    )
    for chunk in _chunks([e.pk for e in done], 900):
        Evaluation.objects.filter(pk__in=chunk).update(
            status=target,
            decision=decision,
            status_reason="",
            updated_at=now,
            locked=False,
            locked_by=None,
            locked_at=None,
            latest_revision=Subquery(latest),
            version=F("version") + 1,
        )
    evaluations_bulk_changed.send(
        sender=Evaluation, evaluation_ids=[e.pk for e in done], subject_ids=[e.subject_id for e in done]
    )
    return {"done": done, "refused": refused}


def _bulk_revisions(evaluations: list[Evaluation], *, user, action: str, when, data: dict) -> None:
    """One revision and one audit entry per evaluation, written in bulk."""
    content_type = ContentType.objects.get_for_model(Evaluation)
    actor = _actor(user)
    revisions = [
        Revision(
            content_type=content_type,
            base_content_type=content_type,
            object_id=str(evaluation.pk),
            user=actor,
            created_at=when,
            content=evaluation.serializable_data(),
            object_str=str(evaluation)[:255],
        )
        for evaluation in evaluations
    ]
    Revision.objects.bulk_create(revisions, batch_size=500)
    for evaluation, revision in zip(evaluations, revisions, strict=True):
        evaluation.latest_revision = revision
    ModelLogEntry.objects.bulk_create(
        [
            ModelLogEntry(
                content_type=content_type,
                object_id=str(evaluation.pk),
                label=str(evaluation)[:255],
                action=action,
                data=data,
                timestamp=when,
                user=actor,
                revision=revision,
            )
            for evaluation, revision in zip(evaluations, revisions, strict=True)
        ],
        batch_size=500,
    )


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


@transaction.atomic
def evaluations_return(*, evaluations, user, reason: str) -> dict:
    """Return many submitted or reviewed evaluations to draft with one reason (bulk reject)."""
    if not reason.strip():
        raise WorkflowError(_("Give the reason for returning the evaluations."))
    done, refused = [], []
    for evaluation in evaluations:
        try:
            done.append(evaluation_return(evaluation=evaluation, user=user, reason=reason))
        except WorkflowError as exc:
            refused.append((evaluation, str(exc)))
    return {"done": done, "refused": refused}


@transaction.atomic
def evaluations_submit(*, evaluations, user) -> dict:
    """Submit many fully scored drafts at once."""
    done, refused = [], []
    for evaluation in evaluations:
        try:
            done.append(evaluation_submit(evaluation=evaluation, user=user))
        except WorkflowError as exc:
            refused.append((evaluation, str(exc)))
    return {"done": done, "refused": refused}


@transaction.atomic
def evaluation_revoke(*, evaluation: Evaluation, decision: RecognitionDecision, user) -> Evaluation:
    """Recognised -> revoked by a later revocation decision; the recognition stays in the history."""
    if decision.kind != DecisionKind.REVOCATION:
        raise WorkflowError(_("A recognition is revoked only by a revocation decision."))
    return _apply(_locked_for_transition(evaluation), "revoke", user=user, reason=decision.reason, decision=decision)


@transaction.atomic
def commendation_propose(*, evaluation: Evaluation, level: str, reason: str, user) -> CommendationProposal:
    """Propose a recognised model as exemplary (one proposal per evaluation; a new one replaces it)."""
    from .access import user_reaches_unit

    if not user.has_perm("evaluations.propose_commendation") or not user_reaches_unit(user, evaluation.area):
        raise WorkflowError(_("You do not have permission for this action."))
    if evaluation.status != EvaluationStatus.RECOGNISED:
        raise WorkflowError(_("Only a recognised model can be proposed for commendation."))
    if not reason.strip():
        raise WorkflowError(_("Give the reason for the proposal."))
    proposal, _created = CommendationProposal.objects.update_or_create(
        evaluation=evaluation, defaults={"level": level, "reason": reason.strip(), "proposed_by": _actor(user)}
    )
    log(instance=evaluation, action="evaluations.propose_commendation", user=_actor(user), data={"level": level})
    return proposal


# --- editing lock ---------------------------------------------------------------------------------


def edit_lock_holder(evaluation: Evaluation, user):
    """The other user holding a fresh edit lock on ``evaluation``, or None when ``user`` may edit."""
    if not evaluation.locked or evaluation.locked_by_id in (None, user.pk):
        return None
    expiry = timedelta(minutes=settings.EVALUATION_EDIT_LOCK_MINUTES)
    if evaluation.locked_at and timezone.now() - evaluation.locked_at > expiry:
        return None
    return evaluation.locked_by


def evaluation_take_edit_lock(*, evaluation: Evaluation, user):
    """Lock ``evaluation`` for ``user`` while they edit; returns the other holder when it is taken."""
    holder = edit_lock_holder(evaluation, user)
    if holder is not None:
        return holder
    Evaluation.objects.filter(pk=evaluation.pk).update(locked=True, locked_by=user, locked_at=timezone.now())
    evaluation.locked, evaluation.locked_by, evaluation.locked_at = True, user, timezone.now()
    return None


def evaluation_release_edit_lock(*, evaluation: Evaluation, user) -> None:
    Evaluation.objects.filter(pk=evaluation.pk, locked_by=user).update(locked=False, locked_by=None, locked_at=None)
