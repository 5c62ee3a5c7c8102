"""Draft recognition decisions to download: of a recorded decision (its page's buttons), and of reviewed
evaluations awaiting one (a bulk action on the evaluation listing). Both for the users who record decisions,
of their area only; every download is recorded (it names people)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from evaluations import services
from evaluations.bulk_actions import EvaluationBulkAction
from evaluations.models import AdministrativeUnit, DecisionKind, RecognitionDecision
from evaluations.models.units import communes_by_path

from ..decisions import RENDERERS, decision_text, draft_text
from ..downloads import document_file_name, document_response, record_download
from ..formats import document_language, unit_words

#: Who may print a draft decision: those who record decisions.
PERMISSION = "evaluations.recognise_evaluation"


class DecisionDocumentView(View):
    """The draft of a recorded recognition decision, as .docx or PDF: listing only the evaluations the user
    reaches (one decision may also recognise other communes' families). A decision outside the user's area,
    a revocation, a missing or malformed id: the same 404."""

    model = RecognitionDecision
    file_format = "pdf"

    def get(self, request, pk):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        decisions = RecognitionDecision.objects.for_user(request.user).filter(kind=DecisionKind.RECOGNITION)
        decision = get_object_or_404(decisions.select_related("area"), pk=pk)
        with document_language():
            text = decision_text(decision, request.user)
            data = RENDERERS[self.file_format](text)
            file_name = document_file_name(_("draft decision"), decision.number, file_format=self.file_format)
        record_download(
            user=request.user,
            document="decision",
            file_format=self.file_format,
            filters={"decision": decision.pk, "number": decision.number},
            row_count=text.count,
        )
        return document_response(data, file_name=file_name, file_format=self.file_format)


def todays_communes(evaluations) -> list[AdministrativeUnit]:
    """The communes of today the evaluations belong to (an ended commune counts as the one it went into),
    in tree order: a draft decision is one commune's."""
    from reorganisation.selectors import current_unit_map

    communes = {c.pk: c for c in communes_by_path({e.area.path for e in evaluations}).values()}
    successors = current_unit_map([pk for pk, commune in communes.items() if commune.has_ended()])
    todays = {successors.get(pk, pk) for pk in communes}
    return list(AdministrativeUnit.objects.filter(pk__in=todays).order_by("path"))


class DraftFormatForm(forms.Form):
    file_format = forms.ChoiceField(choices=[("docx", ".docx"), ("pdf", "PDF")])


class DraftDecisionBulkAction(EvaluationBulkAction):
    """For reviewed evaluations of one commune awaiting a decision, the decision to take, as .docx or PDF
    (number, date and signatory left to fill in). Selected evaluations that cannot be recognised now (the
    workflow's rule) are left out, with their reasons; refused, saying why, when none can or those that can
    belong to several communes."""

    display_name = gettext_lazy("Draft recognition decision")
    action_type = "draft_decision"
    transition = "recognise"
    aria_label = gettext_lazy("Make the draft recognition decision for the selected evaluations")
    permission = PERMISSION
    template_name = "documents/admin/draft_decision_bulk.html"
    form_class = DraftFormatForm
    action_priority = 55

    def ready(self, objects) -> list:
        """The selected evaluations the committee may recognise now (the workflow's rule): the draft's."""
        user = self.request.user
        return [
            evaluation
            for evaluation in objects
            if not services.evaluation_transition_refusal(evaluation=evaluation, action="recognise", user=user)
        ]

    def problems(self, ready) -> tuple[list[str], AdministrativeUnit | None]:
        """What stops the draft of the ``ready`` evaluations (messages naming it), and the commune whose
        committee would decide. The others selected are left out, listed with their reasons above."""
        found = []
        if not ready:
            found.append(
                _(
                    "None of the selected evaluations can be recognised now: a draft decision takes only "
                    "reviewed evaluations that meet the criteria."
                )
            )
        communes = todays_communes(ready)
        if len(communes) > 1:
            found.append(
                _(
                    "A decision is taken by one commune's committee: the selection holds evaluations of "
                    "%(count)d communes (%(communes)s). Select the evaluations of one commune."
                )
                % {"count": len(communes), "communes": ", ".join(c.name for c in communes)}
            )
        elif not communes and ready:
            found.append(_("The selected evaluations belong to no commune."))
        return found, (communes[0] if len(communes) == 1 else None)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ready = self.ready([entry["item"] for entry in context.get("items", [])])
        problems, commune = self.problems(ready)
        committee = _("People's Committee of %(unit)s") % {"unit": unit_words(commune)} if commune else ""
        return {**context, "problems": problems, "commune": commune, "committee": committee}

    def form_valid(self, form):
        objects, _no_access = self.get_actionable_objects()
        objects = self.ready(objects)
        problems, commune = self.problems(objects)
        if problems:
            for problem in problems:
                messages.error(self.request, problem)
            return self.render_to_response(self.get_context_data(form=form))
        file_format = form.cleaned_data["file_format"]
        with document_language():
            text = draft_text(area=commune, evaluations=objects)
            data = RENDERERS[file_format](text)
            file_name = document_file_name(_("draft decision"), commune.name, file_format=file_format)
        record_download(
            user=self.request.user,
            document="draft_decision",
            file_format=file_format,
            filters={"commune": commune.pk, "evaluations": sorted(e.pk for e in objects)},
            row_count=text.count,
        )
        return document_response(data, file_name=file_name, file_format=file_format)

    @classmethod
    def execute_action(cls, objects, **kwargs):  # pragma: no cover - form_valid answers with the file
        raise Http404
