"""Is the service working: the database, the background worker (its heartbeat) and the queue it serves."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max, Min
from django.utils import timezone

from django_tasks import task_backends
from django_tasks.base import TaskResultStatus

from .models import WorkerHeartbeat

#: The queue ``run_worker`` serves: imports, exports and reorganisations are queued on it.
BACKGROUND = "background"


def worker_required() -> bool:
    """Whether background tasks wait for a worker (a database queue) rather than run at once (tests, demo)."""
    from django_tasks_db import DatabaseBackend

    return isinstance(task_backends[BACKGROUND], DatabaseBackend)


@dataclass(frozen=True)
class WorkerState:
    required: bool
    last_beat: datetime.datetime | None
    alive: bool
    waiting: int
    oldest_waiting: datetime.datetime | None

    @property
    def stalled(self) -> bool:
        """Tasks wait and no worker is alive to take them."""
        return self.required and not self.alive and self.waiting > 0


def worker_state(now: datetime.datetime | None = None) -> WorkerState:
    """The latest heartbeat of a running worker and the tasks waiting in the queue (raises DatabaseError)."""
    now = now or timezone.now()
    required = worker_required()
    last_beat = WorkerHeartbeat.objects.filter(stopped_at__isnull=True).aggregate(last=Max("beat_at"))["last"]
    alive = last_beat is not None and (now - last_beat).total_seconds() <= settings.WORKER_STALE_SECONDS
    waiting, oldest = 0, None
    if required:
        from django_tasks_db.models import DBTaskResult

        queue = DBTaskResult.objects.filter(backend_name=BACKGROUND, status=TaskResultStatus.READY)
        summary = queue.aggregate(oldest=Min("enqueued_at"))
        oldest = summary["oldest"]
        waiting = queue.count() if oldest else 0
    return WorkerState(required=required, last_beat=last_beat, alive=alive, waiting=waiting, oldest_waiting=oldest)


def worker_warning_needed() -> bool:
    """Whether the admin should warn staff: tasks need a worker and none has beaten lately."""
    if not worker_required():
        return False
    state = worker_state()
    return not state.alive
