"""Recognition decisions and commendation proposals: the records a decision leaves."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.snippets import (
    InspectView,
    SnippetViewSet,
)

import django_filters

from ..admin_access import (
    AreaRestrictedViewSetMixin,
)
from ..filters import AreaFilter, ListingFilterSet
from ..models import (
    SUBJECT_NAME_ORDER,
    CommendationLevel,
    CommendationProposal,
    RecognitionDecision,
    SubjectKind,
)
from .listing import PersonalDataIndexView


class DecisionInspectView(InspectView):
    template_name = "evaluations/admin/decision_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        decision = self.object
        related = decision.evaluations if decision.kind == "recognition" else decision.revoked_evaluations
        # Only the evaluations the user reaches: one decision may also decide other communes' families.
        related = related.select_related("subject", "area").for_user(self.request.user)
        from documents.certificates import certifiable

        context.update(
            certificate_count=certifiable(related).count() if decision.kind == "recognition" else 0,
            decided=related.order_by(*SUBJECT_NAME_ORDER),
            file_url=reverse("evaluations:decision_file_download", args=[decision.pk]) if decision.file else "",
        )
        return context


class RecognitionDecisionViewSet(AreaRestrictedViewSetMixin, SnippetViewSet):
    """Decisions are created by the recognise and revoke actions (with the evaluations they decide and
    their area); here they are listed and inspected."""

    model = RecognitionDecision
    add_view_enabled = False
    icon = "doc-full"
    menu_label = gettext_lazy("Recognition decisions")
    inspect_view_enabled = True
    inspect_view_class = DecisionInspectView
    inspect_view_fields = [
        "kind",
        "number",
        "decision_date",
        "issuing_body",
        "signatory",
        "area",
        "reason",
        "created_at",
    ]
    copy_view_enabled = False
    search_backend_name = None
    search_fields = ["number", "issuing_body", "signatory"]
    list_display = ["number", "decision_date", "kind", "issuing_body", "signatory", "area"]
    list_filter = ["kind", "decision_date"]
    list_export = ["number", "decision_date", "kind", "issuing_body", "signatory", "area"]
    ordering = ["-decision_date"]
    panels = [FieldPanel("number"), FieldPanel("decision_date"), FieldPanel("issuing_body"), FieldPanel("signatory")]

    def get_queryset(self, request):
        return RecognitionDecision.objects.select_related("area").for_user(request.user)


class CommendationFilterSet(ListingFilterSet):
    area = AreaFilter(area_field="evaluation__area")
    year = django_filters.NumberFilter(label=gettext_lazy("Year"), field_name="evaluation__year")
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("Kind"), field_name="evaluation__kind", choices=SubjectKind.choices
    )
    level = django_filters.ChoiceFilter(label=gettext_lazy("Commendation level"), choices=CommendationLevel.choices)

    class Meta:
        model = CommendationProposal
        fields = ["area", "year", "kind", "level"]


class CommendationProposalViewSet(AreaRestrictedViewSetMixin, SnippetViewSet):
    """Exemplary models proposed for commendation: the list for the congress, per area and year."""

    model = CommendationProposal
    icon = "pick"
    menu_label = gettext_lazy("Commendation proposals")
    index_view_class = PersonalDataIndexView
    inspect_view_enabled = True
    copy_view_enabled = False
    add_view_enabled = False
    filterset_class = CommendationFilterSet
    search_backend_name = None
    search_fields = ["evaluation__subject__name"]
    list_display = [
        Column("subject", label=gettext_lazy("Subject"), accessor="evaluation.subject"),
        Column("year", label=gettext_lazy("Year"), accessor="evaluation.year"),
        Column("area", label=gettext_lazy("Area"), accessor="evaluation.area"),
        "level",
        "reason",
        "proposed_at",
    ]
    list_export = [
        "evaluation",
        "evaluation.area",
        "evaluation.grade",
        "level",
        "reason",
        "proposed_by",
        "proposed_at",
    ]
    export_headings = {
        "evaluation": gettext_lazy("Evaluation"),
        "evaluation.area": gettext_lazy("Area"),
        "evaluation.grade": gettext_lazy("Grade"),
        "level": gettext_lazy("Commendation level"),
        "reason": gettext_lazy("Reason"),
        "proposed_by": gettext_lazy("Proposed by"),
        "proposed_at": gettext_lazy("Proposed at"),
    }
    panels = [FieldPanel("level"), FieldPanel("reason")]

    def get_queryset(self, request):
        queryset = CommendationProposal.objects.select_related("evaluation__subject", "evaluation__area")
        return queryset.for_user(request.user)


decision_viewset = RecognitionDecisionViewSet()
commendation_viewset = CommendationProposalViewSet()
