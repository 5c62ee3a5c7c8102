"""Administrative units: province, district, commune and village, as a tree of any depth."""

import datetime
from collections.abc import Iterable

from django.db import models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from ..calendar import day_label
from .rows import ReadDirectly


class UnitLevel(models.TextChoices):
    #: The national association's root (Hội Khuyến học Việt Nam): optional, above the provinces.
    NATION = "nation", _("Nation")
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")
    VILLAGE = "village", _("Village")


#: Characters per level of the materialised path, and the deepest tree the product builds:
#: nation -> province -> district -> commune -> village.
PATH_STEP = MP_Node.steplen
MAX_DEPTH = 5


def ancestor_paths(path: str, *, include_self: bool = True) -> list[str]:
    """Paths of the units above ``path`` (root first), and ``path`` itself unless told otherwise."""
    end = len(path) + (PATH_STEP if include_self else 0)
    return [path[:i] for i in range(PATH_STEP, end, PATH_STEP)]


def parent_path(path: str) -> str:
    """The path of the unit directly above ``path`` (``""`` for a root)."""
    return path[:-PATH_STEP]


def in_subtree(area: "AdministrativeUnit | str", *, field: str | None = "area") -> models.Q:
    """``Q`` for rows whose ``field`` (a unit; ``None`` for units themselves) lies in the subtree of ``area``
    (a unit or its path), ``area`` itself included: the one rule of "inside an area"."""
    path = area if isinstance(area, str) else area.path
    return models.Q(**{f"{field}__path__startswith" if field else "path__startswith": path})


def in_subtrees(paths: Iterable[str], *, field: str | None = "area") -> models.Q:
    """``Q`` for rows whose ``field`` lies in any of the subtrees of ``paths`` (see :func:`in_subtree`);
    matches nothing when ``paths`` is empty."""
    query = models.Q(pk__in=[])
    for path in paths:
        query |= in_subtree(path, field=field)
    return query


def path_within(path: str, roots: Iterable[str]) -> bool:
    """Whether the unit at ``path`` lies in the subtree of any of ``roots`` (the rule of :func:`in_subtree`,
    for units already loaded)."""
    return any(path.startswith(root) for root in roots)


def outermost(paths) -> list[str]:
    """``paths`` without those inside another one of them (its subtree already covers them), sorted."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not (kept and path.startswith(kept[-1])):
            kept.append(path)
    return kept


def valid_on_q(on: datetime.date, prefix: str = "") -> models.Q:
    """``Q`` for units in force on ``on`` (``prefix``: the lookup path to the unit, e.g. ``"area__"``)."""
    return (models.Q(**{f"{prefix}valid_from__isnull": True}) | models.Q(**{f"{prefix}valid_from__lte": on})) & (
        models.Q(**{f"{prefix}valid_to__isnull": True}) | models.Q(**{f"{prefix}valid_to__gte": on})
    )


class AdministrativeUnitQuerySet(MP_NodeQuerySet):
    def in_area(self, area: "AdministrativeUnit") -> "AdministrativeUnitQuerySet":
        """Units in the subtree of ``area``, the area itself included."""
        return self.filter(in_subtree(area, field=None))

    def for_user(self, user) -> "AdministrativeUnitQuerySet":
        """The units ``user`` reaches: the subtrees of their assignments (see ``evaluations.access``)."""
        from ..access import restrict_to_user_area  # cycle: access imports these models

        return restrict_to_user_area(self, user, None)

    def current(self, on=None) -> "AdministrativeUnitQuerySet":
        """Units in force on ``on`` (today when omitted): the one rule of "valid on a date"."""
        return self.filter(valid_on_q(on or timezone.localdate()))

    def ended(self, on=None) -> "AdministrativeUnitQuerySet":
        """Units that ended before ``on`` (today when omitted)."""
        return self.filter(valid_to__lt=on or timezone.localdate())


def _of_level_of_path(path_ref: str | OuterRef, level: str, field: str) -> Subquery:
    ref = OuterRef(path_ref) if isinstance(path_ref, str) else path_ref
    prefixes = [Substr(ref, 1, PATH_STEP * depth) for depth in range(1, MAX_DEPTH + 1)]
    return Subquery(
        AdministrativeUnit.objects.filter(level=level, path__in=prefixes).order_by("-path").values(field)[:1]
    )


def commune_of_path(path_ref: str | OuterRef, field: str = "name") -> Subquery:
    """Subquery: ``field`` of the commune of the unit whose path is ``path_ref`` (an outer reference such
    as ``"area__path"``): the unit itself when it is a commune, else its ancestor of level commune. By
    level, never by depth: a commune sits at depth 3 under a district and at depth 2 without one."""
    return _of_level_of_path(path_ref, UnitLevel.COMMUNE, field)


def province_of_path(path_ref: str | OuterRef, field: str = "name") -> Subquery:
    """Subquery: ``field`` of the province of the unit whose path is ``path_ref`` (see
    :func:`commune_of_path`). By level: a province is a root, or sits under a national root."""
    return _of_level_of_path(path_ref, UnitLevel.PROVINCE, field)


def _of_level_by_path(paths, level: str) -> dict[str, "AdministrativeUnit"]:
    paths = set(paths)
    candidates = {p for path in paths for p in ancestor_paths(path)}
    units = {}
    candidates = sorted(candidates)
    for start in range(0, len(candidates), 5000):  # within every database's limit on parameters
        chunk = candidates[start : start + 5000]
        units.update((u.path, u) for u in AdministrativeUnit.objects.filter(level=level, path__in=chunk))
    found = {}
    for path in paths:
        unit = next((units[p] for p in reversed(ancestor_paths(path)) if p in units), None)
        if unit is not None:
            found[path] = unit
    return found


def attach_parents(units) -> None:
    """Read the parents of ``units`` in one query, so that each one's ``label_with_parent`` ("Thôn Tú Bình, Xã
    Ninh Phước") costs nothing more: a listing page of 50 rows would otherwise read 50 parents."""
    units = [unit for unit in units if unit is not None and unit.depth > 1]
    wanted = {parent_path(unit.path) for unit in units}
    if not wanted:
        return
    parents = {
        parent.path: parent
        for parent in AdministrativeUnit.objects.filter(path__in=wanted).only(
            "path", "depth", "name", "valid_from", "valid_to"
        )
    }
    for unit in units:
        unit._parent_unit = parents.get(parent_path(unit.path))


