"""Bulk actions on the evaluation listing: recognise or not recognise by one decision, submit, return.

Each action checks every selected evaluation (permission, area, status, result) and reports the ones it
refused with their reason; the ones it did are written in one transaction. A decision on a large
selection is recorded by the background worker (``bulk_jobs``), the officer following it on its page.
"""

from __future__ import annotations

from django.contrib import messages
from django.urls import reverse
from django.utils.functional import classproperty
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from wagtail.admin import messages as wagtail_messages
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction

from . import services
from .access import user_reaches_unit
from .admin_access import ScopedBulkActionMixin
from .bulk_jobs import decision_job_queue, refusal_summary, runs_in_background
from .forms import DecisionForm, ReasonForm
from .models import AdministrativeUnit, DecisionKind, Evaluation
from .models.units import communes_by_path
from .selectors import decision_issuing_units


class EvaluationBulkAction(ScopedBulkActionMixin, SnippetBulkAction):
    template_name = "evaluations/admin/bulk_action.html"
    #: The permission the user needs for this action.
    permission = ""
    #: The workflow's transition (``services.workflow.TRANSITIONS``): which selected rows can take it.
    transition = ""
    action_button_text = ""

    @classproperty
    def models(cls):
        return [Evaluation]

    def select(self, objects):
        return objects.select_related("area", "subject")

    def check_perm(self, evaluation):
        user = self.request.user
        return user.has_perm(self.permission) and user_reaches_unit(user, evaluation.area)

    def get_context_data(self, **kwargs):
        """Before the form, which selected evaluations can take the action and why the others cannot (the
        rule the action itself applies: ``services.evaluation_transition_refusal``); no form when none can."""
        context = super().get_context_data(**kwargs)
        ready, refused = [], []
        for entry in context.get("items", []):
            reason = services.evaluation_transition_refusal(
                evaluation=entry["item"], action=self.transition, user=self.request.user
            )
            if reason:
                refused.append({"item": entry["item"], "reason": reason})
            else:
                ready.append(entry)
        return {**context, "ready": ready, "refused": refused, "action_button_text": self.action_button_text}

    def report(self, outcome: dict) -> tuple[int, int]:
        if outcome["refused"]:
            messages.warning(self.request, refusal_summary(outcome["refused"]))
        return len(outcome["done"]), 0


class SubmitBulkAction(EvaluationBulkAction):
    display_name = _("Submit")
    action_type = "submit"
    transition = "submit"
    aria_label = _("Submit the selected evaluations for review")
    permission = "evaluations.submit_evaluation"
    action_button_text = _("Yes, submit")
    action_priority = 40

    @classmethod
    def execute_action(cls, objects, **kwargs):
        self = kwargs["self"]
        return self.report(services.evaluations_submit(evaluations=objects, user=self.request.user))

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext("%(count)d evaluation submitted.", "%(count)d evaluations submitted.", num_parent_objects) % {
            "count": num_parent_objects
        }


class ReviewBulkAction(EvaluationBulkAction):
    display_name = _("Mark as reviewed")
    action_type = "review"
    transition = "review"
    aria_label = _("Mark the selected evaluations as reviewed")
    permission = "evaluations.review_evaluation"
    action_button_text = _("Yes, mark as reviewed")
    action_priority = 45

    @classmethod
    def execute_action(cls, objects, **kwargs):
        self = kwargs["self"]
        return self.report(services.evaluations_review(evaluations=objects, user=self.request.user))

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "%(count)d evaluation marked as reviewed.", "%(count)d evaluations marked as reviewed.", num_parent_objects
        ) % {"count": num_parent_objects}


class ReturnBulkAction(EvaluationBulkAction):
    display_name = _("Return with a reason")
    action_type = "return"
    transition = "return"
    aria_label = _("Return the selected evaluations to draft with a reason")
    permission = "evaluations.review_evaluation"
    form_class = ReasonForm
    action_button_text = _("Return to draft")
    action_priority = 50

    def get_execution_context(self):
        return {**super().get_execution_context(), "reason": self.cleaned_form.cleaned_data["reason"]}

    @classmethod
    def execute_action(cls, objects, reason="", **kwargs):
        self = kwargs["self"]
        return self.report(services.evaluations_return(evaluations=objects, user=self.request.user, reason=reason))

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "%(count)d evaluation returned to draft.", "%(count)d evaluations returned to draft.", num_parent_objects
        ) % {"count": num_parent_objects}


