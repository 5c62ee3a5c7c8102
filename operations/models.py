"""The background worker's heartbeat: one row per ``run_worker`` process, its last beat updated every few
seconds, so the web processes can tell whether anyone is working on the queue."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    worker_id = models.CharField(_("worker id"), max_length=64, unique=True)
    host = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    backend = models.CharField(_("task backend"), max_length=64)
    queues = models.CharField(_("queues"), max_length=255)
    started_at = models.DateTimeField(_("started at"))
    beat_at = models.DateTimeField(_("last heartbeat"), db_index=True)
    #: Set when the worker stops gracefully (SIGTERM, Ctrl+C); a killed worker simply stops beating.
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        ordering = ["-beat_at"]

    def __str__(self) -> str:
        return f"{self.host}:{self.pid} ({self.worker_id})"
