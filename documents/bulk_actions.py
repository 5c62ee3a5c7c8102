"""Printing from the evaluation listing: the selected evaluations' documents, as one file."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from evaluations.access import user_reaches_unit
from evaluations.bulk_actions import EvaluationBulkAction
from evaluations.models import Evaluation

from .certificates import certifiable, is_certifiable
from .views.certificates import deliver_certificates

#: Who prints from the listing: the officers who hand documents out and those who record decisions (an
#: auditor reads each document from its page, and has nothing to tick in the listing).
PRINT_PERMISSIONS = ("evaluations.change_evaluation", "evaluations.recognise_evaluation")


class DocumentBulkAction(EvaluationBulkAction):
    """A bulk action that answers with a document (or a background job writing it) instead of changing
    anything: the confirmation page says which selected rows it covers and why the others are left out."""

    permission = PRINT_PERMISSIONS

    def check_perm(self, evaluation):
        user = self.request.user
        return any(user.has_perm(p) for p in self.permission) and user_reaches_unit(user, evaluation.area)

    def refusal(self, evaluation) -> str:
        """Why ``evaluation`` is left out of the document ("" when it is in)."""
        return ""

    def get_context_data(self, **kwargs):
        context = super(EvaluationBulkAction, self).get_context_data(**kwargs)
        ready, refused = [], []
        for entry in context.get("items", []):
            reason = self.refusal(entry["item"])
            if reason:
                refused.append({"item": entry["item"], "reason": reason})
            else:
                ready.append(entry)
        return {**context, "ready": ready, "refused": refused, "action_button_text": self.action_button_text}

    @classmethod
    def execute_action(cls, objects, **kwargs):
        return 0, 0  # nothing changes: ``prepare_action`` answers with the document

    def selected(self, objects):
        """The selected evaluations as a queryset, within the user's area."""
        return Evaluation.objects.for_user(self.request.user).filter(pk__in=[o.pk for o in objects])


class PrintCertificatesBulkAction(DocumentBulkAction):
    display_name = _("Print certificates")
    action_type = "print_certificates"
    aria_label = _("Print the certificates of the selected recognised evaluations")
    action_button_text = _("Download the certificates (PDF)")
    action_priority = 70

    def refusal(self, evaluation) -> str:
        if is_certifiable(evaluation):
            return ""
        return _("%(evaluation)s: %(status)s – only a recognition has a certificate.") % {
            "evaluation": evaluation,
            "status": evaluation.get_status_display(),
        }

    def prepare_action(self, objects, objects_without_access):
        evaluations = self.selected(objects)
        ids = list(certifiable(evaluations).values_list("pk", flat=True))
        return deliver_certificates(
            self.request,
            evaluations=evaluations.filter(pk__in=ids),
            filters={"evaluations": ids},
            title=str(_("Certificates of the selected evaluations")),
            about="",
            back=self.next_url,
        )
