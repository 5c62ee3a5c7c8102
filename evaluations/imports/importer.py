"""Validate every row of a spreadsheet, plan what to create and update, and write it in one transaction.

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

Writes go straight to the tables in batches (``INSERT ... RETURNING`` for the ``Subject`` rows, then
the kind's own table), because building 164,000 model instances would cost more than the whole read;
display names still come from each model's own ``build_display_name``.
"""

from __future__ import annotations

import datetime
import gc
import operator
import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from types import SimpleNamespace

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from reorganisation.models import ReviewItem
from reorganisation.services import reorganisation_create_official
from reorganisation.succession import SuccessionMap

from ..access import user_area_paths, user_reaches_unit
from ..bulk_insert import insert_many, insert_rows
from ..calendar import day_label, today
from ..models import (
    AdministrativeUnit,
    ImportKind,
    ImportLock,
    LearningCitizen,
    LearningClan,
    LearningCommunity,
    LearningFamily,
    LearningUnit,
    Subject,
    UnitLevel,
)
from ..models.units import valid_on_q
from ..text import fold, fold_words
from . import columns as cols
from .readers import FileRefused, Sheet, clean_text, has_data, read_sheets
from .resolve import Placement, ResolveError, Review, UnitResolver

MODELS = {
    ImportKind.FAMILY: LearningFamily,
    ImportKind.CLAN: LearningClan,
    ImportKind.COMMUNITY: LearningCommunity,
    ImportKind.UNIT: LearningUnit,
    ImportKind.CITIZEN: LearningCitizen,
}
CHILD_FIELDS = {
    ImportKind.FAMILY: ["head_name", "head_title", "member_count"],
    ImportKind.CLAN: ["clan_name", "representative"],
    ImportKind.COMMUNITY: [],
    ImportKind.UNIT: ["unit_name", "unit_type", "managing_level", "staff_count"],
    ImportKind.CITIZEN: ["full_name", "birth_year", "population_group"],
}
COMMON_FIELDS = ["code", "publish_consent", "note", "registered_on"]
#: A registration date left empty is the day of the import (``write_batch``).
DEFAULTS = {
    "code": "",
    "publish_consent": True,
    "note": "",
    "registered_on": None,
    "head_title": "ông",
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
BATCH = 20_000
AREAS_PER_QUERY = 50
#: How many rejected rows the job keeps for the preview; the error workbook lists them all.
KEPT_ERRORS = 200
DATE_RE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
ISO_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")


@dataclass
class Rejection:
    row: int
    column: str  # "C (Số nhân khẩu)" or "" when the whole row is at fault
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


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

    __slots__ = ("row", "area", "pk", "review", *ALL_FIELDS)

    def __init__(self, row: int, area: AdministrativeUnit, values: dict):
        # ``review`` is set only on the few rows that have one (read with ``getattr``).
        self.row, self.area, self.pk = row, area, None
        # Only the file's columns are set; ``get`` answers None for the others.
        for name, value in values.items():
            if name in _RECORD_FIELDS:
                setattr(self, name, value)

    def get(self, name: str, default=None):
        value = getattr(self, name, None)
        return default if value is None else value


class RowError(Exception):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message


# --- cell values --------------------------------------------------------------------------------


def as_int(value, column: cols.Column) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise RowError(column.field, _("“%(value)s” is not a whole number.") % {"value": value})
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = clean_text(value).replace(" ", "")
        # "4", "4.0", "4,0" and "1.200" (a thousands point) all appear in files typed by hand.
        text = re.sub(r"^(\d+)[.,]0+$", r"\1", text)
        text = re.sub(r"^(\d{1,3})\.(\d{3})$", r"\1\2", text)
        try:
            number = float(text)
        except ValueError:
            raise RowError(column.field, _("“%(value)s” is not a whole number.") % {"value": value}) from None
    if not number.is_integer():
        raise RowError(column.field, _("“%(value)s” is not a whole number.") % {"value": value})
    return int(number)


def as_year(value, column: cols.Column) -> int | None:
    """A year from ``1985``, ``"1985"``, an Excel date, ``"12/03/1985"`` or ``"1985-03-12"``."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.date | datetime.datetime):
        return value.year
    text = clean_text(value)
    match = DATE_RE.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            return datetime.date(year, month, day).year
        except ValueError:
            raise RowError(
                column.field, _("“%(value)s” is not a valid date (dd/mm/yyyy).") % {"value": text}
            ) from None
    match = ISO_RE.match(text)
    if match:
        return int(match.group(1))
    year = as_int(value, column)
    if year is not None and 0 < year < 1900 and isinstance(value, int | float):
        # An Excel date serial number read as a plain number.
        return (datetime.date(1899, 12, 30) + datetime.timedelta(days=year)).year
    return year


def as_date(value, column: cols.Column) -> datetime.date | None:
    """A date from an Excel date, ``"15/03/2024"`` (day first, as written in Vietnam), ``"2024-03-15"`` or
    an Excel date serial number read as a plain number."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    invalid = _("“%(value)s” is not a valid date (dd/mm/yyyy).")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value <= 0 or not float(value).is_integer():
            raise RowError(column.field, invalid % {"value": value})
        return datetime.date(1899, 12, 30) + datetime.timedelta(days=int(value))
    text = clean_text(value)
    match = DATE_RE.match(text)
    parts = None
    if match:
        day, month, year = (int(g) for g in match.groups())
        parts = (year, month, day)
    else:
        match = ISO_RE.match(text)
        if match:
            parts = tuple(int(g) for g in match.groups())
    try:
        if parts is None:
            raise ValueError
        return datetime.date(*parts)
    except ValueError:
        raise RowError(column.field, invalid % {"value": text}) from None


def as_bool(value, column: cols.Column) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    folded = cols.key(value)
    if folded in {cols.key(w) for w in cols.YES_WORDS}:
        return True
    if folded in {cols.key(w) for w in cols.NO_WORDS}:
        return False
    raise RowError(column.field, _("Write “Có” or “Không”, not “%(value)s”.") % {"value": value})


def parse_choice(raw, column: cols.Column):
    text = clean_text(raw)
    if not text:
        return None
    value = column.choice_value(text)
    if value is None:
        allowed = ", ".join(words[0] for words in column.choices.values())
        raise RowError(
            column.field, _("“%(value)s” is not one of: %(allowed)s.") % {"value": text, "allowed": allowed}
        )
    return value


def parse_text(raw, column: cols.Column) -> str:
    value = clean_text(raw)
    if column.max_length and len(value) > column.max_length:
        raise RowError(column.field, _("Too long: at most %(max)d characters.") % {"max": column.max_length})
    return value


PARSERS = {
    cols.INT: as_int,
    cols.YEAR: as_year,
    cols.YESNO: as_bool,
    cols.CHOICE: parse_choice,
    cols.TEXT: parse_text,
    cols.DATE: as_date,
}


#: Distinct values remembered per column: village, commune, title and count cells repeat across a
#: whole list, so each distinct one is cleaned and checked once; unique columns (names, codes) stop
#: being remembered at this size, which bounds the memory.
MEMO_SIZE = 20_000
_REQUIRED = object()  # memo marker: the cell is empty in a required column


def column_converter(column: cols.Column, parser: Callable) -> tuple[Callable, dict, str]:
    """``parser`` for one column with its results (values and errors alike) remembered per distinct cell.

    Keyed by the cell's type as well as its value: ``True``, ``1`` and ``1.0`` are equal keys in a dict
    but not the same cell.
    """
    memo: dict = {}
    required = column.required
    field_name = column.field

    def convert(raw):
        key = (raw.__class__, raw)
        found = memo.get(key)
        if found is not None:
            return found
        try:
            value = parser(raw, column)
        except RowError as error:
            found = error
        else:
            found = _REQUIRED if required and (value is None or value == "") else (value,)
        if len(memo) < MEMO_SIZE:
            memo[key] = found
        return found

    return convert, memo, field_name


def checked(parser: Callable, check: Callable) -> Callable:
    """``parser`` followed by a range check of the value (remembered per distinct cell like the parse)."""

    def parse_and_check(raw, column: cols.Column):
        value = parser(raw, column)
        if value is not None:
            check(value, column)
        return value

    return parse_and_check


def row_parser(header: cols.Header, columns: list[cols.Column], kind: str | None = None):
    """A function: cells -> (typed values of the columns present, errors); the column lookups done once."""
    checks = RANGE_CHECKS.get(kind, {})
    specs = [
        (
            header.positions[column.field],
            *column_converter(
                column,
                checked(PARSERS[column.type], checks[column.field])
                if column.field in checks
                else PARSERS[column.type],
            ),
        )
        for column in columns
        if column.field in header.positions
    ]
    required_message = _("This field is required.")

    def parse(cells: list) -> tuple[dict, list[RowError]]:
        values: dict = {}
        errors: list[RowError] = []
        width = len(cells)
        for index, convert, memo, field_name in specs:
            raw = cells[index] if index < width else None
            # The memo is read here first: most cells were seen before, and a call costs more than the lookup.
            found = memo.get((raw.__class__, raw))
            if found is None:
                found = convert(raw)
            if type(found) is tuple:
                values[field_name] = found[0]
            elif found is _REQUIRED:
                errors.append(RowError(field_name, required_message))
            else:
                errors.append(found)
        return values, errors

    return parse


def parse_row(
    cells: list, header: cols.Header, columns: list[cols.Column], kind: str | None = None
) -> tuple[dict, list[RowError]]:
    """Typed values of the columns present in the file, and the errors found."""
    return row_parser(header, columns, kind)(cells)


def check_member_count(value: int, column: cols.Column) -> None:
    if not 1 <= value <= 60:
        raise RowError(column.field, _("The number of members must be between 1 and 60."))


def check_birth_year(value: int, column: cols.Column) -> None:
    if not 1900 <= value <= timezone.localdate().year:
        raise RowError(column.field, _("The birth year must be between 1900 and this year."))


def check_staff_count(value: int, column: cols.Column) -> None:
    if value < 0:
        raise RowError(column.field, _("The number of staff cannot be negative."))


def check_registered_on(value: datetime.date, column: cols.Column) -> None:
    if not datetime.date(1900, 1, 1) <= value <= timezone.localdate():
        raise RowError(column.field, _("The registration date must be between 1900 and today."))


#: Range checks of single cells, per kind of list: run with the parse, once per distinct cell.
RANGE_CHECKS: dict[str, dict[str, Callable]] = {
    ImportKind.FAMILY: {"member_count": check_member_count, "registered_on": check_registered_on},
    ImportKind.CLAN: {"registered_on": check_registered_on},
    ImportKind.COMMUNITY: {"registered_on": check_registered_on},
    ImportKind.CITIZEN: {"birth_year": check_birth_year, "registered_on": check_registered_on},
    ImportKind.UNIT: {"staff_count": check_staff_count, "registered_on": check_registered_on},
}


# --- planning -----------------------------------------------------------------------------------


#: Names repeat a lot in a commune's list; fold each once.
folded = lru_cache(maxsize=200_000)(fold)


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
    related = MODELS[kind]._meta.model_name
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

    def reject(self, row: int, field_name: str, message: str) -> None:
        self.rejections.append(Rejection(row, self.where(field_name) if field_name else "", message))

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

    def add(self, row: int, cells: list) -> None:
        values, errors = self.parse(cells)
        if errors:
            for error in errors:
                self.reject(row, error.field, error.message)
            return
        # A register lists subjects as they are today: every row's units must be in force today. (Its
        # "Ngày đăng ký" says since when the subject is on the register, not where it was then.)
        placement = self.area_for(row, values)
        if placement is None:
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
            plan.notices = [
                Rejection(
                    r.row, self.where("village" if r.area.level == UnitLevel.VILLAGE else "commune"), r.review.message
                )
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
                plan.to_update.append(values)
            else:
                plan.unchanged += 1


def choose_sheet(sheets: list[Sheet], kind: str | None) -> tuple[Sheet, cols.Header]:
    for sheet in sheets:
        header = cols.find_header(sheet.head, kind)
        if header is not None:
            return sheet, header
    expected = ", ".join(
        f"“{c.heading}”" for c in cols.KINDS[kind or ImportKind.FAMILY] if c.required or c.field == "commune"
    )
    raise FileRefused(
        _(
            "No header row was recognised in the first %(rows)d rows of any sheet. The header must name the "
            "columns, for example %(expected)s; download the template to see them."
        )
        % {"rows": cols.HEADER_SCAN_ROWS, "expected": expected}
    )


def plan_import(
    data: bytes,
    filename: str,
    *,
    kind: str | None = None,
    commune: AdministrativeUnit | None = None,
    user=None,
    progress: Callable[[int, int], None] | None = None,
) -> Plan:
    """Read and validate the file and compare it with what is stored; writes nothing.

    Raises ``FileRefused`` when the file as a whole cannot be imported.
    """
    versions = lock_versions()
    with paused_gc():
        plan = _plan_import(data, filename, kind=kind, commune=commune, user=user, progress=progress)
    plan.options = {"kind": kind, "commune": commune, "user": user}
    plan.lock_versions = versions
    return plan


def _plan_import(data: bytes, filename: str, *, kind, commune, user, progress) -> Plan:
    sheet, header = choose_sheet(read_sheets(data, filename), kind)
    if header.kind == ImportKind.RESULT:
        from .results import ResultPlanner

        planner = ResultPlanner(header.kind, header, commune=commune, user=user)
    else:
        planner = Planner(header.kind, header, commune=commune, user=user)
    # The plan keeps no sheet: the reader's own copy of the cells is freed once the rows are read.
    plan = Plan(kind=header.kind, sheet=None, header=header, data=data, filename=filename)
    estimate = max(0, sheet.height - header.row_index - 1)
    done = 0
    for index, cells in sheet.rows_after(header.row_index):
        if not has_data(cells):
            continue
        planner.add(index + 1, cells)
        done += 1
        if progress and done % 5000 == 0:
            progress(done, max(estimate, done))
    plan.total = done
    del sheet
    if progress:
        progress(done, done)
    return planner.finish(plan)


def source_rows(plan: Plan, wanted: set[int]) -> tuple[dict[int, list], cols.Header]:
    """Row number -> cells as they were in the file, for the ``wanted`` rows (the plan keeps none)."""
    sheet, header = choose_sheet(read_sheets(plan.data, plan.filename), plan.kind)
    found: dict[int, list] = {}
    last = max(wanted, default=0)
    for index, cells in sheet.rows_after(-1):
        if index + 1 > last:  # the rest of the sheet holds none of them
            break
        if index + 1 in wanted:
            found[index + 1] = cells
    return found, header


# --- writing ------------------------------------------------------------------------------------


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


def display_names(kind: str, records: list[Record], children: list[tuple]) -> list[str]:
    """The names ``Subject.save`` would store, from the kind's own ``build_display_name``.

    The method is called on one plain namespace whose fields are replaced for each record: building
    a model instance for each of 164,000 rows would cost more than the rest of the import.
    """
    build = MODELS[kind].build_display_name
    fields = CHILD_FIELDS[kind]
    row = SimpleNamespace()
    attrs = row.__dict__
    names = []
    for record, child in zip(records, children, strict=True):
        attrs.update(zip(fields, child, strict=True))
        area = record.area
        attrs["area"] = area
        attrs["area_id"] = area.id
        names.append(build(row)[:255])
    return names


def insert_returning(model, fields: list[str], rows: list[tuple]) -> list[int]:
    """Insert ``rows`` and return their new ids in row order.

    PostgreSQL: multi-row ``INSERT ... RETURNING``. SQLite: ``insert_many``, then the ids above the
    previous highest one; SQLite has one writer at a time and this runs inside the import's
    transaction, so they are exactly these rows, and the count is checked all the same.
    """
    quote = connection.ops.quote_name
    opts = model._meta
    table, pk = quote(opts.db_table), quote(opts.pk.column)
    columns = [quote(opts.get_field(f).column) for f in fields]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT COALESCE(MAX({pk}), 0) FROM {table}")  # noqa: S608 (names from model meta)
            last = cursor.fetchone()[0]
            insert_many(table, columns, rows)
            cursor.execute(f"SELECT {pk} FROM {table} WHERE {pk} > %s ORDER BY {pk}", [last])  # noqa: S608
            ids = [r[0] for r in cursor.fetchall()]
            if len(ids) != len(rows):
                raise RuntimeError("rows were inserted by someone else during the import")
            return ids
        ids: list[int] = []
        names = ", ".join(columns)
        placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
        per_batch = max(1, min(1000, 30000 // len(fields)))
        for start in range(0, len(rows), per_batch):
            chunk = rows[start : start + per_batch]
            sql = (
                f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608 (names from model meta)
                f"{', '.join([placeholders] * len(chunk))} RETURNING {pk}"
            )
            cursor.execute(sql, [value for row in chunk for value in row])
            ids += [r[0] for r in cursor.fetchall()]
    return ids


def update_rows(model, fields: list[str], rows: list[tuple]) -> None:
    """``UPDATE`` of ``fields`` for each row (values in ``fields`` order, then the key)."""
    if not rows or not fields:
        return
    quote = connection.ops.quote_name
    opts = model._meta
    key = opts.pk.column
    assignments = ", ".join(f"{quote(opts.get_field(f).column)} = %s" for f in fields)
    sql = f"UPDATE {quote(opts.db_table)} SET {assignments} WHERE {quote(key)} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


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
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    adapt_date = connection.ops.adapt_datefield_value
    today = adapt_date(timezone.localdate())  # the registration date of rows that give none
    child = MODELS[kind]
    child_fields = CHILD_FIELDS[kind]
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    if creates:
        children = child_rows(kind, creates, present)
        names = display_names(kind, creates, children)
        # Each distinct name folded once: household heads' names repeat a great deal in a province.
        folded_names = {name: fold_words(name)[:255] for name in set(names)}
        common = field_rows(creates, COMMON_FIELDS, COMMON_DEFAULTS, present)
        subjects = [
            (
                kind,
                name,
                folded_names[name],
                v.area.id,
                code,
                consent,
                True,
                note,
                adapt_date(registered) if registered else today,
                now,
                now,
                user_id,
            )
            for v, name, (code, consent, note, registered) in zip(creates, names, common, strict=True)
        ]
        # In name order, the name indexes grow at nearby places rather than all over (SQLite spent 7%
        # less on a province's households). The ids still follow the rows given.
        order = sorted(range(len(subjects)), key=lambda i: subjects[i][2])
        ids = insert_returning(
            Subject,
            ["kind", "name", "name_folded", "area", "code", "publish_consent", "is_active", "note", "registered_on"]
            + ["created_at", "updated_at", "created_by"],
            [subjects[i] for i in order],
        )
        insert_rows(
            child, ["subject_ptr", *child_fields], [(pk, *children[i]) for pk, i in zip(ids, order, strict=True)]
        )
        if reviews:
            write_reviews(
                [
                    (pk, creates[i].review)
                    for pk, i in zip(ids, order, strict=True)
                    if getattr(creates[i], "review", None) is not None
                ]
            )
    if updates:
        update_rows(
            Subject,
            ["name", "name_folded", "code", "publish_consent", "note", "registered_on", "updated_at"],
            [
                (
                    name,
                    fold_words(name)[:255],
                    v.code,
                    v.publish_consent,
                    v.note,
                    adapt_date(v.registered_on),
                    now,
                    v.pk,
                )
                for v, name in zip(updates, display_names(kind, updates, child_rows(kind, updates)), strict=True)
            ],
        )
        update_rows(
            child,
            child_fields,
            [(*(getattr(v, f) for f in child_fields), v.pk) for v in updates],
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
        items.append(
            ReviewItem(
                reorganisation_id=reorganisation_id,
                subject_id=subject_id,
                old_unit=review.old_unit,
                proposed_unit=review.proposed_unit,
            )
        )
    ReviewItem.objects.bulk_create(items, batch_size=500)


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


@contextmanager
def larger_sqlite_cache(kib: int = 65536):
    """SQLite's default 2 MB page cache makes index updates of 100,000+ rows thrash; use 64 MB meanwhile."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


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
        return area.path[: -AdministrativeUnit.steplen]
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


def plan_paths(plan: Plan) -> set[str]:
    return {commune_path(record.area) for record in (*plan.to_create, *plan.to_update)}


def lock_and_recheck(plan: Plan) -> None:
    """Take the plan's locks; when another import wrote to these communes since the plan was made, plan again
    (here, inside the transaction, after the lock: what the other import wrote is visible now) and replace the
    plan's contents. A plan that wrote nothing takes no lock."""
    paths = plan_paths(plan)
    if not paths:
        return
    versions = take_locks(plan.kind, paths)
    if all(versions.get(p) == plan.lock_versions.get((plan.kind, p), 0) + 1 for p in paths) or not plan.data:
        return
    before = len(plan.to_create) + len(plan.to_update)
    fresh = _plan_import(plan.data, plan.filename, **plan.options, progress=None)
    fresh.options, fresh.lock_versions = plan.options, plan.lock_versions
    plan.__dict__.update(fresh.__dict__)
    plan.already_imported = before > 0 and not plan.to_create and not plan.to_update
    new_paths = plan_paths(plan) - paths
    if new_paths:
        take_locks(plan.kind, new_paths)


def apply_plan(plan: Plan, *, user=None, progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Write the plan's new and changed rows in one transaction: all of them or, on any error, none.

    The plan is checked again first, after the commune's import lock is taken: another import of the same
    list may have written since it was made (``lock_and_recheck``)."""
    try:
        with paused_gc(), transaction.atomic(), larger_sqlite_cache():
            lock_and_recheck(plan)
            _write_plan(plan, user=user, progress=progress)
    except IntegrityError as exc:
        # Another record took one of these codes since the check (typed in by hand meanwhile).
        raise WriteRefused(
            _(
                "Another record with one of this file's codes was saved while the import ran. Nothing was "
                "written: check the file again."
            )
        ) from exc
    return plan.counts()


def _write_plan(plan: Plan, *, user, progress) -> None:
    total = len(plan.to_create) + len(plan.to_update)
    done = 0
    if plan.kind != ImportKind.RESULT:  # results are checked by ``write_results``, each on its year
        on = plan.on or today()
        refuse_units_not_in_force([(record.row, record.area, on) for record in plan.first_create_per_area])
    for start in range(0, max(len(plan.to_create), len(plan.to_update)), BATCH):
        creates = plan.to_create[start : start + BATCH]
        updates = plan.to_update[start : start + BATCH]
        if plan.kind == ImportKind.RESULT:
            from .results import write_results

            write_results(creates, updates, user=user)
        else:
            write_batch(
                plan.kind,
                creates,
                updates,
                user=user,
                present=set(plan.header.positions),
                reviews=bool(plan.notices),
            )
        done += len(creates) + len(updates)
        if progress:
            progress(done, total)
