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
from ..models.criteria import MISSING_TEXT_MARK


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
            can_confirm=self.request.user.has_perm("evaluations.change_criteriaset"),
            confirm_url=reverse(criteria_set_viewset.get_url_name("confirm"), args=[criteria_set.pk]),
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


class CriteriaSetConfirmForm(forms.Form):
    """The wording of a set (every criterion's title and description, every indicator's text and evidence
    guidance, the issuing document), and the confirmation that it now reads as the official document."""

    document_number = forms.CharField(label=gettext_lazy("document number"), max_length=80, required=False)
    issuer = forms.CharField(label=gettext_lazy("issuer"), max_length=200, required=False)
    source_note = forms.CharField(
        label=gettext_lazy("source note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I have checked every text above against the official document"), required=False
    )

    def __init__(self, *args, criteria_set: CriteriaSet, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria_set = criteria_set
        self.criteria = list(criteria_set.criteria.prefetch_related("indicators"))
        self.initial.update(
            document_number=criteria_set.document_number,
            issuer=criteria_set.issuer,
            source_note=criteria_set.source_note,
        )
        #: (field name, object, attribute) of every text the form edits, in the set's order.
        self.texts = []
        for criterion in self.criteria:
            self._text(criterion, "title", _("Criterion %(number)s: title") % {"number": criterion.number})
            self._text(criterion, "description", _("Criterion %(number)s: description") % {"number": criterion.number})
            for indicator in criterion.indicators.all():
                self._text(indicator, "text", _("Indicator %(code)s") % {"code": indicator.code})
                self._text(
                    indicator,
                    "evidence_guidance",
                    _("Indicator %(code)s: evidence guidance") % {"code": indicator.code},
                )

    def _text(self, obj, attribute: str, label: str) -> None:
        name = f"{type(obj).__name__.lower()}_{obj.pk}_{attribute}"
        model_field = obj._meta.get_field(attribute)
        self.fields[name] = forms.CharField(
            label=label,
            required=not model_field.blank,
            max_length=model_field.max_length,
            widget=forms.Textarea(attrs={"rows": 2}),
        )
        self.initial[name] = getattr(obj, attribute)
        self.texts.append((name, obj, attribute))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("confirm"):
            for name, _obj, _attribute in self.texts:
                if MISSING_TEXT_MARK in (cleaned.get(name) or ""):
                    self.add_error(
                        name,
                        _("Still reads “%(mark)s”: copy the text from the official document before confirming.")
                        % {"mark": MISSING_TEXT_MARK},
                    )
        return cleaned

    def text_rows(self):
        """The text fields grouped by criterion, for the template."""
        grouped = {criterion.pk: [] for criterion in self.criteria}
        for name, obj, _attribute in self.texts:
            grouped[obj.pk if obj in self.criteria else obj.criterion_id].append(self[name])
        return [(criterion, grouped[criterion.pk]) for criterion in self.criteria]


class CriteriaSetConfirmView(AdminScreenMixin, View):
    """The provincial officer completes a set's wording from its official document and confirms it. Only
    words change (titles, texts, guidance, the document's number and issuer): never a code, a maximum, a
    level or the structure, so a set already used by evaluations keeps every score it was given."""

    template_name = "evaluations/admin/criteria_set_confirm.html"
    page_title = gettext_lazy("Complete and confirm a criteria set")
    header_icon = "list-ol"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("evaluations.change_criteriaset"):
            raise PermissionDenied
        self.criteria_set = get_object_or_404(CriteriaSet, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        return self.render(CriteriaSetConfirmForm(criteria_set=self.criteria_set))

    def post(self, request, pk):
        form = CriteriaSetConfirmForm(request.POST, criteria_set=self.criteria_set)
        if not form.is_valid():
            messages.error(request, _("The texts were not saved: correct the fields marked below."))
            return self.render(form)
        services.criteria_set_complete(
            criteria_set=self.criteria_set,
            texts={(obj, attribute): form.cleaned_data[name] for name, obj, attribute in form.texts},
            document={key: form.cleaned_data[key] for key in ("document_number", "issuer", "source_note")},
            confirm=form.cleaned_data["confirm"],
            user=request.user,
        )
        if form.cleaned_data["confirm"]:
            done = _("“%(set)s” is confirmed against its official document.")
        else:
            done = _("The texts of “%(set)s” were saved; it is not confirmed yet.")
        messages.success(request, done % {"set": self.criteria_set})
        return redirect(criteria_set_viewset.get_url_name("inspect"), self.criteria_set.pk)

    def render(self, form):
        context = self.get_context_data(form=form, criteria_set=self.criteria_set)
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
            path("confirm/<int:pk>/", CriteriaSetConfirmView.as_view(), name="confirm"),
        ]


criteria_set_viewset = CriteriaSetViewSet()
