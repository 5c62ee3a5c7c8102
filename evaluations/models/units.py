"""Administrative units: province, district, commune and village, as a tree of any depth."""

import datetime

from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")
    VILLAGE = "village", _("Village")


class AdministrativeUnitQuerySet(MP_NodeQuerySet):
    def in_area(self, area: "AdministrativeUnit") -> "AdministrativeUnitQuerySet":
        """Units in the subtree of ``area``, the area itself included."""
        return self.filter(path__startswith=area.path)

    def current(self, on=None) -> "AdministrativeUnitQuerySet":
        """Units in force on ``on`` (today when omitted)."""
        from django.utils import timezone

        on = on or timezone.localdate()
        return self.filter(models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=on)).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=on)
        )


class AdministrativeUnitManager(MP_NodeManager.from_queryset(AdministrativeUnitQuerySet)):
    def get_queryset(self) -> AdministrativeUnitQuerySet:
        # treebeard's manager builds its own queryset class; keep ours (and its path ordering).
        return AdministrativeUnitQuerySet(self.model, using=self._db).order_by("path")


class AdministrativeUnit(MP_Node):
    """One unit of the administrative tree; ``path`` (materialised) makes subtree queries a prefix match."""

    name = models.CharField(_("name"), max_length=150)
    short_name = models.CharField(_("short name"), max_length=120, blank=True)
    level = models.CharField(
        pgettext_lazy("administrative unit", "level"), max_length=16, choices=UnitLevel.choices, db_index=True
    )
    unit_type = models.CharField(_("type"), max_length=40, blank=True, help_text=_("For example: Xã, Phường, Thôn."))
    code = models.CharField(
        _("GSO code"),
        max_length=10,
        blank=True,
        null=True,
        db_index=True,
        help_text=_("Official code from the national statistics list; leave empty for villages."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    node_order_by = None
    objects = AdministrativeUnitManager()

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["path"]
        constraints = [
            # A code is unique within its period: since 1/7/2025 some new communes reuse an old code.
            models.UniqueConstraint(
                "code",
                Coalesce("valid_from", Value(datetime.date(1900, 1, 1))),
                condition=models.Q(code__isnull=False),
                name="unique_unit_code_per_period",
                violation_error_message=_("Another unit already has this code for the same period."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def label_with_parent(self) -> str:
        """``Thôn Hữu Đức, Xã Phước Hữu``: enough to tell apart villages of the same name."""
        parent = self.get_parent() if self.depth > 1 else None
        return f"{self.name}, {parent.name}" if parent else self.name

    def is_current(self, on=None) -> bool:
        from django.utils import timezone

        on = on or timezone.localdate()
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or self.valid_to >= on)


class UnitSuccession(models.Model):
    """Official old -> new mapping of a reorganisation (for 2025: Ninh Thuận communes -> Khánh Hòa)."""

    old_unit = models.ForeignKey(
        AdministrativeUnit, on_delete=models.CASCADE, related_name="successors", verbose_name=_("old unit")
    )
    new_unit = models.ForeignKey(
        AdministrativeUnit, on_delete=models.CASCADE, related_name="predecessors", verbose_name=_("new unit")
    )
    effective_date = models.DateField(_("effective date"))
    #: For an old commune divided between several new ones, the official default destination.
    is_default = models.BooleanField(_("default new unit"), default=True)
    is_divided = models.BooleanField(_("old unit divided"), default=False)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("unit succession")
        verbose_name_plural = _("unit successions")
        constraints = [
            models.UniqueConstraint(fields=["old_unit", "new_unit", "effective_date"], name="unique_unit_succession")
        ]

    def __str__(self) -> str:
        return f"{self.old_unit} → {self.new_unit}"
