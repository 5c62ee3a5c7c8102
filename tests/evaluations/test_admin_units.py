import datetime
import json
import shutil
import unicodedata
from collections import Counter

from django.core.management import CommandError, call_command
from django.db.models import Count, Q

import pytest

from evaluations.admin_units import DATA_DIR, AdminUnitsError, OfficialData, load_admin_units
from evaluations.models import AdministrativeUnit, UnitLevel, UnitSuccession
from evaluations.text import fold

pytestmark = pytest.mark.django_db

FORMER_TO = datetime.date(2025, 6, 30)
NEW_FROM = datetime.date(2025, 7, 1)


def province(code: str, *, former: bool = False) -> AdministrativeUnit:
    """A province by code; today's and the former Khánh Hòa share code 56, told apart by their dates."""
    return AdministrativeUnit.objects.get(code=code, level=UnitLevel.PROVINCE, valid_from__isnull=former)


def assert_tree_is_sound():
    """What treebeard's ``find_problems`` checks (it runs a query per node): depths, parents, child counts."""
    rows = list(AdministrativeUnit.objects.values_list("path", "depth", "numchild"))
    paths = {path for path, _d, _n in rows}
    children = Counter(path[:-4] for path, _d, _n in rows if len(path) > 4)
    for path, depth, numchild in rows:
        assert depth * 4 == len(path), path
        assert depth == 1 or path[:-4] in paths, path
        assert numchild == children[path], path


def below(unit: AdministrativeUnit, level: str):
    return AdministrativeUnit.objects.filter(path__startswith=unit.path, level=level)


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
    province = AdministrativeUnit.objects.get(code="56", valid_from=NEW_FROM)
    communes = province.get_children()
    assert communes.count() == 65
    assert {c.level for c in communes} == {UnitLevel.COMMUNE}
    assert set(
        AdministrativeUnit.objects.filter(path__startswith=province.path).values_list("valid_from", flat=True)
    ) == {datetime.date(2025, 7, 1)}
    assert sorted({c.unit_type for c in communes}) == ["Phường", "Xã", "Đặc khu"]
    assert not province.is_current(on=datetime.date(2025, 6, 30))
    assert province.is_current(on=datetime.date(2025, 7, 1))


def test_the_default_load_is_todays_khanh_hoa_with_both_former_provinces(loaded):
    former_khanh_hoa = province("56", former=True)
    assert (former_khanh_hoa.name, former_khanh_hoa.valid_to) == ("Tỉnh Khánh Hòa", FORMER_TO)
    assert below(former_khanh_hoa, UnitLevel.DISTRICT).count() == 9
    assert below(former_khanh_hoa, UnitLevel.COMMUNE).count() == 132
    assert below(province("58", former=True), UnitLevel.COMMUNE).count() == 62
    assert loaded.counts == {
        "provinces": 1,
        "communes": 65,
        "former provinces": 2,
        "former districts": 16,
        "former communes": 194,
        "former districts without communes": 0,
        "successions": 205,
    }
    # Every former commune of both goes into today's Khánh Hòa.
    today = province("56")
    new_units = UnitSuccession.objects.values_list("new_unit__path", flat=True)
    assert all(path.startswith(today.path) for path in new_units)


def test_every_old_commune_has_exactly_one_default_successor(loaded):
    old_communes = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, valid_to=FORMER_TO)
    counts = old_communes.annotate(defaults=Count("successors", filter=Q(successors__is_default=True)))
    assert [c.defaults for c in counts] == [1] * 194
    assert set(UnitSuccession.objects.values_list("effective_date", flat=True)) == {NEW_FROM}


def test_divided_communes_of_both_former_provinces(loaded):
    divided = UnitSuccession.objects.filter(is_divided=True).values_list("old_unit__name", flat=True).distinct()
    assert len(set(divided)) == 8  # Phường Đông Hải (Ninh Thuận) and seven communes of Cam Lâm (Khánh Hòa)
    # Xã Cam Hòa (Huyện Cam Lâm) was divided between three new communes; Xã Cam Lâm is the default.
    cam_hoa = AdministrativeUnit.objects.get(name="Xã Cam Hòa", valid_to=FORMER_TO)
    rows = {s.new_unit.name: s.is_default for s in cam_hoa.successors.select_related("new_unit")}
    assert rows == {"Xã Cam Hiệp": False, "Xã Cam Lâm": True, "Xã Suối Dầu": False}


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
    assert (AdministrativeUnit.objects.count(), UnitSuccession.objects.count()) == before == (278, 205)


def test_loading_again_brings_back_an_edited_name(loaded):
    AdministrativeUnit.objects.filter(code="22894").update(name="Xa Phuoc Hai")
    report = load_admin_units()
    assert report.updated == 1
    assert AdministrativeUnit.objects.get(code="22894").name == "Xã Phước Hải"


