"""The review workflow through real requests: each transition, each refusal, locking and stale forms."""

from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse

from wagtail.models import ModelLogEntry

import pytest

from evaluations import roles
from evaluations.admin import evaluation_viewset
from evaluations.models import CommendationProposal, Evaluation, RecognitionDecision, Score
from evaluations.services import evaluation_review, evaluation_submit
from tests.factories import ClanFactory, FamilyFactory, make_criteria_set, make_officer, scored_evaluation

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(evaluation_viewset.get_url_name(name), args=args)


def bulk_url(action, *ids, next_url="/admin/"):
    query = "&".join(f"id={pk}" for pk in ids)
    return reverse("wagtail_bulk_action", args=["evaluations", "evaluation", action]) + f"?{query}&next={next_url}"


@pytest.fixture
def family_set(db):
    return make_criteria_set(code="gdht-wf")


@pytest.fixture
def officer(areas):
    return make_officer(roles.COMMUNE_OFFICER, areas["commune_a"], username="can-bo-xa-a")


@pytest.fixture
def reviewer(areas):
    return make_officer(roles.COMMUNE_REVIEWER, areas["commune_a"], username="tham-dinh-xa-a")


@pytest.fixture
def draft(areas, family_set):
    return scored_evaluation(FamilyFactory(area=areas["village_a1"]), family_set, points="9")


def decision_post(areas, **overrides):
    data = {
        "number": "125/QĐ-UBND",
        "decision_date": "15/12/2025",
        "issuing_body": "UBND xã Phước Hải",
        "signatory": "Chủ tịch UBND xã Phước Hải",
        "area": areas["commune_a"].pk,
    }
    data.update(overrides)
    return data


