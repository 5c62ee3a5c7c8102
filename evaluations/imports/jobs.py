"""Import jobs: upload -> preview (validate, nothing written) -> confirm -> run (inline or in db_worker).

Every upload is recorded as an ``ImportJob`` (who, when, which file, kind, counts, status), the file is
kept in private storage, and the preview is recomputed from it whenever needed (error workbook,
confirmation), so no half-made plan is ever stored.
"""

from __future__ import annotations

import datetime
import logging
import tempfile

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from django_tasks import task

from operations.jobs import background_task_status, job_mark_interrupted, nobody_works_on

from ..models import AdministrativeUnit, ImportJob, ImportStatus
from . import importer
from .errors import write_error_workbook
from .preview import preview_rows
from .readers import FileRefused, check_size, unpacked_size

logger = logging.getLogger(__name__)


def import_job_create(*, upload, kind: str, commune: AdministrativeUnit | None = None, user=None) -> ImportJob:
    """Store the uploaded file and record the job; raises ``FileRefused`` for a file over the size limit."""
    check_size(upload.size)
    job = ImportJob(
        kind=kind,
        commune=commune,
        original_name=(upload.name or "file")[:255],
        size=upload.size,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    job.file.save(upload.name or "import.xlsx", upload, save=False)
    job.save()
    return job


def _read(job: ImportJob) -> bytes:
    with job.file.open("rb") as handle:
        return handle.read()


def _progress(job: ImportJob):
    def report(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(
            progress_done=done, progress_total=total, heartbeat_at=timezone.now()
        )

    return report


def import_job_plan(job: ImportJob, *, user=None, progress=None) -> importer.Plan:
    """The job's plan from its stored file (raises ``FileRefused``)."""
    return importer.plan_import(
        _read(job),
        job.original_name,
        kind=job.kind,
        commune=job.commune,
        user=user or job.created_by,
        progress=progress,
    )


def import_job_record_plan(*, job: ImportJob, plan: importer.Plan) -> None:
    """Set on ``job`` (not saved) what ``plan`` found: its counts, its rows, the rejected rows and notices kept
    for the preview. The one bookkeeping of a plan, for the import screens, the worker and the command."""
    counts = plan.counts()
    job.created, job.updated, job.unchanged, job.rejected = (
        counts["created"],
        counts["updated"],
        counts["unchanged"],
        counts["rejected"],
    )
    job.progress_total = plan.total
    job.heartbeat_at = timezone.now()
    job.errors = [r.as_dict() for r in plan.rejections[: importer.KEPT_ERRORS]]
    job.notices = [n.as_dict() for n in plan.notices[: importer.KEPT_ERRORS]]
    job.preview_rows = preview_rows(plan)
    job.ignored_rows = plan.ignored_rows


def is_small(job: ImportJob) -> bool:
    """Whether the job's file is checked, and its error workbook made, inside the web request: small packed and
    unpacked (a 0.94 MB workbook can unpack to 220 MB, minutes of a web worker). Larger ones go to the worker."""
    if job.size > settings.IMPORT_INLINE_MAX_BYTES:
        return False
    return unpacked_size(_read(job)) <= settings.IMPORT_INLINE_MAX_UNPACKED_BYTES


def import_job_check(job: ImportJob) -> ImportJob:
    """Check the uploaded file now (small files) or in the worker (large ones, progress on the job)."""
    if is_small(job):
        import_job_preview(job)
    else:
        transaction.on_commit(lambda: _enqueue(preview_import_task, job))
    return job


def _enqueue(task_obj, job: ImportJob) -> None:
    """Queue ``task_obj`` for the job and keep the task's id, to tell later whether the worker failed it."""
    result = task_obj.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])


def error_file_name(job: ImportJob) -> str:
    """Where the worker keeps a large file's error workbook, beside the file in private storage."""
    return f"{job.file.name}.errors.xlsx"


def store_error_workbook(job: ImportJob, plan: importer.Plan) -> None:
    """Write the plan's error workbook to private storage (in the worker: the web request only serves it)."""
    storage = job.file.storage
    storage.delete(error_file_name(job))
    with tempfile.TemporaryFile() as out:
        write_error_workbook(plan, out)
        out.seek(0)
        storage.save(error_file_name(job), File(out))


def import_job_preview(job: ImportJob, *, store_errors: bool = False) -> importer.Plan | None:
    """Validate the file and store the counts the import would give; the job becomes VALIDATED or FAILED.
    ``store_errors``: also write the error workbook now (the worker does, for files too large for a request)."""
    try:
        plan = import_job_plan(job, progress=_progress(job))
    except Exception as exc:
        # A refused file says why; anything else is a fault of ours, logged, and the job still ends failed
        # (a job left "uploaded" would be shown interrupted and fail again on every restart).
        if not isinstance(exc, FileRefused):
            logger.exception("import check %s failed", job.pk)
        import_job_fail(
            job=job, message=str(exc) if isinstance(exc, FileRefused) else failure_message(exc, checked=True)
        )
        return None
    import_job_record_plan(job=job, plan=plan)
    if store_errors and plan.rejections:
        store_error_workbook(job, plan)
    job.status = ImportStatus.VALIDATED
    job.progress_done = 0
    job.save()
    return plan


def import_job_fail(*, job: ImportJob, message: str) -> ImportJob:
    """Record that the job failed with ``message`` (nothing was written: none created or updated) and save it."""
    job.status = ImportStatus.FAILED
    job.created = job.updated = 0
    job.preview_rows = []
    job.message = message
    job.finished_at = timezone.now()
    job.save()
    return job


