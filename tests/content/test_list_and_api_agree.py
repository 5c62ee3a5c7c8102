"""The public list page, its detail pages and the open-data API show the same rows for the same filters,
with the same "village, commune", on today's two-tier tree (province -> commune -> village) and on the
old tree with districts (province -> district -> commune -> village)."""

import html
import re

from django.urls import reverse

import pytest

from content.models import RecognitionListPage
from evaluations.models import EvaluationStatus, HeadTitle, UnitLevel
from tests.factories import ClanFactory, FamilyFactory, make_decision, make_evaluation, make_recognised, make_unit

pytestmark = pytest.mark.django_db

ROW = re.compile(
    r'<th scope="row"[^>]*><a href="[^"]+">([^<]+)</a></th>.*?data-label="[^"]*">([^<]*)</td>\s*'
    r'<td data-label="[^"]*">([^<]*)</td>',
    re.S,
)


@pytest.fixture
def world(areas, home):
    # Today's province: communes directly under it, villages under them (no district).
    today = make_unit("Tỉnh Hai Cấp", UnitLevel.PROVINCE, code="T02")
    commune = make_unit("Xã Ninh Phước", UnitLevel.COMMUNE, today, code="T0201")
    village = make_unit("Thôn Vạn Phước", UnitLevel.VILLAGE, commune)
    old_decision = make_decision(areas["commune_a"], "125/QĐ-UBND", 2024)
    new_decision = make_decision(commune, "7/QĐ-UBND", 2025)
    make_recognised(FamilyFactory(head_name="Trần Văn Bảo", head_title=HeadTitle.MR, area=areas["village_a1"]),
                    old_decision, year=2024)  # fmt: skip
    make_recognised(FamilyFactory(head_name="Phan Văn Bảo", head_title=HeadTitle.MR, area=village), new_decision)
    make_recognised(ClanFactory(clan_name="Họ Bảo", representative="Bảo Văn Tư", area=commune), new_decision)
    # Never public: a family that declined publication, one recognised without a decision, one not recognised.
    declined = FamilyFactory(head_name="Huỳnh Văn Bảo", area=village)
    make_recognised(declined, new_decision)
    declined.publish_consent = False
    declined.save()
    make_evaluation(FamilyFactory(head_name="Lê Văn Bảo", area=village), status=EvaluationStatus.RECOGNISED)
    make_evaluation(FamilyFactory(head_name="Võ Văn Bảo", area=village), status=EvaluationStatus.SUBMITTED)
    page = RecognitionListPage(title="Danh sách công nhận", slug="danh-sach")
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def page_rows(client, page, params) -> list[tuple[str, str]]:
    """(name, village and commune) of every row of the list page."""
    body = client.get(page.url, params).content.decode()
    return [(html.unescape(name), html.unescape(place)) for name, _kind, place in ROW.findall(body)]


def api_rows(client, params) -> list[tuple[str, str]]:
    """(name, "village, commune") of every row of the open-data API, as the list page writes them."""
    rows = client.get(reverse("api:recognitions"), params).json()["results"]
    return [(r["name"], ", ".join(p for p in dict.fromkeys([r["village"], r["commune"]]) if p)) for r in rows]


@pytest.mark.parametrize(
    "params",
    [{}, {"area": "T01"}, {"area": "T02"}, {"area": "T0201"}, {"area": "T011"}, {"kind": "family"},
     {"year": "2025"}, {"q": "bao"}, {"q": "bao", "area": "T0201"}, {"grade": "Tốt", "year": "2024"}],
)  # fmt: skip
def test_the_same_filters_give_the_same_rows(client, world, params):
    on_page = page_rows(client, world, params)
    assert on_page == api_rows(client, params)
    assert not [name for name, _place in on_page if any(n in name for n in ("Huỳnh", "Lê Văn", "Võ Văn"))]


def test_the_commune_of_a_village_on_both_trees(client, world):
    expected = [
        ("Dòng họ Bảo", "Xã Ninh Phước"),
        ("Gia đình ông Phan Văn Bảo", "Thôn Vạn Phước, Xã Ninh Phước"),
        ("Gia đình ông Trần Văn Bảo", "Thôn Từ Thiện, Xã Phước Hải"),
    ]
    assert page_rows(client, world, {}) == expected
    assert api_rows(client, {}) == expected
    # The detail page of each row says the same.
    for row in client.get(reverse("api:recognitions")).json()["results"]:
        detail = html.unescape(client.get(row["url"]).content.decode())
        assert dict(expected)[row["name"]] in detail