def test_the_whole_lifecycle_through_the_admin(client, areas, officer, reviewer, draft):
    client.force_login(officer)
    response = client.post(url("action", draft.pk, "submit"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "submitted"

    client.force_login(reviewer)
    assert client.post(url("action", draft.pk, "review")).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "reviewed"

    page = client.get(url("inspect", draft.pk)).content.decode()
    assert "Công nhận" in page  # the reviewer is offered the decision

    response = client.post(bulk_url("recognise", draft.pk), decision_post(areas))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "recognised"
    assert draft.decision.number == "125/QĐ-UBND"
    assert draft.decision.decision_date == date(2025, 12, 15)

    # Every step left an author, a time and a revision.
    actions = list(ModelLogEntry.objects.for_instance(draft).order_by("timestamp").values_list("action", "user"))
    assert [a for a, _u in actions] == [
        "evaluations.score",
        "evaluations.submit",
        "evaluations.review",
        "evaluations.recognise",
    ]
    assert actions[1][1] == officer.pk and actions[3][1] == reviewer.pk
    assert draft.revisions.count() == 4


def test_actions_out_of_order_are_refused_with_a_message(client, officer, reviewer, draft):
    client.force_login(reviewer)
    response = client.post(url("action", draft.pk, "review"), follow=True)
    assert "không thể thực hiện" in response.content.decode() or "not possible" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_an_incomplete_evaluation_cannot_be_submitted(client, areas, officer, family_set):
    evaluation = scored_evaluation(FamilyFactory(area=areas["village_a1"]), family_set)
    first = Score.objects.filter(evaluation=evaluation).first()
    first.points = None
    first.save()
    Evaluation.objects.filter(pk=evaluation.pk).update(result="incomplete")
    client.force_login(officer)
    client.post(url("action", evaluation.pk, "submit"))
    evaluation.refresh_from_db()
    assert evaluation.status == "draft"


def test_a_failing_evaluation_cannot_be_recognised(client, areas, officer, reviewer, family_set):
    failing = scored_evaluation(FamilyFactory(area=areas["village_a1"]), family_set, points="3")
    assert failing.result == "fails"
    evaluation_submit(evaluation=failing, user=officer)
    evaluation_review(evaluation=failing, user=reviewer)
    client.force_login(reviewer)
    response = client.post(bulk_url("recognise", failing.pk), decision_post(areas), follow=True)
    failing.refresh_from_db()
    assert failing.status == "reviewed"
    assert not RecognitionDecision.objects.exists()  # no empty decision is kept
    assert "không đạt" in response.content.decode().lower() or "does not meet" in response.content.decode()

    response = client.post(bulk_url("not_recognise", failing.pk), decision_post(areas, number="126/QĐ-UBND"))
    failing.refresh_from_db()
    assert failing.status == "not_recognised"
    assert failing.decision.number == "126/QĐ-UBND"


def test_the_officer_cannot_review_and_the_reviewer_cannot_score(client, officer, reviewer, draft):
    evaluation_submit(evaluation=draft, user=officer)
    client.force_login(officer)
    client.post(url("action", draft.pk, "review"))
    draft.refresh_from_db()
    assert draft.status == "submitted"

    client.force_login(reviewer)
    indicator = draft.criteria_set.criteria.first().indicators.first()
    response = client.post(url("score", draft.pk), {f"score_{indicator.pk}": "1"})
    assert response.status_code == 409
    assert Score.objects.get(evaluation=draft, indicator=indicator).points == Decimal("9")


def test_return_needs_a_reason_and_reopens_scoring(client, officer, reviewer, draft):
    evaluation_submit(evaluation=draft, user=officer)
    client.force_login(reviewer)
    client.post(url("action", draft.pk, "return"), {"reason": ""})
    draft.refresh_from_db()
    assert draft.status == "submitted"

    client.post(url("action", draft.pk, "return"), {"reason": "Thiếu minh chứng chỉ số 1.1"})
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert draft.status_reason == "Thiếu minh chứng chỉ số 1.1"
    client.force_login(officer)
    assert "Thiếu minh chứng chỉ số 1.1" in client.get(url("inspect", draft.pk)).content.decode()


def test_a_submitted_or_recognised_evaluation_is_not_rescored(client, areas, officer, reviewer, draft):
    evaluation_submit(evaluation=draft, user=officer)
    client.force_login(officer)
    indicator = draft.criteria_set.criteria.first().indicators.first()
    response = client.post(url("score", draft.pk), {f"score_{indicator.pk}": "1"})
    assert response.status_code == 409
    assert Score.objects.get(evaluation=draft, indicator=indicator).points == Decimal("9")


def test_recognition_changes_only_through_revocation(client, areas, officer, reviewer, draft):
    evaluation_submit(evaluation=draft, user=officer)
    evaluation_review(evaluation=draft, user=reviewer)
    client.force_login(reviewer)
    client.post(bulk_url("recognise", draft.pk), decision_post(areas))
    draft.refresh_from_db()
    assert draft.status == "recognised"

    # No return, no rescoring.
    client.post(url("action", draft.pk, "return"), {"reason": "Sửa lại"})
    draft.refresh_from_db()
    assert draft.status == "recognised"

    response = client.post(url("revoke", draft.pk), decision_post(areas, number="200/QĐ-UBND", reason=""))
    assert response.status_code == 400  # a revocation needs its reason
    draft.refresh_from_db()
    assert draft.status == "recognised"

    response = client.post(
        url("revoke", draft.pk),
        decision_post(areas, number="200/QĐ-UBND", reason="Gia đình không còn duy trì phong trào"),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "revoked"
    assert draft.revocation.number == "200/QĐ-UBND"
    assert draft.decision.number == "125/QĐ-UBND"  # the recognition stays in the history
    assert draft.status_reason == "Gia đình không còn duy trì phong trào"


def test_bulk_recognition_of_500_evaluations_in_one_decision(
    client, areas, officer, reviewer, family_set, django_capture_on_commit_callbacks
):
    """500 evaluations (over BULK_ACTION_BACKGROUND_ROWS): the decision is recorded by the background task,
    which the test backend runs as the request commits."""
    from evaluations.models import EvaluationResult, EvaluationStatus, LearningFamily

    families = [LearningFamily(head_name=f"Hộ số {i}", member_count=4, area=areas["village_a1"]) for i in range(500)]
    for family in families:
        family.save()
    Evaluation.objects.bulk_create(
        [
            Evaluation(
                subject=family,
                year=2025,
                criteria_set=family_set,
                kind="family",
                area=areas["village_a1"],
                status=EvaluationStatus.REVIEWED,
                result=EvaluationResult.MEETS,
                total=Decimal("90"),
                grade="Tốt",
            )
            for family in families
        ]
    )
    ids = list(Evaluation.objects.values_list("pk", flat=True))
    client.force_login(reviewer)
    response = client.get(bulk_url("recognise", *ids))
    assert response.status_code == 200
    assert "500" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(bulk_url("recognise", *ids), decision_post(areas))
    assert response.status_code == 302
    decision = RecognitionDecision.objects.get()
    assert decision.evaluations.count() == 500
    assert Evaluation.objects.filter(status="recognised").count() == 500
    page = client.get(reverse("wagtailsnippets_evaluations_recognitiondecision:inspect", args=[decision.pk]))
    assert "500" in page.content.decode()
    assert page.content.decode().count("Hộ số") == 500


def test_bulk_submit_and_bulk_return_with_a_reason(client, areas, officer, reviewer, family_set):
    drafts = [scored_evaluation(FamilyFactory(area=areas["village_a1"]), family_set, year=2025) for _ in range(3)]
    ids = [e.pk for e in drafts]
    client.force_login(officer)
    assert client.post(bulk_url("submit", *ids)).status_code == 302
    assert set(Evaluation.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"submitted"}

    client.force_login(reviewer)
    response = client.post(bulk_url("return", *ids), {"reason": "Bổ sung biên bản họp thôn"})
    assert response.status_code == 302
    statuses = set(Evaluation.objects.filter(pk__in=ids).values_list("status", "status_reason"))
    assert statuses == {("draft", "Bổ sung biên bản họp thôn")}


def test_commendation_proposal_and_its_list(client, areas, officer, reviewer, draft):
    evaluation_submit(evaluation=draft, user=officer)
    evaluation_review(evaluation=draft, user=reviewer)
    client.force_login(reviewer)
    client.post(bulk_url("recognise", draft.pk), decision_post(areas))
    response = client.post(url("commend", draft.pk), {"level": "province", "reason": "Ba thế hệ cùng học tập"})
    assert response.status_code == 302
    proposal = CommendationProposal.objects.get()
    assert proposal.level == "province"

    listing = reverse("wagtailsnippets_evaluations_commendationproposal:list")
    response = client.get(listing, {"year": "2025", "area": areas["commune_a"].pk})
    assert "Ba thế hệ cùng học tập" in response.content.decode()
    export = client.get(listing, {"year": "2025", "export": "csv"})
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "Ba thế hệ cùng học tập" in body


def test_editing_is_locked_for_others_and_a_stale_form_saves_nothing(client, areas, family_set):
    first = make_officer(roles.COMMUNE_OFFICER, areas["commune_a"], username="first")
    second = make_officer(roles.COMMUNE_OFFICER, areas["commune_a"], username="second")
    evaluation = scored_evaluation(FamilyFactory(area=areas["village_a1"]), family_set, points="8")
    indicator = evaluation.criteria_set.criteria.first().indicators.first()

    client.force_login(first)
    page = client.get(url("score", evaluation.pk))
    opened_version = page.context["form"].initial["version"]
    evaluation.refresh_from_db()
    assert evaluation.locked and evaluation.locked_by == first

    client.force_login(second)
    page = client.get(url("score", evaluation.pk))
    assert "first" in page.content.decode()  # who holds the lock is named
    assert page.context["read_only_reason"]
    response = client.post(url("score", evaluation.pk), {f"score_{indicator.pk}": "2", "version": opened_version})
    assert response.status_code == 409
    assert Score.objects.get(evaluation=evaluation, indicator=indicator).points == Decimal("8")

    # The first officer saves; a form still open on the old revision is refused, and its entries kept.
    client.force_login(first)
    assert client.post(url("score", evaluation.pk), {f"score_{indicator.pk}": "7", "version": opened_version})
    assert Score.objects.get(evaluation=evaluation, indicator=indicator).points == Decimal("7")
    response = client.post(url("score", evaluation.pk), {f"score_{indicator.pk}": "5", "version": opened_version})
    assert response.status_code == 409
    assert response.context["form"].data[f"score_{indicator.pk}"] == "5"  # nothing typed is lost
    assert Score.objects.get(evaluation=evaluation, indicator=indicator).points == Decimal("7")

    # Finishing releases the lock for the second officer.
    client.post(url("score", evaluation.pk), {"action": "release"})
    client.force_login(second)
    assert client.get(url("score", evaluation.pk)).context["read_only_reason"] is None


def test_revisions_can_be_compared_in_the_history(client, areas, officer, draft):
    client.force_login(officer)
    indicator = draft.criteria_set.criteria.first().indicators.first()
    form = client.get(url("score", draft.pk)).context["form"]
    client.post(url("score", draft.pk), {f"score_{indicator.pk}": "4", "version": form.initial["version"]})
    revisions = list(draft.revisions.order_by("created_at"))
    assert len(revisions) == 2
    history = client.get(url("history", draft.pk))
    assert history.status_code == 200
    compare = client.get(url("revisions_compare", draft.pk, revisions[0].pk, revisions[1].pk))
    assert compare.status_code == 200
    old, new = (r.as_object() for r in revisions)
    assert {s.indicator_id: s.points for s in old.scores.all()}[indicator.pk] == Decimal("9")
    assert {s.indicator_id: s.points for s in new.scores.all()}[indicator.pk] == Decimal("4")


def test_self_assessment_stands_beside_the_verified_score(client, areas):
    from tests.factories import UnitFactory

    unit_set = make_criteria_set(kind="unit", code="dvht-self", has_self_assessment=True)
    officer = make_officer(roles.COMMUNE_OFFICER, areas["commune_a"], username="unit-officer")
    unit = UnitFactory(area=areas["commune_a"])
    from evaluations.services import evaluation_create

    evaluation = evaluation_create(subject=unit, year=2025, criteria_set=unit_set)
    client.force_login(officer)
    form = client.get(url("score", evaluation.pk)).context["form"]
    data = {"version": form.initial["version"]}
    for _criterion, rows in form.rows():
        for row in rows:
            data[row["score"].html_name] = "8"
            data[row["self"].html_name] = "10"
    response = client.post(url("score", evaluation.pk), data)
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.total == Decimal("56")  # 7 indicators x 8: the verified scores decide
    assert evaluation.self_total == Decimal("70")
    assert evaluation.result == "meets" and evaluation.grade == "Trung bình"


def test_a_decided_evaluation_is_neither_edited_nor_deleted(client, areas, officer, reviewer, draft):
    from evaluations import roles as role_names

    evaluation_submit(evaluation=draft, user=officer)
    evaluation_review(evaluation=draft, user=reviewer)
    client.force_login(reviewer)
    client.post(bulk_url("recognise", draft.pk), decision_post(areas))
    provincial = make_officer(role_names.PROVINCIAL_OFFICER, areas["province"], username="tinh")
    client.force_login(provincial)
    response = client.post(url("edit", draft.pk), {"note": "Sửa sau công nhận"})
    assert response.status_code == 302
    response = client.post(url("delete", draft.pk))
    assert response.status_code == 302
    client.post(reverse("wagtail_bulk_action", args=["evaluations", "evaluation", "delete"]) + f"?id={draft.pk}")
    draft.refresh_from_db()
    assert draft.note == "" and draft.status == "recognised"


def test_select_all_acts_on_the_filtered_listing_only(client, areas, officer, family_set):
    """ "Select all" on a listing filtered to 2026 families submits those, never the other years or kinds
    of the area; the confirmation page says which filters made the selection."""
    chosen = [scored_evaluation(FamilyFactory(area=areas["village_a1"]), family_set, year=2026) for _ in range(2)]
    other_year = scored_evaluation(FamilyFactory(area=areas["village_a2"]), family_set, year=2025)
    clan_set = make_criteria_set(kind="clan", code="dhht-select-all")
    other_kind = scored_evaluation(ClanFactory(area=areas["commune_a"]), clan_set, year=2026)
    client.force_login(officer)
    filters = {"year": "2026", "kind": "family", "id": "all", "next": "/admin/"}
    address = reverse("wagtail_bulk_action", args=["evaluations", "evaluation", "submit"])

    page = client.get(address, filters).content.decode()
    assert "Thao tác này áp dụng cho 2 đánh giá" in page
    assert "Năm: 2026" in page and "Loại mô hình: Gia đình học tập" in page

    assert client.post(f"{address}?{urlencode(filters)}").status_code == 302
    statuses = dict(Evaluation.objects.values_list("pk", "status"))
    assert [statuses[e.pk] for e in chosen] == ["submitted", "submitted"]
    assert statuses[other_year.pk] == statuses[other_kind.pk] == "draft"

    # A filter the listing itself would refuse selects nothing (not every row of the area).
    assert client.get(address, {**filters, "year": "abc"}).status_code == 404
