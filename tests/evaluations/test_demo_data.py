import datetime

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

import pytest

from evaluations.models import AdministrativeUnit, Evaluation, Evidence, Score, Subject, SubjectKind, UnitLevel
from evaluations.services import evaluation_result

pytestmark = pytest.mark.django_db


def counts():
    return {
        "units": AdministrativeUnit.objects.count(),
        "subjects": Subject.objects.count(),
        "evaluations": Evaluation.objects.count(),
        "scores": Score.objects.count(),
        "evidence": Evidence.objects.count(),
    }


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    """The demo loaded once for the module, inside a transaction rolled back at its end.

    Each test still runs in its own savepoint, so what a test writes is undone before the next.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo_data", households=200, verbosity=0)
        yield counts()
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_loaded, db):
    return demo_loaded


def test_loading_twice_leaves_the_same_counts(demo):
    call_command("load_demo_data", households=200, verbosity=0)
    assert counts() == demo
    assert Subject.objects.filter(kind=SubjectKind.FAMILY).count() == 200


def test_every_kind_has_subjects_and_evaluations_up_to_the_current_year(demo):
    for kind in SubjectKind.values:
        assert Subject.objects.filter(kind=kind).exists(), kind
        years = set(Evaluation.objects.filter(kind=kind).values_list("year", flat=True))
        assert years == {2021, 2022, 2023, 2024, 2025, 2026}, kind


def test_the_demo_lives_in_todays_two_tier_structure(demo):
    """2021-2024 on the former units, the official reorganisation applied, 2025-2026 on today's units."""
    old_province = AdministrativeUnit.objects.get(code="58", level=UnitLevel.PROVINCE)
    today = AdministrativeUnit.objects.current().get(code="56", level=UnitLevel.PROVINCE)
    old_villages = old_province.get_descendants().filter(level=UnitLevel.VILLAGE)
    new_villages = today.get_descendants().filter(level=UnitLevel.VILLAGE)
    assert old_villages.count() == 393 and not old_villages.current().exists()  # all ended on 30/6/2025
    assert new_villages.count() == 393 and new_villages.current().count() == 393
    # Villages hang directly under today's communes: no district level any more.
    assert {v.get_parent().level for v in new_villages[:20]} == {UnitLevel.COMMUNE}
    assert today.get_descendants().filter(level=UnitLevel.DISTRICT).count() == 0
    # The register is on today's units; each year's evaluations on the units in force that year.
    assert not Subject.objects.filter(is_active=True, area__path__startswith=old_province.path).exists()
    assert not Evaluation.objects.filter(year__lte=2024).exclude(area__path__startswith=old_province.path).exists()
    assert not Evaluation.objects.filter(year__gte=2025).exclude(area__path__startswith=today.path).exists()
    # The running year is still open: drafts, submitted and reviewed beside the decided ones.
    statuses = set(Evaluation.objects.filter(year=2026).values_list("status", flat=True))
    assert {"draft", "submitted", "reviewed", "recognised", "not_recognised"} <= statuses
    assert set(Evaluation.objects.filter(year=2025).values_list("status", flat=True)) <= {
        "recognised",
        "not_recognised",
    }


def test_stored_results_are_what_the_scoring_rules_compute(demo):
    sample = Evaluation.objects.select_related("criteria_set").order_by("?")[:40]
    for evaluation in sample:
        computed = evaluation_result(evaluation)
        assert (evaluation.total, evaluation.grade, evaluation.level, evaluation.result) == (
            computed.total,
            computed.grade,
            computed.level,
            computed.result,
        )


def test_both_outcomes_and_some_refusals_to_publish(demo):
    assert {"meets", "fails"} <= set(Evaluation.objects.values_list("result", flat=True))
    assert Subject.objects.filter(publish_consent=False).exists()


def test_demo_login_and_private_evidence(demo, client):
    response = client.post("/admin/login/", {"username": "demo", "password": "khuyenhoc-demo"})
    assert response.status_code == 302
    user = get_user_model().objects.get(pk=client.session["_auth_user_id"])
    assert user.is_superuser
    evidence = Evidence.objects.first()
    with evidence.file.open("rb") as fh:
        head = fh.read(8)
    assert head.startswith(b"%PDF") or head.startswith(b"\x89PNG")
    assert evidence.size > 0


def test_demo_users_by_role_reach_their_own_area(demo):
    from evaluations.access import restrict_to_user_area

    users = get_user_model().objects
    commune_officer = users.get(username="xa-ninhphuoc")
    assert commune_officer.groups.get().name == "Cán bộ Hội cấp xã"
    reachable = restrict_to_user_area(Evaluation.objects.all(), commune_officer)
    assert 0 < reachable.count() < Evaluation.objects.count()
    commune = commune_officer.area_assignments.get().area
    assert commune.name == "Xã Ninh Phước" and commune.is_current()
    # Today's commune, and the former communes that went into it for the years before.
    former = {"Xã Phước Hải", "Xã Phước Thuận", "Thị trấn Phước Dân"}
    communes = {e.area.commune.name for e in reachable.filter(year=2024).select_related("area")}
    assert communes == former
    assert {e.area.commune for e in reachable.filter(year=2026).select_related("area")} == {commune}
    assert (
        restrict_to_user_area(Evaluation.objects.all(), users.get(username="tinh")).count()
        == Evaluation.objects.count()
    )


def test_recognised_evaluations_carry_their_communes_decision(demo):
    recognised = Evaluation.objects.filter(status="recognised").select_related("decision", "area")
    assert recognised.exists()
    assert not recognised.filter(decision__isnull=True).exists()
    for evaluation in recognised.order_by("?")[:30]:
        decision = evaluation.decision
        assert decision.decision_date.year == evaluation.year
        assert decision.decision_date.month == (11 if evaluation.year == 2026 else 12)
        assert decision.number.endswith("/QĐ-UBND")
        # Signed by the commune of the evaluation's time (a former commune before 2025, today's after).
        assert decision.area == evaluation.area.commune and decision.area.is_current(
            datetime.date(evaluation.year, 12, 31)
        )
        assert decision.issuing_body.startswith("UBND ") and decision.signatory.startswith("Chủ tịch UBND ")


def test_names_are_folded_for_search(demo):
    subject = Subject.objects.filter(kind=SubjectKind.FAMILY).first()
    assert subject.name_folded and subject.name_folded.isascii()
    assert subject.name_folded.startswith("gia dinh ")
