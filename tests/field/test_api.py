"""The field app's JSON API (issue 19): access by area, the work download, the outbox sync (validation by
indicator, conflicts, idempotent resend, client references) and the shared scoring cases."""

from __future__ import annotations

import json
from decimal import Decimal

from django.db import connection
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

import pytest

from evaluations import roles, scoring
from evaluations.models import Evaluation, EvaluationStatus, Score
from evaluations.services import evaluation_record_scores
from field.models import SyncEntry
from field.scoring_cases import CASES_FILE, cases_text
from field.serialise import criteria_spec_from_json, result_json
from tests.factories import FamilyFactory, UnitFactory, make_criteria_set, make_officer, scored_evaluation

pytestmark = pytest.mark.django_db

YEAR = 2025


@pytest.fixture
def family_a(areas):
    return FamilyFactory(area=areas["village_a1"], head_name="Nguyễn Văn Ấn")


@pytest.fixture
def family_b(areas):
    return FamilyFactory(area=areas["village_b1"], head_name="Zeta Trần Bí Mật")


def indicators(criteria_set) -> dict:
    """Indicator ids by code."""
    return {ind.code: ind.pk for crit in criteria_set.criteria.all() for ind in crit.indicators.all()}


def sync(client, *entries):
    response = client.post(reverse("field:sync"), {"entries": list(entries)}, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["results"]


# The download --------------------------------------------------------------------------------------------


def test_villages_are_the_officers_own_with_their_commune(officer_client, areas):
    """The commune itself is offered too: its units and communities are recorded on it, not in a village."""
    response = officer_client.get(reverse("field:villages"))
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": v.pk,
            "name": v.name,
            "level": v.level,
            "commune": {"id": areas["commune_a"].pk, "name": areas["commune_a"].name},
        }
        for v in (areas["commune_a"], areas["village_a1"], areas["village_a2"])
    ]


def test_the_work_of_a_commune_itself_is_its_own_units_only(officer_client, areas, family_a):
    school = UnitFactory(area=areas["commune_a"])
    work = officer_client.get(reverse("field:work"), {"village": areas["commune_a"].pk}).json()
    assert [s["id"] for s in work["subjects"]] == [school.pk]


def test_the_work_of_a_village(officer_client, areas, criteria_set, family_a, family_b):
    other_village = FamilyFactory(area=areas["village_a2"])
    evaluation = scored_evaluation(family_a, criteria_set, year=YEAR, points="7.5")
    response = officer_client.get(reverse("field:work"), {"village": areas["village_a1"].pk, "year": YEAR})
    assert response.status_code == 200
    work = response.json()
    assert work["year"] == YEAR
    assert [s["id"] for s in work["subjects"]] == [family_a.pk]
    assert other_village.pk not in [s["id"] for s in work["subjects"]]
    subject = work["subjects"][0]
    assert subject["folded"] == "gia dinh ong nguyen van an"
    assert subject["village"] == areas["village_a1"].pk
    [downloaded] = work["evaluations"]
    ids = indicators(criteria_set)
    assert downloaded["id"] == evaluation.pk and downloaded["version"] == evaluation.version
    assert downloaded["scores"][str(ids["1.1"])] == "7.5"
    assert downloaded["status"] == "draft"
    [downloaded_set] = work["criteria_sets"]
    assert downloaded_set["id"] == criteria_set.pk
    assert downloaded_set["criteria"][0]["indicators"][0]["code"] == "1.1"
    assert downloaded_set["scoring"]["grade_bands"][0] == {"label": "Tốt", "min_total": "85", "recognised": True}
    assert "Zeta" not in response.content.decode()


