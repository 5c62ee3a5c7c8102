"""A national root (the national association) over two provinces: the roll-up, the report screens, the open-data
API, access by area, search and report snapshots work at that root as they do without it, and "the province of
a unit" is found by level in both shapes."""

import datetime
import re
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import pytest

from evaluations import roles
from evaluations.access import restrict_to_user_area, user_area_paths, user_reaches_unit
from evaluations.admin_units import ensure_national_root, load_admin_units
from evaluations.imports.resolve import ResolveError, UnitResolver
from evaluations.models import AdministrativeUnit, Evaluation, UnitLevel
from evaluations.models.units import province_of_path
from evaluations.services import evidence_add
from reorganisation.models import LinkKind
from reorganisation.planning import reorganisation_plan
from reorganisation.services import reorganisation_create_official
from reports.admin import submission_viewset
from reports.models import Target
from reports.rollup import INDICATORS, rollup
from reports.selectors import default_report_area
from reports.services import report_submit
from search.models import SearchEntry
from search.selectors import evidence_search
from tests.factories import FamilyFactory, make_officer, make_unit
from tests.search.files import docx_with_text

from .conftest import YEAR, evaluate

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(dataset, django_capture_on_commit_callbacks):
    """The hand-checked province T01 (see conftest) and a second province T02 with figures of its own."""
    second = make_unit("Tỉnh Thứ Hai", UnitLevel.PROVINCE, code="T02")
    commune = make_unit("Xã Bình Minh", UnitLevel.COMMUNE, second, code="T0201")
    village = make_unit("Thôn Bình An", UnitLevel.VILLAGE, commune)
    families = [FamilyFactory(head_name=f"Bình An {i}", area=village) for i in range(3)]
    recognised = evaluate(families[0], dataset["sets"]["family"], "recognised", "Tốt")
    evaluate(families[1], dataset["sets"]["family"], "submitted")
    Target.objects.create(area=second, year=YEAR, indicator="family", percent=Decimal(50))
    with django_capture_on_commit_callbacks(execute=True):
        evidence_add(
            evaluation=recognised,
            upload=SimpleUploadedFile("bien-ban-binh-an.docx", docx_with_text("Biên bản họp khuyến học Bình An")),
        )
    first = dataset["areas"]["province"]
    return {"first": first, "second": second, "village": village, "areas": dataset["areas"]}


def fresh(unit: AdministrativeUnit) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(pk=unit.pk)


def counted(figures) -> tuple:
    return figures.registered, figures.evaluated, figures.recognised


def test_provinces_move_under_the_national_root_and_the_root_sums_them(two):
    before = {
        key: {ind: counted(f) for ind, f in rollup(root=two[key], years=YEAR).root.figures[YEAR].items()}
        for key in ("first", "second")
    }
    nation = ensure_national_root()
    first, second = fresh(two["first"]), fresh(two["second"])
    assert (first.get_parent(), second.get_parent(), first.depth) == (nation, nation, 2)
    assert AdministrativeUnit.objects.filter(depth=1).get() == nation and fresh(nation).numchild == 2

    result = rollup(root=nation, years=YEAR)
    assert [child.name for child in result.root.children] == ["Tỉnh Thử Nghiệm", "Tỉnh Thứ Hai"]
    for indicator in INDICATORS:
        total = counted(result.root.figures[YEAR][indicator])
        assert total == tuple(
            a + b for a, b in zip(before["first"][indicator], before["second"][indicator], strict=True)
        )
    # Families: 10 + 3 registered, 6 + 2 evaluated, 4 + 1 recognised (conftest and the fixture above).
    assert counted(result.root.figures[YEAR]["family"]) == (13, 8, 5)
    # Each province's own roll-up is unchanged, its targets included; the nation has none of its own.
    for key, province in (("first", first), ("second", second)):
        figures = rollup(root=province, years=YEAR).root.figures[YEAR]
        assert {ind: counted(f) for ind, f in figures.items()} == before[key]
    assert rollup(root=second, years=YEAR).root.figures[YEAR]["family"].target == Decimal(50)
    assert result.root.figures[YEAR]["family"].target is None


