"""One rule for every background job (imports, exports, reorganisation runs, bulk decisions): when is a job
"interrupted", that is, stuck in progress with nobody working on it any more, and how it is marked so; and
where a job that writes in one transaction reports its progress (``ProgressFile``).

Why a file: such a job (a reorganisation, a bulk decision) is all or nothing, so a progress row written
inside its transaction stays invisible to the screen until the very end, and on SQLite no other connection
may write while it runs. It writes its phase and counts to a small JSON file in private storage instead
(which the web process and the worker share, as for the background exports); its row holds what must
last: the state, who asked, the outcome or the error.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from django_tasks import task_backends
from django_tasks.base import TaskResultStatus

logger = logging.getLogger(__name__)

#: A progress file is rewritten at most this often (seconds), and at every change of phase.
PROGRESS_EVERY = 0.5


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


class ProgressFile:
    """A ``progress(phase, done, total)`` callback writing to ``path`` (at most every ``PROGRESS_EVERY``
    seconds within a phase, and at its end), passing every call on to ``also`` (a command's printer).

    Progress is a courtesy: a file that cannot be written is logged and never fails the job."""

    def __init__(self, path: Path, also: Callable[[str, int, int], None] | None = None):
        self.path = path
        self.also = also
        self.phase = None
        self.written = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self.also is not None:
            self.also(phase, done, total)
        now = time.monotonic()
        if phase == self.phase and now - self.written < PROGRESS_EVERY and done < total:
            return
        self.phase, self.written = phase, now
        state = {"phase": str(phase), "done": done, "total": total, "at": timezone.now().isoformat()}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_suffix(".tmp")
            partial.write_text(json.dumps(state), encoding="utf-8")
            os.replace(partial, self.path)  # the screen never reads a half-written file
        except OSError:
            logger.warning("cannot write the progress of %s", self.path, exc_info=True)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def progress_file_read(path: Path) -> dict | None:
    """What a ``ProgressFile`` at ``path`` last wrote: phase, done, total, percent and the time it was
    written; None when there is none (yet, or any more) or it cannot be read."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        done, total = int(state["done"]), int(state["total"])
        at = parse_datetime(state["at"])
        phase = str(state["phase"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return {
        "phase": phase,
        "done": done,
        "total": total,
        "percent": round(100 * done / total) if total else 0,
        "at": at,
    }
