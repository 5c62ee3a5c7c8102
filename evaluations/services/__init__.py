"""Writes: create evaluations, record scores, move them through the workflow, record decisions. Each write
is one transaction. The modules own one concern each; this package names them all for its callers."""

from .areas import evaluation_area_refusal, unit_filing_refusal
from .base import WorkflowError
from .decisions import commendation_propose, commendation_refusal, decision_record
from .locks import evaluation_edit_lock_holder, evaluation_release_edit_lock, evaluation_take_edit_lock
from .scores import (
    StaleEdit,
    criteria_set_complete,
    criteria_set_new_version,
    evaluation_apply_result,
    evaluation_create,
    evaluation_prepare,
    evaluation_record_scores,
    evaluation_result,
    evaluation_self_result,
    evidence_add,
)
from .workflow import (
    TRANSITIONS,
    evaluation_may_change,
    evaluation_return,
    evaluation_review,
    evaluation_revoke,
    evaluation_submit,
    evaluation_transition_refusal,
    evaluations_decide,
    evaluations_return,
    evaluations_review,
    evaluations_submit,
)

__all__ = [
    "TRANSITIONS",
    "StaleEdit",
    "WorkflowError",
    "commendation_propose",
    "commendation_refusal",
    "criteria_set_complete",
    "criteria_set_new_version",
    "decision_record",
    "evaluation_apply_result",
    "evaluation_area_refusal",
    "evaluation_create",
    "evaluation_edit_lock_holder",
    "evaluation_may_change",
    "evaluation_prepare",
    "evaluation_record_scores",
    "evaluation_release_edit_lock",
    "evaluation_result",
    "evaluation_review",
    "evaluation_return",
    "evaluation_revoke",
    "evaluation_self_result",
    "evaluation_submit",
    "evaluation_take_edit_lock",
    "evaluation_transition_refusal",
    "evaluations_decide",
    "evaluations_return",
    "evaluations_review",
    "evaluations_submit",
    "evidence_add",
    "unit_filing_refusal",
]