class DecisionBulkAction(EvaluationBulkAction):
    """Record one decision for all the selected reviewed evaluations."""

    form_class = DecisionForm
    permission = "evaluations.recognise_evaluation"
    recognise = True
    #: The job recording the decision in the background, when the selection is too large for the request.
    job = None

    def get_form_kwargs(self):
        objects, _no_access = self.get_actionable_objects()
        areas = decision_issuing_units(self.request.user)
        kwargs = {**super().get_form_kwargs(), "areas": areas, "evaluations": objects}
        if self.request.method == "POST":
            kwargs["files"] = self.request.FILES
        return kwargs

    def get_initial(self):
        """The commune all the selected evaluations belong to today (an ended commune counts as the commune
        it went into), and its committee, as a starting point."""
        from reorganisation.selectors import current_unit_map

        initial = super().get_initial()
        objects, _no_access = self.get_actionable_objects()
        communes = {c.pk: c for c in communes_by_path({e.area.path for e in objects[:1000]}).values()}
        successors = current_unit_map([pk for pk, c in communes.items() if c.has_ended()])
        todays = {successors.get(pk, pk) for pk in communes}
        if len(todays) == 1:
            commune = AdministrativeUnit.objects.filter(pk=todays.pop()).first()
            if commune is not None and user_reaches_unit(self.request.user, commune):
                initial.update(area=commune.pk, issuing_body=commune.committee)
        return initial

    def get_execution_context(self):
        return {**super().get_execution_context(), "decision_data": self.cleaned_form.cleaned_data}

    @classmethod
    def execute_action(cls, objects, decision_data=None, **kwargs):
        self = kwargs["self"]
        user = self.request.user
        action = "recognise" if self.recognise else "not_recognise"
        refused = [
            (e, reason)
            for e in objects
            if (reason := services.evaluation_transition_refusal(evaluation=e, action=action, user=user))
        ]
        if len(refused) == len(objects):
            # Nothing can be decided: record no empty decision.
            return self.report({"done": [], "refused": refused})
        if runs_in_background(len(objects)):
            # The worker checks them all again and reports the ones it leaves unchanged on the job's page.
            self.job = decision_job_queue(
                recognise=self.recognise, evaluations=objects, decision_data=decision_data, user=user
            )
            return 0, 0
        decision = services.decision_record(
            kind=DecisionKind.RECOGNITION,
            number=decision_data["number"],
            decision_date=decision_data["decision_date"],
            issuing_body=decision_data["issuing_body"],
            signatory=decision_data["signatory"],
            area=decision_data["area"],
            upload=decision_data.get("file"),
            user=user,
        )
        outcome = services.evaluations_decide(
            evaluations=objects, decision=decision, user=user, recognise=self.recognise
        )
        return self.report(outcome)

    def get_success_message(self, num_parent_objects, num_child_objects):
        if self.job is None:
            return self.done_message(num_parent_objects)
        status_url = reverse("evaluations_bulk_jobs:detail", args=[self.job.pk])
        wagtail_messages.info(
            self.request,
            ngettext(
                "Processing %(count)d evaluation in the background…",
                "Processing %(count)d evaluations in the background…",
                self.job.selected,
            )
            % {"count": self.job.selected},
            buttons=[wagtail_messages.button(status_url, _("Follow its progress"))],
        )
        return None

    def done_message(self, count: int) -> str:
        raise NotImplementedError


class RecogniseBulkAction(DecisionBulkAction):
    display_name = _("Recognise")
    action_type = "recognise"
    transition = "recognise"
    aria_label = _("Recognise the selected evaluations by one decision")
    action_button_text = _("Record the decision and recognise")
    action_priority = 10

    def done_message(self, count: int) -> str:
        return ngettext("%(count)d evaluation recognised.", "%(count)d evaluations recognised.", count) % {
            "count": count
        }


class NotRecogniseBulkAction(DecisionBulkAction):
    display_name = _("Not recognised")
    action_type = "not_recognise"
    transition = "not_recognise"
    aria_label = _("Record that the selected evaluations are not recognised")
    action_button_text = _("Record the decision")
    recognise = False
    action_priority = 20

    def done_message(self, count: int) -> str:
        return ngettext(
            "%(count)d evaluation recorded as not recognised.",
            "%(count)d evaluations recorded as not recognised.",
            count,
        ) % {"count": count}


BULK_ACTIONS = (RecogniseBulkAction, NotRecogniseBulkAction, SubmitBulkAction, ReviewBulkAction, ReturnBulkAction)
