"""Admin screens for imports: choose kind and commune, download the template, upload, preview, confirm.

Every view checks the user's right to add subjects of the kind and their area (``access.py``): the
communes offered are those they reach, and a row for a unit outside their area is rejected.
"""

from __future__ import annotations

import tempfile

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from evaluations.admin_screen import AdminScreenMixin

from ..access import user_area_paths, user_reaches_unit
from ..imports import jobs
from ..imports.errors import write_error_workbook
from ..imports.readers import FileRefused
from ..imports.templates import template_workbook
from ..models import SUBJECT_MODELS, AdministrativeUnit, ImportJob, ImportKind, ImportStatus, UnitLevel
from ..models.units import ancestor_paths, in_subtrees

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def import_permission(kind: str) -> str:
    """Results add evaluations; the other kinds add subjects of their kind."""
    if kind == ImportKind.RESULT:
        return "evaluations.add_evaluation"
    return f"evaluations.add_{SUBJECT_MODELS[kind]._meta.model_name}"


def can_import(user, kind: str | None = None) -> bool:
    kinds = [kind] if kind else ImportKind.values
    return any(user.has_perm(import_permission(k)) for k in kinds)


def reachable_communes(user):
    """Communes in the user's area, and the commune of any village they are assigned."""
    units = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE)
    paths = user_area_paths(user)
    if paths is None:
        return units
    ancestors = [above for path in paths for above in ancestor_paths(path, include_self=False)]
    return units.filter(in_subtrees(paths, field=None) | Q(path__in=ancestors))


def jobs_visible_to(user):
    jobs_qs = ImportJob.objects.select_related("commune", "created_by")
    if user.is_superuser:
        return jobs_qs
    return jobs_qs.filter(created_by=user)


