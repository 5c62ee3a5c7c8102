"""Recording a paper decision, and proposing a recognised model for commendation."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from ..access import user_reaches_unit
from ..evidence import validate_evidence_file
from ..models import CommendationProposal, DecisionKind, Evaluation, EvaluationStatus, RecognitionDecision
from .base import WorkflowError, actor


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
        created_by=actor(user),
    )
    decision.full_clean()
    if upload is not None:
        validate_evidence_file(upload)
        decision.file_name = (upload.name or "")[:255]
        decision.file.save(upload.name, upload, save=False)
    decision.save()
    log(instance=decision, action="wagtail.create", user=actor(user))
    return decision


def commendation_refusal(*, evaluation: Evaluation, user) -> str | None:
    """Why ``user`` may not propose ``evaluation`` for commendation now, or None when they may."""
    if not user.has_perm("evaluations.propose_commendation") or not user_reaches_unit(user, evaluation.area):
        return _("You do not have permission for this action.")
    if evaluation.status != EvaluationStatus.RECOGNISED:
        return _("Only a recognised model can be proposed for commendation.")
    return None


@transaction.atomic
def commendation_propose(*, evaluation: Evaluation, level: str, reason: str, user) -> CommendationProposal:
    """Propose a recognised model as exemplary (one proposal per evaluation; a new one replaces it)."""
    refusal = commendation_refusal(evaluation=evaluation, user=user)
    if refusal:
        raise WorkflowError(refusal)
    if not reason.strip():
        raise WorkflowError(_("Give the reason for the proposal."))
    proposal, _created = CommendationProposal.objects.update_or_create(
        evaluation=evaluation, defaults={"level": level, "reason": reason.strip(), "proposed_by": actor(user)}
    )
    log(instance=evaluation, action="evaluations.propose_commendation", user=actor(user), data={"level": level})
    return proposal