def test_loading_provinces_later_puts_them_under_the_existing_national_root(two):
    nation = ensure_national_root()
    load_admin_units(["Lai Châu"])
    lai_chau = AdministrativeUnit.objects.filter(name="Tỉnh Lai Châu", level=UnitLevel.PROVINCE)
    assert [p.get_parent() for p in lai_chau] == [nation, nation]  # the former and today's
    assert AdministrativeUnit.objects.filter(depth=1).count() == 1
    assert fresh(nation).numchild == AdministrativeUnit.objects.filter(depth=2).count() == 4


def test_an_officer_of_one_province_reaches_only_that_province(client, two):
    nation = ensure_national_root()
    officer = make_officer(roles.PROVINCIAL_OFFICER, two["second"], username="tinh-thu-hai")
    national = make_officer(roles.PROVINCIAL_OFFICER, nation, username="trung-uong")
    assert user_reaches_unit(officer, fresh(two["village"])) and not user_reaches_unit(officer, nation)
    assert not user_reaches_unit(officer, fresh(two["areas"]["village_a1"]))
    assert set(restrict_to_user_area(Evaluation.objects.all(), officer).values_list("area", flat=True)) == {
        two["village"].pk
    }
    assert restrict_to_user_area(Evaluation.objects.all(), national).count() == Evaluation.objects.count()

    client.force_login(officer)
    body = client.get(reverse("reports:report")).content.decode()
    assert "Xã Bình Minh" in body and "Huyện Ninh Phước" not in body
    refused = client.get(reverse("reports:report"), {"area": two["first"].pk, "year": YEAR}).content.decode()
    assert "ngoài địa bàn" in refused
    client.force_login(national)
    body = client.get(reverse("reports:report"), {"area": nation.pk, "year": YEAR}).content.decode()
    assert "Tỉnh Thử Nghiệm" in body and "Tỉnh Thứ Hai" in body


def test_open_data_api_lists_the_provinces_and_answers_for_the_national_root(client, two):
    def family_rows(**params):
        response = client.get(reverse("api:figures"), {"year": YEAR, "kind": "family", **params})
        assert response.status_code == 200, response.content
        return {r["area_code"]: r for r in response.json()["results"] if r["area_level"] != UnitLevel.VILLAGE}

    without_root = family_rows(level="province")
    ensure_national_root()
    # Without an area: every province, as before the national root existed (it is not one of them).
    assert family_rows(level="province") == without_root
    assert set(without_root) == {"T01", "T02"}
    national = family_rows(area="VN")
    assert (national["VN"]["registered"], national["VN"]["recognised"]) == (13, 5)
    assert national["T02"]["parent_code"] == "VN" and national["VN"]["parent_code"] is None


def test_search_follows_the_moved_provinces(two, superuser):
    officer = make_officer(roles.COMMUNE_OFFICER, two["areas"]["commune_a"], username="officer-a")
    second_officer = make_officer(roles.PROVINCIAL_OFFICER, two["second"], username="officer-t02")
    ensure_national_root()
    paths = dict(AdministrativeUnit.objects.values_list("pk", "path"))
    entries = SearchEntry.objects.filter(object_type="subject").values_list("object_id", "area_path")
    subject_areas = dict(Evaluation.objects.values_list("subject_id", "area_id"))
    for subject_id, area_path in entries:
        if subject_id in subject_areas:
            assert area_path == paths[subject_areas[subject_id]]
    # Evidence search by area still finds what lies in the officer's area, and only that.
    assert [i.title for i in evidence_search(user=second_officer, text="bien ban").items] == ["bien-ban-binh-an.docx"]
    assert evidence_search(user=officer, text="bien ban").total == 0
    assert evidence_search(user=superuser, text="binh an").total == 1


