"""Audit-log actions of the evaluation workflow, so history pages name them in the user's language."""

from django.utils.translation import gettext_lazy as _

WORKFLOW_LOG_ACTIONS = {
    "evaluations.score": (_("Scores saved"), _("Scores saved")),
    # Sent by the family or unit itself on the public form, with the code of its slip: no account, so no user.
    "evaluations.self_assessment": (
        _("Self-assessment received"),
        _("Self-assessment sent by the family or unit with its slip's code"),
    ),
    "evaluations.self_assessment_create": (
        _("Created from a self-assessment"),
        _("Created when the family or unit sent its self-assessment with its slip's code"),
    ),
    "evaluations.submit": (_("Submitted"), _("Submitted for review")),
    "evaluations.review": (_("Reviewed"), _("Reviewed")),
    "evaluations.return": (_("Returned"), _("Returned to draft")),
    "evaluations.recognise": (_("Recognised"), _("Recognised by a decision")),
    "evaluations.not_recognise": (_("Not recognised"), _("Not recognised by a decision")),
    "evaluations.revoke": (_("Recognition revoked"), _("Recognition revoked by a decision")),
    "evaluations.propose_commendation": (_("Proposed for commendation"), _("Proposed for commendation")),
    "evaluations.export": (_("Exported"), _("Personal data exported")),
    "evaluations.criteria_set_confirm": (_("Confirmed"), _("Confirmed against the official document")),
}


def register(actions) -> None:
    for action, (label, message) in WORKFLOW_LOG_ACTIONS.items():
        actions.register_action(action, label, message)
