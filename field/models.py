"""What the field app's outbox has already delivered: one row per applied (or refused) entry, so that an entry
sent again (the phone lost the connection before it read the answer) answers the same without a second write."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
