"""The admin listings' search box folds Vietnamese as the rest of the product does ("le thi mai" finds
"Lê Thị Mai") and finds a subject by its code; the export of a listing says each row's commune and province."""

import io
import re

from django.urls import reverse

import pytest
from python_calamine import CalamineWorkbook

from evaluations.admin import evaluation_viewset
from evaluations.models import LearningFamily
from evaluations.services import evaluation_create
from tests.factories import FamilyFactory, make_criteria_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def families(areas):
    return {
        "mai": FamilyFactory(head_name="Lê Thị Mai", head_title="bà", area=areas["village_a1"], code="HGD-0042"),
        "mai_b": FamilyFactory(head_name="Lê Thị Mải", head_title="bà", area=areas["village_b1"]),
        "an": FamilyFactory(head_name="Nguyễn Văn An", area=areas["village_a2"], code="HGD-0043"),
    }


def family_list(client, query: str) -> str:
    return client.get(reverse(LearningFamily.snippet_viewset.get_url_name("list")), {"q": query}).content.decode()


def evaluation_list(client, query: str) -> str:
    return client.get(reverse(evaluation_viewset.get_url_name("list")), {"q": query}).content.decode()


@pytest.mark.parametrize("typed", ["le thi mai", "LÊ THỊ MAI", "  Lê   thị mai ", "thi mai"])
def test_a_name_is_found_with_or_without_diacritics(admin_client, families, typed):
    page = family_list(admin_client, typed)
    assert "Lê Thị Mai" in page and "Nguyễn Văn An" not in page


def test_a_family_is_found_by_its_code(admin_client, families):
    page = family_list(admin_client, "hgd-0042")
    assert "Lê Thị Mai" in page and "Nguyễn Văn An" not in page


def test_evaluations_are_found_by_their_subject_without_diacritics_or_by_code(admin_client, families):
    criteria_set = make_criteria_set(code="gdht-search")
    for family in families.values():
        evaluation_create(subject=family, year=2025, criteria_set=criteria_set)
    page = evaluation_list(admin_client, "nguyen van an")
    assert "Nguyễn Văn An" in page and "Lê Thị Mai" not in page
    page = evaluation_list(admin_client, "HGD-0042")
    assert "Lê Thị Mai" in page and "Nguyễn Văn An" not in page


def test_the_export_says_each_rows_commune_and_province(admin_client, families, areas):
    url = reverse(LearningFamily.snippet_viewset.get_url_name("list"))
    response = admin_client.get(url, {"export": "xlsx"}, follow=True)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    heading = rows[0]
    assert {"Xã/phường", "Tỉnh"} <= set(heading)
    by_name = {row[heading.index("Tên")]: row for row in rows[1:]}
    mai = by_name[next(name for name in by_name if "Lê Thị Mai" in name)]
    assert mai[heading.index("Xã/phường")] == areas["commune_a"].name
    assert mai[heading.index("Tỉnh")] == areas["province"].name


def test_the_subject_chooser_finds_codes_and_names_each_place(admin_client, families, areas):
    from evaluations.admin.choosers import subject_chooser_viewset

    url = reverse(subject_chooser_viewset.get_url_name("choose_results"))
    page = admin_client.get(url, {"q": "HGD-0042"}).content.decode()
    assert "Lê Thị Mai" in page and "Nguyễn Văn An" not in page
    assert f"{areas['village_a1'].name}, {areas['village_a1'].get_parent().name}" in page
    headings = re.findall(r"<th[^>]*>\s*(?:<[^>]+>\s*)*([^<]+?)\s*<", page)
    assert headings[:2] == ["Tên", "Địa bàn"], headings  # people and places have names, not titles
    page = admin_client.get(url, {"q": "le thi mai"}).content.decode()
    assert "Lê Thị Mai" in page and "Lê Thị Mải" in page  # folded, both are "le thi mai"


def test_the_listings_name_each_rows_village_with_its_commune(
    admin_client, families, areas, django_assert_max_num_queries
):
    criteria_set = make_criteria_set(code="gdht-area-column")
    for family in families.values():
        evaluation_create(subject=family, year=2025, criteria_set=criteria_set)
    subjects = family_list(admin_client, "")
    assert "<td>Thôn Từ Thiện, Xã Phước Hải</td>" in subjects
    assert "<td>Thôn Hữu Đức, Xã Phước Hữu</td>" in subjects
    # One query for the page's parents, not one a row: a page of 3 rows costs what a page of 1 does.
    url = reverse(evaluation_viewset.get_url_name("list"))
    with django_assert_max_num_queries(100) as one_row:
        assert admin_client.get(url, {"q": "HGD-0043"}).content.decode().count("Xã Phước Hải</td>") == 1
    with django_assert_max_num_queries(len(one_row.captured_queries)):
        page = admin_client.get(url).content.decode()
    assert "<td>Thôn Thái An, Xã Phước Hải</td>" in page and "<td>Thôn Hữu Đức, Xã Phước Hữu</td>" in page