def communes_by_path(paths) -> dict[str, "AdministrativeUnit"]:
    """For unit paths, their commune (see :func:`commune_of_path`); paths without one are left out."""
    return _of_level_by_path(paths, UnitLevel.COMMUNE)


def provinces_by_path(paths) -> dict[str, "AdministrativeUnit"]:
    """For unit paths, their province (see :func:`province_of_path`); paths without one (a national root)
    are left out."""
    return _of_level_by_path(paths, UnitLevel.PROVINCE)


class AdministrativeUnitManager(MP_NodeManager.from_queryset(AdministrativeUnitQuerySet)):
    def get_queryset(self) -> AdministrativeUnitQuerySet:
        # treebeard's manager builds its own queryset class; keep ours (and its path ordering).
        return AdministrativeUnitQuerySet(self.model, using=self._db).order_by("path")


class AdministrativeUnit(ReadDirectly, MP_Node):
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
    #: Units are their own area (see ``models.area``).
    area_field = None

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
        return self.dated_name

    @property
    def parent_name(self) -> str:
        """The dated name of the unit this one belongs to (``""`` for a root); read from the parent
        ``attach_parents`` loaded for a page of rows, if it did."""
        if self.depth <= 1:
            return ""
        parent = self.__dict__["_parent_unit"] if "_parent_unit" in self.__dict__ else self.get_parent()
        return parent.dated_name if parent else ""

    @property
    def label_with_parent(self) -> str:
        """``Thôn Hữu Đức, Xã Phước Hữu``: enough to tell apart villages of the same name."""
        return f"{self.dated_name}, {self.parent_name}" if self.depth > 1 else self.dated_name

    @property
    def dated_name(self) -> str:
        """The name, followed by its end date when the unit has ended: ``Xã Phước Hải (đến 30/6/2025)``."""
        if not self.has_ended():
            return self.name
        return _("%(name)s (until %(date)s)") % {"name": self.name, "date": day_label(self.valid_to)}

    def is_current(self, on=None) -> bool:
        """Whether the unit is in force on ``on`` (today when omitted); see ``AdministrativeUnitQuerySet.current``."""
        on = on or timezone.localdate()
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or self.valid_to >= on)

    def has_ended(self, on=None) -> bool:
        return self.valid_to is not None and self.valid_to < (on or timezone.localdate())

    @property
    def committee(self) -> str:
        """The People's Committee that signs for this unit: ``UBND xã Ninh Phước``."""
        if self.unit_type and self.short_name:
            return f"UBND {self.unit_type.lower()} {self.short_name}"
        return f"UBND {self.name}"

    @property
    def commune(self) -> "AdministrativeUnit | None":
        """The commune of this unit (itself, or its ancestor of level commune); ``None`` above communes."""
        if self.level == UnitLevel.COMMUNE:
            return self
        return communes_by_path([self.path]).get(self.path)

    @property
    def province(self) -> "AdministrativeUnit | None":
        """The province of this unit (itself, or its ancestor of level province); ``None`` for a national root."""
        if self.level == UnitLevel.PROVINCE:
            return self
        return provinces_by_path([self.path]).get(self.path)


class UnitSuccessionQuerySet(models.QuerySet):
    def for_user(self, user) -> "UnitSuccessionQuerySet":
        """Successions into or out of a unit of ``user``'s area."""
        from ..access import user_area_paths  # cycle: access imports these models

        paths = user_area_paths(user)
        if paths is None:
            return self
        return self.filter(in_subtrees(paths, field="old_unit") | in_subtrees(paths, field="new_unit"))


class UnitSuccession(models.Model):
    """Official old -> new mapping of a reorganisation (for 2025: Ninh Thuận communes -> Khánh Hòa)."""

    objects = UnitSuccessionQuerySet.as_manager()

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
