import pytest

from tests.factories import FamilyFactory


def test_family_display_name_follows_head_of_household(areas):
    family = FamilyFactory(head_name="Nguyễn Văn An", head_title="ông", area=areas["village_a1"])
    assert family.name == "Gia đình ông Nguyễn Văn An"
    assert family.kind == "family"


def test_clan_display_name_reads_naturally(areas):
    from tests.factories import ClanFactory

    assert ClanFactory(clan_name="Họ Nguyễn Văn", area=areas["commune_a"]).name == "Dòng họ Nguyễn Văn"
    assert ClanFactory(clan_name="Dòng họ Đàng", area=areas["commune_a"]).name == "Dòng họ Đàng"
    assert ClanFactory(clan_name="Pinăng", area=areas["commune_a"]).name == "Dòng họ Pinăng"


def test_a_code_may_be_reused_by_a_unit_of_a_later_period(areas):
    import datetime

    from django.db import IntegrityError, transaction

    from tests.factories import make_unit

    old = make_unit("Thị trấn Phước Dân", "commune", areas["district"], code="22870")
    old.valid_to = datetime.date(2025, 6, 30)
    old.save()
    new = areas["province"].add_child(
        name="Xã Ninh Phước", level="commune", code="22870", valid_from=datetime.date(2025, 7, 1)
    )
    assert new.pk != old.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        make_unit("Xã Trùng Mã", "commune", areas["district"], code="22870")
