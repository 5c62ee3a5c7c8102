"""Workflow actions on one evaluation: submit, review, return, revoke, propose for commendation.

Recognising (or not) goes through the bulk decision form, with one or many evaluations selected.
Every view here is reached through the evaluation viewset, whose object URLs are area-guarded.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from evaluations.admin_screen import AdminScreenMixin

from .. import services
from ..forms import CommendationForm, ReasonForm, RevocationForm
from ..models import DecisionKind, Evaluation
from ..selectors import decision_issuing_units

SIMPLE_ACTIONS = {
    "submit": services.evaluation_submit,
    "review": services.evaluation_review,
}

SUCCESS = {
    "submit": gettext_lazy("“%(evaluation)s” submitted for review."),
    "review": gettext_lazy("“%(evaluation)s” reviewed."),
    "return": gettext_lazy("“%(evaluation)s” returned to draft."),
}


def _inspect_url(evaluation) -> str:
    return reverse(Evaluation.snippet_viewset.get_url_name("inspect"), args=[evaluation.pk])


def evaluation_action_view(request, pk: int, action: str):
    """POST only: submit or review (no form), or return with the reason posted as ``reason``."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    evaluation = get_object_or_404(Evaluation.objects.for_user(request.user).select_related("area", "subject"), pk=pk)
    try:
        if action in SIMPLE_ACTIONS:
            SIMPLE_ACTIONS[action](evaluation=evaluation, user=request.user)
        elif action == "return":
            form = ReasonForm(request.POST)
            if not form.is_valid():
                raise services.WorkflowError(_("Give the reason for returning the evaluation."))
            services.evaluation_return(evaluation=evaluation, user=request.user, reason=form.cleaned_data["reason"])
        else:
            raise PermissionDenied
    except services.WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect(_inspect_url(evaluation))
    messages.success(request, SUCCESS[action] % {"evaluation": evaluation})
    return redirect(_inspect_url(evaluation))


class EvaluationFormActionView(AdminScreenMixin, View):
    """A form page about one evaluation (revocation, commendation)."""

    template_name = "evaluations/admin/evaluation_action_form.html"
    permission = ""
    header_icon = "tasks"

    def dispatch(self, request, pk: int):
        self.evaluation = get_object_or_404(
            Evaluation.objects.for_user(request.user).select_related("area", "subject"), pk=pk
        )
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        refusal = self.refusal()
        if refusal:
            messages.error(request, refusal)
            return redirect(_inspect_url(self.evaluation))
        return super().dispatch(request, pk)

    def refusal(self) -> str | None:
        """Why this action is not possible on the evaluation now, or None."""
        return None

    def get_page_subtitle(self):
        return str(self.evaluation)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": _inspect_url(self.evaluation), "label": str(self.evaluation)},
            {"url": "", "label": self.get_page_title()},
        ]

    def render(self, form, status=200):
        context = self.get_context_data(
            form=form, evaluation=self.evaluation, cancel_url=_inspect_url(self.evaluation)
        )
        return TemplateResponse(self.request, self.template_name, context, status=status)


class RevokeView(EvaluationFormActionView):
    page_title = gettext_lazy("Revoke the recognition")
    permission = "evaluations.revoke_recognition"

    def refusal(self):
        return services.evaluation_transition_refusal(
            evaluation=self.evaluation, action="revoke", user=self.request.user
        )

    def form(self, *args):
        areas = decision_issuing_units(self.request.user)
        return RevocationForm(*args, areas=areas, evaluations=[self.evaluation])

    def get(self, request, pk: int):
        return self.render(self.form())

    def post(self, request, pk: int):
        form = self.form(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(form, status=400)
        data = form.cleaned_data
        try:
            with transaction.atomic():
                decision = services.decision_record(
                    kind=DecisionKind.REVOCATION,
                    number=data["number"],
                    decision_date=data["decision_date"],
                    issuing_body=data["issuing_body"],
                    signatory=data["signatory"],
                    area=data["area"],
                    upload=data.get("file"),
                    reason=data["reason"],
                    user=request.user,
                )
                services.evaluation_revoke(evaluation=self.evaluation, decision=decision, user=request.user)
        except services.WorkflowError as exc:
            form.add_error(None, str(exc))
            return self.render(form, status=400)
        messages.success(
            request, _("The recognition of “%(evaluation)s” is revoked.") % {"evaluation": self.evaluation}
        )
        return redirect(_inspect_url(self.evaluation))


class CommendView(EvaluationFormActionView):
    page_title = gettext_lazy("Propose for commendation")
    permission = "evaluations.propose_commendation"

    def refusal(self):
        return services.commendation_refusal(evaluation=self.evaluation, user=self.request.user)

    def get(self, request, pk: int):
        existing = getattr(self.evaluation, "commendation", None)
        initial = {"level": existing.level, "reason": existing.reason} if existing else None
        return self.render(CommendationForm(initial=initial))

    def post(self, request, pk: int):
        form = CommendationForm(request.POST)
        if not form.is_valid():
            return self.render(form, status=400)
        try:
            services.commendation_propose(
                evaluation=self.evaluation,
                level=form.cleaned_data["level"],
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except services.WorkflowError as exc:
            form.add_error(None, str(exc))
            return self.render(form, status=400)
        messages.success(request, _("“%(evaluation)s” proposed for commendation.") % {"evaluation": self.evaluation})
        return redirect(_inspect_url(self.evaluation))
