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
