"""Planning an import: matching the file's accepted rows to stored subjects, and sorting them into new,
changed and unchanged (``Planner``); what the import would do is a ``Plan``.

Rows are matched on natural keys, so importing the same file again changes nothing and a corrected
file updates only the rows that changed:

- families: (village, household code) when the row has a code, else (village, head's name folded);
- clans: (commune, code) or (commune, clan name folded); units: (commune, code) or (commune, unit name);
- communities: the village; citizens: (village, code) or (village, full name folded, birth year).

The village or commune of a row is the unit in force on the row's date (today for a register), found
through the reorganisations' successions (``resolve.py``); stored subjects are looked for where they are
now: on that unit, on the old units that map onto it, and for a divided unit in its other parts, so a
list from before a reorganisation matches the subjects it moved. A row of a divided unit that cannot be
placed lands on the default part and goes on the reorganisation's review list (``ReviewItem``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection
from django.utils.translation import gettext as _

from ..access import user_area_paths, user_reaches_unit
from ..calendar import day_label, today
from ..models import AdministrativeUnit, ImportKind, Subject, UnitLevel
from ..models.subjects import SUBJECT_MODELS, subject_own_fields
from ..text import fold_key
from . import columns as cols
from .cells import Rejection, row_parser
from .readers import Sheet
from .resolve import Placement, ResolveError, UnitResolver

#: The fields of each kind's own table an import writes.
CHILD_FIELDS = {kind: subject_own_fields(kind) for kind in SUBJECT_MODELS}
COMMON_FIELDS = ["code", "publish_consent", "note", "registered_on"]
#: A registration date left empty is the day of the import (``write_batch``).
DEFAULTS = {
    "code": "",
    "publish_consent": True,
    "note": "",
    "registered_on": None,
    "head_title": "",
    "representative": "",
}
NAME_FIELD = {
    ImportKind.FAMILY: "head_name",
    ImportKind.CLAN: "clan_name",
    ImportKind.UNIT: "unit_name",
    ImportKind.CITIZEN: "full_name",
}
CHILD_DEFAULTS = {kind: tuple(DEFAULTS.get(f) for f in fields) for kind, fields in CHILD_FIELDS.items()}
COMMON_DEFAULTS = tuple(DEFAULTS[f] for f in COMMON_FIELDS)
ALL_FIELDS = tuple(dict.fromkeys([*COMMON_FIELDS, *(f for fields in CHILD_FIELDS.values() for f in fields)]))
AREAS_PER_QUERY = 50
NO_FAILURES: frozenset[str] = frozenset()
#: The cells a row's place is read from.
PLACE_FIELDS = frozenset({"commune", "district", "village"})


@dataclass
class Plan:
    """What an import would do; ``apply_plan`` writes it."""

    kind: str
    sheet: Sheet | None
    header: cols.Header
    #: The file itself, read again for the error workbook (the rows are dropped once validated).
    data: bytes = b""
    filename: str = ""
    total: int = 0
    to_create: list[Record] = field(default_factory=list)
    to_update: list[Record] = field(default_factory=list)
    unchanged: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    #: Rows accepted with a remark the preview shows: rows of a divided unit put on the review list.
    notices: list[Rejection] = field(default_factory=list)
    #: The date the rows' units are valid on (a register's: today).
    on: datetime.date | None = None
    #: The first new row of each unit that gets new rows (for the last check before writing).
    first_create_per_area: list[Record] = field(default_factory=list)
    #: How to plan again inside the write transaction (``plan_import``'s keyword arguments), and the import
    #: locks' versions read before this plan was made: a lock whose version moved means another import wrote.
    options: dict = field(default_factory=dict)
    lock_versions: dict[tuple[str, str], int] = field(default_factory=dict)
    #: Set by ``apply_plan`` when another import wrote the same rows first: this one wrote nothing new.
    already_imported: bool = False
    #: The rows below the table left out as its signature, date or note block (``footer``).
    ignored_rows: list[int] = field(default_factory=list)

    @property
    def rejected_rows(self) -> int:
        return len({r.row for r in self.rejections})

    def counts(self) -> dict[str, int]:
        return {
            "created": len(self.to_create),
            "updated": len(self.to_update),
            "unchanged": self.unchanged,
            "rejected": self.rejected_rows,
        }


_RECORD_FIELDS = frozenset(ALL_FIELDS)


class Record:
    """One accepted row: where it is in the file, its unit, its values, for an update the stored pk, and
    for a row of a divided unit the review it goes to.

    Slots rather than a dict: an import holds 164,000 of these at once.
    """

    __slots__ = ("row", "area", "pk", "review", "changed", *ALL_FIELDS)

    def __init__(self, row: int, area: AdministrativeUnit, values: dict):
        # ``review`` and ``changed`` (an update's changed fields) are set only on the rows that have them.
        self.row, self.area, self.pk = row, area, None
        # Only the file's columns are set; ``get`` answers None for the others.
        for name, value in values.items():
            if name in _RECORD_FIELDS:
                setattr(self, name, value)

    def get(self, name: str, default=None):
        value = getattr(self, name, None)
        return default if value is None else value


#: Names repeat a lot in a commune's list; fold each once.
folded = lru_cache(maxsize=200_000)(fold_key)


def name_key(kind: str, values: dict) -> tuple | None:
    name_field = NAME_FIELD.get(kind)
    if name_field is None:
        return ()
    name = folded(values.get(name_field) or "")
    if kind == ImportKind.CITIZEN:
        return (name, values.get("birth_year"))
    return (name,)


def existing_fields(kind: str) -> list[str]:
    return ["pk", "area_id", "name", *COMMON_FIELDS, "ended_on", *CHILD_FIELDS[kind]]


#: Most ids in one ``pk IN (...)`` (SQLite allows 32,766 parameters in a statement).
IDS_PER_QUERY = 10_000


def load_existing(kind: str, area_ids: set[int], codes: set[str] | None = None) -> list[tuple]:
    """The stored subjects of ``kind`` in ``area_ids`` as tuples in ``existing_fields`` order.

    With ``codes`` (every row of the file has a code), only those a row can match: the ones with one
    of these codes, and those without a code (matched by name). They are picked from a narrow read of
    the subject table (id and code), so the stored records no row can match are never built.
    """
    related = SUBJECT_MODELS[kind]._meta.model_name
    columns = ["pk", "area_id", "name", *COMMON_FIELDS, "ended_on", *(f"{related}__{f}" for f in CHILD_FIELDS[kind])]
    # From the subject table (its (kind, area) index), unordered: sorting by name would cost more than the read.
    found = Subject.objects.filter(kind=kind, area_id__in=sorted(area_ids)).order_by()
    if codes is None:
        return list(found.values_list(*columns))
    # A plain cursor: two plain columns of up to 164,000 rows, nothing for the ORM to convert.
    sql, params = found.values_list("pk", "code").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        wanted = [pk for pk, code in cursor.fetchall() if not code or code in codes]
    rows: list[tuple] = []
    for start in range(0, len(wanted), IDS_PER_QUERY):
        rows += Subject.objects.filter(pk__in=wanted[start : start + IDS_PER_QUERY]).order_by().values_list(*columns)
    return rows


class Planner:
    """Validates rows one by one and keeps the plan; ``finish`` compares with what is stored.

    Hot paths read ``unit.id`` rather than ``unit.pk`` (a property call each time): the same value."""

    def __init__(self, kind: str, header: cols.Header, *, commune=None, user=None, resolver=None):
        self.kind = kind
        self.header = header
        self.columns = cols.KINDS[kind]
        self.commune = commune
        self.user = user
        self.resolver = resolver or UnitResolver(reach=user_area_paths(user) if user is not None else None)
        self.today = today()
        self.rejections: list[Rejection] = []
        #: Accepted rows by unit id, in file order: ``finish`` compares them a few units at a time.
        self.accepted: dict[int, list[Record]] = {}
        #: Whether a row has no code (then rows are matched by name as well).
        self.any_without_code = False
        #: Whether a row goes to a review list (a divided unit).
        self.any_review = False
        self.seen: dict[tuple, int] = {}
        self.parse = row_parser(header, self.columns, kind)
        #: (commune, district, village or None) as written -> (placement or None, rejection or None): today's,
        #: and other dates' (results of past years).
        self._areas: dict[tuple, tuple] = {}
        self._areas_on: dict[datetime.date, dict[tuple, tuple]] = {}
        #: unit id -> the other units where its subjects may be stored now (old units mapping onto it ...).
        self.scopes: dict[int, set[int]] = {}
        #: Stored subjects already matched by a row: one row updates a record at most.
        self.claimed: set[int] = set()

    def where(self, field_name: str) -> str:
        index = self.header.positions.get(field_name)
        if index is None:
            column = next((c for c in self.columns if c.field == field_name), None)
            return column.heading if column else ""
        label = self.header.labels[index] if index < len(self.header.labels) else ""
        return f"{cols.column_letter(index)} ({label.strip()})"

    def field_label(self, field_name: str) -> str:
        """The column's name in the template (``Năm đánh giá``), whatever the file's heading says."""
        column = next((c for c in self.columns if c.field == field_name), None)
        return column.heading if column else ""

    def reject(self, row: int, field_name: str, message: str) -> None:
        if field_name:
            self.rejections.append(Rejection(row, self.where(field_name), message, self.field_label(field_name)))
        else:
            self.rejections.append(Rejection(row, "", message))

    def area_for(
        self, row: int, values: dict, village: bool | None = None, on: datetime.date | None = None
    ) -> Placement | None:
        """The row's unit in force on ``on`` (the row's date; today when omitted), or None after rejecting
        the row; worked out once per distinct place written and date."""
        village = self.kind in cols.VILLAGE_KINDS if village is None else village
        areas = self._areas if on is None else self._areas_on.setdefault(on, {})
        key = (values.get("commune") or "", values.get("district") or "", values.get("village") if village else None)
        found = areas.get(key)
        if found is None:
            rejected: list[tuple[str, str]] = []
            placement = self._find_area(values, village, on or self.today, rejected)
            found = areas[key] = (placement, rejected[0] if rejected else None)
            if placement is not None:
                scope = self.resolver.scope(placement.unit, placement.review)
                if len(scope) > 1:
                    self.scopes.setdefault(placement.unit.id, set()).update(scope[1:])
        placement, rejection = found
        if rejection is not None:
            self.reject(row, *rejection)
        return placement

    def _find_area(self, values: dict, village: bool, on: datetime.date, rejected: list) -> Placement | None:
        commune = values.get("commune") or self.commune
        if not commune:
            rejected.append(("commune", _("Write the commune, or choose one for the whole file.")))
            return None
        try:
            placement = self.resolver.place(
                commune, values["village"] if village else None, on, district=values.get("district") or ""
            )
        except ResolveError as error:
            rejected.append((error.field, str(error.args[0])))
            return None
        area = placement.unit
        if self.user is not None and not user_reaches_unit(self.user, area):
            rejected.append(
                (
                    "village" if village else "commune",
                    _("%(unit)s is outside your area; you may import only the units assigned to you.")
                    % {"unit": area.label_with_parent if area.level == UnitLevel.VILLAGE else area.name},
                )
            )
            return None
        return placement

    def parsed(self, row: int, cells: list) -> tuple[dict, frozenset[str] | set[str]]:
        """The row's typed values (of the cells that parse) and the fields whose cells do not, each of those
        rejected: every error of the row is reported, not only the first."""
        values, errors = self.parse(cells)
        for error in errors:
            self.reject(row, error.field, error.message)
        return values, {error.field for error in errors} if errors else NO_FAILURES

    def place_written(self, values: dict, failed: frozenset[str] | set[str], village: bool) -> bool:
        """Whether the row's commune, district and village cells parsed, so that its place can be looked up
        (and a wrong place reported beside the row's other errors)."""
        if failed and not failed.isdisjoint(PLACE_FIELDS):
            return False
        return not village or bool(values.get("village"))

    def add(self, row: int, cells: list) -> None:
        values, failed = self.parsed(row, cells)
        # A register lists subjects as they are today: every row's units must be in force today. (Its
        # "Ngày đăng ký" says since when the subject is on the register, not where it was then.)
        placement = None
        if self.place_written(values, failed, self.kind in cols.VILLAGE_KINDS):
            placement = self.area_for(row, values)
        if placement is None or failed:
            return
        area = placement.unit
        code = values.get("code") or ""
        natural = (area.id, "code", code) if code else (area.id, "name", *name_key(self.kind, values))
        first = self.seen.get(natural)
        if first is not None:
            self.reject(row, "", _("Same household, clan, unit or person as row %(row)d.") % {"row": first})
            return
        self.seen[natural] = row
        if not code:
            self.any_without_code = True
        records = self.accepted.get(area.id)
        if records is None:
            records = self.accepted[area.id] = []
        record = Record(row, area, values)
        if placement.review is not None:
            record.review = placement.review
            self.any_review = True
        records.append(record)

    def finish(self, plan: Plan) -> Plan:
        kind = self.kind
        fields = existing_fields(kind)
        at = {f: i for i, f in enumerate(fields)}
        area_i, code_i = at["area_id"], at["code"]
        name_fields = [at[f] for f in (NAME_FIELD.get(kind), "birth_year") if f in at]
        # A row with a code matches by name only a stored record without one; a row without a code
        # matches any. Index only what the file's rows can match (most lists give every row a code).
        any_without_code = self.any_without_code
        present = set(self.header.positions)
        compared = [(f, at[f]) for f in (*COMMON_FIELDS, *CHILD_FIELDS[kind]) if f in present]
        stored = [(f, at[f]) for f in (*COMMON_FIELDS, *CHILD_FIELDS[kind])]
        by_area, self.accepted = self.accepted, {}
        area_ids = sorted(by_area)
        # A few villages at a time: the stored records of a whole province need not be in memory at once.
        for start in range(0, len(area_ids), AREAS_PER_QUERY):
            chunk = area_ids[start : start + AREAS_PER_QUERY]
            by_code: dict[tuple, tuple] = {}
            by_name: dict[tuple, list[tuple]] = {}
            codes = None if any_without_code else {r.code for a in chunk for r in by_area[a]}
            # Stored subjects are looked for where they are now: on the row's unit, and on the old units
            # mapping onto it (``scopes``); each is indexed under the row's unit, its own unit first.
            owners: dict[int, list[int]] = {}
            in_chunk = set(chunk)
            for area_id in chunk:
                for other in self.scopes.get(area_id, ()):
                    owners.setdefault(other, []).append(area_id)
            for other, area_ids_there in owners.items():
                if other in in_chunk:  # a row's unit that is also where another row's subjects may be
                    area_ids_there.append(other)
            for row in load_existing(kind, in_chunk.union(owners), codes):
                if owners and row[area_i] in owners:
                    # Stored where several rows' units may look: indexed under each, their own unit first.
                    stored_area = row[area_i]
                    for area_id in owners[stored_area]:
                        if row[code_i]:
                            code_key = (area_id, row[code_i])
                            if area_id == stored_area or code_key not in by_code:
                                by_code[code_key] = row
                            if not any_without_code:
                                continue
                        key = (area_id, *(folded(row[i]) if isinstance(row[i], str) else row[i] for i in name_fields))
                        by_name.setdefault(key, []).append(row)
                    continue
                if row[code_i]:
                    by_code[(row[area_i], row[code_i])] = row
                    if not any_without_code:
                        continue
                key = (row[area_i], *(folded(row[i]) if isinstance(row[i], str) else row[i] for i in name_fields))
                by_name.setdefault(key, []).append(row)
            for area_id in chunk:
                before = len(plan.to_create)
                if by_code or by_name:
                    self.match(plan, by_area.pop(area_id), by_code, by_name, compared, stored, at)
                else:  # nothing stored that a row could match (a first import): all new
                    plan.to_create += by_area.pop(area_id)
                if len(plan.to_create) > before:
                    plan.first_create_per_area.append(plan.to_create[before])
        plan.rejections = sorted(self.rejections, key=lambda r: r.row)
        plan.on = self.today
        if self.any_review:
            # One message per divided unit and landing place, not per row (10,450 rows of a divided commune in
            # a province's list: each message is a translation and the units' dated names).
            messages: dict[tuple, str] = {}

            def message(review) -> str:
                key = (review.old_unit.pk, review.proposed_unit.pk, *(unit.pk for unit in review.successors))
                if key not in messages:
                    messages[key] = review.message
                return messages[key]

            def place(record) -> str:
                return "village" if record.area.level == UnitLevel.VILLAGE else "commune"

            plan.notices = [
                Rejection(r.row, self.where(place(r)), message(r.review), self.field_label(place(r)))
                for r in sorted(plan.to_create, key=lambda r: r.row)
                if getattr(r, "review", None) is not None
            ]
        return plan

    def match(self, plan: Plan, records: list[Record], by_code, by_name, compared, stored, at) -> None:
        """Sort the records of one area into creates, updates and unchanged, against the stored ones."""
        kind = self.kind
        pk_i, code_i, ended_i, area_i = at["pk"], at["code"], at["ended_on"], at["area_id"]
        # Plan-wide when stored subjects can be seen from several rows' units, else per unit (smaller).
        claimed = self.claimed if self.scopes else set()
        for values in records:
            area = values.area
            code = values.get("code") or ""
            match = by_code.get((area.id, code)) if code else None
            if match is None:
                candidates = (
                    [
                        r
                        for r in by_name.get((area.id, *name_key(kind, values)), ())
                        if not (code and r[code_i] and r[code_i] != code)
                    ]
                    if by_name
                    else []
                )
                if len(candidates) > 1:
                    # The one on the row's own unit rather than one left on an old unit.
                    candidates = [r for r in candidates if r[area_i] == area.id] or candidates
                if len(candidates) > 1:
                    self.reject(
                        values.row,
                        "",
                        _("%(count)d records already match this row; add the code column to tell them apart.")
                        % {"count": len(candidates)},
                    )
                    continue
                match = candidates[0] if candidates else None
            if match is None:
                plan.to_create.append(values)
                continue
            if match[pk_i] in claimed:
                self.reject(values.row, "", _("Another row of this file already updates the same record."))
                continue
            claimed.add(match[pk_i])
            changed = []
            for f, i in compared:
                value = getattr(values, f, None)  # what ``values.get(f)`` answers, without the method call
                if value is not None and value != match[i]:
                    changed.append(f)
            if "registered_on" in changed and match[ended_i] and values.registered_on > match[ended_i]:
                self.reject(
                    values.row,
                    "registered_on",
                    _("The registration date cannot be after the day this subject left the list (%(ended)s).")
                    % {"ended": day_label(match[ended_i])},
                )
                continue
            if changed:
                # The update writes the stored values, with the file's where they differ.
                for f, i in stored:
                    if f not in changed:
                        setattr(values, f, match[i])
                values.pk = match[pk_i]
                values.changed = changed
                plan.to_update.append(values)
            else:
                plan.unchanged += 1
