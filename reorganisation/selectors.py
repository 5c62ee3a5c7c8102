"""Reads of the structure's history: its version, the predecessors of today's units, the units of today old
ones map onto, and the subjects moved after a date. All go through :class:`succession.SuccessionMap`."""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict

from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, Min, OuterRef, QuerySet
from django.db.models.functions import Length, Substr

from evaluations.calendar import year_end
from evaluations.models import AdministrativeUnit, UnitSuccession
from evaluations.models.units import PATH_STEP, ancestor_paths, outermost

from .models import Reorganisation, ReorganisationStatus, ReorganisationStep, SubjectMove, UnitLink
from .succession import SuccessionMap


def structure_version() -> tuple:
    """A value that changes whenever units, official successions or applied reorganisations change (their
    rows only ever grow; applying records links and sets the status), read in one round trip: the key of
    what is derived from the structure and cached."""
    tables = [model._meta.db_table for model in (AdministrativeUnit, UnitSuccession, UnitLink, ReorganisationStep)]
    parts = [f"(SELECT MAX(id) FROM {connection.ops.quote_name(t)})" for t in tables]  # noqa: S608 (our tables)
    applied = connection.ops.quote_name(Reorganisation._meta.db_table)
    parts.append(f"(SELECT COUNT(*) FROM {applied} WHERE status = %s)")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", [ReorganisationStatus.APPLIED])  # noqa: S608
        return tuple(cursor.fetchone())


def predecessor_paths(paths: list[str]) -> list[str]:
    """Paths of the old units that went into the subtrees of ``paths`` (directly or through later
    reorganisations; see :class:`SuccessionMap`): their records (past evaluations, decisions, targets)
    belong to today's units. Asked on every request of an officer: kept in the cache per structure version."""
    asked = ",".join(sorted(paths)) + ":" + ",".join(map(str, structure_version()))
    key = "predecessor-paths:" + hashlib.sha256(asked.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = _predecessor_paths(paths)
        cache.set(key, found, 3600)  # an edited succession (no new row) is picked up within the hour
    return found


def _predecessor_paths(paths: list[str]) -> list[str]:
    links = SuccessionMap().default
    if not links:
        return []
    unit_paths = dict(AdministrativeUnit.objects.filter(pk__in={*links, *links.values()}).values_list("pk", "path"))
    reached: set[int] = set()
    found: list[str] = []
    changed = True
    while changed:  # a unit that itself ended later passes its reach back to its own predecessors
        changed = False
        for old_id, new_id in links.items():
            if old_id in reached:
                continue
            new_path = unit_paths.get(new_id, "")
            if new_id in reached or any(new_path.startswith(p) for p in paths):
                reached.add(old_id)
                found.append(unit_paths[old_id])
                changed = True
    return _whole_parents(outermost(found))


def _whole_parents(paths: list[str]) -> list[str]:
    """``paths`` with every unit all of whose children are among them standing for them (a former district
    whose communes all went into one unit, then its province...): a few subtrees instead of hundreds,
    which keeps the filters built from them short (SQLite refuses an expression deeper than 1,000)."""
    step = PATH_STEP
    while True:
        parents = {path[:-step] for path in paths if len(path) > step}
        if not parents:
            return paths
        children: dict[str, set[str]] = defaultdict(set)
        for path in (
            AdministrativeUnit.objects.annotate(parent=Substr("path", 1, Length("path") - step))
            .filter(parent__in=parents)
            .values_list("path", flat=True)
        ):
            children[path[:-step]].add(path)
        have = set(paths)
        whole = {parent for parent, kids in children.items() if kids <= have}
        if not whole:
            return paths
        paths = outermost([*paths, *whole])


def current_unit_map(unit_ids) -> dict[int, int]:
    """For old units, the unit of today they map onto (links recorded by applied reorganisations, followed
    through later ones; an unlinked unit follows its nearest linked ancestor, else the official default)."""
    successions = SuccessionMap()
    links = successions.default
    units = dict(AdministrativeUnit.objects.filter(pk__in=list(unit_ids)).values_list("pk", "path"))
    by_path = dict(AdministrativeUnit.objects.filter(pk__in=links).values_list("path", "pk"))
    result = {}
    for pk, path in units.items():
        mapped = links.get(pk)
        if mapped is None:
            for ancestor_path in reversed(ancestor_paths(path, include_self=False)):  # the nearest first
                ancestor = by_path.get(ancestor_path)
                if ancestor is not None:
                    mapped = links[ancestor]
                    break
        if mapped is not None:
            result[pk] = successions.follow(mapped)
    return result


def successor_of(unit: AdministrativeUnit) -> AdministrativeUnit | None:
    """The unit of today ``unit`` went into (see :func:`current_unit_map`), or ``None``."""
    found = current_unit_map([unit.pk]).get(unit.pk)
    return AdministrativeUnit.objects.filter(pk=found).first() if found else None


def years_by_later_reorganisations(years: list[int]) -> list[list[int]]:
    """``years`` grouped by the reorganisations effective after each year's end: the years of a group see the
    same subjects moved since (:func:`first_moves_after` any of their ends); years none follows are left out."""
    if not years:
        return []
    dates = set(
        Reorganisation.objects.filter(effective_date__gt=year_end(min(years)))
        .order_by()
        .values_list("effective_date", flat=True)
    )
    groups: dict[tuple[datetime.date, ...], list[int]] = defaultdict(list)
    for year in sorted(years):
        later = tuple(sorted(d for d in dates if d > year_end(year)))
        if later:
            groups[later].append(year)
    return list(groups.values())


def first_moves_after(date: datetime.date) -> QuerySet[SubjectMove]:
    """Each subject's first move by a reorganisation effective after ``date``, one row per subject: its
    ``from_area`` is where the subject was on ``date``. Inactive subjects too: a subject that left the
    register later still counts in the years it was on it (the roll-up applies the register's dates).

    Each engine gets the form it answers fastest (same rows). PostgreSQL: "no earlier such move of the same
    subject", an anti-join; given "the smallest id per subject" it guessed 200 subjects and looked each of
    166,738 moves up by its key (the province's roll-up 2.3 s; 0.5 s so). SQLite: the smallest id per
    subject, which it groups from the subject index (the anti-join made that roll-up 0.6 -> 0.9 s)."""
    later = SubjectMove.objects.filter(reorganisation__effective_date__gt=date)
    if connection.vendor == "postgresql":
        earlier = later.filter(subject_id=OuterRef("subject_id"), pk__lt=OuterRef("pk"))
        return later.filter(~Exists(earlier))
    first_ids = later.order_by().values("subject_id").annotate(first_id=Min("id")).values("first_id")
    return SubjectMove.objects.filter(pk__in=first_ids)
