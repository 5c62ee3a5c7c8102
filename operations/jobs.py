"""One rule for every background job (imports, exports, reorganisation runs, bulk decisions): when is a job
"interrupted", that is, stuck in progress with nobody working on it any more, and how it is marked so."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone

from django_tasks import task_backends
from django_tasks.base import TaskResultStatus


def background_task_status(task_id: str | None) -> str | None:
    """The django-tasks status of a task on the "background" queue, or None when it cannot be known (no id,
    no such result, or a backend that keeps none)."""
    if not task_id:
        return None
    try:
        return task_backends["background"].get_result(task_id).status
    except Exception:  # no such result, or a backend that keeps none (immediate, dummy)
        return None


def nobody_works_on(
    *,
    task_status: str | None,
    last_activity: Iterable[datetime.datetime | None],
    stale_minutes: float,
    now: datetime.datetime | None = None,
) -> bool:
    """Whether a job in progress has been abandoned.

    True when its background task is over (failed, or ended without the job recording its outcome: its
    transaction rolled back), or, when the task cannot tell (a killed worker leaves it "running"; a job run
    in a web process that died has none), when the latest of ``last_activity`` (heartbeat, start, creation)
    is older than ``stale_minutes``. A task still waiting in the queue is not abandoned, however long the
    queue: the health view and the admin warning say when no worker takes it.
    """
    if task_status in (TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL):
        return True
    if task_status == TaskResultStatus.READY:
        return False
    times = [moment for moment in last_activity if moment is not None]
    if not times:
        return False
    now = now or timezone.now()
    return now - max(times) > datetime.timedelta(minutes=stale_minutes)


def job_mark_interrupted(job, *, status: str, **fields) -> bool:
    """Move ``job`` from the status it was read in to ``status`` (interrupted), with ``fields`` (its message) and
    the time it ended, unless something moved it meanwhile (its worker finishing); ``job`` is reloaded either
    way. Returns whether this call moved it."""
    moved = (
        type(job)
        .objects.filter(pk=job.pk, status=job.status)
        .update(status=status, finished_at=timezone.now(), **fields)
    )
    job.refresh_from_db()
    return bool(moved)
