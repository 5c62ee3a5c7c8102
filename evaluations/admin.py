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

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView, ChosenMultipleView, ChosenView
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.widgets import HeaderButton
from wagtail.snippets.views.snippets import (
    CreateView,
    DeleteView,
    EditView,
    HistoryView,
    IndexView,
    InspectView,
    RevisionsCompareView,
    SnippetViewSet,
    SnippetViewSetGroup,
)

import django_filters

from . import criteria_io, services
from .admin_access import (
    AreaRestrictedViewSetMixin,
    NoCreationView,
    ScopedViewSetMixin,
    may_see_model,
    scoped_chooser_view,
)
from .filters import AreaFilter, CriteriaSetFilterSet, EvaluationFilterSet, subject_filterset_for
from .forms import CriteriaSetForm, EvaluationForm, SubjectForm
from .models import (
    NAME_ORDER,
    SUBJECT_MODELS,
    SUBJECT_NAME_ORDER,
    AdministrativeUnit,
    CommendationLevel,
    CommendationProposal,
    CriteriaSet,
    Evaluation,
    ExportRecord,
    LearningCitizen,
    LearningClan,
    LearningCommunity,
    LearningFamily,
    LearningUnit,
    RecognitionDecision,
    Subject,
    SubjectKind,
    UnitLevel,
)
from .text import fold_words
from .views.scores import ScoreEntryView
from .views.workflow import CommendView, RevokeView, evaluation_action_view

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
            objects = self.match_name(objects, query)
        if self.cleaned_data.get(self.choice_field):
            objects = objects.filter(**{self.choice_field: self.cleaned_data[self.choice_field]})
        return objects

    def match_name(self, objects, query: str):
        return objects.filter(name__icontains=query)


class SubjectFilterForm(NameFilterForm):
    choice_field = "kind"
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), required=False, choices=[("", gettext_lazy("All kinds")), *SubjectKind.choices]
    )

    def match_name(self, objects, query: str):
        # With or without diacritics ("dang van" finds "Đàng Văn ..."), on the folded name's index.
        return objects.filter(name_folded__contains=fold_words(query))


class UnitFilterForm(NameFilterForm):
    """Today's units by default; units that ended (labelled with their end date) only when asked for."""

    choice_field = "level"
    level = forms.ChoiceField(
        label=pgettext_lazy("administrative unit", "Level"),
        required=False,
        choices=[("", gettext_lazy("All levels")), *UnitLevel.choices],
    )
    include_ended = forms.BooleanField(label=gettext_lazy("Include units that have ended"), required=False)

    def filter(self, objects):
        return super().filter(objects if self.cleaned_data.get("include_ended") else objects.current())

    def match_name(self, objects, query: str):
        # Officers type names with or without diacritics ("tu thien" for "Thôn Từ Thiện"); units have no
        # folded column, and the units of one user's area are few enough to fold here.
        folded = fold_words(query)
        names = objects.order_by().values_list("pk", "name")
        return objects.filter(pk__in=[pk for pk, name in names if folded in fold_words(name)])


class FilteredChooserViewSet(ChooserViewSet):
    """A chooser searched and filtered by ``filter_form_class``, limited to the user's area."""

    filter_form_class: type[BaseFilterForm]
    per_page = 20

    def _view_class(self, base):
        attrs = {"filter_form_class": self.filter_form_class, "may_choose": self.may_choose}
        return scoped_chooser_view(base, **attrs)

    def may_choose(self, user) -> bool:
        return may_see_model(user, self.model)

    @property
    def choose_view_class(self):
        return self._view_class(ChooseView)

    @property
    def choose_results_view_class(self):
        return self._view_class(ChooseResultsView)

    @property
    def chosen_view_class(self):
        return self._view_class(ChosenView)

    @property
    def chosen_multiple_view_class(self):
        return self._view_class(ChosenMultipleView)

    create_view_class = NoCreationView


class SubjectChooserViewSet(FilteredChooserViewSet):
    model = Subject
    icon = "group"
    filter_form_class = SubjectFilterForm
    choose_one_text = gettext_lazy("Choose a subject")
    choose_another_text = gettext_lazy("Choose another subject")

    def may_choose(self, user) -> bool:
        # Subjects are permitted kind by kind; whoever sees one kind may open the chooser (which
        # lists only the subjects of their area).
        return any(may_see_model(user, model) for model in SUBJECT_MODELS.values())


class AdministrativeUnitChooserViewSet(FilteredChooserViewSet):
    model = AdministrativeUnit
    icon = "site"
    filter_form_class = UnitFilterForm
    choose_one_text = gettext_lazy("Choose an administrative unit")
    choose_another_text = gettext_lazy("Choose another unit")

    def may_choose(self, user) -> bool:
        # The units are public (the public lists name them); the chooser lists those of the user's area.
        return user.is_authenticated


subject_chooser_viewset = SubjectChooserViewSet("subject_chooser", url_prefix="evaluations/choose-subject")
unit_chooser_viewset = AdministrativeUnitChooserViewSet("unit_chooser", url_prefix="evaluations/choose-unit")


