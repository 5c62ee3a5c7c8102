"""Whether a record dated on a day may be filed on a unit: the unit in force that day, the subject on the
year's register."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from reorganisation.selectors import successor_of

from ..calendar import day_label, evaluation_date
from ..models import AdministrativeUnit, Subject


def unit_filing_refusal(*, area: AdministrativeUnit, on: datetime.date) -> str | None:
    """Why a record dated ``on`` (a subject registered, a year's evaluation) cannot be filed on ``area``:
    the unit was not in force on that date. The message names the unit it went into. ``None`` if it can."""
    if area.is_current(on):
        return None
    if area.valid_to is not None and area.valid_to < on:
        successor = successor_of(area)
        if successor is not None:
            return _(
                "“%(unit)s” ended on %(end)s and cannot hold records dated %(date)s: it went into “%(successor)s”."
            ) % {
                "unit": area.name,
                "end": day_label(area.valid_to),
                "date": day_label(on),
                "successor": successor.label_with_parent,
            }
        return _(
            "“%(unit)s” ended on %(end)s and cannot hold records dated %(date)s; choose a unit in force on that date."
        ) % {"unit": area.name, "end": day_label(area.valid_to), "date": day_label(on)}
    return _("“%(unit)s” only exists from %(start)s; a record dated %(date)s belongs to the units in force then.") % {
        "unit": area.name,
        "start": day_label(area.valid_from),
        "date": day_label(on),
    }


def evaluation_area_refusal(subject: Subject, year: int, area: AdministrativeUnit | None = None) -> str | None:
    """Why ``subject`` cannot be evaluated for ``year`` on ``area`` (its own unit when omitted): the unit was
    not in force at the year's evaluation date (see :func:`unit_filing_refusal`), or the subject was not on that
    year's register (registered later, or left)."""
    on = evaluation_date(year)
    if not subject.is_on_register(on):
        if subject.registered_on is not None and subject.registered_on > on:
            return _(
                "“%(subject)s” was registered on %(registered)s and is not on the register of %(year)s; "
                "if it was there earlier, correct its registration date first."
            ) % {"subject": subject.name, "registered": day_label(subject.registered_on), "year": year}
        return _("“%(subject)s” left the register on %(ended)s and is not on the register of %(year)s.") % {
            "subject": subject.name,
            "ended": day_label(subject.ended_on),
            "year": year,
        }
    refusal = unit_filing_refusal(area=area or subject.area, on=on)
    if refusal is None:
        return None
    return _(
        "An evaluation of %(year)s cannot be filed on the subject's unit: %(reason)s Move the subject to the unit "
        "in force first (edit the subject, or apply the reorganisation)."
    ) % {"year": year, "reason": refusal}