def test_a_report_snapshot_submitted_before_the_move_reads_the_same_after(admin_client, two):
    submission = report_submit(area=two["first"], year=YEAR, user=None)
    url = reverse(submission_viewset.get_url_name("inspect"), args=[submission.pk])

    def table():
        body = admin_client.get(url).content.decode()
        return re.findall(r'<table class="listing">.*?</table>', body, re.S)

    before = table()
    assert len(before) == len(INDICATORS) + 1 and "Huyện Ninh Phước" in before[0]  # one per indicator, the budget
    ensure_national_root()
    assert table() == before


def test_the_province_of_a_unit_is_found_by_level_in_both_shapes(two, superuser):
    village, second = two["village"], two["second"]

    def provinces_of_evaluations():
        rows = Evaluation.objects.annotate(province=province_of_path("area__path")).values_list("province", flat=True)
        return set(rows)

    assert village.province == second and second.province == second
    assert provinces_of_evaluations() == {"Tỉnh Thử Nghiệm", "Tỉnh Thứ Hai"}
    assert default_report_area(superuser).level == UnitLevel.PROVINCE
    nation = ensure_national_root()
    assert fresh(village).province == fresh(second) and nation.province is None
    assert provinces_of_evaluations() == {"Tỉnh Thử Nghiệm", "Tỉnh Thứ Hai"}
    assert default_report_area(superuser).level == UnitLevel.PROVINCE


def test_the_official_reorganisation_maps_both_former_provinces_under_a_national_root(db):
    load_admin_units(national=True)
    plan = reorganisation_plan(reorganisation=reorganisation_create_official())
    provinces = {
        (old.name, new.name, new.valid_from.year) for old, new, kind in plan.parents if kind == LinkKind.PROVINCE
    }
    assert provinces == {("Tỉnh Ninh Thuận", "Tỉnh Khánh Hòa", 2025), ("Tỉnh Khánh Hòa", "Tỉnh Khánh Hòa", 2025)}
    assert len([1 for _o, _n, kind in plan.parents if kind == LinkKind.DISTRICT]) == 16


def test_import_names_a_commune_by_its_district_under_a_national_root(db):
    load_admin_units(national=True)
    # "Xa Thanh Hai" is Xã Thành Hải (Phan Rang - Tháp Chàm) or Xã Thanh Hải (Ninh Hải): the district decides.
    resolved = UnitResolver().place("Xa Thanh Hai", None, datetime.date(2024, 12, 31), district="Ninh Hải")
    assert resolved.unit.code == "22868"


def test_an_import_looks_names_up_in_the_officers_province_only(two):
    """Under a national root, a province officer's list is read against their province (and the units that
    went into it), not every unit of the nation: the other province's communes are neither loaded nor found."""
    nation = ensure_national_root()
    officer = make_officer(roles.PROVINCIAL_OFFICER, two["second"], username="tinh-thu-hai")
    resolver = UnitResolver(reach=user_area_paths(officer))
    loaded = {unit.name for unit in resolver.units.values()}
    assert loaded == {"Xã Bình Minh", "Thôn Bình An"}
    assert resolver.place("Xã Bình Minh", "Thôn Bình An", datetime.date(YEAR, 12, 31)).unit == two["village"]
    with pytest.raises(ResolveError):
        resolver.place(two["areas"]["commune_a"].name, None, datetime.date(YEAR, 12, 31))
    # The national officer's list may name any province's commune.
    national = make_officer(roles.PROVINCIAL_OFFICER, nation, username="trung-uong")
    everywhere = UnitResolver(reach=user_area_paths(national))
    assert everywhere.place(two["areas"]["commune_a"].name, None, datetime.date(YEAR, 12, 31)).unit.pk == (
        two["areas"]["commune_a"].pk
    )
