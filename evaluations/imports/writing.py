"""Writing an import's plan: the subjects through the bulk subject service (names derived as ``Subject.save``
does, the search index told), new rows of divided units on their review lists, the last check that every
unit written to is in force, and the import locks (one import at a time per commune and kind).

Writes go straight to the tables in batches (``bulk_insert``), because building 164,000 model instances
would cost more than the whole read.
"""

from __future__ import annotations

import datetime
import gc
import operator
from contextlib import contextmanager

from django.db import connection
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from reorganisation.models import ReviewItem
from reorganisation.services import reorganisation_create_official
from reorganisation.succession import SuccessionMap

from ..bulk_insert import insert_rows, subjects_bulk_create, subjects_bulk_update
from ..models import AdministrativeUnit, ImportLock, UnitLevel
from ..models.units import parent_path, valid_on_q
from .planning import CHILD_DEFAULTS, CHILD_FIELDS, COMMON_DEFAULTS, COMMON_FIELDS, IDS_PER_QUERY, Record
from .resolve import Review


def field_rows(
    records: list[Record], fields: list[str], defaults: tuple, present: set[str] | None = None
) -> list[tuple]:
    """The records' ``fields`` as tuples, ``defaults`` where a value is None or the file had no column.

    Built a column at a time: a column of the file (``present``, when known) is set on every record
    and read in one C loop; a column the file lacks is its default throughout.
    """
    if not fields:
        return [() for _ in records]
    columns = []
    for name, default in zip(fields, defaults, strict=True):
        if present is not None and name not in present:
            columns.append([default] * len(records))
            continue
        try:
            column = list(map(operator.attrgetter(name), records))
        except AttributeError:  # not set on every record
            column = [getattr(record, name, None) for record in records]
        if None in column:
            column = [default if value is None else value for value in column]
        columns.append(column)
    return list(zip(*columns, strict=True))


def child_rows(kind: str, records: list[Record], present: set[str] | None = None) -> list[tuple]:
    """The records' values for the kind's own table, defaults filled in, in ``CHILD_FIELDS`` order."""
    return field_rows(records, CHILD_FIELDS[kind], CHILD_DEFAULTS[kind], present)


def write_batch(
    kind: str,
    creates: list[Record],
    updates: list[Record],
    *,
    user=None,
    present: set[str] | None = None,
    reviews: bool = True,
) -> None:
    """Write one batch of new and changed rows (called inside the import's transaction); ``present``:
    the file's columns, when known (the new records hold no value for the others); ``reviews``: whether
    some new rows go on a review list."""
    adapt_date = connection.ops.adapt_datefield_value
    if creates:
        today = adapt_date(timezone.localdate())  # the registration date of rows that give none
        ids = subjects_bulk_create(
            kind=kind,
            areas=[record.area for record in creates],
            common=[
                (code, consent, note, adapt_date(registered) if registered else today)
                for code, consent, note, registered in field_rows(creates, COMMON_FIELDS, COMMON_DEFAULTS, present)
            ],
            own=child_rows(kind, creates, present),
            user_id=user.pk if getattr(user, "is_authenticated", False) else None,
        )
        if reviews:
            write_reviews(
                [
                    (pk, record.review)
                    for pk, record in zip(ids, creates, strict=True)
                    if getattr(record, "review", None) is not None
                ]
            )
    if updates:
        subjects_bulk_update(
            kind=kind,
            ids=[record.pk for record in updates],
            areas=[record.area for record in updates],
            common=[(v.code, v.publish_consent, v.note, adapt_date(v.registered_on)) for v in updates],
            own=child_rows(kind, updates),
        )


