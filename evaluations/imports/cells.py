"""Cell parsing of an import: each cell of a row turned into a typed value, or a ``RowError`` saying why not.

Parsers are per column type (``columns.INT``, ``YEAR``, ``DATE``, ``YESNO``, ``CHOICE``, ``TEXT``); a column's
results are remembered per distinct cell (``column_converter``), and range checks of single cells run with
the parse (``RANGE_CHECKS``). Nothing here reads the database.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ImportKind
from . import columns as cols
from .readers import clean_text

DATE_RE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
ISO_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")


@dataclass
class Rejection:
    row: int
    column: str  # "C (Số nhân khẩu)": the letter and the heading as written in the file; "" for the whole row
    message: str
    #: What the column is, as the template names it ("Năm đánh giá" for a column headed "Năm"); "" for the row.
    field: str = ""

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "field": self.field, "message": self.message}


class RowError(Exception):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message


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
