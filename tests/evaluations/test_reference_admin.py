"""Administrative units in the modeladmin screens and the admin choosers."""

from wagtail_modeladmin.helpers import AdminURLHelper

import pytest

from evaluations.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

urls = AdminURLHelper(AdministrativeUnit)


def unit_post(**overrides):
    data = {"name": "Thôn Mới", "short_name": "", "level": "village", "unit_type": "Thôn", "code": ""}
    data.update(overrides)
    return data


def test_listing_shows_the_tree_and_filters_by_level(admin_client, areas):
    response = admin_client.get(urls.index_url, {"level": "village"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Thôn Từ Thiện" in page
    assert "Xã Phước Hải" not in page


def test_a_village_is_created_under_its_commune(admin_client, areas):
    response = admin_client.post(urls.create_url, unit_post(parent=areas["commune_b"].pk))
    assert response.status_code == 302, response.context["form"].errors
    village = AdministrativeUnit.objects.get(name="Thôn Mới")
    assert village.get_parent() == areas["commune_b"]
    assert village.code is None
    assert AdministrativeUnit.objects.filter(path__startswith=areas["commune_b"].path, level="village").count() == 3


def test_a_village_under_a_district_is_refused(admin_client, areas):
    before = AdministrativeUnit.objects.count()
    response = admin_client.post(urls.create_url, unit_post(parent=areas["district"].pk))
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    assert AdministrativeUnit.objects.count() == before


def test_a_duplicate_code_in_the_same_period_is_refused(admin_client, areas):
    before = AdministrativeUnit.objects.count()
    response = admin_client.post(
        urls.create_url,
        unit_post(name="Xã Trùng", level="commune", unit_type="Xã", code="T0111", parent=areas["district"].pk),
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert AdministrativeUnit.objects.count() == before


def test_editing_a_unit_keeps_it_in_place(admin_client, areas):
    village = areas["village_a1"]
    response = admin_client.post(
        urls.get_action_url("edit", village.pk), unit_post(name="Thôn Từ Thiện Mới", parent=areas["commune_b"].pk)
    )
    assert response.status_code == 302
    village.refresh_from_db()
    assert village.name == "Thôn Từ Thiện Mới"
    assert village.get_parent() == areas["commune_a"]  # moves happen through a reorganisation


def test_subject_chooser_searches_by_name_and_kind(admin_client, areas):
    from tests.factories import CitizenFactory, FamilyFactory

    FamilyFactory(head_name="Nguyễn Văn Chọn", area=areas["village_a1"])
    CitizenFactory(full_name="Nguyễn Thị Chọn", area=areas["village_a1"])
    response = admin_client.get("/admin/evaluations/choose-subject/results/", {"q": "Chọn", "kind": "family"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Gia đình ông Nguyễn Văn Chọn" in page
    assert "Nguyễn Thị Chọn" not in page
