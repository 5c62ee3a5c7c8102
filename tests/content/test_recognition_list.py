"""The public recognition list: what a visitor sees, filters, search without diacritics, pages, details."""

import re

from django.urls import reverse

import pytest

from evaluations.models import EvaluationStatus, HeadTitle
from tests.factories import CitizenFactory, FamilyFactory, make_decision, make_evaluation, make_recognised

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    """The names in the result table, in order."""
    html = response.content.decode()
    return re.findall(r'<th scope="row"[^>]*><a href="[^"]+">([^<]+)</a>', html)


def test_list_shows_recognised_models_with_place_grade_and_decision(client, recognition_page, recognised):
    response = client.get(recognition_page.url)
    assert response.status_code == 200
    assert sorted(names(response)) == sorted(
        ["Gia đình ông Nguyễn Văn An", "Dòng họ Đàng", "Trường Tiểu học Phước Hải", "Gia đình bà Trần Thị Bích"]
    )
    html = response.content.decode()
    assert "Thôn Từ Thiện, Xã Phước Hải" in html  # village and commune
    assert "125/QĐ-UBND, 15/12/2025" in html
    assert "Khá" in html and "Mức 2" in html  # a grade, and a level for the unit
    assert "4 mô hình học tập được công nhận" in html


def test_only_recognised_by_a_decision_active_and_not_citizens(client, recognition_page, recognised, areas):
    decision = recognised["decision"]
    make_evaluation(FamilyFactory(head_name="Lê Văn Chờ", area=areas["village_a1"]), status=EvaluationStatus.SUBMITTED)
    make_evaluation(FamilyFactory(head_name="Lê Văn Khuyết", area=areas["village_a1"]), status="recognised")
    revoked = make_recognised(FamilyFactory(head_name="Lê Văn Thu Hồi", area=areas["village_a1"]), decision)
    revoked.status = EvaluationStatus.REVOKED
    revoked.save()
    gone = FamilyFactory(head_name="Lê Văn Chuyển", area=areas["village_a1"])
    make_recognised(gone, decision)
    gone.is_active = False
    gone.save()
    make_recognised(CitizenFactory(full_name="Đàng Thị Công Dân", area=areas["village_a1"]), decision)

    shown = names(client.get(recognition_page.url))
    assert len(shown) == 4
    assert not [name for name in shown if "Lê Văn" in name or "Công Dân" in name]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=clan", ["Dòng họ Đàng"]),
        ("kind=family&year=2025", ["Gia đình bà Trần Thị Bích", "Gia đình ông Nguyễn Văn An"]),
        ("grade=Khá", ["Dòng họ Đàng"]),
        ("grade=level-2", ["Trường Tiểu học Phước Hải"]),
        ("year=2024", []),
    ],
)
def test_filters(client, recognition_page, recognised, query, expected):
    assert sorted(names(client.get(f"{recognition_page.url}?{query}"))) == sorted(expected)


def test_area_filter_takes_a_district_or_a_commune(client, recognition_page, recognised, areas):
    # By GSO code, as the open-data API: one set of parameters for both.
    commune_b = names(client.get(f"{recognition_page.url}?area={areas['commune_b'].code}"))
    assert commune_b == ["Gia đình bà Trần Thị Bích"]
    district = names(client.get(f"{recognition_page.url}?area={areas['district'].code}"))
    assert len(district) == 4
    html = client.get(recognition_page.url, {"area": areas["commune_b"].code}).content.decode()
    assert f'<option value="{areas["commune_b"].code}" selected>' in html


