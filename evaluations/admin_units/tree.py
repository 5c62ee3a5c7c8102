"""Writing many tree nodes at once, and the national root above the provinces."""

from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.db.models import F

from treebeard.exceptions import PathOverflow

from ..models import AdministrativeUnit, UnitLevel
from ..models.units import PATH_STEP, in_subtree
from ..signals import units_moved
from .data import NATION_CODE, NATION_NAME, LoadReport

# --- writing many tree nodes at once ---------------------------------------------------------------------


class TreeWriter:
    """Adds units under their parents in bulk, in treebeard's path scheme.

    ``add_child`` reads the parent's last child and updates the parent's ``numchild`` for every unit it adds;
    for 13,400 communes that is tens of thousands of queries. Here the paths are computed in memory (one query
    per existing parent for its last child), the rows are written by ``bulk_create`` and each existing
    parent's ``numchild`` is raised once. A unit added here can be the parent of others added here: only its
    path is needed until :meth:`flush`.
    """

    def __init__(self) -> None:
        self._next_step: dict[str, int] = {}
        self._pending: list[AdministrativeUnit] = []
        self._pending_paths: set[str] = set()
        self._added: Counter[str] = Counter()

    def add(self, parent: AdministrativeUnit | None, **fields) -> AdministrativeUnit:
        parent_path = parent.path if parent is not None else ""
        step = self._next_step.get(parent_path)
        if step is None:
            step = 1 if parent_path in self._pending_paths else self._last_step(parent_path) + 1
        depth = len(parent_path) // PATH_STEP + 1
        path = AdministrativeUnit._get_path(parent_path, depth, step)
        if len(path) != depth * PATH_STEP:
            raise PathOverflow(path)
        self._next_step[parent_path] = step + 1
        unit = AdministrativeUnit(path=path, depth=depth, numchild=0, **fields)
        self._pending.append(unit)
        self._pending_paths.add(path)
        self._added[parent_path] += 1
        return unit

    @staticmethod
    def _last_step(parent_path: str) -> int:
        last = (
            AdministrativeUnit.objects.filter(
                in_subtree(parent_path, field=None), depth=len(parent_path) // PATH_STEP + 1
            )
            .order_by("-path")
            .values_list("path", flat=True)
            .first()
        )
        return AdministrativeUnit._str2int(last[-PATH_STEP:]) if last else 0

    def flush(self) -> int:
        """Write the units added since the last flush (their ``pk`` is set); returns how many."""
        for unit in self._pending:
            unit.numchild = self._added.get(unit.path, 0)
        AdministrativeUnit.objects.bulk_create(self._pending, batch_size=1000)
        for parent_path, count in self._added.items():
            if parent_path and parent_path not in self._pending_paths:
                AdministrativeUnit.objects.filter(path=parent_path).update(numchild=F("numchild") + count)
        written = len(self._pending)
        # Later adds continue after what was written (the steps stay in ``_next_step``).
        self._pending, self._pending_paths, self._added = [], set(), Counter()
        return written


# --- the national root -----------------------------------------------------------------------------------


def national_root() -> AdministrativeUnit | None:
    """The national root, if one was created."""
    return AdministrativeUnit.objects.filter(level=UnitLevel.NATION).order_by("path").first()


@transaction.atomic
def ensure_national_root(report: LoadReport | None = None) -> AdministrativeUnit:
    """The national root (created when missing), with every province that is a root moved under it.

    Moving a subtree rewrites its paths (treebeard). Rows that point at units by key (evaluations, subjects,
    targets, assignments, decisions) are unaffected; the stored copies of paths are kept in step: the search
    index follows the ``units_moved`` signal, and a report snapshot's paths only relate its own rows to each
    other (it is read by its structure, never matched against the live tree).
    """
    report = report or LoadReport()
    nation = national_root()
    if nation is None:
        nation = AdministrativeUnit.add_root(
            name=NATION_NAME, short_name=NATION_NAME, unit_type="", level=UnitLevel.NATION, code=NATION_CODE
        )
        report.created += 1
    for province in AdministrativeUnit.objects.filter(depth=1, level=UnitLevel.PROVINCE).order_by("path"):
        old_path = province.path
        province.move(AdministrativeUnit.objects.get(pk=nation.pk), "last-child")
        province.refresh_from_db()
        units_moved.send(sender=AdministrativeUnit, old_path=old_path, new_path=province.path)
        report.moved += 1
    return AdministrativeUnit.objects.get(pk=nation.pk)
