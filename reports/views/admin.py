"""Admin screens of the "Reports" menu: the roll-up report, its workbook, submissions and completeness,
listing exports and background export jobs. Every screen is limited to the user's area."""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView, View

from evaluations.access import user_may_read_evaluations, user_reaches_unit
from evaluations.admin_screen import AdminScreenMixin
from evaluations.calendar import current_evaluation_year

from .. import excel, exports
from ..forms import ReportForm, SubmitReportForm
from ..models import BudgetSource, ExportJob, ExportStatus
from ..selectors import (
    ReportScope,
    completeness_counts,
    completeness_note,
    default_report_area,
    report_completeness,
    report_scope,
    user_report_areas,
)
from ..services import report_due_date, report_submit
from ..tables import report_budget, report_sections


def can_view_reports(user) -> bool:
    """Officers, reviewers and auditors read reports (of their own area); communications staff do not."""
    return user_may_read_evaluations(user)


def can_submit_reports(user) -> bool:
    return user.is_active and user.has_perm("reports.add_reportsubmission")


class ReportsAccessMixin:
    def dispatch(self, request, *args, **kwargs):
        if not can_view_reports(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def area_and_year(self):
        """The area and year asked for (or the user's defaults); a form with errors when they are wrong."""
        areas = user_report_areas(self.request.user)
        data = self.request.GET.copy()
        area = default_report_area(self.request.user)
        if not data.get("area") and area is not None:
            data["area"] = area.pk
        if not data.get("year"):
            data["year"] = current_evaluation_year()
        form = ReportForm(data, areas=areas)
        if form.is_valid():
            return form, form.cleaned_data["area"], form.cleaned_data["year"]
        return form, None, None

    def report_scope(self, form, area, year) -> ReportScope:
        """The area and structure to read (see :func:`reports.selectors.report_scope`)."""
        structure = form.cleaned_data.get("structure") or "time"
        return report_scope(user=self.request.user, area=area, year=year, structure=structure)


class ReportView(ReportsAccessMixin, AdminScreenMixin, TemplateView):
    """The roll-up of an area and year: per indicator, the area and one row per child area."""

    template_name = "reports/admin/report.html"
    page_title = gettext_lazy("Roll-up report")
    header_icon = "table"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, area, year = self.area_and_year()
        context["form"] = form
        context["show_structure"] = True
        if area is None:
            return context
        scope = self.report_scope(form, area, year)
        area, structure, result = scope.area, scope.structure, scope.rollup()
        root = result.root
        sections = report_sections(root, year)
        budget = report_budget(root, year)
        context.update(
            area=area,
            year=year,
            note=scope.note,
            sections=sections,
            budget=budget,
            budget_labels=dict(BudgetSource.choices),
            structure=structure,
            workbook_url=reverse("reports:workbook") + f"?area={area.pk}&year={year}&structure={structure}",
            # What is submitted is the structure of that time, for a unit in force on the due date.
            can_submit=can_submit_reports(self.request.user)
            and structure == "time"
            and area.is_current(report_due_date(year)),
            submit_url=reverse("reports:submit") + f"?area={area.pk}&year={year}",
            due=report_due_date(year),
            submit_form=SubmitReportForm(),
        )
        return context


class WorkbookView(ReportsAccessMixin, View):
    """The official workbook of an area and year (xlsx)."""

    def get(self, request):
        form, area, year = self.area_and_year()
        if area is None:
            return HttpResponseBadRequest(" ".join(str(e) for errs in form.errors.values() for e in errs))
        scope = self.report_scope(form, area, year)
        area, result = scope.area, scope.rollup()
        handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        excel.official_workbook(result, year, handle)
        handle.seek(0)
        name = f"bao-cao-{area.code or area.pk}-{year}.xlsx"
        return FileResponse(handle, as_attachment=True, filename=name)


class SubmitView(ReportsAccessMixin, View):
    def post(self, request):
        if not can_submit_reports(request.user):
            raise PermissionDenied
        form, area, year = self.area_and_year()
        note_form = SubmitReportForm(request.POST)
        if area is None or not note_form.is_valid():
            raise Http404
        due = report_due_date(year)
        if not area.is_current(due):
            messages.error(
                request,
                _("%(area)s was not in force on %(due)s: it has no %(year)s report to submit.")
                % {"area": area.dated_name, "due": due.strftime("%d/%m/%Y"), "year": year},
            )
            return redirect(reverse("reports:report") + f"?area={area.pk}&year={year}")
        submission = report_submit(area=area, year=year, user=request.user, note=note_form.cleaned_data["note"])
        if submission.on_time:
            messages.success(
                request, _("The %(year)s report of %(area)s was submitted.") % {"year": year, "area": area}
            )
        else:
            messages.warning(
                request,
                _("The %(year)s report of %(area)s was submitted after the due date (%(due)s).")
                % {"year": year, "area": area, "due": report_due_date(year).strftime("%d/%m/%Y")},
            )
        from ..admin import submission_viewset

        return redirect(submission_viewset.get_url_name("inspect"), submission.pk)


class CompletenessView(ReportsAccessMixin, AdminScreenMixin, TemplateView):
    """Who has submitted the year's report: on time, late (after 30 November) or missing."""

    template_name = "reports/admin/completeness.html"
    page_title = gettext_lazy("Report completeness")
    header_icon = "tasks"

    def get_context_data(self, **kwargs):
        from ..admin import submission_viewset

        context = super().get_context_data(**kwargs)
        form, area, year = self.area_and_year()
        context["form"] = form
        if area is None:
            return context
        rows = report_completeness(root=area, year=year)
        context.update(
            area=area,
            year=year,
            note=completeness_note(root=area, year=year),
            rows=rows,
            # Units outside the user's area (another commune an old unit went into): no link to their report.
            reachable={row.unit.pk for row in rows if user_reaches_unit(self.request.user, row.unit)},
            counts=completeness_counts(rows),
            due=report_due_date(year),
            inspect_url_name=submission_viewset.get_url_name("inspect"),
        )
        return context


# --- listing exports and export jobs ------------------------------------------------------------------


def listing_export_view(request, listing: str):
    """A listing with the admin listing's filters, as xlsx or csv; large ones become a background job."""
    if not request.user.is_active or not request.user.has_perm("wagtailadmin.access_admin"):
        raise PermissionDenied
    file_format = request.GET.get("format", "xlsx")
    if file_format not in exports.FORMATS:
        return HttpResponseBadRequest(
            _("Parameter “format”: “%(value)s” is not supported; use xlsx or csv.") % {"value": file_format}
        )
    try:
        prepared = exports.prepare_export(user=request.user, listing=listing, params=request.GET)
    except PermissionError as exc:
        raise PermissionDenied from exc
    except exports.ExportError as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    count = prepared.queryset.count()
    if count > exports.background_threshold():
        job = exports.export_job_start(user=request.user, listing=listing, file_format=file_format, params=request.GET)
        messages.info(
            request,
            _("%(count)s rows: the file is being written in the background.")
            % {"count": number_format(count, force_grouping=True)},
        )
        return redirect("reports:export_job", job.pk)
    exports.record_export(user=request.user, prepared=prepared, file_format=file_format, row_count=count)
    name = exports.export_file_name(listing, request.GET, file_format, timezone.now())
    rows = prepared.listing.rows(prepared.queryset)
    if file_format == "csv":
        response = StreamingHttpResponse(
            excel.stream_listing_csv(prepared.listing, rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    excel.write_listing_xlsx(prepared.listing, rows, handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=name)


def _own_job(request, pk: int) -> ExportJob:
    job = get_object_or_404(ExportJob, pk=pk)
    if job.user_id != request.user.pk:
        raise Http404  # another user's export (and its personal data) is not shown, whoever asks
    return job


class ExportJobsView(AdminScreenMixin, TemplateView):
    template_name = "reports/admin/export_jobs.html"
    page_title = gettext_lazy("My exports")
    header_icon = "download"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        jobs = [_refreshed(job) for job in ExportJob.objects.filter(user=self.request.user)[:50]]
        context["jobs"] = jobs
        context["refresh"] = any(j.is_in_progress for j in jobs)
        return context


def _refreshed(job: ExportJob) -> ExportJob:
    """The job as it is: one whose worker has stopped is shown interrupted (and can be started again)."""
    return exports.export_job_refresh_status(job) if job.is_in_progress else job


def export_job_view(request, pk: int):
    job = _refreshed(_own_job(request, pk))
    return TemplateResponse(
        request,
        "reports/admin/export_jobs.html",
        {
            "jobs": [job],
            "refresh": job.is_in_progress,
            "page_title": _("Export"),
            "header_icon": "download",
        },
    )


@require_POST
def export_job_restart(request, pk: int):
    """Start an interrupted or failed export again (same listing and filters)."""
    job = _refreshed(_own_job(request, pk))
    if exports.export_job_restart(job):
        messages.success(request, _("The export was started again."))
    else:
        messages.warning(
            request,
            _("This export cannot be started again: it is %(status)s.") % {"status": job.get_status_display()},
        )
    return redirect("reports:export_job", job.pk)


def export_job_download(request, pk: int):
    job = _own_job(request, pk)
    if job.status != ExportStatus.DONE or not job.file_name:
        raise Http404
    path = exports.export_dir() / job.file_name
    if not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.file_name)
