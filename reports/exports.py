"""Listing exports of evaluations and subjects: the admin listings' FilterSets, access by area, an
``ExportRecord`` for every export of personal data, and a background job for large exports."""

from __future__ import annotations

import datetime
import shutil
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from django_tasks import task

from evaluations.access import user_may_read_evaluations
from evaluations.filters import EvaluationFilterSet, SubjectFilterSet, subject_filterset_for
from evaluations.models import (
    EVALUATION_LIST_ORDER,
    NAME_ORDER,
    SUBJECT_MODELS,
    Evaluation,
    ExportRecord,
    Subject,
    SubjectKind,
)
from evaluations.text import slug_of
from operations.jobs import background_task_status, job_mark_interrupted, nobody_works_on

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


def export_file_name(listing: str, params, file_format: str, when, number: int | None = None) -> str:
    """The downloaded file's name: the listing in the site's language, in ASCII as page addresses are, then the
    time ("danh-sach-danh-gia-20261203-1430.xlsx", "danh-sach-gia-dinh-hoc-tap-…"); a background job's number
    keeps two files of one minute apart."""
    kind = params.get("kind") if hasattr(params, "get") else None
    if isinstance(kind, list):
        kind = kind[0] if kind else None
    with translation.override(settings.LANGUAGE_CODE):
        if listing == "evaluations":
            what = pgettext("export file name", "list of evaluations")
        elif kind in SubjectKind.values:
            what = pgettext("export file name", "list of %(kind)s") % {"kind": SubjectKind(kind).label.lower()}
        else:
            what = pgettext("export file name", "list of learning models")
    parts = [slug_of(what), *([str(number)] if number else []), f"{timezone.localtime(when):%Y%m%d-%H%M}"]
    return "-".join(parts) + f".{file_format}"


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
        if not user_may_read_evaluations(user):
            raise PermissionError
        base = Evaluation.objects.all()
        filterset_class = EvaluationFilterSet
        spec = excel.evaluation_listing()
        ordering = EVALUATION_LIST_ORDER
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
        spec = excel.subject_listing(kind or None)
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


#: Background jobs that write a printed document instead of a listing (``documents`` registers its own):
#: ``listing`` -> ``writer(job, progress) -> (data, file name, count)``; the writer checks the user's access
#: anew and records the download, as ``prepare_export`` and ``record_export`` do for listings.
DOCUMENT_WRITERS: dict = {}


def document_job_start(*, user, listing: str, file_format: str, filters: dict, total: int) -> ExportJob:
    """Queue a background job writing the document ``listing`` (one of ``DOCUMENT_WRITERS``)."""
    job = ExportJob.objects.create(
        user=user,
        listing=listing,
        file_format=file_format,
        filters=filters,
        total_rows=total,
        heartbeat_at=timezone.now(),
    )
    _enqueue(job)
    job.refresh_from_db()
    return job


def export_job_start(*, user, listing: str, file_format: str, params) -> ExportJob:
    """Queue a background export (the task runs at once with the immediate backend, later with a worker)."""
    prepared = prepare_export(user=user, listing=listing, params=params)
    job = ExportJob.objects.create(
        user=user,
        listing=listing,
        file_format=file_format,
        filters=prepared.filters,
        total_rows=prepared.queryset.count(),
        heartbeat_at=timezone.now(),
    )
    _enqueue(job)
    job.refresh_from_db()
    return job


def _enqueue(job: ExportJob) -> None:
    """Queue the job's task and keep its id, to tell later whether the worker failed it."""
    result = run_export_job.enqueue(job.pk)
    # Only a job still waiting takes the id (the immediate backend has run it already).
    ExportJob.objects.filter(pk=job.pk, status=ExportStatus.QUEUED).update(task_id=str(result.id)[:64])


# --- files: written under a temporary name, renamed when complete --------------------------------------


def partial_path(job: ExportJob) -> Path:
    """Where the job's file is written until complete (same folder as the result: the rename is atomic)."""
    return export_dir() / f".job-{job.pk}.part"


def work_dir(job: ExportJob) -> Path:
    """The spreadsheet writer's own temporary files (kept out of /tmp, so a killed export's are found)."""
    return export_dir() / f".job-{job.pk}.tmp"


def discard_partial(job: ExportJob) -> None:
    """Remove what an unfinished export of ``job`` left behind."""
    partial_path(job).unlink(missing_ok=True)
    shutil.rmtree(work_dir(job), ignore_errors=True)


