"""The background worker of ``manage.py run_worker``: django-tasks-db's worker, plus a heartbeat and
patience with a locked database."""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading
import time

from django.db import DatabaseError, OperationalError, connections
from django.utils import timezone

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.utils import is_locked_database_exception

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

#: Waits after "database is locked": doubled at each failure up to the maximum, back to the first once
#: the worker has gone this long without one.
FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 30.0


class Heartbeat(threading.Thread):
    """Writes the worker's row every ``interval`` seconds, in its own thread (and database connection), so
    the beat goes on while a long task runs."""

    def __init__(self, *, worker_id: str, backend: str, queues: str, interval: float):
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id, self.backend, self.queues, self.interval = worker_id, backend, queues, interval
        self.started_at = timezone.now()
        self.stopping = threading.Event()

    def beat(self) -> None:
        try:
            WorkerHeartbeat.objects.update_or_create(
                worker_id=self.worker_id,
                defaults={"beat_at": timezone.now(), "stopped_at": None},
                create_defaults={
                    "host": socket.gethostname()[:255],
                    "pid": os.getpid(),
                    "backend": self.backend,
                    "queues": self.queues[:255],
                    "started_at": self.started_at,
                    "beat_at": timezone.now(),
                },
            )
        except DatabaseError as exc:
            # A locked or unreachable database: the next beat tries again; a lasting silence shows as a
            # stale heartbeat in /health/ and the admin.
            logger.warning("worker %s: heartbeat not recorded: %s", self.worker_id, exc)
            connections.close_all()

    def run(self) -> None:
        try:
            self.forget_old_workers()
            while True:
                self.beat()
                if self.stopping.wait(self.interval):
                    break
        finally:
            connections.close_all()  # this thread's own connections

    def forget_old_workers(self) -> None:
        """Every start adds a row: those of workers silent for a week are of no more use."""
        try:
            WorkerHeartbeat.objects.filter(beat_at__lt=timezone.now() - datetime.timedelta(days=7)).delete()
        except DatabaseError as exc:
            logger.warning("worker %s: old heartbeats not removed: %s", self.worker_id, exc)

    def stop(self) -> None:
        """Stop beating and say the worker stopped (it is no longer expected to take tasks)."""
        self.stopping.set()
        self.join(timeout=self.interval + 30)
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).update(stopped_at=timezone.now())
        except DatabaseError as exc:
            logger.warning("worker %s: stop not recorded: %s", self.worker_id, exc)


class HeartbeatWorker(Worker):
    """django-tasks-db's worker, which records a heartbeat and waits out a locked database.

    The library's worker already ignores a lock met while fetching a task, but not one met when its
    exclusive transaction begins or commits, nor while recording a task's outcome: there it exits (a long
    index rebuild on SQLite stopped it for good). Here the loop is resumed after a growing pause instead.
    Any other error still stops the worker, for its supervisor to restart it.
    """

    def __init__(self, *, heartbeat_interval: float, **kwargs):
        super().__init__(**kwargs)
        self.heartbeat = Heartbeat(
            worker_id=self.worker_id,
            backend=self.backend_name,
            queues=",".join(self.queue_names),
            interval=heartbeat_interval,
        )

    def run(self) -> None:
        self.heartbeat.start()
        delay, last_failure = FIRST_RETRY_SECONDS, 0.0
        try:
            while True:
                try:
                    super().run()
                    return
                except OperationalError as exc:
                    if not is_locked_database_exception(exc) or not self.running:
                        raise
                    if time.monotonic() - last_failure > 2 * MAX_RETRY_SECONDS:
                        delay = FIRST_RETRY_SECONDS
                    last_failure = time.monotonic()
                    logger.warning(
                        "worker %s: the database is locked (%s); trying again in %.0f s", self.worker_id, exc, delay
                    )
                    connections.close_all()  # the failed transaction's connection starts afresh
                    self.startup_delay = False
                    time.sleep(delay)
                    delay = min(2 * delay, MAX_RETRY_SECONDS)
        finally:
            self.heartbeat.stop()
