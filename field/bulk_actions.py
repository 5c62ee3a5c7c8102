"""The subject listings' "In phiếu tự đánh giá": the selected subjects' self-assessment slips as one PDF, their
codes made (or kept) for the current evaluation year. Subjects that cannot have one are listed with the reason.

Who prints: the officers who may add evaluations. A code lets the family start the year's evaluation (a draft,
made when it first sends its self-assessment), so handing one out is starting an evaluation on its behalf; a
reviewer or an auditor, who may not start one, prints none."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.functional import classproperty
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction

from documents.downloads import document_file_name, document_response, record_download
from documents.formats import document_language, integer_text
from documents.views.certificates import public_base_url
from evaluations.access import user_reaches_unit
from evaluations.admin_access import LimitedSelectionMixin, ScopedBulkActionMixin
from evaluations.calendar import current_evaluation_year
from evaluations.models import (
    NAME_ORDER,
    LearningCitizen,
    LearningClan,
    LearningCommunity,
    LearningFamily,
    LearningUnit,
)

from .self_assessment import SLIP_LIMIT, issue_codes, slip_plan
from .slips import slips_pdf

PERMISSION = "evaluations.add_evaluation"
ACTION_TYPE = "self_assessment_slips"


class SelfAssessmentSlipsBulkAction(LimitedSelectionMixin, ScopedBulkActionMixin, SnippetBulkAction):
    display_name = gettext_lazy("Print self-assessment slips")
    action_type = ACTION_TYPE
    aria_label = gettext_lazy("Print the self-assessment slips of the selected subjects (PDF)")
    #: ``permitted_bulk_actions`` offers it by this.
    permission = PERMISSION
    template_name = "field/self_assessment_slips_bulk.html"
    action_priority = 60
    selection_limit = SLIP_LIMIT

    @classproperty
    def models(cls):
        return [LearningFamily, LearningClan, LearningCommunity, LearningUnit, LearningCitizen]

    @property
    def year(self) -> int:
        return current_evaluation_year()

    def select(self, objects):
        return objects.select_related("area").order_by("area__path", *NAME_ORDER, "pk")

    def check_perm(self, subject):
        user = self.request.user
        return user.has_perm(PERMISSION) and user_reaches_unit(user, subject.area)

    def object_context(self, obj):
        return {"item": obj}

    def refusal(self) -> str:
        return _(
            "%(count)s subjects are selected: at most %(limit)s slips are printed at once. "
            "Narrow the listing with its filters (village…), then select again."
        ) % {"count": integer_text(self.too_many), "limit": self.selection_limit}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = slip_plan([entry["item"] for entry in context.get("items", [])], self.year)
        return {
            **context,
            "too_many": self.refusal() if self.too_many else "",
            "ready": [subject for subject, _set in plan.ready],
            "refused": [reason for _subject, reason in plan.refused],
            "year": self.year,
        }

    def form_valid(self, form):
        objects, _no_access = self.get_actionable_objects()
        if self.too_many:
            messages.error(self.request, self.refusal())
            return redirect(self.next_url)
        year = self.year
        plan = slip_plan(objects, year)
        if not plan.ready:
            messages.error(self.request, _("None of the selected subjects can have a self-assessment slip."))
            return redirect(self.next_url)
        codes = issue_codes(plan.ready, year=year, user=self.request.user)
        ordered = []
        for subject, _set in plan.ready:
            code = codes[subject.pk]
            code.subject = subject  # read already, with its area
            ordered.append(code)
        data, count = slips_pdf(ordered, base_url=public_base_url(self.request))
        record_download(
            user=self.request.user,
            document="self_assessment_slips",
            file_format="pdf",
            filters={"subjects": [subject.pk for subject, _set in plan.ready], "year": year},
            row_count=count,
        )
        with document_language():
            name = document_file_name(_("self-assessment slips"), year, count, file_format="pdf")
        return document_response(data, file_name=name, file_format="pdf")
