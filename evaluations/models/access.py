"""Which administrative units an officer works in; they reach those units' whole subtrees."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .units import AdministrativeUnit


class AreaAssignment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="area_assignments", verbose_name=_("user")
    )
    area = models.ForeignKey(
        AdministrativeUnit, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("area")
    )

    class Meta:
        verbose_name = _("area assignment")
        verbose_name_plural = _("area assignments")
        constraints = [models.UniqueConstraint(fields=["user", "area"], name="unique_area_assignment")]

    def __str__(self) -> str:
        return f"{self.user} – {self.area}"


class ExportRecord(models.Model):
    """Who exported personal data, when, what and with which filter (Decree 13/2023)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("user")
    )
    created_at = models.DateTimeField(_("exported at"), auto_now_add=True, db_index=True)
    listing = models.CharField(_("listing"), max_length=100)
    file_format = models.CharField(_("format"), max_length=10)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal data export")
        verbose_name_plural = _("personal data exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        from ..calendar import time_label

        return f"{self.listing} – {time_label(self.created_at, with_day=True)}"
