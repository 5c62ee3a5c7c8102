"""Reading one field of the document with its type and limits; each error says where it is and what was
found."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from .document import _POINTS_LIMIT, _TENTH

#: How a message names a field of the file.
_LABELS = {
    "kind": pgettext_lazy("criteria set file", "kind of learning model"),
    "code": pgettext_lazy("criteria set file", "criteria-set code"),
    "version": pgettext_lazy("criteria set file", "version"),
    "name": pgettext_lazy("criteria set file", "criteria-set name"),
    "scoring_mode": pgettext_lazy("criteria set file", "scoring mode"),
    "document_number": pgettext_lazy("criteria set file", "document number"),
    "document_date": pgettext_lazy("criteria set file", "document date"),
    "issuer": pgettext_lazy("criteria set file", "issuing body"),
    "effective_from": pgettext_lazy("criteria set file", "valid from"),
    "effective_to": pgettext_lazy("criteria set file", "valid until"),
    "status": pgettext_lazy("criteria set file", "status"),
    "source_status": pgettext_lazy("criteria set file", "source status"),
    "source_note": pgettext_lazy("criteria set file", "source note"),
    "has_self_assessment": pgettext_lazy("criteria set file", "has a self-assessment"),
    "validity_years": pgettext_lazy("criteria set file", "years a recognition is valid"),
    "pass_total": pgettext_lazy("criteria set file", "total needed"),
    "indicator_minimum": pgettext_lazy("criteria set file", "minimum points of each indicator"),
    "grade_bands": pgettext_lazy("criteria set file", "grade bands"),
    "criteria": pgettext_lazy("criteria set file", "criteria"),
    "label": pgettext_lazy("criteria set file", "band name"),
    "min_total": pgettext_lazy("criteria set file", "minimum total"),
    "recognised": pgettext_lazy("criteria set file", "recognised"),
    "number": pgettext_lazy("criteria set file", "criterion number"),
    "title": pgettext_lazy("criteria set file", "criterion title"),
    "description": pgettext_lazy("criteria set file", "description"),
    "min_points": pgettext_lazy("criteria set file", "criterion's minimum points"),
    "indicators": pgettext_lazy("criteria set file", "indicators"),
    "text": pgettext_lazy("criteria set file", "indicator text"),
    "max_points": pgettext_lazy("criteria set file", "maximum points"),
    "level": pgettext_lazy("criteria set file", "level"),
    "evidence_guidance": pgettext_lazy("criteria set file", "evidence guidance"),
}

_MAX_LENGTHS = {
    "code": 60,
    "name": 255,
    "document_number": 80,
    "issuer": 200,
    "label": 40,
    "number": 10,
    "title": 255,
    "indicator_code": 12,
}


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, Decimal):
        return f"'{value}'"
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def _choices_text(choices) -> str:
    return ", ".join(choices.values)


class _Checker:
    """Collects errors while reading one document into the canonical shape ``_set_body`` produces."""

    def __init__(self):
        self.errors: list[str] = []

    def error(self, where: str, message: str, value: Any = None, *, show_value: bool = True) -> None:
        if show_value:
            message = _("%(message)s (value: %(value)s)") % {"message": message, "value": _show(value)}
        self.errors.append(f"{where}: {message}")

    def missing(self, where: str, key: str) -> None:
        self.errors.append(
            _("%(where)s: the required field '%(key)s' (%(label)s) is missing")
            % {"where": where, "key": key, "label": _LABELS.get(key, key)}
        )

    def unknown_keys(self, where: str, obj: dict, allowed: tuple[str, ...]) -> None:
        for key in obj:
            if key not in allowed:
                self.errors.append(
                    _("%(where)s: the field '%(key)s' is not part of the format; the fields used are: %(allowed)s")
                    % {"where": where, "key": key, "allowed": ", ".join(allowed)}
                )

    def text(self, obj: dict, key: str, where: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = obj.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.missing(where, key)
            return ""
        if not isinstance(value, str):
            self.error(where, _("%(label)s must be text") % {"label": _LABELS[key]}, value)
            return ""
        value = value.strip()
        if max_length is not None and len(value) > max_length:
            self.error(
                where,
                _("%(label)s is longer than %(max)s characters (it has %(length)s)")
                % {"label": _LABELS[key], "max": max_length, "length": len(value)},
                show_value=False,
            )
        return value

    def choice(self, obj: dict, key: str, where: str, choices, *, default: str | None = None) -> str | None:
        value = obj.get(key)
        if value is None:
            if default is None:
                self.missing(where, key)
            return default
        if value not in choices.values:
            self.error(
                where,
                _("%(label)s is not valid; choose one of: %(choices)s")
                % {"label": _LABELS[key], "choices": _choices_text(choices)},
                value,
            )
            return None
        return value

    def integer(
        self, obj: dict, key: str, where: str, *, low: int, high: int, default: int | None = None, required=False
    ) -> int | None:
        value = obj.get(key)
        if value is None:
            if required:
                self.missing(where, key)
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.error(
                where,
                _("%(label)s must be a whole number from %(low)s to %(high)s")
                % {"label": _LABELS[key], "low": low, "high": high},
                value,
            )
            return None
        return value

    def boolean(self, obj: dict, key: str, where: str, *, default: bool) -> bool:
        value = obj.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(where, _("%(label)s must be true or false") % {"label": _LABELS[key]}, value)
            return default
        return value

    def day(self, obj: dict, key: str, where: str) -> date | None:
        value = obj.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        message = _("%(label)s must be a date written YYYY-MM-DD, for example 2022-07-28")
        self.error(where, message % {"label": _LABELS[key]}, value)
        return None

    def points(self, obj: dict, key: str, where: str, *, positive: bool = False, required: bool = False):
        """A points value (string, or number) as a ``Decimal`` with at most one decimal place."""
        value = obj.get(key)
        if value is None or value == "":
            if required:
                self.missing(where, key)
            return None
        number = None
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            number = Decimal(value)
        elif isinstance(value, float):
            number = Decimal(str(value))
        elif isinstance(value, str):
            try:
                # Vietnamese writes a decimal comma ("7,5").
                number = Decimal(value.strip().replace(",", "."))
            except InvalidOperation:
                number = None
        label = _LABELS[key]
        if number is None or not number.is_finite() or (number <= 0 if positive else number < 0):
            message = (
                _("%(label)s must be a positive number")
                if positive
                else _("%(label)s must be a number not below zero")
            )
            self.error(where, message % {"label": label}, value)
            return None
        if number >= _POINTS_LIMIT:
            self.error(where, _("%(label)s is too large") % {"label": label}, value)
            return None
        if number != number.quantize(_TENTH):
            self.error(where, _("%(label)s may have only one decimal place") % {"label": label}, value)
            return None
        return number


def _criterion_where(position: int, number: Any) -> str:
    if isinstance(number, str) and number.strip():
        return _("Criterion %(number)s") % {"number": number.strip()}
    return _("Criterion no. %(position)s") % {"position": position}


def _indicator_where(criterion_where: str, position: int, code: Any) -> str:
    if isinstance(code, str) and code.strip():
        return _("%(criterion)s, indicator %(code)s") % {"criterion": criterion_where, "code": code.strip()}
    return _("%(criterion)s, indicator no. %(position)s") % {"criterion": criterion_where, "position": position}
