"""Bulk decisions in the background: above ``BULK_ACTION_BACKGROUND_ROWS`` selected evaluations, recording
one decision for them all outlasts a web request (some 700 rows pass a WSGI server's 30 s), so the bulk
action queues a ``BulkDecisionJob`` and the worker (``manage.py run_worker``) writes it.

The selection and the checks are the bulk action's, made before queueing; the worker checks every
evaluation again (it may have changed meanwhile) and writes the decision with all its evaluations in one
transaction, or nothing. It reports how many evaluations it has processed to a progress file
(``operations.jobs.ProgressFile``: the transaction hides any row it would write), shown on the job's page.
"""

from __future__ import annotations

import datetime
import logging
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from django_tasks import task

from operations.jobs import (
    ProgressFile,
    background_task_status,
    job_mark_interrupted,
    nobody_works_on,
    progress_file_read,
)

from . import services
from .models import AdministrativeUnit, BulkDecisionAction, BulkDecisionJob, BulkJobStatus, DecisionKind, Evaluation

logger = logging.getLogger(__name__)


def runs_in_background(count: int) -> bool:
    """Whether a bulk decision on ``count`` evaluations is left to the worker."""
    return count > settings.BULK_ACTION_BACKGROUND_ROWS


def refusal_summary(refused: list) -> str:
    """ "N evaluations were left unchanged: reason; reason (+more)", from (evaluation, reason) pairs."""
    shown = "; ".join(reason for _evaluation, reason in refused[:5])
    more = len(refused) - 5
    return ngettext(
        "%(count)d evaluation was left unchanged: %(reasons)s",
        "%(count)d evaluations were left unchanged: %(reasons)s",
        len(refused),
    ) % {"count": len(refused), "reasons": shown + (f" (+{more})" if more > 0 else "")}


def decision_job_queue(*, recognise: bool, evaluations, decision_data: dict, user) -> BulkDecisionJob:
    """Record the job (the selection, the decision as typed, its scan) and queue it once the request commits."""
    upload = decision_data.get("file")
    job = BulkDecisionJob(
        action=BulkDecisionAction.RECOGNISE if recognise else BulkDecisionAction.NOT_RECOGNISE,
        evaluation_ids=[e.pk for e in evaluations],
        selected=len(evaluations),
        decision_data={
            "number": decision_data["number"],
            "decision_date": decision_data["decision_date"].isoformat(),
            "issuing_body": decision_data["issuing_body"],
            "signatory": decision_data["signatory"],
            "area": decision_data["area"].pk,
        },
        created_by=user,
    )
    if upload:
        job.file_name = (upload.name or "")[:255]
        job.file.save(upload.name or "decision", upload, save=False)
    job.save()
    transaction.on_commit(lambda: _enqueue(job))
    return job


def _enqueue(job: BulkDecisionJob) -> None:
    result = run_decision_job_task.enqueue(job.pk)
    BulkDecisionJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])


#: Read the selection in rounds of this many ids (SQLite takes at most 32,766 parameters a statement).
SELECTION_BATCH = 5_000


def _progress_path(job: BulkDecisionJob) -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / "bulk-decisions" / f"job-{job.pk}.json"


def decision_job_progress(job: BulkDecisionJob) -> dict | None:
    """How far a running job has got: done (evaluations processed), total, percent and when it said so;
    None before it reports or once it is over."""
    if job.status != BulkJobStatus.RUNNING:
        return None
    return progress_file_read(_progress_path(job))


