"""Admin screens: snippet viewsets for subjects, criteria sets and evaluations; choosers; score entry.

Registered in ``wagtail_hooks.py``. Area-based access (issue 3) plugs into ``get_queryset`` and the
instance checks of these views.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.generic import View

from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.widgets import HeaderButton
from wagtail.snippets.views.snippets import (
    CreateView,
    DeleteView,
    EditView,
    IndexView,
    InspectView,
    SnippetViewSet,
    SnippetViewSetGroup,
)

from . import criteria_io, services
from .filters import CriteriaSetFilterSet, EvaluationFilterSet, subject_filterset_for
from .forms import CriteriaSetForm, EvaluationForm
from .models import (
    AdministrativeUnit,
    CriteriaSet,
    Evaluation,
    LearningCitizen,
    LearningClan,
    LearningCommunity,
    LearningFamily,
    LearningUnit,
    Subject,
    SubjectKind,
    UnitLevel,
)
from .views.scores import ScoreEntryView

# --- choosers ---------------------------------------------------------------------------------------


class NameFilterForm(BaseFilterForm):
    """Chooser search without a search index: the name contains the words typed, plus one choice filter.

    Subclasses set ``choice_field`` (the model field) and declare a ``ChoiceField`` of that name.
    """

    choice_field = ""
    q = forms.CharField(
        label=gettext_lazy("Search term"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Search")}),
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            self.is_searching = True
            self.search_query = query
            objects = objects.filter(name__icontains=query)
        if self.cleaned_data.get(self.choice_field):
            objects = objects.filter(**{self.choice_field: self.cleaned_data[self.choice_field]})
        return objects


class SubjectFilterForm(NameFilterForm):
    choice_field = "kind"
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), required=False, choices=[("", gettext_lazy("All kinds")), *SubjectKind.choices]
    )


class UnitFilterForm(NameFilterForm):
    choice_field = "level"
    level = forms.ChoiceField(
        label=pgettext_lazy("administrative unit", "Level"),
        required=False,
        choices=[("", gettext_lazy("All levels")), *UnitLevel.choices],
    )


class FilteredChooserViewSet(ChooserViewSet):
    """A chooser whose listing is searched and filtered by ``filter_form_class``."""

    filter_form_class: type[BaseFilterForm]
    per_page = 20

    @property
    def choose_view_class(self):
        return type("ChooseView", (ChooseView,), {"filter_form_class": self.filter_form_class})

    @property
    def choose_results_view_class(self):
        return type("ChooseResultsView", (ChooseResultsView,), {"filter_form_class": self.filter_form_class})


class SubjectChooserViewSet(FilteredChooserViewSet):
    model = Subject
    icon = "group"
    filter_form_class = SubjectFilterForm
    choose_one_text = gettext_lazy("Choose a subject")
    choose_another_text = gettext_lazy("Choose another subject")


class AdministrativeUnitChooserViewSet(FilteredChooserViewSet):
    model = AdministrativeUnit
    icon = "site"
    filter_form_class = UnitFilterForm
    choose_one_text = gettext_lazy("Choose an administrative unit")
    choose_another_text = gettext_lazy("Choose another unit")


subject_chooser_viewset = SubjectChooserViewSet("subject_chooser", url_prefix="evaluations/choose-subject")
unit_chooser_viewset = AdministrativeUnitChooserViewSet("unit_chooser", url_prefix="evaluations/choose-unit")


# --- subjects ---------------------------------------------------------------------------------------


class SubjectViewSet(SnippetViewSet):
    """Base for the five kinds: same listing, filters, search and export; each kind has its own form."""

    icon = "group"
    inspect_view_enabled = True
    search_backend_name = None  # plain database search on the name until the search issue lands
    search_fields = ["name"]
    list_per_page = 50
    copy_view_enabled = False
    list_display = ["name", "area", "code", "publish_consent", "updated_at"]
    list_export = ["name", "kind", "area", "code", "publish_consent", "is_active"]
    export_headings = {
        "name": gettext_lazy("Name"),
        "kind": gettext_lazy("Kind"),
        "area": gettext_lazy("Area"),
        "code": gettext_lazy("Code"),
        "publish_consent": gettext_lazy("May be published"),
        "is_active": gettext_lazy("Active"),
    }
    ordering = ["name"]

    @property
    def filterset_class(self):
        return subject_filterset_for(self.model)

    def get_queryset(self, request):
        return self.model.objects.select_related("area")


class LearningFamilyViewSet(SubjectViewSet):
    model = LearningFamily
    icon = "home"
    list_display = ["name", "member_count", "area", "code", "publish_consent", "updated_at"]
    list_export = ["name", "head_name", "member_count", "area", "code", "publish_consent", "is_active"]
    export_headings = {
        **SubjectViewSet.export_headings,
        "head_name": gettext_lazy("Head of household"),
        "member_count": gettext_lazy("Members"),
    }


class LearningClanViewSet(SubjectViewSet):
    model = LearningClan
    list_display = ["name", "representative", "area", "code", "updated_at"]


class LearningCommunityViewSet(SubjectViewSet):
    model = LearningCommunity
    icon = "site"
    list_display = ["name", "area", "code", "updated_at"]


class LearningUnitViewSet(SubjectViewSet):
    model = LearningUnit
    icon = "cogs"
    list_display = ["name", "unit_type", "managing_level", "area", "updated_at"]
    list_export = ["name", "unit_type", "managing_level", "staff_count", "area", "code", "is_active"]
    export_headings = {
        **SubjectViewSet.export_headings,
        "unit_type": gettext_lazy("Unit type"),
        "managing_level": gettext_lazy("Managing level"),
        "staff_count": gettext_lazy("Staff"),
    }


class LearningCitizenViewSet(SubjectViewSet):
    model = LearningCitizen
    icon = "user"
    list_display = ["name", "birth_year", "population_group", "area", "updated_at"]
    list_export = ["name", "birth_year", "population_group", "area", "code", "publish_consent", "is_active"]
    export_headings = {
        **SubjectViewSet.export_headings,
        "birth_year": gettext_lazy("Birth year"),
        "population_group": gettext_lazy("Population group"),
    }


class SubjectViewSetGroup(SnippetViewSetGroup):
    items = (
        LearningFamilyViewSet,
        LearningClanViewSet,
        LearningCommunityViewSet,
        LearningUnitViewSet,
        LearningCitizenViewSet,
    )
    menu_label = gettext_lazy("Learning models")
    menu_icon = "group"
    menu_order = 200


# --- criteria sets ----------------------------------------------------------------------------------


class FrozenSetMixin:
    """A set used by evaluations is frozen: editing or deleting it is refused; a new version is offered."""

    def dispatch(self, request, *args, **kwargs):
        criteria_set = get_object_or_404(CriteriaSet, pk=kwargs.get("pk"))
        if criteria_set.is_frozen:
            messages.warning(
                request,
                _(
                    "“%(set)s” is used by %(count)s evaluations and can no longer change. "
                    "Create a new version to revise it."
                )
                % {"set": criteria_set, "count": criteria_set.evaluations.count()},
            )
            return redirect(criteria_set_viewset.get_url_name("inspect"), criteria_set.pk)
        return super().dispatch(request, *args, **kwargs)


class CriteriaSetEditView(FrozenSetMixin, EditView):
    pass


class CriteriaSetDeleteView(FrozenSetMixin, DeleteView):
    pass


class CriteriaSetInspectView(InspectView):
    template_name = "evaluations/admin/criteria_set_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        criteria_set = self.object
        context.update(
            criteria=criteria_set.criteria.prefetch_related("indicators"),
            grade_bands=criteria_set.grade_bands.all(),
            is_frozen=criteria_set.is_frozen,
            evaluation_count=criteria_set.evaluations.count(),
            export_url=reverse(criteria_set_viewset.get_url_name("export"), args=[criteria_set.pk]),
            new_version_url=reverse(criteria_set_viewset.get_url_name("new_version"), args=[criteria_set.pk]),
            can_add=self.request.user.has_perm("evaluations.add_criteriaset"),
        )
        return context


class CriteriaSetIndexView(IndexView):
    @property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.request.user.has_perm("evaluations.add_criteriaset"):
            buttons.append(
                HeaderButton(
                    _("Import from file"), url=reverse(criteria_set_viewset.get_url_name("import")), icon_name="upload"
                )
            )
        return buttons


def criteria_set_export_view(request, pk: int):
    if not request.user.has_perm("evaluations.view_criteriaset") and not request.user.has_perm(
        "evaluations.change_criteriaset"
    ):
        raise PermissionDenied
    criteria_set = get_object_or_404(CriteriaSet, pk=pk)
    response = HttpResponse(criteria_io.criteria_set_export_json(criteria_set), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{criteria_set.code}-v{criteria_set.version}.json"'
    return response


def criteria_set_new_version_view(request, pk: int):
    if not request.user.has_perm("evaluations.add_criteriaset"):
        raise PermissionDenied
    criteria_set = get_object_or_404(CriteriaSet, pk=pk)
    if request.method != "POST":
        return redirect(criteria_set_viewset.get_url_name("inspect"), pk)
    copy = services.criteria_set_new_version(criteria_set=criteria_set)
    messages.success(
        request,
        _("Version %(version)s of “%(name)s” created as a draft.") % {"version": copy.version, "name": copy.name},
    )
    return redirect(criteria_set_viewset.get_url_name("edit"), copy.pk)


class CriteriaSetImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Criteria set file (.json)"))


class CriteriaSetImportView(WagtailAdminTemplateMixin, View):
    template_name = "evaluations/admin/criteria_set_import.html"
    page_title = gettext_lazy("Import a criteria set")
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("evaluations.add_criteriaset"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render(CriteriaSetImportForm())

    def post(self, request):
        form = CriteriaSetImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > 2 * 1024 * 1024:
                form.add_error("file", _("A criteria set file is at most 2 MB."))
            else:
                try:
                    outcome = criteria_io.criteria_set_import(upload.read())
                except criteria_io.CriteriaSetImportError as exc:
                    for error in exc.errors:
                        form.add_error("file", error)
                else:
                    if outcome.action == "unchanged":
                        messages.info(
                            request, _("“%(set)s” is already here, unchanged.") % {"set": outcome.criteria_set}
                        )
                    else:
                        messages.success(request, _("“%(set)s” imported.") % {"set": outcome.criteria_set})
                    return redirect(criteria_set_viewset.get_url_name("inspect"), outcome.criteria_set.pk)
        return self.render(form)

    def render(self, form):
        context = self.get_context_data(form=form)
        return TemplateResponse(self.request, self.template_name, context)


class CriteriaSetViewSet(SnippetViewSet):
    model = CriteriaSet
    icon = "list-ol"
    menu_label = gettext_lazy("Criteria sets")
    menu_order = 210
    add_to_admin_menu = True
    inspect_view_enabled = True
    copy_view_enabled = False
    index_view_class = CriteriaSetIndexView
    edit_view_class = CriteriaSetEditView
    delete_view_class = CriteriaSetDeleteView
    inspect_view_class = CriteriaSetInspectView
    filterset_class = CriteriaSetFilterSet
    search_backend_name = None
    search_fields = ["name", "code", "document_number"]
    list_display = ["name", "kind", "version", "status", "source_status", "document_number", "effective_from"]
    list_export = ["code", "version", "name", "kind", "scoring_mode", "status", "source_status", "document_number"]
    ordering = ["kind", "code", "-version"]
    edit_handler = ObjectList(CriteriaSet.panels, base_form_class=CriteriaSetForm)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("export/<int:pk>/", criteria_set_export_view, name="export"),
            path("new-version/<int:pk>/", criteria_set_new_version_view, name="new_version"),
            path("import/", CriteriaSetImportView.as_view(), name="import"),
        ]


# --- evaluations ------------------------------------------------------------------------------------


class EvaluationInspectView(InspectView):
    template_name = "evaluations/admin/evaluation_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        evaluation = self.object
        scores = {s.indicator_id: s for s in evaluation.scores.all()}
        evidence = list(evaluation.evidence.select_related("indicator"))
        rows = []
        for criterion in evaluation.criteria_set.criteria.prefetch_related("indicators"):
            rows.append((criterion, [(ind, scores.get(ind.pk)) for ind in criterion.indicators.all()]))
        context.update(
            rows=rows,
            result=services.evaluation_result(evaluation),
            evidence=evidence,
            score_url=reverse(evaluation_viewset.get_url_name("score"), args=[evaluation.pk]),
            can_score=self.request.user.has_perm("evaluations.change_evaluation"),
        )
        return context


class EvaluationCreateView(CreateView):
    def save_instance(self):
        services.evaluation_prepare(self.form.instance, user=self.request.user)
        return super().save_instance()

    def get_success_url(self):
        return reverse(evaluation_viewset.get_url_name("score"), args=[self.object.pk])


class EvaluationViewSet(SnippetViewSet):
    model = Evaluation
    icon = "tasks"
    menu_label = gettext_lazy("Evaluations")
    menu_order = 220
    add_to_admin_menu = True
    inspect_view_enabled = True
    copy_view_enabled = False
    add_view_class = EvaluationCreateView
    inspect_view_class = EvaluationInspectView
    filterset_class = EvaluationFilterSet
    search_backend_name = None
    search_fields = ["subject__name"]
    list_per_page = 50
    list_display = [
        "subject",
        "year",
        "kind",
        "area",
        Column("criteria_set", label=gettext_lazy("Criteria set"), accessor="criteria_set"),
        "total",
        "grade",
        "result",
        "status",
    ]
    list_export = ["subject", "year", "kind", "area", "criteria_set", "total", "grade", "level", "result", "status"]
    export_headings = {
        "subject": gettext_lazy("Subject"),
        "year": gettext_lazy("Year"),
        "kind": gettext_lazy("Kind"),
        "area": gettext_lazy("Area"),
        "criteria_set": gettext_lazy("Criteria set"),
        "total": gettext_lazy("Total"),
        "grade": gettext_lazy("Grade"),
        "level": gettext_lazy("Level"),
        "result": gettext_lazy("Result"),
        "status": gettext_lazy("Status"),
    }
    ordering = ["-year", "subject__name"]
    edit_handler = ObjectList(
        [FieldPanel("subject"), FieldPanel("year"), FieldPanel("criteria_set"), FieldPanel("note")],
        base_form_class=EvaluationForm,
    )

    def get_queryset(self, request):
        return Evaluation.objects.select_related("subject", "area", "criteria_set")

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("score/<int:pk>/", ScoreEntryView.as_view(), name="score")]


subject_viewset_group = SubjectViewSetGroup()
criteria_set_viewset = CriteriaSetViewSet()
evaluation_viewset = EvaluationViewSet()
