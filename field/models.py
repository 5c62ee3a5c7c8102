"""What the field app's outbox has already delivered: one row per applied (or refused) entry, so that an entry
sent again (the phone lost the connection before it read the answer) answers the same without a second write;
and the codes of the self-assessment slips handed to families and units."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from documents.codes import CODE_LENGTH, code_display
from evaluations.models import CriteriaSet, Subject
from evaluations.models.area import AreaBoundQuerySet


class SyncEntry(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    #: The phone's id of the entry (a UUID it made when the change was queued).
    client_id = models.CharField(_("client id"), max_length=64)
    kind = models.CharField(_("kind"), max_length=32)
    #: For a created evaluation: the phone's temporary name for it, by which later entries refer to it.
    client_ref = models.CharField(_("client reference"), max_length=64, blank=True, default="")
    #: The answer given when the entry was applied, returned as is when it is sent again.
    result = models.JSONField(_("result"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("field sync entry")
        verbose_name_plural = _("field sync entries")
        constraints = [models.UniqueConstraint(fields=["user", "client_id"], name="unique_field_sync_entry")]
        indexes = [models.Index(fields=["user", "client_ref"], name="field_sync_client_ref")]

    def __str__(self) -> str:
        return f"{self.kind} {self.client_id}"


class SelfAssessmentCode(models.Model):
    """The code on a self-assessment slip: with it, a family or unit opens its own self-assessment of one year
    on the public form, without an account. Random (``documents.codes``), it expires
    (``SELF_ASSESSMENT_CODE_DAYS``) and opens that one self-assessment only.

    One current code per subject and year: printing again hands out the same code while it is valid; an expired
    one is kept (superseded), so that typing it still says "expired, ask for a new slip" rather than "unknown"."""

    area_field = "subject__area"
    objects = AreaBoundQuerySet.as_manager()

    code = models.CharField(_("code"), max_length=CODE_LENGTH, unique=True, editable=False)
    subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, related_name="self_assessment_codes", verbose_name=_("subject")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    #: The set in force for the subject's kind and year that takes a self-assessment, chosen when issued (or
    #: the set of the year's evaluation, when one was already started).
    criteria_set = models.ForeignKey(
        CriteriaSet, on_delete=models.PROTECT, related_name="+", verbose_name=_("criteria set")
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    #: The first moment the code no longer opens the form (the start of the day after the printed last day).
    expires_at = models.DateTimeField(_("expires at"))
    #: When a newer code replaced this expired one (it stays, refused as expired).
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    #: The last submission of the form with this code.
    submitted_at = models.DateTimeField(_("last submitted at"), null=True, blank=True)
    #: Photos sent with this code so far: bounded, so a code cannot fill the evidence storage.
    photo_count = models.PositiveSmallIntegerField(_("photos sent"), default=0)

    class Meta:
        verbose_name = _("self-assessment code")
        verbose_name_plural = _("self-assessment codes")
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "year"],
                condition=models.Q(superseded_at__isnull=True),
                name="one_current_self_assessment_code",
            )
        ]

    def __str__(self) -> str:
        return code_display(self.code)

    @property
    def code_display(self) -> str:
        return code_display(self.code)

    @property
    def last_day(self) -> datetime.date:
        """The last day printed on the slip ("Hạn dùng: đến ngày …")."""
        return timezone.localtime(self.expires_at - datetime.timedelta(microseconds=1)).date()

    def has_expired(self, now: datetime.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.expires_at