def decision_job_run(job: BulkDecisionJob) -> BulkDecisionJob:
    """Record the decision and apply it to the job's evaluations (all or nothing); the job keeps the outcome."""
    taken = BulkDecisionJob.objects.filter(pk=job.pk, status=BulkJobStatus.QUEUED).update(
        status=BulkJobStatus.RUNNING, started_at=timezone.now()
    )
    if not taken:
        return job  # delivered twice, or given up as interrupted
    job.refresh_from_db()
    writer = ProgressFile(_progress_path(job))
    try:
        with transaction.atomic():
            outcome = _decide(job, progress=lambda done, total: writer("decide", done, total))
            if not outcome["done"]:
                transaction.set_rollback(True)  # nothing to decide: record no empty decision
        job.done, job.refused = len(outcome["done"]), len(outcome["refused"])
        job.decision = outcome["decision"] if outcome["done"] else None
        job.message = refusal_summary(outcome["refused"]) if outcome["refused"] else ""
        job.status = BulkJobStatus.DONE
    except Exception as exc:
        logger.exception("bulk decision job %s failed", job.pk)
        job.status = BulkJobStatus.FAILED
        job.done = job.refused = 0
        job.message = _("The decision was not recorded and no evaluation was changed: %(error)s") % {
            "error": str(exc)[:500]
        }
    finally:
        writer.remove()
    job.finished_at = timezone.now()
    job.save()
    if job.file:
        job.file.delete(save=False)  # the decision keeps its own copy (or none was recorded)
        BulkDecisionJob.objects.filter(pk=job.pk).update(file="")
    return job


def _decide(job: BulkDecisionJob, *, progress=None) -> dict:
    user = job.created_by
    if user is None:
        raise services.WorkflowError(_("The officer who asked for this decision no longer has an account."))
    data = job.decision_data
    recognise = job.action == BulkDecisionAction.RECOGNISE
    upload = None
    if job.file:
        upload = File(job.file.open("rb"), name=job.file_name or job.file.name)
    try:
        decision = services.decision_record(
            kind=DecisionKind.RECOGNITION,
            number=data["number"],
            decision_date=datetime.date.fromisoformat(data["decision_date"]),
            issuing_body=data["issuing_body"],
            signatory=data["signatory"],
            area=AdministrativeUnit.objects.get(pk=data["area"]),
            upload=upload,
            user=user,
        )
    finally:
        if upload is not None:
            upload.close()
    # Read through the officer's area as the bulk action did; one no longer in it is left unchanged, and said so.
    selected = list(job.evaluation_ids)
    reached = set()
    for start in range(0, len(selected), SELECTION_BATCH):
        reached.update(
            Evaluation.objects.for_user(user)
            .filter(pk__in=selected[start : start + SELECTION_BATCH])
            .values_list("pk", flat=True)
        )
    outcome = services.evaluations_decide(
        evaluations=reached, decision=decision, user=user, recognise=recognise, progress=progress
    )
    gone = _("This evaluation was deleted or is no longer in your area.")
    refused = [*outcome["refused"], *((pk, gone) for pk in job.evaluation_ids if pk not in reached)]
    return {**outcome, "refused": refused, "decision": decision}


@task(backend="background")
def run_decision_job_task(job_id: int) -> str:
    """The background form of ``decision_job_run``."""
    job = BulkDecisionJob.objects.select_related("created_by").get(pk=job_id)
    return decision_job_run(job).status


# --- interrupted jobs (the one rule of ``operations.jobs``) -------------------------------------------


def decision_job_interrupted(job: BulkDecisionJob, *, now: datetime.datetime | None = None) -> bool:
    """Whether the job is stuck queued or running with nobody working on it: the clock runs from the last
    progress it reported (or its start, or the request that queued it)."""
    if job.status not in (BulkJobStatus.QUEUED, BulkJobStatus.RUNNING):
        return False
    progress = decision_job_progress(job)
    return nobody_works_on(
        task_status=background_task_status(job.task_id),
        last_activity=(progress and progress["at"], job.started_at or job.created_at),
        stale_minutes=settings.BULK_ACTION_STALE_MINUTES,
        now=now,
    )


def decision_job_refresh_status(job: BulkDecisionJob) -> BulkDecisionJob:
    """Mark the job INTERRUPTED (saying nothing was written) if its worker has stopped."""
    if decision_job_interrupted(job):
        moved = job_mark_interrupted(
            job,
            status=BulkJobStatus.INTERRUPTED,
            message=_(
                "The decision was interrupted (the background worker stopped before it finished); it was not "
                "recorded and no evaluation was changed. Select the evaluations and record it again."
            ),
        )
        if moved and job.file:
            job.file.delete()  # the scan waited for a decision that will not be recorded
        if moved:
            _progress_path(job).unlink(missing_ok=True)
    return job