def write_reviews(reviews: list[tuple[int, Review]]) -> None:
    """Put new subjects of divided units on their reorganisation's review list, proposing the unit they
    were filed in, as applying the reorganisation does for the subjects it moves."""
    official: dict = {}
    items = []
    for subject_id, review in reviews:
        reorganisation_id = review.reorganisation_id
        if reorganisation_id is None:  # not applied yet: the official reorganisation of that date
            if review.effective_date not in official:
                official[review.effective_date] = reorganisation_create_official(
                    **({"effective_date": review.effective_date} if review.effective_date else {})
                ).pk
            reorganisation_id = official[review.effective_date]
        items.append((reorganisation_id, subject_id, review.old_unit.id, review.proposed_unit.id))
    # Straight into the table, like the subjects: thousands of model instances cost more than the insert.
    insert_rows(ReviewItem, ["reorganisation", "subject", "old_unit", "proposed_unit"], items)


class WriteRefused(Exception):
    """The last check before writing failed; nothing is written. ``args[0]`` is the message."""


def refuse_units_not_in_force(rows: list[tuple[int, AdministrativeUnit, datetime.date]]) -> None:
    """The import's last check before writing: each (row, unit, date) files something on a unit in force on
    that date, as stored now (a reorganisation applied since the preview ends units). One query per date;
    raises ``WriteRefused`` naming the row, the unit and its successor."""
    by_date: dict[datetime.date, dict[int, int]] = {}
    for row, unit, on in rows:
        by_date.setdefault(on, {}).setdefault(unit.id, row)
    for on, first_row in by_date.items():
        ids = list(first_row)
        for start in range(0, len(ids), IDS_PER_QUERY):
            not_in_force = (
                AdministrativeUnit.objects.filter(pk__in=ids[start : start + IDS_PER_QUERY])
                .exclude(valid_on_q(on))
                .first()
            )
            if not_in_force is not None:
                raise WriteRefused(not_in_force_message(first_row[not_in_force.pk], not_in_force, on))


def not_in_force_message(row: int, unit: AdministrativeUnit, on: datetime.date) -> str:
    successions = SuccessionMap()
    successors = AdministrativeUnit.objects.filter(pk__in=successions.successors_of(unit.pk)).order_by("name")
    values = {
        "row": row,
        "unit": unit.label_with_parent,
        "date": f"{on.day}/{on.month}/{on.year}",
        "successors": "; ".join(u.label_with_parent for u in successors),
    }
    if values["successors"]:
        return (
            _(
                "Row %(row)d: %(unit)s is not in force on %(date)s; it was replaced by %(successors)s. "
                "Nothing was written: check the file again."
            )
            % values
        )
    return _("Row %(row)d: %(unit)s is not in force on %(date)s. Nothing was written: check the file again.") % values


@contextmanager
def paused_gc():
    """Pause the cyclic garbage collector: 164,000 rows of acyclic tuples and records would trigger
    hundreds of full collections for nothing (reference counting still frees everything)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --- one import at a time per commune and kind ----------------------------------------------------


def lock_versions() -> dict[tuple[str, str], int]:
    """Every import lock's version now (a row per kind and commune: a few hundred at most)."""
    return {
        (kind, path): version
        for kind, path, version in ImportLock.objects.values_list("kind", "commune_path", "version")
    }


def commune_path(area: AdministrativeUnit | None) -> str:
    """The tree path of the commune ``area`` is in (itself for a commune or above; "" for none)."""
    if area is None:
        return ""
    if area.level == UnitLevel.VILLAGE:
        return parent_path(area.path)
    return area.path


def take_locks(kind: str, paths: set[str]) -> dict[str, int]:
    """Take the import locks of ``paths`` for ``kind`` (inside the write transaction, held to its end) and
    return their versions after this import's increment. One ``UPDATE`` per lock, in path order, so two imports
    of overlapping communes wait for each other instead of deadlocking."""
    ImportLock.objects.bulk_create(
        [ImportLock(kind=kind, commune_path=path) for path in sorted(paths)], ignore_conflicts=True
    )
    for path in sorted(paths):
        ImportLock.objects.filter(kind=kind, commune_path=path).update(version=F("version") + 1)
    return dict(ImportLock.objects.filter(kind=kind, commune_path__in=paths).values_list("commune_path", "version"))
