"""The evaluation's workflow: which action each status allows to whom, and the transitions themselves.

draft -> submitted -> reviewed -> recognised | not recognised (by a decision); recognised -> revoked by
a later decision. A submitted or reviewed evaluation can be returned to draft with a reason. Every
transition saves a revision (author, time, previous version) and an audit-log entry.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import CharField, F, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.models import ModelLogEntry, Revision

from ..access import user_reaches_unit
from ..models import DecisionKind, Evaluation, EvaluationResult, EvaluationStatus, RecognitionDecision
from ..signals import evaluations_bulk_changed
from .base import WorkflowError, actor

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


def evaluation_may_change(*, evaluation: Evaluation) -> bool:
    """Whether the evaluation's fields and scores may change: only a draft does (a submitted one is
    returned first, a recognised one changes only through revocation), so a decided history stays whole."""
    return evaluation.status == EvaluationStatus.DRAFT


def evaluation_transition_refusal(*, evaluation: Evaluation, action: str, user) -> str | None:
    """Why ``user`` may not apply ``action`` to ``evaluation`` now, or None when it is allowed."""
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
    refusal = evaluation_transition_refusal(evaluation=evaluation, action=action, user=user)
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
    evaluation.save_revision(user=actor(user), log_action=f"evaluations.{action}", clean=False)
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
        refusal = evaluation_transition_refusal(evaluation=evaluation, action=action, user=user)
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
    author = actor(user)
    revisions = [
        Revision(
            content_type=content_type,
            base_content_type=content_type,
            object_id=str(evaluation.pk),
            user=author,
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
                user=author,
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