# --- subjects ---------------------------------------------------------------------------------------


class PersonalDataIndexView(IndexView):
    """A listing whose exports hold personal data: each export is recorded (who, when, what filter)."""

    @property
    def header_buttons(self):
        """Wagtail's buttons, plus the constant-memory export of every filtered row (reports app)."""
        buttons = list(super().header_buttons)
        if self.model is Evaluation:
            query = self.request.GET.copy()
        elif issubclass(self.model, Subject):
            query = self.request.GET.copy()
            query["kind"] = self.model.kind_value
        else:
            return buttons
        query.pop("p", None)
        query["format"] = "xlsx"
        url = reverse("reports:export", args=["evaluations" if self.model is Evaluation else "subjects"])
        buttons.append(
            HeaderButton(_("Export all filtered rows (xlsx)"), url=f"{url}?{query.urlencode()}", icon_name="download")
        )
        return buttons

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.is_export:
            ExportRecord.objects.create(
                user=request.user,
                listing=self.model._meta.label_lower,
                file_format=request.GET.get("export", ""),
                filters={key: values for key, values in request.GET.lists() if key != "export"},
                row_count=self.object_list.count() if hasattr(self.object_list, "count") else None,
            )
        return response


class SubjectViewSet(AreaRestrictedViewSetMixin, SnippetViewSet):
    """Base for the five kinds: same listing, filters, search and export; each kind has its own form."""

    icon = "group"
    inspect_view_enabled = True
    search_backend_name = None  # plain database search on the name until the search issue lands
    search_fields = ["name"]
    list_per_page = 50
    copy_view_enabled = False
    list_display = ["listing_name", "area", "code", "publish_consent", "updated_at"]
    list_export = ["name", "kind", "area", "code", "publish_consent", "is_active"]
    export_headings = {
        "name": gettext_lazy("Name"),
        "kind": gettext_lazy("Kind"),
        "area": gettext_lazy("Area"),
        "code": gettext_lazy("Code"),
        "publish_consent": gettext_lazy("May be published"),
        "is_active": gettext_lazy("Active"),
    }
    ordering = NAME_ORDER

    index_view_class = PersonalDataIndexView

    @property
    def filterset_class(self):
        return subject_filterset_for(self.model)

    def get_queryset(self, request):
        return self.model.objects.select_related("area").for_user(request.user)

    def get_edit_handler(self):
        return ObjectList(self.model.panels, base_form_class=SubjectForm).bind_to_model(self.model)


class LearningFamilyViewSet(SubjectViewSet):
    model = LearningFamily
    icon = "home"
    list_display = ["listing_name", "member_count", "area", "code", "publish_consent", "updated_at"]
    list_export = ["name", "head_name", "member_count", "area", "code", "publish_consent", "is_active"]
    export_headings = {
        **SubjectViewSet.export_headings,
        "head_name": gettext_lazy("Head of household"),
        "member_count": gettext_lazy("Members"),
    }


class LearningClanViewSet(SubjectViewSet):
    model = LearningClan
    list_display = ["listing_name", "representative", "area", "code", "updated_at"]


class LearningCommunityViewSet(SubjectViewSet):
    model = LearningCommunity
    icon = "site"
    list_display = ["listing_name", "area", "code", "updated_at"]


class LearningUnitViewSet(SubjectViewSet):
    model = LearningUnit
    icon = "cogs"
    list_display = ["listing_name", "unit_type", "managing_level", "area", "updated_at"]
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
    list_display = ["listing_name", "birth_year", "population_group", "area", "updated_at"]
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

    #: The permission the view needs: checked before anything about the set is said.
    frozen_permission = "change"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(f"evaluations.{self.frozen_permission}_criteriaset"):
            raise PermissionDenied
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
    frozen_permission = "delete"


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


class CriteriaSetViewSet(ScopedViewSetMixin, SnippetViewSet):
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

    def workflow_actions(self, evaluation) -> list[dict]:
        """The actions this user may take now, each with where it posts or leads."""
        user = self.request.user
        actions = []
        url = evaluation_viewset.get_url_name
        for action, label in (("submit", _("Submit for review")), ("review", _("Mark as reviewed"))):
            if services.evaluation_transition_refusal(evaluation=evaluation, action=action, user=user) is None:
                actions.append({"label": label, "post": reverse(url("action"), args=[evaluation.pk, action])})
        if services.evaluation_transition_refusal(evaluation=evaluation, action="return", user=user) is None:
            actions.append(
                {
                    "label": _("Return to draft"),
                    "post": reverse(url("action"), args=[evaluation.pk, "return"]),
                    "reason": True,
                }
            )
        next_url = reverse(url("inspect"), args=[evaluation.pk])
        for action, label in (
            ("recognise", _("Recognise (record the decision)")),
            ("not_recognise", _("Not recognised")),
        ):
            if services.evaluation_transition_refusal(evaluation=evaluation, action=action, user=user) is None:
                bulk = reverse("wagtail_bulk_action", args=["evaluations", "evaluation", action])
                actions.append({"label": label, "link": f"{bulk}?id={evaluation.pk}&next={next_url}"})
        if services.evaluation_transition_refusal(evaluation=evaluation, action="revoke", user=user) is None:
            actions.append(
                {"label": _("Revoke the recognition"), "link": reverse(url("revoke"), args=[evaluation.pk])}
            )
        if services.commendation_refusal(evaluation=evaluation, user=user) is None:
            actions.append(
                {"label": _("Propose for commendation"), "link": reverse(url("commend"), args=[evaluation.pk])}
            )
        return actions

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
            workflow_actions=self.workflow_actions(evaluation),
            self_result=services.evaluation_self_result(evaluation)
            if evaluation.criteria_set.has_self_assessment
            else None,
            commendation=CommendationProposal.objects.filter(evaluation=evaluation).first(),
        )
        return context


