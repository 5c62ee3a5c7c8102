"""``manage.py run_worker``: the background worker to run in production and in ``make run``.

It takes the same options as django-tasks-db's ``db_worker`` (``--backend`` defaults to "background",
the queue of imports, exports and reorganisations), records a heartbeat (``operations.WorkerHeartbeat``,
shown by ``/health/`` and the admin) and survives a locked database.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from operations.health import BACKGROUND
from operations.management.base import ProjectCommandMixin
from operations.worker import HeartbeatWorker

logger = logging.getLogger("operations.worker")


#: db_worker's options (by ``dest``): their help in our catalog, run_worker's defaults said.
DB_WORKER_HELP = {
    "queue_name": gettext_lazy(
        "The queues to process. Separate multiple with a comma. To process all queues, use '*' (default: %(default)r)"
    ),
    "exclude_queues": gettext_lazy("Queues to exclude. Separate multiple with a comma."),
    "interval": gettext_lazy(
        "The interval (in seconds) to wait, when there are no tasks in the queue, before checking for tasks again "
        "(default: %(default)r)"
    ),
    "batch": gettext_lazy("Process all outstanding tasks, then exit. Can be used in combination with --max-tasks."),
    "reload": gettext_lazy("Not supported by run_worker: restart it instead (make run does)."),
    "backend_name": gettext_lazy("The backend to operate on (default: %(default)r)"),
    "startup_delay": gettext_lazy("Don't add a small delay at startup."),
    "max_tasks": gettext_lazy("If provided, the maximum number of tasks the worker will execute before exiting."),
    "worker_id": gettext_lazy("Worker id. MUST be unique across worker pool (default: auto-generate)"),
}


class Command(ProjectCommandMixin, DbWorkerCommand):
    help = gettext_lazy(
        "Run the background worker (django-tasks-db's db_worker with a heartbeat and patience with locks)"
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(backend_name=BACKGROUND, reload=False)
        for action in parser._actions:
            if action.dest in DB_WORKER_HELP:
                action.help = DB_WORKER_HELP[action.dest]
        parser.add_argument(
            "--heartbeat",
            type=float,
            default=settings.WORKER_HEARTBEAT_SECONDS,
            help=gettext_lazy("Seconds between heartbeats (default: WORKER_HEARTBEAT_SECONDS, %(default)s)"),
        )

    def handle(self, *, verbosity, queue_name, exclude_queues, reload, heartbeat, **options):
        self.configure_logging(verbosity)
        if reload:
            raise CommandError(_("run_worker does not reload on code changes; restart it (make run does)."))
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError(_("--exclude-queues can only be used with --queue-name=*."))
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
