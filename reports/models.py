"""Targets, denominators, budget lines, annual report submissions and background export jobs."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail.admin.panels import FieldPanel, FieldRowPanel

from evaluations.models import AdministrativeUnit, SubjectKind
from evaluations.models.area import AreaBoundQuerySet

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


class Indicator(models.TextChoices):
    """What a target or a denominator is about: the five kinds, plus the staff share of learning citizens.

    ``citizen`` is the share of workers in learning families, clans and communities holding the
    learning-citizen title; ``citizen_staff`` the share of staff of learning units holding it.
    """

    FAMILY = SubjectKind.FAMILY.value, _("Households recognised as learning families")
    CLAN = SubjectKind.CLAN.value, _("Clans recognised as learning clans")
    COMMUNITY = SubjectKind.COMMUNITY.value, _("Villages recognised as learning communities")
    UNIT = SubjectKind.UNIT.value, _("Units recognised as learning units")
    CITIZEN = SubjectKind.CITIZEN.value, _("Workers holding the learning-citizen title")
    CITIZEN_STAFF = "citizen_staff", _("Staff of learning units holding the learning-citizen title")


class Target(models.Model):
    objects = AreaBoundQuerySet.as_manager()

    """% to be recognised in an area and year; an area without its own target takes its nearest ancestor's."""

    area = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("area"))
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS, db_index=True)
    indicator = models.CharField(pgettext_lazy("report", "indicator"), max_length=16, choices=Indicator.choices)
    percent = models.DecimalField(
        _("target (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    note = models.CharField(_("source or note"), max_length=255, blank=True)

    panels = [
        FieldPanel("area"),
        FieldRowPanel([FieldPanel("year"), FieldPanel("indicator"), FieldPanel("percent")]),
        FieldPanel("note"),
    ]

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["-year", "area__path", "indicator"]
        constraints = [models.UniqueConstraint(fields=["area", "year", "indicator"], name="unique_target")]

    def __str__(self) -> str:
        return f"{self.area} {self.year} – {self.get_indicator_display()}: {self.percent}%"


class Denominator(models.Model):
    objects = AreaBoundQuerySet.as_manager()

    """How many households, clans, villages, units, workers or staff an area has in a year.

    Entered figures take precedence over the count of registered subjects.
    """

    area = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("area"))
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS, db_index=True)
    indicator = models.CharField(pgettext_lazy("report", "indicator"), max_length=16, choices=Indicator.choices)
    value = models.PositiveIntegerField(_("number"))
    note = models.CharField(_("source or note"), max_length=255, blank=True)

    panels = [
        FieldPanel("area"),
        FieldRowPanel([FieldPanel("year"), FieldPanel("indicator"), FieldPanel("value")]),
        FieldPanel("note"),
    ]

    class Meta:
        verbose_name = _("denominator")
        verbose_name_plural = _("denominators")
        ordering = ["-year", "area__path", "indicator"]
        constraints = [models.UniqueConstraint(fields=["area", "year", "indicator"], name="unique_denominator")]

    def __str__(self) -> str:
        return f"{self.area} {self.year} – {self.get_indicator_display()}: {self.value}"


class BudgetSource(models.TextChoices):
    STATE_BUDGET = "state_budget", _("State budget")
    MOBILISED = "mobilised", _("Mobilised funds")


class BudgetLine(models.Model):
    objects = AreaBoundQuerySet.as_manager()

    """The plan's finance lines: money planned and spent per area, year and source (VND)."""

    area = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("area"))
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS, db_index=True)
    source = models.CharField(_("source"), max_length=16, choices=BudgetSource.choices)
    planned = models.DecimalField(_("planned (VND)"), max_digits=16, decimal_places=0, default=0)
    spent = models.DecimalField(_("spent (VND)"), max_digits=16, decimal_places=0, default=0)
    note = models.CharField(_("note"), max_length=255, blank=True)

    panels = [
        FieldPanel("area"),
        FieldRowPanel([FieldPanel("year"), FieldPanel("source")]),
        FieldRowPanel([FieldPanel("planned"), FieldPanel("spent")]),
        FieldPanel("note"),
    ]

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["-year", "area__path", "source"]
        constraints = [models.UniqueConstraint(fields=["area", "year", "source"], name="unique_budget_line")]

    def __str__(self) -> str:
        return f"{self.area} {self.year} – {self.get_source_display()}"


class ReportSubmission(models.Model):
    objects = AreaBoundQuerySet.as_manager()

    """An area's annual report as submitted: a frozen snapshot of the roll-up. Never edited; a
    re-submission is a new row and the latest one counts."""

    area = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS, db_index=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    on_time = models.BooleanField(_("on time"))
    note = models.TextField(_("note"), blank=True)
    snapshot = models.JSONField(_("snapshot"), editable=False)

    class Meta:
        verbose_name = _("report submission")
        verbose_name_plural = _("report submissions")
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["year", "area", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.area} – {self.year}"

    def save(self, *args, **kwargs):
        # A snapshot is evidence of what was reported: it is written once, never updated.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("A report submission cannot be changed; submit again instead.")
        super().save(*args, **kwargs)


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    INTERRUPTED = "interrupted", _("Interrupted")


#: The states in which a worker is still expected to work on the export.
EXPORT_IN_PROGRESS = (ExportStatus.QUEUED, ExportStatus.RUNNING)


class ExportJob(models.Model):
    """A large export written in the background; the user follows its progress and downloads the file."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    listing = models.CharField(_("listing"), max_length=40)
    file_format = models.CharField(_("format"), max_length=10)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    done_rows = models.PositiveIntegerField(_("rows written"), default=0)
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    #: The background task writing the file, to tell whether the worker failed it.
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    #: Updated with the progress: an export silent for EXPORT_STALE_MINUTES has lost its worker.
    heartbeat_at = models.DateTimeField(_("last progress at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.listing}.{self.file_format} ({self.get_status_display()})"

    @property
    def label(self) -> str:
        """What the job writes, as its owner reads it: "Danh sách đánh giá (xlsx)", or the title a printed
        document's job was given ("Giấy công nhận – Quyết định 12/QĐ-UBND (pdf)")."""
        title = self.filters.get("title") if isinstance(self.filters, dict) else None
        names = {"evaluations": _("List of evaluations"), "subjects": _("List of learning models")}
        return f"{title or names.get(self.listing, self.listing)} ({self.file_format})"

    @property
    def is_in_progress(self) -> bool:
        return self.status in EXPORT_IN_PROGRESS

    @property
    def can_restart(self) -> bool:
        return self.status in (ExportStatus.INTERRUPTED, ExportStatus.FAILED)

    @property
    def percent(self) -> int:
        return (
            int(100 * self.done_rows / self.total_rows) if self.total_rows else (100 if self.status == "done" else 0)
        )