def test_a_subject_whose_evaluation_went_on_is_marked_and_its_evaluation_not_downloaded(
    officer_client, areas, criteria_set, family_a
):
    submitted = FamilyFactory(area=areas["village_a1"], head_name="Lê Văn Đã Gửi")
    scored_evaluation(family_a, criteria_set, year=YEAR)
    sent = scored_evaluation(submitted, criteria_set, year=YEAR)
    Evaluation.objects.filter(pk=sent.pk).update(status=EvaluationStatus.SUBMITTED)
    work = officer_client.get(reverse("field:work"), {"village": areas["village_a1"].pk, "year": YEAR}).json()
    statuses = {s["id"]: s["closed_status"] for s in work["subjects"]}
    assert statuses == {family_a.pk: None, submitted.pk: "submitted"}
    assert [e["subject"] for e in work["evaluations"]] == [family_a.pk]


def test_the_work_of_a_village_of_another_commune_is_a_404_naming_nothing(officer_client, areas, family_b):
    response = officer_client.get(reverse("field:work"), {"village": [areas["village_a1"].pk, areas["village_b1"].pk]})
    assert response.status_code == 404
    body = response.content.decode()
    assert areas["village_b1"].name not in body and str(areas["village_b1"].pk) not in body


@pytest.mark.parametrize("raw", ["abc", "1.5", "-3", "9" * 30])
def test_a_malformed_village_is_a_400_naming_the_parameter(officer_client, areas, raw):
    response = officer_client.get(reverse("field:work"), {"village": raw})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["parameter"] == "village"
    assert "village" in error["message"] and "Tham số" in error["message"]


def test_the_work_needs_a_village(officer_client):
    response = officer_client.get(reverse("field:work"))
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == "village"


def test_strangers_and_communications_staff_are_refused(client, areas):
    assert client.get(reverse("field:villages")).status_code == 403
    communications = make_officer(roles.COMMUNICATIONS, areas["commune_a"], username="comms")
    client.force_login(communications)
    assert client.get(reverse("field:villages")).status_code == 403
    assert client.post(reverse("field:sync"), {"entries": []}, content_type="application/json").status_code == 403


def test_a_reviewer_reads_but_may_not_sync(client, areas):
    reviewer = make_officer(roles.COMMUNE_REVIEWER, areas["commune_a"], username="reviewer")
    client.force_login(reviewer)
    assert client.get(reverse("field:villages")).status_code == 200
    assert client.post(reverse("field:sync"), {"entries": []}, content_type="application/json").status_code == 403


# The sync ------------------------------------------------------------------------------------------------


def _create(client_id="c-1", ref="tmp-1", subject=None, criteria_set=None):
    return {
        "id": client_id,
        "kind": "create_evaluation",
        "subject": subject.pk,
        "year": YEAR,
        "criteria_set": criteria_set.pk,
        "client_ref": ref,
    }


def test_create_and_score_in_one_batch_by_client_reference(officer_client, criteria_set, family_a):
    ids = indicators(criteria_set)
    values = {str(ids["1.1"]): "7,5", str(ids["1.2"]): "10", str(ids["2.1"]): 12}
    results = sync(
        officer_client,
        _create(subject=family_a, criteria_set=criteria_set),
        {
            "id": "s-1",
            "kind": "record_scores",
            "evaluation": "tmp-1",
            "based_on_version": 0,
            "values": values,
            "notes": {str(ids["1.1"]): "Có giấy khen"},
        },
    )
    assert [r["status"] for r in results] == ["applied", "applied"]
    evaluation = Evaluation.objects.get(subject=family_a, year=YEAR)
    assert results[0]["evaluation"]["id"] == evaluation.pk
    assert results[1]["evaluation"]["scores"] == {str(ids["1.1"]): "7.5", str(ids["1.2"]): "10", str(ids["2.1"]): "12"}
    assert results[1]["evaluation"]["version"] == evaluation.version == 1
    assert results[1]["evaluation"]["total"] == "29.5"
    assert Score.objects.get(evaluation=evaluation, indicator_id=ids["1.1"]).note == "Có giấy khen"
    # A later batch names it by the same reference.
    [later] = sync(
        officer_client,
        {"id": "s-2", "kind": "record_scores", "evaluation": "tmp-1", "based_on_version": 1, "values": {}},
    )
    assert later["status"] == "applied" and later["evaluation"]["version"] == 2


