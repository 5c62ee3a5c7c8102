"""The evaluation's workflow: which action each status allows to whom, and the transitions themselves.

draft -> submitted -> reviewed -> recognised | not recognised (by a decision); recognised -> revoked by
a later decision. A submitted or reviewed evaluation can be returned to draft with a reason. Every
transition saves a revision (author, time, previous version) and an audit-log entry.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..access import user_reaches_path
from ..bulk_insert import update_rows_keyed
from ..models import DecisionKind, Evaluation, EvaluationResult, EvaluationStatus, RecognitionDecision
from ..models.evaluations import evaluation_label
from ..notices import Noticed, notice_later, notices_collected
from ..signals import evaluations_bulk_changed
from .base import WorkflowError, actor
from .revisions import RevisionRows, revisions_bulk_write

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
    return transition_refusal(
        action=action,
        user=user,
        status=evaluation.status,
        result=evaluation.result,
        area_path=evaluation.area.path,
        named=evaluation,
    )


def transition_refusal(*, action: str, user, status: str, result: str, area_path: str, named) -> str | None:
    """The rule of :func:`evaluation_transition_refusal` for an evaluation read as values (its status, result
    and area's path); ``named`` is what the message names (the evaluation, or ``evaluation_label``)."""
    sources, _target, permission = TRANSITIONS[action]
    if not user.has_perm(permission):
        return _("You do not have permission for this action.")
    if not user_reaches_path(user, area_path):
        return _("This evaluation is outside your area.")
    if status not in sources:
        return _("“%(evaluation)s” is “%(status)s”; this action is not possible now.") % {
            "evaluation": named,
            "status": EvaluationStatus(status).label,
        }
    if action == "submit" and result == EvaluationResult.INCOMPLETE:
        return _("“%(evaluation)s” is not fully scored yet.") % {"evaluation": named}
    if action == "recognise" and result != EvaluationResult.MEETS:
        return _("“%(evaluation)s” does not meet the criteria and cannot be recognised.") % {"evaluation": named}
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
    notice_later(action=action, evaluations=[evaluation], user=user, reason=reason)
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


#: Evaluations read, checked and written per round of a bulk decision (every round in the one transaction).
DECIDE_BATCH = 2_000


@transaction.atomic
def evaluations_decide(
    *, evaluations, decision: RecognitionDecision, user, recognise: bool = True, progress=None
) -> dict:
    """Record ``decision`` for many reviewed evaluations at once (hundreds, as one paper decision does, or a
    province's thousands), all of them or none: one transaction.

    ``evaluations``: evaluations or their ids. Returns ``{"done": [id, ...], "refused": [(id, reason), ...]}``.
    Each evaluation is checked (status, result, permission, area: :func:`transition_refusal`); refused ones
    are left as they were. The rows are read as values and written in sets: one revision and one log entry
    each (``revisions.revisions_bulk_write``, the content ``serializable_data()`` gives), one ``UPDATE`` per
    batch. ``progress(processed, total)`` is called after each batch.
    """
    action = "recognise" if recognise else "not_recognise"
    ids = sorted({getattr(e, "pk", e) for e in evaluations})
    now = timezone.now()
    # The transition, by column: what the UPDATE writes and each revision's content shows alike.
    changes = {
        "status": TRANSITIONS[action][1].value,
        "decision_id": decision.pk,
        "status_reason": "",
        "updated_at": now,
        "locked": False,
        "locked_by_id": None,
        "locked_at": None,
    }
    builder = RevisionRows(Evaluation)
    columns = [*builder.columns, "area__path", "subject__name"]  # the primary key first
    at = {column: index for index, column in enumerate(columns)}
    done, refused, subject_ids, noticed = [], [], [], []
    for start in range(0, len(ids), DECIDE_BATCH):
        rows = (
            Evaluation.objects.select_for_update(of=("self",))
            .filter(pk__in=ids[start : start + DECIDE_BATCH])
            .order_by("pk")
            .values_list(*columns)
        )
        allowed, labels = [], []
        for row in rows:
            label = evaluation_label(row[at["subject__name"]], row[at["year"]])
            refusal = transition_refusal(
                action=action,
                user=user,
                status=row[at["status"]],
                result=row[at["result"]],
                area_path=row[at["area__path"]],
                named=label,
            )
            if refusal:
                refused.append((row[0], refusal))
                continue
            # The evaluation as the UPDATE below leaves it, its latest revision still the previous one: what
            # ``save_revision`` serialises after ``save()``.
            values = list(row[: len(builder.columns)])
            for column, value in changes.items():
                values[at[column]] = value
            values[at["version"]] += 1
            allowed.append(values)
            labels.append(label)
            noticed.append(Noticed(row[0], label, row[at["area__path"]], row[at["created_by_id"]]))
        if allowed:
            batch = [values[0] for values in allowed]
            contents = builder.contents_json(allowed, now=now)
            revision_ids = revisions_bulk_write(
                Evaluation,
                zip(batch, contents, labels, strict=True),
                user=actor(user),
                action=f"evaluations.{action}",
                when=now,
                data={"decision": decision.number},
            )
            # Every row at once, each pointing at the revision just made for it.
            update_rows_keyed(
                Evaluation,
                "latest_revision",
                list(zip(batch, revision_ids, strict=True)),
                changes,
                increment="version",
            )
            done += batch
            subject_ids += [values[at["subject_id"]] for values in allowed]
        if progress is not None:
            progress(min(start + DECIDE_BATCH, len(ids)), len(ids))
    if done:
        evaluations_bulk_changed.send(sender=Evaluation, evaluation_ids=done, subject_ids=subject_ids)
        notice_later(action=action, evaluations=noticed, user=user)
    return {"done": done, "refused": refused}


@transaction.atomic
def evaluations_return(*, evaluations, user, reason: str) -> dict:
    """Return many submitted or reviewed evaluations to draft with one reason (bulk reject)."""
    if not reason.strip():
        raise WorkflowError(_("Give the reason for returning the evaluations."))
    done, refused = [], []
    with notices_collected():
        for evaluation in evaluations:
            try:
                done.append(evaluation_return(evaluation=evaluation, user=user, reason=reason))
            except WorkflowError as exc:
                refused.append((evaluation, str(exc)))
    return {"done": done, "refused": refused}


@transaction.atomic
def evaluations_submit(*, evaluations, user) -> dict:
    """Submit many fully scored drafts at once."""
    return _each(evaluation_submit, evaluations, user)


@transaction.atomic
def evaluations_review(*, evaluations, user) -> dict:
    """Mark many submitted evaluations as reviewed at once (a reviewer's bulk "Đã thẩm định")."""
    return _each(evaluation_review, evaluations, user)


def _each(transition, evaluations, user) -> dict:
    """``transition`` applied to each evaluation: ``{"done": [...], "refused": [(evaluation, reason), ...]}``."""
    done, refused = [], []
    with notices_collected():
        for evaluation in evaluations:
            try:
                done.append(transition(evaluation=evaluation, user=user))
            except WorkflowError as exc:
                refused.append((evaluation, str(exc)))
    return {"done": done, "refused": refused}


@transaction.atomic
def evaluation_revoke(*, evaluation: Evaluation, decision: RecognitionDecision, user) -> Evaluation:
    """Recognised -> revoked by a later revocation decision; the recognition stays in the history."""
    if decision.kind != DecisionKind.REVOCATION:
        raise WorkflowError(_("A recognition is revoked only by a revocation decision."))
    return _apply(_locked_for_transition(evaluation), "revoke", user=user, reason=decision.reason, decision=decision)
