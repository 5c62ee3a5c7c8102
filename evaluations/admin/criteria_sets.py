"""Criteria sets: listing, inspect, frozen once used (revised by a new version), export and import as files."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from wagtail.admin.panels import ObjectList
from wagtail.admin.widgets import HeaderButton
from wagtail.snippets.views.snippets import (
    DeleteView,
    EditView,
    IndexView,
    InspectView,
    SnippetViewSet,
)

from evaluations.admin_screen import AdminScreenMixin

from .. import criteria_io, services
from ..admin_access import (
    ScopedViewSetMixin,
)
from ..filters import CriteriaSetFilterSet
from ..forms import CriteriaSetForm
from ..models import (
    CriteriaSet,
)


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


class CriteriaSetImportView(AdminScreenMixin, View):
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


criteria_set_viewset = CriteriaSetViewSet()
