"""A reorganisation of administrative units (official 2025 merger, or merges and splits entered by hand),
and the record of what applying it moved: units linked old -> new, subjects moved, subjects to review."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from evaluations.models import SUBJECT_NAME_ORDER, AdministrativeUnit, Subject
from evaluations.models.area import AreaBoundQuerySet


class ReorganisationSource(models.TextChoices):
    OFFICIAL = "official", _("Official mapping")
    MANUAL = "manual", _("Entered by hand")


class ReorganisationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPLIED = "applied", _("Applied")


class Reorganisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    effective_date = models.DateField(_("effective date"), help_text=_("The new units exist from this day."))
    source = models.CharField(_("source"), max_length=16, choices=ReorganisationSource.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=ReorganisationStatus.choices, default=ReorganisationStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("applied by"),
    )
    #: What the (last effective) apply changed: the preview's counts.
    counts = models.JSONField(_("counts"), default=dict, blank=True)

    class Meta:
        verbose_name = _("reorganisation")
        verbose_name_plural = _("reorganisations")
        ordering = ["-effective_date", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.effective_date:%d/%m/%Y})"


class ReorganisationStep(models.Model):
    """Old unit -> new unit; an old unit with several new units is divided and ``is_default`` names where
    its villages and subjects go until an officer decides otherwise."""

    reorganisation = models.ForeignKey(Reorganisation, on_delete=models.CASCADE, related_name="steps")
    old_unit = models.ForeignKey(
        AdministrativeUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("old unit")
    )
    new_unit = models.ForeignKey(
        AdministrativeUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("new unit")
    )
    is_default = models.BooleanField(_("default new unit"), default=True)

    class Meta:
        verbose_name = _("reorganisation step")
        verbose_name_plural = _("reorganisation steps")
        constraints = [
            models.UniqueConstraint(fields=["reorganisation", "old_unit", "new_unit"], name="unique_reorg_step")
        ]

    def __str__(self) -> str:
        return f"{self.old_unit} → {self.new_unit}"


class LinkKind(models.TextChoices):
    PROVINCE = "province", _("Province merged")
    DISTRICT = "district", _("District abolished")
    COMMUNE = "commune", _("Commune to its (default) new commune")
    VILLAGE = "village", _("Village re-created under the new commune")


class UnitLink(models.Model):
    """Recorded when applying: which unit of today an old unit maps onto (mapped reports use it)."""

    reorganisation = models.ForeignKey(Reorganisation, on_delete=models.CASCADE, related_name="links")
    old_unit = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="+")
    new_unit = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=LinkKind.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["reorganisation", "old_unit"], name="unique_unit_link")]

    def __str__(self) -> str:
        return f"{self.old_unit} → {self.new_unit}"


class SubjectMove(models.Model):
    """One subject moved by a reorganisation (or by confirming a review item): where from, where to."""

    reorganisation = models.ForeignKey(Reorganisation, on_delete=models.CASCADE, related_name="moves")
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="+")
    from_area = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="+")
    to_area = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="+")
    moved_at = models.DateTimeField(auto_now_add=True)
    moved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["subject", "reorganisation"])]

    def __str__(self) -> str:
        return f"{self.subject}: {self.from_area} → {self.to_area}"


class ReviewItem(models.Model):
    """A subject of a divided unit: put on the official default, to be confirmed or changed by an officer."""

    area_field = "subject__area"
    objects = AreaBoundQuerySet.as_manager()

    reorganisation = models.ForeignKey(Reorganisation, on_delete=models.CASCADE, related_name="review_items")
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="+", verbose_name=_("subject"))
    old_unit = models.ForeignKey(
        AdministrativeUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("old unit")
    )
    proposed_unit = models.ForeignKey(
        AdministrativeUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("proposed new unit")
    )
    chosen_unit = models.ForeignKey(
        AdministrativeUnit,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("chosen new unit"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("confirmed by"),
    )

    class Meta:
        verbose_name = _("subject to review")
        verbose_name_plural = _("subjects to review")
        ordering = ["old_unit__path", *SUBJECT_NAME_ORDER]
        constraints = [models.UniqueConstraint(fields=["reorganisation", "subject"], name="unique_review_item")]

    def __str__(self) -> str:
        return f"{self.subject} ({self.old_unit} → {self.proposed_unit})"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to run")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    #: The worker stopped (killed, restarted, out of memory) before finishing: the transaction rolled back.
    INTERRUPTED = "interrupted", _("Interrupted")


#: The states in which someone (the web process, the command or the worker) is still expected to work on a run.
RUN_IN_PROGRESS = (RunStatus.QUEUED, RunStatus.RUNNING)


class ApplyPhase(models.TextChoices):
    """The steps of applying a reorganisation, in order, as reported to the progress screen."""

    PLAN = "plan", _("Computing what changes")
    UNITS = "units", _("Ending old units and re-creating villages")
    SUBJECTS = "subjects", _("Moving subjects")
    RECORDS = "records", _("Recording review items, targets and assignments")


class ReorganisationRun(models.Model):
    """One confirmed request to apply a reorganisation: who asked, where it ran, its state and outcome.

    The apply itself is one transaction, so a run's live progress (phase, subjects moved so far) cannot be
    read from this row while it works; see ``reorganisation.runs`` for where it goes."""

    reorganisation = models.ForeignKey(Reorganisation, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(
        _("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED, db_index=True
    )
    in_background = models.BooleanField(_("in the background"), default=False)
    #: Active subjects in the reorganised units when the run was requested: the size that chose where it runs.
    size = models.PositiveIntegerField(_("subjects in the reorganised units"), default=0)
    #: Whether the apply changed anything (False: it was already applied); None until it is done.
    changed = models.BooleanField(_("changed"), null=True, blank=True)
    #: What the apply changed (the preview's counts), once done.
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    #: The background task (django-tasks result id), if it runs in the worker.
    task_id = models.CharField(_("task"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("reorganisation run")
        verbose_name_plural = _("reorganisation runs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A second click while one is queued or running must not queue a second apply.
            models.UniqueConstraint(
                fields=["reorganisation"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_reorganisation_run_in_progress",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reorganisation} – {self.get_status_display()}"

    @property
    def is_in_progress(self) -> bool:
        return self.status in RUN_IN_PROGRESS
