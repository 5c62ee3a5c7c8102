"""Applying a reorganisation as a recorded run: confirmed on the screen (or asked for by the command), run at
once when small and by the background worker (``manage.py db_worker --backend background``) when large,
with its progress and outcome on the run's screen.

Progress goes to a file (``operations.jobs.ProgressFile``: the apply is one transaction, all or nothing).
"""

from __future__ import annotations

import datetime
import logging
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from django_tasks import task

from evaluations.models import Subject
from evaluations.models.units import in_subtrees
from operations import jobs
from operations.jobs import background_task_status, job_mark_interrupted, nobody_works_on

from .models import RUN_IN_PROGRESS, ApplyPhase, Reorganisation, ReorganisationRun, RunStatus
from .services import Progress, reorganisation_apply

logger = logging.getLogger(__name__)


def inline_max_subjects() -> int:
    """Reorganisations touching more active subjects than this are applied by the background worker."""
    return settings.REORGANISATION_INLINE_MAX_SUBJECTS


def reorganisation_size(reorg: Reorganisation) -> int:
    """Active subjects in the units ``reorg`` reorganises (its old units and everything below them).

    One count, to choose inline or background without computing the plan (seconds at province scale);
    what the apply actually does is still decided by the plan, recomputed inside its transaction."""
    paths = set(reorg.steps.values_list("old_unit__path", flat=True))
    if not paths:
        return 0
    return Subject.objects.filter(is_active=True).filter(in_subtrees(paths)).count()


# --- progress ----------------------------------------------------------------------------------------


def _progress_path(run: ReorganisationRun) -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / "reorganisation" / f"run-{run.pk}.json"


class ProgressFile(jobs.ProgressFile):
    """The ``progress`` callback of a run (see ``operations.jobs.ProgressFile``)."""

    def __init__(self, run: ReorganisationRun, also: Progress | None = None):
        super().__init__(_progress_path(run), also)


def run_progress(run: ReorganisationRun) -> dict | None:
    """The last progress reported by a run in progress: phase (code and label), done, total, percent and the
    time it was reported; None when it has reported none (yet) or is over."""
    if not run.is_in_progress:
        return None
    state = jobs.progress_file_read(_progress_path(run))
    if state is None:
        return None
    try:
        phase = ApplyPhase(state["phase"])
    except ValueError:
        return None
    return {**state, "phase": phase.value, "label": phase.label}


# --- starting and running ----------------------------------------------------------------------------


def run_in_progress(reorg: Reorganisation) -> ReorganisationRun | None:
    """The run of ``reorg`` that is queued or running, if any (one found interrupted is marked so first)."""
    run = reorg.runs.filter(status__in=RUN_IN_PROGRESS).select_related("requested_by").first()
    if run is None:
        return None
    run = run_refresh_status(run)
    return run if run.is_in_progress else None


def run_start(
    reorg: Reorganisation, *, user=None, background: bool | None = None, progress: Progress | None = None
) -> tuple[ReorganisationRun, bool]:
    """Apply ``reorg`` now (small) or queue it for the worker (large, or ``background=True``).

    Returns (the run, True), or (the run already queued or running, False) without starting anything:
    a second click never queues a second apply."""
    existing = run_in_progress(reorg)
    if existing is not None:
        return existing, False
    size = reorganisation_size(reorg)
    if background is None:
        background = size > inline_max_subjects()
    try:
        with transaction.atomic():
            run = ReorganisationRun.objects.create(
                reorganisation=reorg,
                requested_by=user if getattr(user, "is_authenticated", False) else None,
                size=size,
                in_background=background,
            )
    except IntegrityError:
        # Another request started one in the meantime: the constraint allows one run in progress.
        existing = reorg.runs.filter(status__in=RUN_IN_PROGRESS).first() or reorg.runs.first()
        return existing, False
    if background:
        transaction.on_commit(lambda: _enqueue(run))
    else:
        run_execute(run, progress=progress)
        run.refresh_from_db()
    return run, True


def _enqueue(run: ReorganisationRun) -> None:
    """Queue the run for the worker and keep the task's id, to tell later whether the worker failed it."""
    result = apply_reorganisation_task.enqueue(run.pk)
    ReorganisationRun.objects.filter(pk=run.pk).update(task_id=str(result.id)[:64])


def run_execute(run: ReorganisationRun, *, progress: Progress | None = None) -> ReorganisationRun:
    """Apply the run's reorganisation and record the outcome: DONE with what changed, or FAILED with the
    error (the transaction rolled back: nothing changed). A run no longer queued is left alone."""
    started = timezone.now()
    if not ReorganisationRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=started
    ):
        run.refresh_from_db()
        return run  # already taken (a task delivered twice) or given up as interrupted
    run.status, run.started_at = RunStatus.RUNNING, started
    writer = ProgressFile(run, also=progress)
    try:
        result = reorganisation_apply(reorganisation=run.reorganisation, user=run.requested_by, progress=writer)
    except Exception as exc:
        logger.exception("reorganisation run %s failed", run.pk)
        error = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        run.status = RunStatus.FAILED
        run.message = _("Applying failed and nothing was changed: %(error)s") % {"error": error[:500]}
    else:
        run.status = RunStatus.DONE
        run.changed = result.changed
        run.counts = result.counts
    finally:
        writer.remove()
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "changed", "counts", "message", "finished_at"])
    return run


@task(backend="background")
def apply_reorganisation_task(run_id: int) -> str:
    """The background form of ``run_execute``; returns the run's final status."""
    run = ReorganisationRun.objects.select_related("reorganisation", "requested_by").get(pk=run_id)
    return run_execute(run).status


# --- interrupted runs --------------------------------------------------------------------------------


def run_interrupted(run: ReorganisationRun, *, now: datetime.datetime | None = None) -> bool:
    """Whether the run is stuck in progress with nobody working on it.

    True when its background task is over (failed, or ended without the run recording its outcome), or,
    when the task cannot tell (a killed worker leaves it "running"; an inline run whose web process died),
    when nothing has reported progress for ``REORGANISATION_STALE_MINUTES``. A run whose task still waits
    in the queue is not interrupted, however long the queue."""
    if not run.is_in_progress:
        return False
    progress = run_progress(run)
    return nobody_works_on(
        task_status=background_task_status(run.task_id),
        last_activity=(progress and progress["at"], run.started_at, run.created_at),
        stale_minutes=settings.REORGANISATION_STALE_MINUTES,
        now=now,
    )


def run_refresh_status(run: ReorganisationRun) -> ReorganisationRun:
    """Mark the run INTERRUPTED (saying nothing was changed) if nobody works on it any more."""
    if not run_interrupted(run):
        return run
    job_mark_interrupted(
        run,
        status=RunStatus.INTERRUPTED,
        message=_(
            "Applying was interrupted (the background worker stopped before it finished); nothing was "
            "changed. Check the preview and apply again."
        ),
    )
    _progress_path(run).unlink(missing_ok=True)
    return run
