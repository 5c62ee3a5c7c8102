"""Imports of spreadsheets: one ``ImportJob`` per uploaded file, recording who, when, what and the counts."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .evaluations import evidence_storage
from .units import AdministrativeUnit


class ImportKind(models.TextChoices):
    FAMILY = "family", _("Learning families (households)")
    CLAN = "clan", _("Learning clans")
    COMMUNITY = "community", _("Learning communities (villages)")
    UNIT = "unit", _("Learning units")
    CITIZEN = "citizen", _("Learning citizens")
    RESULT = "result", _("Evaluation results (scores per indicator)")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    VALIDATED = "validated", _("Checked, waiting for confirmation")
    QUEUED = "queued", _("Waiting to run")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    #: The worker stopped (killed, restarted, out of memory) before finishing; nothing was written.
    INTERRUPTED = "interrupted", _("Interrupted")


def import_upload_to(instance: "ImportJob", filename: str) -> str:
    # A random name: the original file name is kept in the database only.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"imports/{uuid.uuid4().hex}.{suffix}"


class ImportJob(models.Model):
    """One uploaded file, its preview and, once confirmed, its import; kept as the record of who imported what."""

    kind = models.CharField(_("kind"), max_length=16, choices=ImportKind.choices)
    commune = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune"),
        help_text=_("Rows without a commune are taken to be in this commune."),
    )
    file = models.FileField(_("file"), storage=evidence_storage, upload_to=import_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED, db_index=True
    )
    dry_run = models.BooleanField(_("check only"), default=False)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    progress_done = models.PositiveIntegerField(_("rows done"), default=0)
    progress_total = models.PositiveIntegerField(_("rows in the file"), default=0)
    #: The first rejected rows: a list of {"row", "column", "message"}; the error workbook holds them all.
    errors = models.JSONField(_("rejected rows"), default=list, blank=True)
    #: The first rows accepted with a remark (a row of a divided unit, put on the review list), like ``errors``.
    notices = models.JSONField(_("rows to review"), default=list, blank=True)
    #: The first rows to create or update, as the preview shows them (``imports.preview``).
    preview_rows = models.JSONField(_("rows shown in the preview"), default=list, blank=True)
    #: Row numbers of the signature, date or note block below the table, left out (``imports.footer``).
    ignored_rows = models.JSONField(_("rows left out below the table"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    #: The background task running the check or the import (django-tasks result id), if any.
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    #: Last sign of life from whoever works on the job (progress reports); tells a stopped worker.
    heartbeat_at = models.DateTimeField(_("last progress at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_kind_display()})"

    @property
    def percent(self) -> int:
        return round(100 * self.progress_done / self.progress_total) if self.progress_total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.INTERRUPTED)


class ImportLock(models.Model):
    """One row per kind of list and commune, taken by an import before it writes.

    Taken with an ``UPDATE`` at the start of the write transaction: PostgreSQL holds it as a row lock and
    SQLite as its single write lock until the commit, so two imports of one commune's list write one after
    the other. ``version`` counts the writes: an import planned before another one wrote plans again inside
    its transaction (``importer.apply_plan``) and finds the rows already there.
    """

    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    #: The commune's tree path ("" for rows without a unit): no foreign key, the lock outlives reorganisations.
    commune_path = models.CharField(max_length=255, blank=True)
    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "commune_path"], name="one_import_lock_per_commune")]

    def __str__(self) -> str:
        return f"{self.kind} {self.commune_path} v{self.version}"