def import_job_confirm(job: ImportJob) -> ImportJob:
    """Run the import now (small files) or queue it for the worker (large ones)."""
    if job.status != ImportStatus.VALIDATED:
        raise ValueError("only a checked import can be confirmed")
    job.status = ImportStatus.QUEUED
    job.progress_done = 0
    # The preview's task (finished) is not this run's: forget it, and count the wait from now.
    job.task_id = ""
    job.heartbeat_at = timezone.now()
    job.save(update_fields=["status", "progress_done", "task_id", "heartbeat_at"])
    if job.progress_total <= settings.IMPORT_INLINE_MAX_ROWS:
        import_job_run(job)
    else:
        transaction.on_commit(lambda: _enqueue(run_import_task, job))
    job.refresh_from_db()
    return job


def import_job_run(job: ImportJob) -> ImportJob:
    """Validate again (the data may have changed since the preview) and write; records the outcome."""
    job.status = ImportStatus.RUNNING
    job.started_at = job.heartbeat_at = timezone.now()
    job.message = ""
    job.save(update_fields=["status", "started_at", "heartbeat_at", "message"])
    try:
        expected = job.created + job.updated  # what the check found to write
        plan = import_job_plan(job, progress=_progress(job))
        if not job.dry_run:
            importer.apply_plan(plan, user=job.created_by)
        # After the write: the plan is checked again there, and may have found the rows already imported.
        import_job_record_plan(job=job, plan=plan)
        counts = plan.counts()
        # Or written by another import between the check and this run: nothing to write, all found unchanged.
        written_meanwhile = expected and not counts["created"] + counts["updated"] and counts["unchanged"] >= expected
        if plan.already_imported or (written_meanwhile and not job.dry_run):
            job.message = already_imported_message()
        job.status = ImportStatus.DONE
        job.progress_done = plan.total
    except (FileRefused, importer.WriteRefused) as refused:
        return import_job_fail(job=job, message=str(refused))
    except Exception as exc:
        logger.exception("import %s failed", job.pk)
        return import_job_fail(job=job, message=failure_message(exc))
    job.finished_at = timezone.now()
    job.save()
    return job


def already_imported_message() -> str:
    return _(
        "These rows were already imported: another import of the same list finished first. Nothing was created; "
        "every row is unchanged."
    )


def failure_message(exc: Exception, *, checked: bool = False) -> str:
    """The job's message for an unexpected error (the details are in the log)."""
    if checked:
        return _("The file could not be checked (%(error)s). Nothing was written.") % {"error": str(exc)[:300]}
    return _("The import failed and nothing was written: %(error)s") % {"error": str(exc)[:500]}


# --- interrupted jobs ---------------------------------------------------------------------------

#: The states in which someone (the web process or the worker) is still expected to work on the job.
IN_PROGRESS = (ImportStatus.UPLOADED, ImportStatus.QUEUED, ImportStatus.RUNNING)


def import_job_interrupted(job: ImportJob, *, now: datetime.datetime | None = None) -> bool:
    """Whether the job is stuck in progress with nobody working on it.

    True when its background task failed or ended without the job finishing, or, when the task
    cannot tell (killed worker: the task stays "running"; a check done in the web process), when
    nothing has reported progress for ``IMPORT_STALE_MINUTES``. A task still waiting in the queue
    is not interrupted, however long the queue.
    """
    if job.status not in IN_PROGRESS:
        return False
    return nobody_works_on(
        task_status=background_task_status(job.task_id),
        last_activity=(job.heartbeat_at, job.started_at, job.created_at),
        stale_minutes=settings.IMPORT_STALE_MINUTES,
        now=now,
    )


def import_job_refresh_status(job: ImportJob) -> ImportJob:
    """Mark the job INTERRUPTED (with a message saying nothing was written) if its worker has stopped."""
    if not import_job_interrupted(job):
        return job
    job_mark_interrupted(
        job,
        status=ImportStatus.INTERRUPTED,
        message=_(
            "The import was interrupted (the background worker stopped before it finished); nothing was "
            "written. Start it again."
        ),
    )
    return job


def import_job_restart(job: ImportJob) -> ImportJob:
    """Start an interrupted job again from its stored file: checked anew, then confirmed as usual."""
    if job.status != ImportStatus.INTERRUPTED:
        raise ValueError("only an interrupted import can be started again")
    job.status = ImportStatus.UPLOADED
    job.message = ""
    job.task_id = ""
    job.created = job.updated = job.unchanged = job.rejected = 0
    job.progress_done = 0
    job.errors = []
    job.notices = []
    job.preview_rows = []
    job.ignored_rows = []
    job.started_at = job.finished_at = None
    job.heartbeat_at = timezone.now()
    job.save()
    return import_job_check(job)


@task(backend="background")
def run_import_task(job_id: int) -> str:
    """The background form of ``import_job_run`` (run by ``manage.py db_worker --backend imports``)."""
    job = ImportJob.objects.select_related("commune", "created_by").get(pk=job_id)
    return import_job_run(job).status


@task(backend="background")
def preview_import_task(job_id: int) -> str:
    """The background form of ``import_job_preview`` for large files."""
    job = ImportJob.objects.select_related("commune", "created_by").get(pk=job_id)
    import_job_preview(job, store_errors=True)
    return job.status
