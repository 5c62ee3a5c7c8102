"""Evaluation sheets (phiếu đánh giá) to download: one from the evaluation's page, many from the evaluations
listing's bulk action "In phiếu đánh giá" (the selected rows, or every row of the filtered listing).

Evaluations come only from ``Evaluation.objects.for_user`` and only for users who may read evaluations; an id
outside the user's area, one that names nothing and a malformed one are the same 404. Every download is
recorded (``record_download``): the sheets name households and citizens.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.functional import classproperty
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction

from evaluations.access import user_may_read_evaluations, user_reaches_unit
from evaluations.admin_access import LimitedSelectionMixin, ScopedBulkActionMixin
from evaluations.models import EVALUATION_LIST_ORDER, Evaluation
from evaluations.models.area import parse_pk

from ..downloads import document_file_name, document_response, record_download
from ..formats import document_language, integer_text
from ..sheets import SHEET_LIMIT, sheet_queryset, sheets_pdf


def sheets_download(request, evaluations: list[Evaluation], *, selection: list | None = None):
    """The PDF of ``evaluations``' sheets as a download, recorded."""
    data = sheets_pdf(evaluations)
    with document_language():
        if len(evaluations) == 1:
            evaluation = evaluations[0]
            name = document_file_name(
                _("evaluation sheet"), evaluation.subject.name, evaluation.year, file_format="pdf"
            )
        else:
            years = sorted({evaluation.year for evaluation in evaluations})
            name = document_file_name(
                _("evaluation sheets"), *(years if len(years) == 1 else ()), len(evaluations), file_format="pdf"
            )
    filters = {"evaluations": [evaluation.pk for evaluation in evaluations]}
    if selection:
        filters["listing"] = dict(selection)
    record_download(
        user=request.user, document="evaluation_sheets", file_format="pdf", filters=filters, row_count=len(evaluations)
    )
    return document_response(data, file_name=name, file_format="pdf")


class EvaluationSheetView(View):
    """The sheet of one evaluation (the button "Phiếu đánh giá (PDF)" on its page)."""

    #: What the id in the address names (the URL walk reads it).
    model = Evaluation

    def get(self, request, pk):
        if not user_may_read_evaluations(request.user):
            raise PermissionDenied
        value = parse_pk(Evaluation, pk)
        found = Evaluation.objects.for_user(request.user).filter(pk=value) if value is not None else None
        evaluations = list(sheet_queryset(found)) if found is not None else []
        if not evaluations:
            raise Http404
        return sheets_download(request, evaluations)


class SheetsBulkAction(LimitedSelectionMixin, ScopedBulkActionMixin, SnippetBulkAction):
    """The listing's "In phiếu đánh giá": the confirmation page says how many sheets (and which filters, for
    "select all"), and its button downloads them as one PDF. More than ``SHEET_LIMIT`` are refused before any
    row is read: the officer narrows the filter."""

    display_name = gettext_lazy("Print evaluation sheets")
    action_type = "evaluation_sheets"
    aria_label = gettext_lazy("Print the evaluation sheets of the selected evaluations (PDF)")
    #: Whoever reads evaluations prints their sheets (``permitted_bulk_actions`` offers it by this).
    permission = "evaluations.view_evaluation"
    template_name = "documents/admin/sheets_bulk_action.html"
    action_priority = 90
    selection_limit = SHEET_LIMIT

    @classproperty
    def models(cls):
        return [Evaluation]

    def select(self, objects):
        return objects.select_related("subject", "area").order_by(*EVALUATION_LIST_ORDER)

    def check_perm(self, evaluation):
        user = self.request.user
        return user_may_read_evaluations(user) and user_reaches_unit(user, evaluation.area)

    def object_context(self, obj):
        return {"item": obj}

    def refusal(self) -> str:
        return _(
            "%(count)s evaluations are selected: at most %(limit)s sheets are printed at once. "
            "Narrow the listing with its filters (village, year, status…), then select again."
        ) % {"count": integer_text(self.too_many), "limit": self.selection_limit}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return {**context, "too_many": self.refusal() if self.too_many else "", "limit": self.selection_limit}

    def form_valid(self, form):
        objects, _no_access = self.get_actionable_objects()
        if self.too_many:
            messages.error(self.request, self.refusal())
            return redirect(self.next_url)
        if not objects:
            messages.error(self.request, _("You cannot print the sheets of the selected evaluations."))
            return redirect(self.next_url)
        evaluations = list(
            sheet_queryset(Evaluation.objects.filter(pk__in=[evaluation.pk for evaluation in objects])).order_by(
                *EVALUATION_LIST_ORDER
            )
        )
        return sheets_download(self.request, evaluations, selection=self.selection_filters)
