"""Snippet viewsets of the "Reports" menu (registered in ``wagtail_hooks.py``): targets, denominators,
budget lines (edited per area) and report submissions (read only: a snapshot is never edited)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy, pgettext_lazy

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import ObjectList
from wagtail.snippets.views.snippets import InspectView, SnippetViewSet, SnippetViewSetGroup

import django_filters

from evaluations.admin.listing import PlainColumnsIndexView
from evaluations.admin_access import AreaRestrictedViewSetMixin
from evaluations.filters import AreaFilter

from .forms import AreaBoundForm
from .models import BudgetLine, BudgetSource, Denominator, Indicator, ReportSubmission, Target
from .tables import report_budget, report_sections, snapshot_rollup


def _filterset(model, extra: dict):
    attrs = {
        "area": AreaFilter(),
        "year": django_filters.NumberFilter(label=gettext_lazy("Year")),
        **extra,
        "Meta": type("Meta", (), {"model": model, "fields": ["area", "year", *extra]}),
    }
    return type(f"{model.__name__}FilterSet", (WagtailFilterSet,), attrs)


def _indicator_filterset(model):
    """Area, year and indicator filters of a per-indicator table (targets, denominators)."""
    indicator = django_filters.ChoiceFilter(label=pgettext_lazy("report", "Indicator"), choices=Indicator.choices)
    return _filterset(model, {"indicator": indicator})


class AreaDataViewSet(AreaRestrictedViewSetMixin, SnippetViewSet):
    index_view_class = PlainColumnsIndexView
    copy_view_enabled = False
    search_backend_name = None
    search_fields = ["area__name", "note"]
    list_per_page = 50
    ordering = ["-year", "area__path", "indicator"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("area")

    def get_edit_handler(self):
        return ObjectList(self.model.panels, base_form_class=AreaBoundForm).bind_to_model(self.model)


class TargetViewSet(AreaDataViewSet):
    model = Target
    icon = "crosshairs"
    menu_label = gettext_lazy("Targets")
    list_display = ["area", "year", "indicator", "percent", "note"]
    filterset_class = _indicator_filterset(Target)


class DenominatorViewSet(AreaDataViewSet):
    model = Denominator
    icon = "list-ol"
    menu_label = gettext_lazy("Denominators")
    list_display = ["area", "year", "indicator", "value", "note"]
    filterset_class = _indicator_filterset(Denominator)


class BudgetLineViewSet(AreaDataViewSet):
    model = BudgetLine
    icon = "form"
    menu_label = gettext_lazy("Budget lines")
    list_display = ["area", "year", "source", "planned", "spent"]
    filterset_class = _filterset(
        BudgetLine, {"source": django_filters.ChoiceFilter(label=gettext_lazy("Source"), choices=BudgetSource.choices)}
    )
    ordering = ["-year", "area__path", "source"]


class SubmissionInspectView(InspectView):
    """A submission and its frozen figures, in the same tables as the live roll-up report."""

    template_name = "reports/admin/submission_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        snapshot = self.object.snapshot or {}
        if not snapshot.get("areas"):
            return context
        result = snapshot_rollup(snapshot)
        year = result.years[0]
        context.update(
            snapshot_area=result.root.name,
            snapshot_year=year,
            sections=report_sections(result.root, year),
            budget=report_budget(result.root, year),
            budget_labels=dict(BudgetSource.choices),
        )
        return context


class SubmissionIndexView(PlainColumnsIndexView):
    def get_edit_url(self, instance):
        """The row's title opens the snapshot (there is no edit view)."""
        return self.get_inspect_url(instance)


class ReportSubmissionViewSet(AreaRestrictedViewSetMixin, SnippetViewSet):
    """Submissions are created by "Submit the report"; here they are listed and opened, never edited."""

    model = ReportSubmission
    icon = "doc-full-inverse"
    menu_label = gettext_lazy("Report submissions")
    inspect_view_enabled = True
    inspect_view_class = SubmissionInspectView
    #: The snapshot is shown as the report's tables, never as its stored JSON.
    inspect_view_fields = ["area", "year", "submitted_by", "submitted_at", "on_time", "note"]
    index_view_class = SubmissionIndexView
    add_view_enabled = False
    copy_view_enabled = False
    search_backend_name = None
    search_fields = ["area__name"]
    list_display = [
        "area",
        "year",
        "submitted_by",
        "submitted_at",
        "on_time",
    ]
    filterset_class = _filterset(ReportSubmission, {})
    ordering = ["-submitted_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("area", "submitted_by").defer("snapshot")

    def get_urlpatterns(self):
        # No edit, delete, history or revision views: a submitted snapshot is final.
        kept = {"list", "list_results", "inspect", "usage"}
        return [p for p in super().get_urlpatterns() if getattr(p, "name", None) in kept]

    def get_edit_handler(self):
        return ObjectList([]).bind_to_model(self.model)


class ReportMenuItem(MenuItem):
    def is_shown(self, request):
        from .views.admin import can_view_reports

        return can_view_reports(request.user)


class ReportsGroup(SnippetViewSetGroup):
    items = ()
    menu_label = gettext_lazy("Reports")
    menu_icon = "table"
    menu_order = 230

    def __init__(self):
        self.items = (target_viewset, denominator_viewset, budget_viewset, submission_viewset)
        super().__init__()

    def get_submenu_items(self):
        own = [
            ReportMenuItem(gettext_lazy("Roll-up report"), reverse("reports:report"), icon_name="table", order=1),
            ReportMenuItem(
                gettext_lazy("Report completeness"), reverse("reports:completeness"), icon_name="tasks", order=2
            ),
            ReportMenuItem(gettext_lazy("My exports"), reverse("reports:export_jobs"), icon_name="download", order=3),
        ]
        others = super().get_submenu_items()
        for offset, item in enumerate(others, start=len(own) + 1):
            item.order = offset
        return own + others


target_viewset = TargetViewSet()
denominator_viewset = DenominatorViewSet()
budget_viewset = BudgetLineViewSet()
submission_viewset = ReportSubmissionViewSet()
reports_group = ReportsGroup()
