"""Query parameters of the public site and the open-data API, declared once.

A :class:`Param` parses one GET parameter (a wrong value raises :class:`ParameterError` with a Vietnamese
message naming it) and describes itself for the OpenAPI document, so what is accepted, what a wrong value
answers and what is documented cannot drift apart. The public recognition FilterSet
(``evaluations.public_filters``) and the open-data API (``reports.api``) both declare theirs with it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import AdministrativeUnit


class ParameterError(ValueError):
    """A wrong query parameter: ``parameter`` is its name, ``message`` says what is wrong (translated)."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@dataclass
class Param:
    name: str
    type: str  # "string" or "integer"
    description: str
    enum: list[str] | None = None
    minimum: int | None = None
    maximum: int | None = None
    default: object = None
    #: Longest accepted string value.
    max_length: int | None = None

    def schema(self) -> dict:
        schema: dict = {"type": self.type}
        for key, name in (
            ("enum", "enum"),
            ("minimum", "minimum"),
            ("maximum", "maximum"),
            ("default", "default"),
            ("max_length", "maxLength"),
        ):
            if getattr(self, key) is not None:
                schema[name] = getattr(self, key)
        return {"name": self.name, "in": "query", "required": False, "description": self.description, "schema": schema}

    def parse(self, raw: str | None):
        if raw is None or raw == "":
            return self.default
        if self.type == "integer":
            try:
                value = int(raw)
            except ValueError:
                raise ParameterError(
                    self.name, _("Parameter “%(name)s” must be a whole number (got “%(value)s”).") % self._fmt(raw)
                ) from None
            if (self.minimum is not None and value < self.minimum) or (
                self.maximum is not None and value > self.maximum
            ):
                raise ParameterError(
                    self.name,
                    _("Parameter “%(name)s” must be between %(min)s and %(max)s (got %(value)s).")
                    % {**self._fmt(raw), "min": self.minimum, "max": self.maximum},
                )
            return value
        if self.enum is not None and raw not in self.enum:
            raise ParameterError(
                self.name,
                _("Parameter “%(name)s”: “%(value)s” is not allowed; use one of: %(choices)s.")
                % {**self._fmt(raw), "choices": ", ".join(self.enum)},
            )
        if self.max_length is not None and len(raw) > self.max_length:
            raise ParameterError(
                self.name,
                _("Parameter “%(name)s” must be at most %(max)s characters long (got %(length)s).")
                % {"name": self.name, "max": self.max_length, "length": len(raw)},
            )
        return raw

    def _fmt(self, raw):
        return {"name": self.name, "value": raw[:50]}


def area_by_code(code: str, year: int | None) -> AdministrativeUnit:
    """The unit with GSO ``code``; since 1/7/2025 some codes were reused, so the one in force on the
    year's due date (30 November), or today without a year, wins."""
    units = list(AdministrativeUnit.objects.filter(code=code).order_by("-valid_from"))
    if not units:
        raise ParameterError(
            "area", _("Parameter “area”: no administrative unit has the code “%(code)s”.") % {"code": code[:20]}
        )
    on = datetime.date(year, 11, 30) if year else None
    current = [u for u in units if u.is_current(on)]
    return (current or units)[0]