def test_bad_values_are_refused_by_indicator_code_and_nothing_is_written(officer_client, criteria_set, family_a):
    evaluation = scored_evaluation(family_a, criteria_set, year=YEAR, points="5")
    ids = indicators(criteria_set)
    before = evaluation.version
    with translation.override("vi"):
        [result] = sync(
            officer_client,
            {
                "id": "bad",
                "kind": "record_scores",
                "evaluation": evaluation.pk,
                "based_on_version": before,
                "values": {
                    str(ids["1.1"]): "11",
                    str(ids["1.2"]): "abc",
                    str(ids["1.3"]): "7,3",
                    str(ids["2.1"]): "8",
                },
            },
        )
    assert result["status"] == "rejected"
    assert set(result["errors"]) == {"1.1", "1.2", "1.3"}
    assert all(isinstance(message, str) and message for message in result["errors"].values())
    evaluation.refresh_from_db()
    assert evaluation.version == before
    assert Score.objects.get(evaluation=evaluation, indicator_id=ids["2.1"]).points == Decimal(5)


def test_resending_the_same_entries_answers_the_same_without_a_second_write(officer_client, criteria_set, family_a):
    ids = indicators(criteria_set)
    entries = [
        _create(subject=family_a, criteria_set=criteria_set),
        {
            "id": "s-1",
            "kind": "record_scores",
            "evaluation": "tmp-1",
            "based_on_version": 0,
            "values": {str(ids["1.1"]): "8"},
        },
    ]
    first = sync(officer_client, *entries)
    evaluation = Evaluation.objects.get(subject=family_a, year=YEAR)
    version = evaluation.version
    second = sync(officer_client, *entries)
    assert second == first
    assert Evaluation.objects.filter(subject=family_a).count() == 1
    evaluation.refresh_from_db()
    assert evaluation.version == version
    assert SyncEntry.objects.count() == 2


def test_a_conflict_returns_the_server_state_and_overwrites_nothing(officer_client, criteria_set, family_a, officer):
    evaluation = scored_evaluation(family_a, criteria_set, year=YEAR, points="5")
    ids = indicators(criteria_set)
    downloaded = evaluation.version
    # Someone saves it from the admin meanwhile.
    evaluation_record_scores(
        evaluation=evaluation, values={ids["1.1"]: Decimal(9)}, expected_version=downloaded, user=officer
    )
    [result] = sync(
        officer_client,
        {
            "id": "late",
            "kind": "record_scores",
            "evaluation": evaluation.pk,
            "based_on_version": downloaded,
            "values": {str(ids["1.1"]): "2"},
        },
    )
    assert result["status"] == "conflict"
    assert result["evaluation"]["version"] == downloaded + 1
    assert result["evaluation"]["scores"][str(ids["1.1"])] == "9"
    assert Score.objects.get(evaluation=evaluation, indicator_id=ids["1.1"]).points == Decimal(9)
    evaluation.refresh_from_db()
    assert evaluation.version == downloaded + 1


def test_another_communes_evaluation_is_refused_without_naming_it(officer_client, criteria_set, family_b):
    evaluation = scored_evaluation(family_b, criteria_set, year=YEAR, points="5")
    ids = indicators(criteria_set)
    response = officer_client.post(
        reverse("field:sync"),
        {
            "entries": [
                {
                    "id": "x",
                    "kind": "record_scores",
                    "evaluation": evaluation.pk,
                    "based_on_version": evaluation.version,
                    "values": {str(ids["1.1"]): "1"},
                },
                {
                    "id": "y",
                    "kind": "create_evaluation",
                    "subject": family_b.pk,
                    "year": 2024,
                    "criteria_set": criteria_set.pk,
                },
            ]
        },
        content_type="application/json",
    )
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["rejected", "rejected"]
    assert results[0]["evaluation"] is None
    assert "Zeta" not in response.content.decode()
    assert "subject" in results[1]["errors"]
    assert not Evaluation.objects.filter(subject=family_b, year=2024).exists()
    assert Score.objects.get(evaluation=evaluation, indicator_id=ids["1.1"]).points == Decimal(5)


