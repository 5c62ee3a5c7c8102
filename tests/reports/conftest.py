"""A small hand-checked data set (2025) on the test tree: province > district > communes A and B > villages.

Families (village: registered / evaluated / recognised):
  a1: 4 / 3 / 2 (Tốt, Khá)   a2: 2 / 2 / 1 (Tốt)   b1: 3 / 0 / 0 (+1 inactive)   b2: 1 / 1 / 1 (Tốt)
Clans (commune): A 2 / 1 / 1, B 1 / 1 / 0.   Units: one at the district itself, recognised.
"""

from datetime import date
from decimal import Decimal

from django.db.models import F

import pytest

from evaluations.models import Evaluation, RecognitionDecision
from evaluations.services import evaluation_create
from reports.models import Target
from tests.factories import ClanFactory, FamilyFactory, UnitFactory, make_criteria_set

YEAR = 2025


def evaluate(subject, criteria_set, status, grade="", decision=None, year=YEAR):
    evaluation = evaluation_create(subject=subject, year=year, criteria_set=criteria_set)
    Evaluation.objects.filter(pk=evaluation.pk).update(status=status, grade=grade, decision=decision)
    return evaluation


@pytest.fixture
def dataset(areas):
    sets = {kind: make_criteria_set(kind=kind, code=f"set-{kind}") for kind in ("family", "clan", "unit")}
    decision = RecognitionDecision.objects.create(
        kind="recognition",
        number="12/QĐ-UBND",
        decision_date="2025-11-20",
        issuing_body="UBND xã Phước Hải",
        signatory="Chủ tịch",
        area=areas["commune_a"],
    )
    fam = sets["family"]
    a1 = [FamilyFactory(head_name=f"A1 {i}", area=areas["village_a1"]) for i in range(4)]
    evaluate(a1[0], fam, "recognised", "Tốt", decision)
    evaluate(a1[1], fam, "recognised", "Khá", decision)
    evaluate(a1[2], fam, "not_recognised", "Trung bình")
    evaluate(a1[3], fam, "draft")
    a2 = [FamilyFactory(head_name=f"A2 {i}", area=areas["village_a2"]) for i in range(2)]
    evaluate(a2[0], fam, "recognised", "Tốt", decision)
    evaluate(a2[1], fam, "submitted")
    [FamilyFactory(head_name=f"B1 {i}", area=areas["village_b1"]) for i in range(3)]
    FamilyFactory(head_name="B1 inactive", area=areas["village_b1"], is_active=False, ended_on=date(2025, 3, 1))
    b2 = FamilyFactory(head_name="B2 0", area=areas["village_b2"])
    evaluate(b2, fam, "recognised", "Tốt")
    clans_a = [ClanFactory(area=areas["commune_a"]) for _ in range(2)]
    evaluate(clans_a[0], sets["clan"], "recognised", "Tốt", decision)
    evaluate(ClanFactory(area=areas["commune_b"]), sets["clan"], "not_recognised")
    evaluate(UnitFactory(area=areas["district"]), sets["unit"], "recognised", "Khá")
    Target.objects.create(area=areas["province"], year=YEAR, indicator="family", percent=Decimal(70))
    Target.objects.create(area=areas["commune_b"], year=YEAR, indicator="family", percent=Decimal(20))
    Target.objects.create(area=areas["province"], year=YEAR, indicator="clan", percent=Decimal(65))
    return {"areas": areas, "sets": sets, "decision": decision, "a1": a1}


__all__ = ["F"]
