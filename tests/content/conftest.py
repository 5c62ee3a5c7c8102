import pytest

from content.models import RecognitionListPage
from evaluations.models import HeadTitle
from tests.factories import ClanFactory, FamilyFactory, UnitFactory, make_decision, make_recognised


@pytest.fixture
def recognition_page(home, areas):
    page = RecognitionListPage(title="Danh sách công nhận", slug="danh-sach", area=areas["province"])
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def recognised(areas):
    """Recognised models of three kinds in commune A, one decision each year, plus a family in commune B."""
    decision = make_decision(areas["commune_a"], "125/QĐ-UBND", 2025)
    decision_b = make_decision(areas["commune_b"], "88/QĐ-UBND", 2025)
    family = FamilyFactory(
        head_name="Nguyễn Văn An", head_title=HeadTitle.MR, area=areas["village_a1"], member_count=7
    )
    clan = ClanFactory(clan_name="Họ Đàng", representative="Đàng Văn Tư", area=areas["commune_a"])
    unit = UnitFactory(unit_name="Trường Tiểu học Phước Hải", area=areas["commune_a"])
    other = FamilyFactory(head_name="Trần Thị Bích", head_title=HeadTitle.MRS, area=areas["village_b1"])
    return {
        "family": make_recognised(family, decision),
        "clan": make_recognised(clan, decision, grade="Khá"),
        "unit": make_recognised(unit, decision, grade="", level=2),
        "other": make_recognised(other, decision_b),
        "decision": decision,
    }