def test_an_entry_depending_on_a_refused_one_is_refused_and_the_others_go_on(officer_client, criteria_set, family_a):
    other = FamilyFactory(area=family_a.area)
    ids = indicators(criteria_set)
    results = sync(
        officer_client,
        {
            "id": "a",
            "kind": "create_evaluation",
            "subject": family_a.pk,
            "year": YEAR,
            "criteria_set": 987654,
            "client_ref": "tmp-9",
        },
        {
            "id": "b",
            "kind": "record_scores",
            "evaluation": "tmp-9",
            "based_on_version": 0,
            "values": {str(ids["1.1"]): "1"},
        },
        _create("c", "tmp-10", other, criteria_set),
    )
    assert [r["status"] for r in results] == ["rejected", "rejected", "applied"]
    assert set(results[0]["errors"]) == {"criteria_set"}
    assert results[1]["errors"] == {"evaluation": "Mục này phụ thuộc vào một mục chưa được ghi nhận."}


def test_a_submitted_evaluation_is_refused_with_the_workflows_message(officer_client, criteria_set, family_a):
    evaluation = scored_evaluation(family_a, criteria_set, year=YEAR, points="5")
    Evaluation.objects.filter(pk=evaluation.pk).update(status=EvaluationStatus.SUBMITTED)
    [result] = sync(
        officer_client,
        {
            "id": "z",
            "kind": "record_scores",
            "evaluation": evaluation.pk,
            "based_on_version": evaluation.version,
            "values": {},
        },
    )
    assert result["status"] == "rejected"
    assert result["evaluation"]["status"] == "submitted"
    assert "evaluation" in result["errors"]