@pytest.mark.parametrize(
    ("params", "parameter", "message"),
    [
        ({"year": "abc"}, "year", "Tham số “year” phải là số nguyên (nhận được “abc”)."),
        ({"kind": "citizen"}, "kind", "Tham số “kind”: giá trị “citizen” không hợp lệ"),
        ({"area": "99999"}, "area", "Tham số “area”: không có đơn vị hành chính nào mang mã “99999”."),
    ],
)
def test_a_wrong_filter_gets_the_apis_message(client, recognition_page, recognised, params, parameter, message):
    """The list page and the open-data API share one FilterSet: the same message for the same wrong value;
    the page shows it above the list and applies the other filters, the API answers 400."""
    html = client.get(recognition_page.url, {**params, "kind": params.get("kind", "clan")}).content.decode()
    assert message in html
    if parameter != "kind":
        assert names(client.get(recognition_page.url, {**params, "kind": "clan"})) == ["Dòng họ Đàng"]
    error = client.get(reverse("api:recognitions"), params).json()["error"]
    assert error["parameter"] == parameter and error["message"].startswith(message)


@pytest.mark.parametrize("typed", ["nguyen van an", "Nguyễn Văn An", "NGUYEN  VAN", "nguyễn văn"])
def test_name_search_ignores_diacritics_and_case(client, recognition_page, recognised, typed):
    assert names(client.get(recognition_page.url, {"q": typed})) == ["Gia đình ông Nguyễn Văn An"]


def test_search_for_d_with_stroke(client, recognition_page, recognised):
    assert names(client.get(recognition_page.url, {"q": "dang"})) == ["Dòng họ Đàng"]


def test_filtered_pages_have_shareable_urls(client, recognition_page, areas):
    decision = make_decision(areas["commune_a"], "7/QĐ-UBND", 2024)
    for n in range(25):
        make_recognised(FamilyFactory(head_name=f"Phan Văn {n:02d}", area=areas["village_a2"]), decision, year=2024)
    url = f"{recognition_page.url}?kind=family&year=2024"
    first = client.get(url)
    assert len(names(first)) == 20
    html = first.content.decode()
    assert "Trang 1 / 2" in html
    next_link = re.search(r'<a rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "kind=family" in next_link and "year=2024" in next_link and "page=2" in next_link
    second = client.get(recognition_page.url + next_link)
    assert len(names(second)) == 5
    # The same address gives the same page to anyone it is shared with.
    assert names(client.get(recognition_page.url + next_link)) == names(second)
    # The form shows the filters of the address.
    assert '<option value="family" selected>' in html


def test_detail_shows_the_decision(client, recognition_page, recognised):
    family = recognised["family"]
    response = client.get(f"{recognition_page.url}{family.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Gia đình ông Nguyễn Văn An</h1>" in html
    assert "125/QĐ-UBND" in html and "15/12/2025" in html and "UBND Xã Phước Hải" in html
    assert "Thôn Từ Thiện, Xã Phước Hải" in html
    assert '<meta property="og:title" content="Gia đình ông Nguyễn Văn An">' in html


def test_detail_of_something_not_public_is_not_found(client, recognition_page, areas):
    draft = make_evaluation(FamilyFactory(head_name="Võ Văn Nháp", area=areas["village_a1"]))
    assert client.get(f"{recognition_page.url}{draft.pk}/").status_code == 404
    assert client.get(f"{recognition_page.url}999999/").status_code == 404


def test_name_folded_follows_the_display_name(areas):
    family = FamilyFactory(head_name="Đỗ Thị Hằng", head_title=HeadTitle.MRS, area=areas["village_a1"])
    assert family.name_folded == "gia dinh ba do thi hang"
    family.head_name = "Đỗ Thị Ánh"
    family.save()
    family.refresh_from_db()
    assert family.name_folded == "gia dinh ba do thi anh"


def test_list_is_in_alphabetical_order_of_vietnamese_names(client, recognition_page, areas):
    decision = make_decision(areas["commune_a"], "7/QĐ-UBND", 2025)
    for head in ("Đặng Văn Hải", "Zơ Văn Yên", "Âu Văn Cường", "Dương Văn Bình", "Bùi Văn Dũng"):
        make_recognised(FamilyFactory(head_name=head, head_title=HeadTitle.MR, area=areas["village_a1"]), decision)
    expected = [
        f"Gia đình ông {head}"
        for head in ("Âu Văn Cường", "Bùi Văn Dũng", "Đặng Văn Hải", "Dương Văn Bình", "Zơ Văn Yên")
    ]
    assert names(client.get(recognition_page.url)) == expected