@task(backend="background")
def run_export_job(job_id: int) -> str:
    """Write the file of an export job, updating its progress (and heartbeat) every few thousand rows.

    The file appears under its final name only when complete; a failure removes the partial file, and a
    killed worker's partial file is removed when the job is found interrupted."""
    started = timezone.now()
    # Only a queued job is taken: not one delivered twice, nor one given up as interrupted meanwhile.
    if not ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, heartbeat_at=started
    ):
        return ExportJob.objects.get(pk=job_id).status
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    if job.listing in DOCUMENT_WRITERS:
        return _run_document_job(job)
    try:
        prepared = prepare_export(user=job.user, listing=job.listing, params=job.filters)
        name = export_file_name(job.listing, job.filters, job.file_format, started, number=job.pk)
        partial = partial_path(job)
        discard_partial(job)

        def progress(done: int) -> None:
            ExportJob.objects.filter(pk=job.pk).update(done_rows=done, heartbeat_at=timezone.now())

        rows = prepared.listing.rows(prepared.queryset)
        if job.file_format == "csv":
            count = 0
            with partial.open("w", encoding="utf-8", newline="") as handle:
                for count, line in enumerate(excel.stream_listing_csv(prepared.listing, rows)):  # noqa: B007
                    handle.write(line)
                    if count and count % 5000 == 0:
                        progress(count)
        else:
            work_dir(job).mkdir(exist_ok=True)
            count = excel.write_listing_xlsx(
                prepared.listing, rows, str(partial), progress=progress, tmpdir=str(work_dir(job))
            )
        partial.replace(export_dir() / name)
        shutil.rmtree(work_dir(job), ignore_errors=True)
        record_export(user=job.user, prepared=prepared, file_format=job.file_format, row_count=count)
        _job_done(job, name, count)
    except Exception as exc:
        _job_failed(job, exc)
        raise
    return ExportStatus.DONE


def _job_done(job: ExportJob, name: str, count: int) -> None:
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.DONE, done_rows=count, total_rows=count, file_name=name, finished_at=timezone.now()
    )


def _job_failed(job: ExportJob, exc: Exception) -> None:
    """The job failed: its partial file removed, the error kept for its page."""
    discard_partial(job)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
    )


def _run_document_job(job: ExportJob) -> str:
    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(done_rows=done, heartbeat_at=timezone.now())

    try:
        data, name, count = DOCUMENT_WRITERS[job.listing](job, progress)
        partial = partial_path(job)
        partial.write_bytes(data)
        partial.replace(export_dir() / name)
        _job_done(job, name, count)
    except Exception as exc:
        _job_failed(job, exc)
        raise
    return ExportStatus.DONE


# --- interrupted exports -------------------------------------------------------------------------------


def export_job_interrupted(job: ExportJob, *, now: datetime.datetime | None = None) -> bool:
    """Whether the export is stuck in progress with nobody working on it (the rule of all background jobs,
    with ``EXPORT_STALE_MINUTES``)."""
    if not job.is_in_progress:
        return False
    return nobody_works_on(
        task_status=background_task_status(job.task_id),
        last_activity=(job.heartbeat_at, job.created_at),
        stale_minutes=settings.EXPORT_STALE_MINUTES,
        now=now,
    )


def export_job_refresh_status(job: ExportJob) -> ExportJob:
    """Mark the export INTERRUPTED and remove its partial file if its worker has stopped."""
    if not export_job_interrupted(job):
        return job
    if job_mark_interrupted(
        job,
        status=ExportStatus.INTERRUPTED,
        error=_("The export was interrupted (the background worker stopped before it finished). Start it again."),
    ):
        discard_partial(job)
    return job


def export_job_restart(job: ExportJob) -> bool:
    """Queue an interrupted or failed export again, from the same listing and filters (the user's access is
    checked anew when it runs). False when it was not restartable (e.g. a second click)."""
    restarted = ExportJob.objects.filter(pk=job.pk, status__in=(ExportStatus.INTERRUPTED, ExportStatus.FAILED)).update(
        status=ExportStatus.QUEUED,
        done_rows=0,
        error="",
        file_name="",
        task_id="",
        finished_at=None,
        heartbeat_at=timezone.now(),
    )
    if restarted:
        discard_partial(job)
        _enqueue(job)
    job.refresh_from_db()
    return bool(restarted)