def test_malformed_bodies_are_400s(officer_client):
    url = reverse("field:sync")
    assert officer_client.post(url, "not json", content_type="application/json").status_code == 400
    assert officer_client.post(url, {"entries": "[]"}).status_code == 400  # a form, not JSON
    assert officer_client.post(url, {"entries": "x"}, content_type="application/json").status_code == 400
    too_many = {"entries": [{"id": str(i), "kind": "record_scores"} for i in range(501)]}
    response = officer_client.post(url, too_many, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["message"]
    assert officer_client.post(url, b"x" * 2_100_000, content_type="application/json").status_code == 400
    [result] = sync(officer_client, {"kind": "record_scores"})
    assert result["status"] == "rejected" and "id" in result["errors"]


def test_the_sync_needs_the_csrf_token(officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    body = json.dumps({"entries": []})
    assert client.post(reverse("field:sync"), body, content_type="application/json").status_code == 403
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    response = client.post(reverse("field:sync"), body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert response.json() == {"results": []}


# The shared scoring cases ------------------------------------------------------------------------------------


def test_the_scoring_cases_file_is_up_to_date():
    assert CASES_FILE.read_text(encoding="utf-8") == cases_text(), "regenerate: python -m field.scoring_cases"


def test_the_shared_scoring_cases_match_the_server():
    cases = json.loads(CASES_FILE.read_text(encoding="utf-8"))["cases"]
    assert len(cases) >= 15
    for case in cases:
        spec = criteria_spec_from_json(case["spec"])
        values = {int(key): value for key, value in case["values"].items()}
        assert result_json(scoring.score(spec, values)) == case["expected"], case["name"]


def test_a_note_alone_keeps_the_score(officer_client, criteria_set, family_a):
    evaluation = scored_evaluation(family_a, criteria_set, year=YEAR, points="6")
    ids = indicators(criteria_set)
    [result] = sync(
        officer_client,
        {
            "id": "note",
            "kind": "record_scores",
            "evaluation": evaluation.pk,
            "based_on_version": evaluation.version,
            "notes": {str(ids["1.2"]): "Đã xem sổ học tập"},
        },
    )
    assert result["status"] == "applied"
    score = Score.objects.get(evaluation=evaluation, indicator_id=ids["1.2"])
    assert (score.points, score.note) == (Decimal(6), "Đã xem sổ học tập")
    assert result["evaluation"]["notes"] == {str(ids["1.2"]): "Đã xem sổ học tập"}


def test_a_client_reference_reads_apart_from_ids(officer_client, criteria_set, family_a):
    [result] = sync(officer_client, _create("n", "12", family_a, criteria_set))
    assert result["status"] == "rejected" and set(result["errors"]) == {"client_ref"}
    assert not Evaluation.objects.filter(subject=family_a).exists()


def test_the_download_reads_a_fixed_number_of_queries(
    officer_client, areas, criteria_set, django_assert_max_num_queries
):
    def download():
        return officer_client.get(reverse("field:work"), {"village": areas["village_a1"].pk, "year": YEAR})

    scored_evaluation(FamilyFactory(area=areas["village_a1"]), criteria_set, year=YEAR)
    download()  # the session and the user's area, read once
    with CaptureQueriesContext(connection) as few:
        download()
    for _ in range(5):
        scored_evaluation(FamilyFactory(area=areas["village_a1"]), criteria_set, year=YEAR)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = download()
    assert len(response.json()["evaluations"]) == 6


def test_the_self_assessment_travels_with_the_verified_scores(officer_client, family_a):
    """A set that takes a self-assessment stores the family's own points beside the officer's; the download
    gives them back; a mistake in either is named by its indicator code."""
    with_self = make_criteria_set(code="tu-danh-gia", has_self_assessment=True)
    evaluation = scored_evaluation(family_a, with_self, year=YEAR, points="5")
    ids = indicators(with_self)
    [result] = sync(
        officer_client,
        {
            "id": "self-1",
            "kind": "record_scores",
            "evaluation": evaluation.pk,
            "based_on_version": evaluation.version,
            "values": {str(ids["1.1"]): "7,5"},
            "self_values": {str(ids["1.1"]): "9", str(ids["1.2"]): "8.5"},
        },
    )
    assert result["status"] == "applied", result
    stored = {s.indicator_id: s for s in Score.objects.filter(evaluation=evaluation)}
    assert stored[ids["1.1"]].points == Decimal("7.5") and stored[ids["1.1"]].self_points == Decimal(9)
    assert stored[ids["1.2"]].self_points == Decimal("8.5") and stored[ids["1.2"]].points == Decimal(5)
    assert result["evaluation"]["self_scores"][str(ids["1.1"])] in ("9", 9)

    with translation.override("vi"):
        [bad] = sync(
            officer_client,
            {
                "id": "self-2",
                "kind": "record_scores",
                "evaluation": evaluation.pk,
                "based_on_version": result["evaluation"]["version"],
                "values": {str(ids["1.1"]): "99"},
                "self_values": {str(ids["1.2"]): "abc"},
            },
        )
    assert bad["status"] == "rejected" and set(bad["errors"]) == {"1.1", "self.1.2"}
    assert Score.objects.get(evaluation=evaluation, indicator_id=ids["1.2"]).self_points == Decimal("8.5")


def test_a_set_without_self_assessment_refuses_one(officer_client, criteria_set, family_a):
    evaluation = scored_evaluation(family_a, criteria_set, year=YEAR, points="5")
    ids = indicators(criteria_set)
    with translation.override("vi"):
        [result] = sync(
            officer_client,
            {
                "id": "self-3",
                "kind": "record_scores",
                "evaluation": evaluation.pk,
                "based_on_version": evaluation.version,
                "self_values": {str(ids["1.1"]): "9"},
            },
        )
    assert result["status"] == "rejected" and "self_values" in result["errors"]
    assert not Score.objects.filter(evaluation=evaluation, self_points__isnull=False).exists()
