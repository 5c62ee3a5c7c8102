"""Household names: "Gia đình bà ..." or "Gia đình ông ..." only when the file or the form says so; a household
whose form of address nobody gave is "Gia đình <name>", on the screens, in the search index, from an import."""

from __future__ import annotations

from django.urls import reverse

import pytest

from evaluations.models import LearningFamily
from search.models import ObjectType, SearchEntry
from tests.evaluations.test_imports import run, xlsx

pytestmark = pytest.mark.django_db


def test_a_household_without_a_form_of_address_is_named_without_one(areas):
    run(xlsx([["Xã", "Thôn", "Họ tên chủ hộ", "Số nhân khẩu"], ["Xã Phước Hải", "Thôn Thái An", "Đàng Thị Bích", 3]]))
    family = LearningFamily.objects.get()
    assert (family.head_title, family.name) == ("", "Gia đình Đàng Thị Bích")
    assert list(SearchEntry.objects.filter(object_type=ObjectType.SUBJECT).values_list("title", flat=True)) == [
        "Gia đình Đàng Thị Bích"
    ]


@pytest.mark.parametrize("heading", ["Xưng hô", "Ông/Bà", "Danh xưng"])
def test_a_form_of_address_column_gives_ong_or_ba_per_row(areas, heading):
    run(
        xlsx(
            [
                ["Xã", "Thôn", "Họ tên chủ hộ", heading, "Số nhân khẩu"],
                ["Xã Phước Hải", "Thôn Thái An", "Đàng Thị Bích", "Bà", 3],
                ["Xã Phước Hải", "Thôn Thái An", "Nguyễn Văn An", "ông", 4],
                ["Xã Phước Hải", "Thôn Thái An", "Chamaléa Hoa", "", 2],
            ]
        )
    )
    assert sorted(LearningFamily.objects.values_list("name", flat=True)) == [
        "Gia đình Chamaléa Hoa",
        "Gia đình bà Đàng Thị Bích",
        "Gia đình ông Nguyễn Văn An",
    ]


def test_a_family_typed_in_without_a_form_of_address_is_named_without_one(admin_client, areas):
    response = admin_client.post(
        reverse(LearningFamily.snippet_viewset.get_url_name("add")),
        {
            "head_title": "",
            "head_name": "Pinăng Thị Lan",
            "member_count": "4",
            "area": areas["village_a2"].pk,
            "registered_on": "01/12/2026",
            "publish_consent": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert LearningFamily.objects.get().name == "Gia đình Pinăng Thị Lan"
