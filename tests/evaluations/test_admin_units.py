import datetime
import unicodedata

from django.core.management import call_command
from django.db.models import Count, Q

import pytest

from evaluations.admin_units import load_admin_units
from evaluations.models import AdministrativeUnit, UnitLevel, UnitSuccession
from evaluations.text import fold

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    return load_admin_units()


def test_ninh_thuan_tree_until_the_merger(loaded):
    province = AdministrativeUnit.objects.get(code="58")
    assert province.name == "Tỉnh Ninh Thuận"
    assert province.level == UnitLevel.PROVINCE
    below = AdministrativeUnit.objects.filter(path__startswith=province.path)
    assert below.filter(level=UnitLevel.DISTRICT).count() == 7
    assert below.filter(level=UnitLevel.COMMUNE).count() == 62
    assert set(below.values_list("valid_to", flat=True)) == {datetime.date(2025, 6, 30)}
    assert {d.unit_type for d in province.get_children()} == {"Huyện", "Thành phố"}


def test_khanh_hoa_communes_from_the_merger(loaded):
    province = AdministrativeUnit.objects.get(code="56")
    communes = province.get_children()
    assert communes.count() == 65
    assert {c.level for c in communes} == {UnitLevel.COMMUNE}
    assert set(
        AdministrativeUnit.objects.filter(path__startswith=province.path).values_list("valid_from", flat=True)
    ) == {datetime.date(2025, 7, 1)}
    assert sorted({c.unit_type for c in communes}) == ["Phường", "Xã", "Đặc khu"]
    assert not province.is_current(on=datetime.date(2025, 6, 30))
    assert province.is_current(on=datetime.date(2025, 7, 1))


def test_every_old_commune_has_exactly_one_default_successor(loaded):
    old_communes = AdministrativeUnit.objects.filter(
        path__startswith=AdministrativeUnit.objects.get(code="58").path, level=UnitLevel.COMMUNE
    )
    counts = old_communes.annotate(defaults=Count("successors", filter=Q(successors__is_default=True)))
    assert [c.defaults for c in counts] == [1] * 62
    assert set(UnitSuccession.objects.values_list("effective_date", flat=True)) == {datetime.date(2025, 7, 1)}


def test_a_divided_commune_has_several_successors(loaded):
    # Phường Đông Hải (Phan Rang - Tháp Chàm) was divided between Phường Đông Hải and Xã Phước Dinh.
    dong_hai = AdministrativeUnit.objects.get(name="Phường Đông Hải", valid_to__isnull=False)
    rows = {s.new_unit.name: s for s in dong_hai.successors.select_related("new_unit")}
    assert set(rows) == {"Phường Đông Hải", "Xã Phước Dinh"}
    assert all(s.is_divided for s in rows.values())
    assert rows["Phường Đông Hải"].is_default
    assert not rows["Xã Phước Dinh"].is_default


def test_phuoc_hai_maps_to_ninh_phuoc_commune(loaded):
    # The old Xã Phước Hải (GSO 22894, Huyện Ninh Phước) merged into the new Xã Ninh Phước (GSO 22870).
    phuoc_hai = AdministrativeUnit.objects.get(code="22894")
    assert phuoc_hai.name == "Xã Phước Hải"
    assert phuoc_hai.get_parent().name == "Huyện Ninh Phước"
    default = phuoc_hai.successors.get(is_default=True)
    assert (default.new_unit.name, default.new_unit.code) == ("Xã Ninh Phước", "22870")
    assert not default.is_divided


def test_an_old_code_reused_by_a_new_commune_is_kept_apart(loaded):
    new = AdministrativeUnit.objects.get(code="22870", valid_from=datetime.date(2025, 7, 1))
    old = AdministrativeUnit.objects.get(code="22870", valid_to=datetime.date(2025, 6, 30))
    assert new.name == "Xã Ninh Phước"
    assert old.name == "Thị trấn Phước Dân"


def test_loading_twice_changes_nothing(loaded):
    before = AdministrativeUnit.objects.count(), UnitSuccession.objects.count()
    second = load_admin_units()
    assert second.changed == 0
    assert (AdministrativeUnit.objects.count(), UnitSuccession.objects.count()) == before == (136, 63)


def test_loading_again_brings_back_an_edited_name(loaded):
    AdministrativeUnit.objects.filter(code="22894").update(name="Xa Phuoc Hai")
    report = load_admin_units()
    assert report.updated == 1
    assert AdministrativeUnit.objects.get(code="22894").name == "Xã Phước Hải"


def test_command_prints_counts(capsys):
    call_command("load_admin_units")
    out = capsys.readouterr().out
    assert "old communes: 62" in out
    assert "new communes: 65" in out


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_fold_ignores_diacritics_case_spaces_and_normal_form(form):
    assert fold(unicodedata.normalize(form, "Xã Phước Hải")) == "xaphuochai"
    assert fold(unicodedata.normalize(form, "Đặc khu Trường Sa")) == "dackhutruongsa"
    assert fold("") == ""