class EvaluationHistoryView(HistoryView):
    """Reviewers and auditors read the history too: who changed what and when is their work."""

    any_permission_required = ["add", "change", "delete", "view"]


class EvaluationRevisionsCompareView(RevisionsCompareView):
    permission_required = "view"

    def user_has_permission(self, permission):
        return self.permission_policy.user_has_any_permission(self.request.user, ["view", "change"])


class DraftOnlyMixin:
    """Edit and delete only a draft: the history of a submitted or decided evaluation stays whole."""

    def dispatch(self, request, *args, **kwargs):
        evaluation = get_object_or_404(Evaluation, pk=kwargs.get("pk"))
        if not services.evaluation_may_change(evaluation=evaluation):
            messages.error(
                request,
                _("“%(evaluation)s” is “%(status)s”: only a draft is edited or deleted.")
                % {"evaluation": evaluation, "status": evaluation.get_status_display()},
            )
            return redirect(evaluation_viewset.get_url_name("inspect"), evaluation.pk)
        return super().dispatch(request, *args, **kwargs)


class EvaluationEditView(DraftOnlyMixin, EditView):
    pass


class EvaluationDeleteView(DraftOnlyMixin, DeleteView):
    pass


class EvaluationCreateView(CreateView):
    def save_instance(self):
        services.evaluation_prepare(self.form.instance, user=self.request.user)
        return super().save_instance()

    def get_success_url(self):
        return reverse(evaluation_viewset.get_url_name("score"), args=[self.object.pk])


class EvaluationViewSet(AreaRestrictedViewSetMixin, SnippetViewSet):
    model = Evaluation
    index_view_class = PersonalDataIndexView
    icon = "tasks"
    menu_label = gettext_lazy("Evaluations")
    inspect_view_enabled = True
    copy_view_enabled = False
    add_view_class = EvaluationCreateView
    edit_view_class = EvaluationEditView
    delete_view_class = EvaluationDeleteView
    inspect_view_class = EvaluationInspectView
    inspect_view_fields = [
        "subject",
        "year",
        "kind",
        "area",
        "criteria_set",
        "total",
        "grade",
        "result",
        "note",
        "created_by",
        "created_at",
        "updated_at",
    ]
    history_view_class = EvaluationHistoryView
    revisions_compare_view_class = EvaluationRevisionsCompareView
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
    ordering = ["-year", *SUBJECT_NAME_ORDER]
    edit_handler = ObjectList(
        [FieldPanel("subject"), FieldPanel("year"), FieldPanel("criteria_set"), FieldPanel("note")],
        base_form_class=EvaluationForm,
    )

    def get_queryset(self, request):
        return Evaluation.objects.select_related("subject", "area", "criteria_set").for_user(request.user)

    def get_extra_urlpatterns(self):
        return [
            path("score/<int:pk>/", ScoreEntryView.as_view(), name="score"),
            path("action/<int:pk>/<str:action>/", evaluation_action_view, name="action"),
            path("revoke/<int:pk>/", RevokeView.as_view(), name="revoke"),
            path("commend/<int:pk>/", CommendView.as_view(), name="commend"),
        ]


class DecisionInspectView(InspectView):
    template_name = "evaluations/admin/decision_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        decision = self.object
        related = decision.evaluations if decision.kind == "recognition" else decision.revoked_evaluations
        # Only the evaluations the user reaches: one decision may also decide other communes' families.
        related = related.select_related("subject", "area").for_user(self.request.user)
        context.update(
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


class CommendationFilterSet(WagtailFilterSet):
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


evaluation_viewset = EvaluationViewSet()
decision_viewset = RecognitionDecisionViewSet()
commendation_viewset = CommendationProposalViewSet()


class EvaluationViewSetGroup(SnippetViewSetGroup):
    items = (evaluation_viewset, decision_viewset, commendation_viewset)
    menu_label = gettext_lazy("Evaluation and recognition")
    menu_icon = "tasks"
    menu_order = 220


subject_viewset_group = SubjectViewSetGroup()
criteria_set_viewset = CriteriaSetViewSet()
evaluation_viewset_group = EvaluationViewSetGroup()
