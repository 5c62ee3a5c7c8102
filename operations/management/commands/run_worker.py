"""``manage.py run_worker``: the background worker to run in production and in ``make run``.

It takes the same options as django-tasks-db's ``db_worker`` (``--backend`` defaults to "background",
the queue of imports, exports and reorganisations), records a heartbeat (``operations.WorkerHeartbeat``,
shown by ``/health/`` and the admin) and survives a locked database.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.management.base import CommandError

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from operations.health import BACKGROUND
from operations.worker import HeartbeatWorker

logger = logging.getLogger("operations.worker")


class Command(DbWorkerCommand):
    help = "Run the background worker (django-tasks-db's db_worker with a heartbeat and patience with locks)"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(backend_name=BACKGROUND, reload=False)
        parser.add_argument(
            "--heartbeat",
            type=float,
            default=settings.WORKER_HEARTBEAT_SECONDS,
            help="Seconds between heartbeats (default: WORKER_HEARTBEAT_SECONDS, %(default)s)",
        )

    def handle(self, *, verbosity, queue_name, exclude_queues, reload, heartbeat, **options):
        self.configure_logging(verbosity)
        if reload:
            raise CommandError("run_worker does not reload on code changes; restart it (make run does).")
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = HeartbeatWorker(
            heartbeat_interval=heartbeat,
            queue_names=queue_names,
            excluded_queue_names=excluded,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
        )
        worker.configure_signals()
        worker.run()
