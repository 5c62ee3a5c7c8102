"""The real Ninh Thuận -> Khánh Hòa mapping with a few villages, subjects and evaluations of 2024.

Old communes used (all of Ninh Thuận until 30/6/2025):
  Phường Đông Hải (divided: default Phường Đông Hải, or Xã Phước Dinh): villages KP 1, KP 2; a clan.
  Xã Phước Hải (-> Xã Ninh Phước, one successor): villages Thôn Từ Thiện, Thôn Thái An; a clan.
  Xã Phước Hữu (-> Xã Phước Hữu, one successor, same name): village Thôn Hữu Đức.
  Huyện Ninh Phước (abolished district): a learning unit attached to it.
"""

import datetime
from decimal import Decimal

import pytest

from evaluations.admin_units import load_admin_units
from evaluations.models import AdministrativeUnit, Evaluation, UnitLevel
from evaluations.services import evaluation_create
from reports.models import Target
from tests.factories import ClanFactory, FamilyFactory, UnitFactory, make_criteria_set

PAST = 2024


def old(name: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(name=name, valid_to__isnull=False, level__in=["commune", "district"])


def new(name: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(name=name, valid_from__isnull=False, level="commune")


def village(name: str, parent: AdministrativeUnit) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(pk=parent.pk).add_child(name=name, level=UnitLevel.VILLAGE, unit_type="Thôn")


def evaluate(subject, criteria_set, status, grade="", year=PAST):
    evaluation = evaluation_create(subject=subject, year=year, criteria_set=criteria_set)
    Evaluation.objects.filter(pk=evaluation.pk).update(status=status, grade=grade)
    return evaluation


@pytest.fixture
def world(db):
    load_admin_units()
    dong_hai, phuoc_hai, phuoc_huu = old("Phường Đông Hải"), old("Xã Phước Hải"), old("Xã Phước Hữu")
    district = old("Huyện Ninh Phước")
    villages = {
        "kp1": village("Khu phố 1", dong_hai),
        "kp2": village("Khu phố 2", dong_hai),
        "tu_thien": village("Thôn Từ Thiện", phuoc_hai),
        "thai_an": village("Thôn Thái An", phuoc_hai),
        "huu_duc": village("Thôn Hữu Đức", phuoc_huu),
    }
    sets = {kind: make_criteria_set(kind=kind, code=f"set-{kind}") for kind in ("family", "clan", "unit")}
    families = {
        "kp1": [FamilyFactory(head_name=f"Đông Hải {i}", area=villages["kp1"]) for i in range(3)],
        "kp2": [FamilyFactory(head_name="Khu phố 2 0", area=villages["kp2"])],
        "tu_thien": [FamilyFactory(head_name=f"Từ Thiện {i}", area=villages["tu_thien"]) for i in range(2)],
        "thai_an": [FamilyFactory(head_name="Thái An 0", area=villages["thai_an"])],
        "huu_duc": [FamilyFactory(head_name="Hữu Đức 0", area=villages["huu_duc"])],
    }
    inactive = FamilyFactory(
        head_name="Đã chuyển đi", area=villages["tu_thien"], is_active=False, ended_on=datetime.date(2023, 6, 1)
    )
    clans = {"dong_hai": ClanFactory(area=dong_hai), "phuoc_hai": ClanFactory(area=phuoc_hai)}
    unit = UnitFactory(area=district, staff_count=30)
    fam = sets["family"]
    evaluations = [
        evaluate(families["kp1"][0], fam, "recognised", "Tốt"),
        evaluate(families["kp1"][1], fam, "not_recognised", "Trung bình"),
        evaluate(families["kp2"][0], fam, "recognised", "Khá"),
        evaluate(families["tu_thien"][0], fam, "recognised", "Tốt"),
        evaluate(families["tu_thien"][1], fam, "submitted"),
        evaluate(families["huu_duc"][0], fam, "recognised", "Khá"),
        evaluate(clans["dong_hai"], sets["clan"], "recognised", "Tốt"),
        evaluate(clans["phuoc_hai"], sets["clan"], "not_recognised"),
        evaluate(unit, sets["unit"], "recognised", "Tốt"),
    ]
    province = AdministrativeUnit.objects.get(code="58")
    Target.objects.create(area=province, year=2024, indicator="family", percent=Decimal(60))
    Target.objects.create(area=province, year=2025, indicator="family", percent=Decimal(70))
    Target.objects.create(area=phuoc_hai, year=2025, indicator="clan", percent=Decimal(50))
    return {
        "old_province": province,
        "new_province": AdministrativeUnit.objects.get(
            code="56", valid_from__isnull=False
        ),  # the former one is 56 too
        "dong_hai": dong_hai,
        "phuoc_hai": phuoc_hai,
        "phuoc_huu": phuoc_huu,
        "district": district,
        "villages": villages,
        "families": families,
        "inactive": inactive,
        "clans": clans,
        "unit": unit,
        "evaluations": evaluations,
        "sets": sets,
    }
