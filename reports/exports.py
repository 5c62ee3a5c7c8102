"""Listing exports of evaluations and subjects: the admin listings' FilterSets, access by area, an
``ExportRecord`` for every export of personal data, and a background job for large exports."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from django_tasks import task

from evaluations.filters import EvaluationFilterSet, SubjectFilterSet, subject_filterset_for
from evaluations.models import NAME_ORDER, SUBJECT_MODELS, SUBJECT_NAME_ORDER, Evaluation, ExportRecord, Subject

from . import excel
from .models import ExportJob, ExportStatus

FORMATS = ("xlsx", "csv")
LISTINGS = ("evaluations", "subjects")


class ExportError(ValueError):
    """Bad parameters of an export: the message says which one and what to do."""


@dataclass
class PreparedExport:
    listing: excel.Listing
    queryset: QuerySet
    filters: dict


def background_threshold() -> int:
    """Exports with more rows than this are written by a background task."""
    return getattr(settings, "REPORTS_EXPORT_BACKGROUND_ROWS", 20_000)


def export_dir() -> Path:
    path = Path(settings.PRIVATE_MEDIA_ROOT) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def prepare_export(*, user, listing: str, params: QueryDict | dict) -> PreparedExport:
    """The rows ``user`` may export from ``listing`` with the listing's filter ``params``.

    Raises :class:`ExportError` with a message naming the wrong parameter.
    """
    if not isinstance(params, QueryDict):
        query = QueryDict(mutable=True)
        for key, values in params.items():
            query.setlist(key, values if isinstance(values, list) else [values])
        params = query
    filters = {key: values for key, values in params.lists() if key not in ("format", "export")}
    if listing == "evaluations":
        if not (user.has_perm("evaluations.view_evaluation") or user.has_perm("evaluations.change_evaluation")):
            raise PermissionError
        base = Evaluation.objects.all()
        filterset_class = EvaluationFilterSet
        spec = excel.evaluation_listing()
        ordering = ("-year", *SUBJECT_NAME_ORDER, "pk")
    elif listing == "subjects":
        kind = params.get("kind") or ""
        if kind and kind not in SUBJECT_MODELS:
            raise ExportError(
                _("Parameter “kind”: “%(value)s” is not a kind of learning model; use one of %(kinds)s.")
                % {"value": kind, "kinds": ", ".join(SUBJECT_MODELS)}
            )
        model = SUBJECT_MODELS[kind] if kind else Subject
        if not (
            user.has_perm(f"evaluations.view_{model._meta.model_name}")
            or user.has_perm(f"evaluations.change_{model._meta.model_name}")
            or (model is Subject and user.has_perm("evaluations.view_evaluation"))
        ):
            raise PermissionError
        base = Subject.objects.filter(kind=kind) if kind else Subject.objects.all()
        filterset_class = subject_filterset_for(model) if kind else SubjectFilterSet
        spec = excel.subject_listing()
        ordering = (*NAME_ORDER, "pk")
    else:
        raise ExportError(_("Unknown listing “%(listing)s”.") % {"listing": listing})

    base = base.for_user(user)
    filterset = filterset_class(params, queryset=base, request=None)
    if not filterset.is_valid():
        problems = []
        for name, errors in filterset.errors.items():
            label = filterset.filters[name].label if name in filterset.filters else name
            problems.append(_("Filter “%(filter)s”: %(errors)s") % {"filter": label, "errors": " ".join(errors)})
        raise ExportError(" ".join(problems))
    return PreparedExport(listing=spec, queryset=filterset.qs.order_by(*ordering), filters=filters)


def record_export(*, user, prepared: PreparedExport, file_format: str, row_count: int) -> ExportRecord:
    """Personal data left the system: who, when, which listing and filter, how many rows (Decree 13/2023)."""
    return ExportRecord.objects.create(
        user=user,
        listing=f"reports.{prepared.listing.name}",
        file_format=file_format,
        filters=prepared.filters,
        row_count=row_count,
    )


def export_job_start(*, user, listing: str, file_format: str, params) -> ExportJob:
    """Queue a background export (the task runs at once with the immediate backend, later with a worker)."""
    prepared = prepare_export(user=user, listing=listing, params=params)
    job = ExportJob.objects.create(
        user=user,
        listing=listing,
        file_format=file_format,
        filters=prepared.filters,
        total_rows=prepared.queryset.count(),
    )
    run_export_job.enqueue(job.pk)
    return job


@task(backend="background")
def run_export_job(job_id: int) -> None:
    """Write the file of an export job, updating its progress every few thousand rows."""
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING)
    try:
        prepared = prepare_export(user=job.user, listing=job.listing, params=job.filters)
        name = f"{job.listing}-{job.pk}-{timezone.now():%Y%m%d-%H%M%S}.{job.file_format}"
        path = export_dir() / name

        def progress(done: int) -> None:
            ExportJob.objects.filter(pk=job.pk).update(done_rows=done)

        rows = prepared.listing.rows(prepared.queryset)
        if job.file_format == "csv":
            count = 0
            with path.open("w", encoding="utf-8", newline="") as handle:
                for count, line in enumerate(excel.stream_listing_csv(prepared.listing, rows)):  # noqa: B007
                    handle.write(line)
                    if count and count % 5000 == 0:
                        progress(count)
        else:
            count = excel.write_listing_xlsx(prepared.listing, rows, str(path), progress=progress)
        record_export(user=job.user, prepared=prepared, file_format=job.file_format, row_count=count)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.DONE, done_rows=count, total_rows=count, file_name=name, finished_at=timezone.now()
        )
    except Exception as exc:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
