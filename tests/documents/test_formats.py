"""How documents write dates, numbers, places and bodies: in Vietnamese whatever the officer's language."""

import datetime
from decimal import Decimal

from django.utils import translation

import pytest

from documents.formats import (
    association_name,
    committee_lines,
    document_language,
    integer_text,
    long_date,
    percent_text,
    place_and_date,
)
from evaluations.models import UnitLevel
from tests.factories import make_unit

pytestmark = pytest.mark.django_db


def test_dates_numbers_and_bodies_are_written_as_official_papers_write_them():
    province = make_unit("Tỉnh Khánh Hòa", UnitLevel.PROVINCE, code="56")
    commune = make_unit("Xã Ninh Phước", UnitLevel.COMMUNE, province, code="22900")
    with translation.override("en"), document_language():
        assert long_date(datetime.date(2026, 3, 5)) == "ngày 05 tháng 03 năm 2026"
        assert place_and_date(commune, datetime.date(2026, 12, 15)) == "Ninh Phước, ngày 15 tháng 12 năm 2026"
        assert integer_text(1000) == "1.000" and integer_text(164322) == "164.322"
        assert percent_text(Decimal("46.83")) == "46,8%"
        assert committee_lines(commune) == ["ỦY BAN NHÂN DÂN", "XÃ NINH PHƯỚC"]
        assert association_name(commune) == "Hội Khuyến học xã Ninh Phước"
        assert association_name(province) == "Hội Khuyến học tỉnh Khánh Hòa"
