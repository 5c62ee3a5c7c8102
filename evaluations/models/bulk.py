"""Bulk decisions too large to record within a web request: queued, then run by the background worker."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .decisions import RecognitionDecision, decision_storage


class BulkJobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to run")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    #: The worker stopped (killed, restarted, out of memory) before finishing; nothing was written.
    INTERRUPTED = "interrupted", _("Interrupted")


class BulkDecisionAction(models.TextChoices):
    RECOGNISE = "recognise", _("Recognise")
    NOT_RECOGNISE = "not_recognise", _("Not recognised")


def bulk_job_upload_to(instance: "BulkDecisionJob", filename: str) -> str:
    import uuid

    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"bulk-decisions/{uuid.uuid4().hex}.{suffix}"


class BulkDecisionJob(models.Model):
    """One decision asked for many evaluations at once: the selection and the decision as the officer sent
    them, then what the worker did. The decision and every evaluation are written together or not at all."""

    action = models.CharField(_("action"), max_length=16, choices=BulkDecisionAction.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=BulkJobStatus.choices, default=BulkJobStatus.QUEUED, db_index=True
    )
    #: The selected evaluations (ids), exactly as the confirmation page listed them.
    evaluation_ids = models.JSONField(_("selected evaluations"), default=list)
    #: The decision's number, date (ISO), issuing body, signatory and issuing unit (id), as typed.
    decision_data = models.JSONField(_("decision"), default=dict)
    #: The scanned decision, kept here (private storage) until the worker records the decision with it.
    file = models.FileField(
        _("scanned decision"), storage=decision_storage, upload_to=bulk_job_upload_to, blank=True, max_length=255
    )
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    decision = models.ForeignKey(
        RecognitionDecision,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recognition decision"),
    )
    selected = models.PositiveIntegerField(_("selected"), default=0)
    done = models.PositiveIntegerField(_("decided"), default=0)
    refused = models.PositiveIntegerField(_("left unchanged"), default=0)
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    #: The background task (django-tasks result id), to tell whether the worker failed it.
    task_id = models.CharField(_("task"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("bulk decision")
        verbose_name_plural = _("bulk decisions")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} – {self.decision_data.get('number', '')} ({self.selected})"

    @property
    def is_finished(self) -> bool:
        return self.status in (BulkJobStatus.DONE, BulkJobStatus.FAILED, BulkJobStatus.INTERRUPTED)
