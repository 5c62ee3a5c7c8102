"""How official documents write dates, numbers, places and the bodies that issue them (Decree 30/2020/NĐ-CP
on administrative documents): one rule each, used by every PDF, .docx and workbook the product prints.

Documents are always in the site's language (``LANGUAGE_CODE``, Vietnamese): a decision or a certificate is
the same paper whatever language the officer's screen is in. Wrap their making in :func:`document_language`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from evaluations import calendar
from evaluations.models import AdministrativeUnit, UnitLevel


def document_language():
    """The language every printed document is written in, whatever the request's."""
    return translation.override(settings.LANGUAGE_CODE)


def national_name() -> str:
    """The national emblem line (quốc hiệu), in capitals."""
    return _("SOCIALIST REPUBLIC OF VIETNAM")


def motto() -> str:
    """The motto (tiêu ngữ) below the national emblem line."""
    return _("Independence - Freedom - Happiness")


def long_date(date: datetime.date) -> str:
    """``ngày 05 tháng 12 năm 2026``: a document's date, with days and months below 10 written with a zero
    (Decree 30/2020, appendix I)."""
    return _("day %(day)s month %(month)s year %(year)s") % {
        "day": f"{date.day:02d}",
        "month": f"{date.month:02d}",
        "year": date.year,
    }


def place_name(unit: AdministrativeUnit | None) -> str:
    """The place a document is issued at: the unit's own name without its type ("Ninh Phước" for Xã Ninh
    Phước)."""
    if unit is None:
        return ""
    if unit.short_name:
        return unit.short_name
    if unit.unit_type and unit.name.lower().startswith(unit.unit_type.lower() + " "):
        return unit.name[len(unit.unit_type) + 1 :]
    return unit.name


def place_and_date(unit: AdministrativeUnit | None, date: datetime.date) -> str:
    """``Ninh Phước, ngày 05 tháng 12 năm 2026``; with no place, the date alone (still "ngày …")."""
    place = place_name(unit)
    return f"{place}, {long_date(date)}" if place else long_date(date)


def blank_place_and_date(unit: AdministrativeUnit | None) -> str:
    """The date line of a draft not yet signed: ``Ninh Phước, ngày … tháng … năm 2026`` to write by hand."""
    place = place_name(unit)
    year = calendar.today().year
    line = _("day … month … year %(year)s") % {"year": year}
    return f"{place}, {line}" if place else line


def unit_words(unit: AdministrativeUnit) -> str:
    """``xã Ninh Phước``: the unit's type in lower case and its own name, as a sentence names it."""
    return f"{(unit.unit_type or '').lower()} {place_name(unit)}".strip()


def association_name(unit: AdministrativeUnit | None) -> str:
    """The association of a unit's area, which reports and proposes: ``Hội Khuyến học xã Ninh Phước``,
    ``Hội Khuyến học tỉnh Khánh Hòa``; the national root's is ``Hội Khuyến học Việt Nam``."""
    if unit is None or unit.level == UnitLevel.NATION:
        return _("Vietnam Association for Promoting Education")
    return _("Association for Promoting Education of %(unit)s") % {"unit": unit_words(unit)}


def integer_text(value: int | None) -> str:
    """``1.000``: a whole number grouped by dots, as Vietnamese documents write it."""
    if value is None:
        return ""
    return f"{int(value):,}".replace(",", ".")


def percent_text(value: Decimal | float | None, places: int = 1) -> str:
    """``46,8%``: a share with a decimal comma."""
    if value is None:
        return ""
    return f"{Decimal(str(value)):.{places}f}".replace(".", ",") + "%"


def committee_lines(unit: AdministrativeUnit | None) -> list[str]:
    """The issuing People's Committee as a document's header writes it, in capitals: ``ỦY BAN NHÂN DÂN`` /
    ``XÃ NINH PHƯỚC``."""
    if unit is None:
        return [_("PEOPLE'S COMMITTEE")]
    return [_("PEOPLE'S COMMITTEE"), (unit_words(unit) or unit.name).upper()]


def committee_signature() -> list[str]:
    """Who signs for the committee, above the signature: ``TM. ỦY BAN NHÂN DÂN`` / ``CHỦ TỊCH``."""
    return [_("ON BEHALF OF THE PEOPLE'S COMMITTEE"), _("CHAIRPERSON")]