def job_for(request, pk: int) -> ImportJob:
    job = get_object_or_404(jobs_visible_to(request.user), pk=pk)
    if job.commune is not None and not user_reaches_unit(request.user, job.commune):
        raise PermissionDenied
    return job


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What the file lists"), choices=ImportKind.choices)
    commune = forms.ModelChoiceField(
        label=gettext_lazy("Commune"),
        queryset=AdministrativeUnit.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "For rows that do not name their commune. Required unless the file has a commune column."
        ),
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("Excel (.xlsx, .xls), OpenDocument (.ods) or CSV."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Today's communes first; ended ones (for lists typed before the reorganisation) after them, each
        # told apart by its end date, like every unit list.
        self.fields["commune"].queryset = reachable_communes(user).order_by(
            F("valid_to").desc(nulls_first=True), "name"
        )
        self.fields["commune"].label_from_instance = lambda unit: unit.dated_name
        # An officer of one commune in force finds it chosen (the file's rows are that commune's).
        in_force = list(self.fields["commune"].queryset.current()[:2])
        if len(in_force) == 1:
            self.fields["commune"].initial = in_force[0].pk
        self.user = user

    def clean_kind(self):
        kind = self.cleaned_data["kind"]
        if not can_import(self.user, kind):
            raise forms.ValidationError(_("You may not add this kind of learning model."))
        return kind


class ImportMixin(AdminScreenMixin):
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not can_import(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render(self, **context):
        return TemplateResponse(self.request, self.template_name, self.get_context_data(**context))


class ImportStartView(ImportMixin, View):
    template_name = "evaluations/admin/import_start.html"
    page_title = gettext_lazy("Import from Excel")

    def get(self, request):
        return self.render(form=ImportForm(user=request.user), kinds=ImportKind.choices)

    def post(self, request):
        form = ImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            try:
                job = jobs.import_job_create(
                    upload=form.cleaned_data["file"],
                    kind=form.cleaned_data["kind"],
                    commune=form.cleaned_data["commune"],
                    user=request.user,
                )
            except FileRefused as refused:
                form.add_error("file", str(refused))
            else:
                jobs.import_job_check(job)
                return redirect("evaluations_imports:detail", job.pk)
        return self.render(form=form, kinds=ImportKind.choices)


class ImportJobDetailView(ImportMixin, View):
    template_name = "evaluations/admin/import_job.html"
    page_title = gettext_lazy("Import")

    def get(self, request, pk: int):
        job = jobs.import_job_refresh_status(job_for(request, pk))
        return self.render(job=job, refresh=job.status in jobs.IN_PROGRESS, **preview_context(job))

    def post(self, request, pk: int):
        job = jobs.import_job_refresh_status(job_for(request, pk))
        if request.POST.get("action") == "restart":
            if job.status != ImportStatus.INTERRUPTED:
                messages.error(request, _("Only an interrupted import can be started again."))
            else:
                jobs.import_job_restart(job)
                messages.success(request, _("The import was started again: the file is being checked anew."))
            return redirect("evaluations_imports:detail", job.pk)
        if job.status != ImportStatus.VALIDATED:
            messages.error(request, _("This import has already run or cannot run."))
            return redirect("evaluations_imports:detail", job.pk)
        job = jobs.import_job_confirm(job)
        if job.status == ImportStatus.DONE:
            messages.success(
                request,
                _(
                    "Import done: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
                    "%(rejected)d rejected."
                )
                % {
                    "created": job.created,
                    "updated": job.updated,
                    "unchanged": job.unchanged,
                    "rejected": job.rejected,
                },
            )
        elif job.status == ImportStatus.FAILED:
            messages.error(request, job.message)
        return redirect("evaluations_imports:detail", job.pk)


#: Rejected rows a preview lists (each with all its errors); the error workbook holds them all.
REJECTED_ROWS_SHOWN = 50


def preview_context(job: ImportJob) -> dict:
    """What the preview lists: the first rows to create or update, the first rejected rows with every error
    of each, and how many more of each there are (a list of 164,000 rows shows a page, not the list)."""
    by_row: dict[int, list[dict]] = {}
    for error in job.errors:
        by_row.setdefault(error["row"], []).append(error)
    rejected = [{"row": row, "errors": errors} for row, errors in list(by_row.items())[:REJECTED_ROWS_SHOWN]]
    return {
        "preview_rows": job.preview_rows,
        "more_rows": max(0, job.created + job.updated - len(job.preview_rows)),
        "rejected_rows": rejected,
        "more_rejected": max(0, job.rejected - len(rejected)),
    }


class ImportJobListView(ImportMixin, View):
    template_name = "evaluations/admin/import_jobs.html"
    page_title = gettext_lazy("Imports")

    def get(self, request):
        listed = [jobs.import_job_refresh_status(job) for job in jobs_visible_to(request.user)[:100]]
        return self.render(jobs=listed)


class ImportTemplateView(ImportMixin, View):
    def get(self, request):
        kind = request.GET.get("kind", ImportKind.FAMILY)
        if kind not in ImportKind.values:
            raise Http404
        commune = None
        if request.GET.get("commune"):
            commune = get_object_or_404(reachable_communes(request.user), pk=request.GET["commune"])
        response = HttpResponse(template_workbook(kind, commune), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="mau-nhap-{kind}.xlsx"'
        return response


class ImportErrorsView(ImportMixin, View):
    def get(self, request, pk: int):
        job = job_for(request, pk)
        storage, stored = job.file.storage, jobs.error_file_name(job)
        if storage.exists(stored):  # made by the worker for a large file
            out = storage.open(stored, "rb")
        elif jobs.is_small(job):
            try:
                plan = jobs.import_job_plan(job)
            except FileRefused as refused:
                messages.error(request, str(refused))
                return redirect("evaluations_imports:detail", job.pk)
            out = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
            write_error_workbook(plan, out)
            out.seek(0)
        else:
            # Never planned inside a request: a large file's workbook comes from the worker's check.
            messages.error(request, _("The error workbook of this file is made by a new check: upload it again."))
            return redirect("evaluations_imports:detail", job.pk)
        response = FileResponse(out, content_type=XLSX, as_attachment=True, filename=f"loi-nhap-{job.pk}.xlsx")
        response["Cache-Control"] = "private, no-store"
        return response