def test_command_prints_counts(capsys):
    call_command("load_admin_units")
    out = capsys.readouterr().out
    assert "các tỉnh đã nạp: 56 Tỉnh Khánh Hòa" in out
    assert "xã cũ: 194" in out
    assert "  xã, phường: 65" in out


@pytest.mark.parametrize(
    "request_", [["58"], ["Ninh Thuận"], ["ninh thuan"], ["56"], ["Khánh Hoà"], ["tinh khanh hoa"]]
)
def test_a_former_or_todays_province_by_code_or_name_loads_todays_province(request_):
    report = load_admin_units(request_)
    assert report.provinces == ["56 Tỉnh Khánh Hòa"]
    assert report.counts["former communes"] == 194
    assert AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE).count() == 3


def test_another_province_named_by_a_former_province(capsys):
    # Hà Giang (02) went into today's Tuyên Quang (08): loading it loads both former provinces.
    call_command("load_admin_units", "Hà Giang", "8", "tuyen quang")
    assert "các tỉnh đã nạp: 08 Tỉnh Tuyên Quang" in capsys.readouterr().out
    today = province("08")
    assert below(today, UnitLevel.COMMUNE).count() == 124
    assert {p.name for p in AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, valid_to=FORMER_TO)} == {
        "Tỉnh Hà Giang",
        "Tỉnh Tuyên Quang",
    }
    former = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, valid_to=FORMER_TO)
    assert former.count() == 330
    assert not former.filter(successors__isnull=True).exists()
    assert UnitSuccession.objects.count() == 335
    # Tuyên Quang kept its code 08 and has one former province of the same code: two periods, two units.
    assert province("08", former=True).name == "Tỉnh Tuyên Quang"
    assert province("08").valid_from == NEW_FROM


def test_an_island_district_without_communes_maps_onto_its_special_zone():
    load_admin_units(["Quảng Ngãi"])
    ly_son = AdministrativeUnit.objects.get(name="Huyện Lý Sơn")
    assert ly_son.level == UnitLevel.DISTRICT and ly_son.numchild == 0
    [succession] = ly_son.successors.select_related("new_unit")
    assert (succession.new_unit.name, succession.is_default) == ("Đặc khu Lý Sơn", True)


def test_an_unknown_province_is_refused_by_name_and_nothing_is_stored():
    with pytest.raises(CommandError) as error:
        call_command("load_admin_units", "Khánh Hòa", "99", "Sai Gon Cu")
    assert "“99”" in str(error.value) and "“Sai Gon Cu”" in str(error.value)
    assert AdministrativeUnit.objects.count() == UnitSuccession.objects.count() == 0


def test_a_former_commune_without_successor_is_an_error_and_nothing_is_stored(tmp_path):
    # The package's own files, with one former commune left out of the mapping.
    shutil.copy(DATA_DIR / "dataset.db", tmp_path / "dataset.db")
    converter = json.loads((DATA_DIR / "converter_2025.json").read_text(encoding="utf-8"))
    for communes in converter["DICT_PROVINCE_WARD_NO_DIVIDED"]["tinhkhanhhoa"].values():
        if "tinhninhthuan_huyenninhphuoc_xaphuochai" in communes:
            communes.remove("tinhninhthuan_huyenninhphuoc_xaphuochai")
    (tmp_path / "converter_2025.json").write_text(json.dumps(converter), encoding="utf-8")
    with pytest.raises(AdminUnitsError, match="Xã Phước Hải \\(22894\\)"):
        load_admin_units(data=OfficialData(tmp_path))
    assert AdministrativeUnit.objects.count() == 0


def test_every_province_under_a_national_root_twice():
    report = load_admin_units(all_provinces=True, national=True)
    assert report.counts == {
        "provinces": 34,
        "communes": 3321,
        "former provinces": 63,
        "former districts": 696,
        "former communes": 10035,
        "former districts without communes": 5,
        "successions": 10602,
    }
    nation = AdministrativeUnit.objects.get(level=UnitLevel.NATION)
    assert (nation.name, nation.code, nation.depth, nation.numchild) == ("Việt Nam", "VN", 1, 97)
    assert AdministrativeUnit.objects.filter(depth=1).count() == 1
    assert_tree_is_sound()
    assert not AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, valid_to=FORMER_TO, successors=None).exists()
    again = load_admin_units(all_provinces=True, national=True)
    assert again.changed == 0 and again.unchanged == AdministrativeUnit.objects.count() - 1


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_fold_ignores_diacritics_case_spaces_and_normal_form(form):
    assert fold(unicodedata.normalize(form, "Xã Phước Hải")) == "xaphuochai"
    assert fold(unicodedata.normalize(form, "Đặc khu Trường Sa")) == "dackhutruongsa"
    assert fold("") == ""
