"""The field app's session (who is signed in, the CSRF token the app sends back) and its evidence photos: an
upload applied once whatever the number of sendings, refusals by field in Vietnamese, never naming what lies
outside the officer's area; and the evidence listed with each evaluation of the work download."""

from __future__ import annotations

import io
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

import pytest
from PIL import Image

from evaluations import roles
from evaluations.calendar import current_evaluation_year
from evaluations.models import Evaluation, EvaluationStatus, Evidence
from field.models import SyncEntry
from tests.factories import FamilyFactory, make_criteria_set, make_officer, scored_evaluation

pytestmark = pytest.mark.django_db

YEAR = 2025
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (40, 120, 200)).save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def photo(name: str = "anh-minh-chung.jpg", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes() if content is None else content, content_type="image/jpeg")


@pytest.fixture
def draft(areas, criteria_set):
    family = FamilyFactory(area=areas["village_a1"], head_name="Nguyễn Văn Ấn")
    return scored_evaluation(family, criteria_set, year=YEAR, points="5")


@pytest.fixture
def outside(areas, criteria_set):
    family = FamilyFactory(area=areas["village_b1"], head_name="Zeta Trần Bí Mật")
    return scored_evaluation(family, criteria_set, year=YEAR, points="5")


def first_indicator(criteria_set):
    return criteria_set.criteria.first().indicators.first()


def upload(client, **fields):
    with translation.override("vi"):
        response = client.post(reverse("field:evidence"), fields)
    assert response.status_code == 200, response.content
    return response.json()


# The session -----------------------------------------------------------------------------------------------


def test_the_session_names_the_officer_and_gives_a_token_that_a_post_accepts(officer):
    officer.first_name, officer.last_name = "Ấn", "Nguyễn Văn"
    officer.save()
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    response = client.get(reverse("field:session"))
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    session = response.json()
    assert session["user"]["id"] == officer.pk and session["user"]["name"]
    assert session["may_score"] is True and session["may_start"] is True
    assert session["year"] == current_evaluation_year()
    assert session["language"] == "vi"
    token = session["csrf_token"]
    assert token
    body = json.dumps({"entries": []})
    url = reverse("field:sync")
    assert client.post(url, body, content_type="application/json").status_code == 403
    response = client.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200 and response.json() == {"results": []}


def test_the_session_of_a_reviewer_may_not_score(client, areas):
    reviewer = make_officer(roles.COMMUNE_REVIEWER, areas["commune_a"], username="reviewer")
    client.force_login(reviewer)
    session = client.get(reverse("field:session")).json()
    assert session["may_score"] is False and session["may_start"] is False


def test_strangers_get_the_same_403_as_elsewhere(client, areas):
    for name in ("field:session", "field:villages"):
        response = client.get(reverse(name))
        assert response.status_code == 403
        assert response.json()["error"]["message"]
    assert client.get(reverse("field:session")).json() == client.get(reverse("field:villages")).json()
    response = client.post(reverse("field:evidence"), {"id": "e-1", "file": photo()})
    assert response.status_code == 403
    assert not Evidence.objects.exists()


# Evidence uploads -------------------------------------------------------------------------------------------


def test_a_photo_is_added_once_whatever_the_number_of_sendings(officer_client, officer, draft, criteria_set):
    indicator = first_indicator(criteria_set)
    fields = {"id": "ev-1", "evaluation": draft.pk, "indicator": indicator.pk, "description": "Giấy khen"}
    first = upload(officer_client, **fields, file=photo())
    assert first["status"] == "applied", first
    evidence = Evidence.objects.get()
    assert first == {
        "id": "ev-1",
        "status": "applied",
        "evidence": {
            "id": evidence.pk,
            "name": "anh-minh-chung.jpg",
            "size": evidence.size,
            "indicator": indicator.pk,
        },
        "errors": {},
    }
    assert (evidence.evaluation, evidence.indicator, evidence.content_type) == (draft, indicator, "image/jpeg")
    assert evidence.description == "Giấy khen" and evidence.uploaded_by == officer
    assert evidence.file.read() == jpeg_bytes()
    # The phone lost the answer and sends it again: the same answer, no second file.
    again = upload(officer_client, **fields, file=photo())
    assert again == first
    assert Evidence.objects.count() == 1
    assert SyncEntry.objects.get(client_id="ev-1").kind == "upload_evidence"
    # The download lists it with the evaluation.
    work = officer_client.get(reverse("field:work"), {"village": draft.subject.area_id, "year": YEAR}).json()
    [downloaded] = work["evaluations"]
    assert downloaded["evidence"] == [first["evidence"]]


def test_a_photo_for_an_evaluation_created_in_the_same_outbox(officer_client, areas, criteria_set):
    family = FamilyFactory(area=areas["village_a1"])
    entry = {
        "id": "c-1",
        "kind": "create_evaluation",
        "subject": family.pk,
        "year": YEAR,
        "criteria_set": criteria_set.pk,
        "client_ref": "tmp-1",
    }
    response = officer_client.post(reverse("field:sync"), {"entries": [entry]}, content_type="application/json")
    assert response.json()["results"][0]["status"] == "applied"
    answer = upload(officer_client, id="ev-2", evaluation="tmp-1", file=photo())
    assert answer["status"] == "applied"
    assert Evidence.objects.get().evaluation == Evaluation.objects.get(subject=family)
    assert answer["evidence"]["indicator"] is None
    refused = upload(officer_client, id="ev-3", evaluation="tmp-404", file=photo())
    assert refused["status"] == "rejected" and set(refused["errors"]) == {"evaluation"}


def test_a_pdf_named_jpg_is_refused_with_its_name(officer_client, draft):
    answer = upload(officer_client, id="ev-pdf", evaluation=draft.pk, file=photo("bien-ban.jpg", PDF))
    assert answer["status"] == "rejected" and answer["evidence"] is None
    assert set(answer["errors"]) == {"file"}
    assert "bien-ban.jpg" in answer["errors"]["file"] and "PDF" in answer["errors"]["file"]
    assert "tệp" in answer["errors"]["file"]  # in Vietnamese
    assert not Evidence.objects.exists()


def test_an_evaluation_outside_the_area_is_refused_as_one_that_does_not_exist(officer_client, draft, outside):
    with translation.override("vi"):
        response = officer_client.post(
            reverse("field:evidence"), {"id": "ev-out", "evaluation": outside.pk, "file": photo()}
        )
    assert response.status_code == 200
    assert "Zeta" not in response.content.decode()
    answer = response.json()
    absent = upload(officer_client, id="ev-absent", evaluation=987654321, file=photo())
    assert answer["status"] == absent["status"] == "rejected"
    assert answer["errors"] == absent["errors"]
    assert set(answer["errors"]) == {"evaluation"} and "địa bàn" in answer["errors"]["evaluation"]
    assert not Evidence.objects.exists()


def test_a_submitted_evaluation_takes_no_evidence(officer_client, draft):
    Evaluation.objects.filter(pk=draft.pk).update(status=EvaluationStatus.SUBMITTED)
    answer = upload(officer_client, id="ev-sub", evaluation=draft.pk, file=photo())
    assert answer["status"] == "rejected" and set(answer["errors"]) == {"evaluation"}
    assert "bản nháp" in answer["errors"]["evaluation"]
    assert not Evidence.objects.exists()


def test_an_indicator_of_another_set_is_refused(officer_client, draft):
    other_set = make_criteria_set(code="other-set")
    answer = upload(
        officer_client, id="ev-ind", evaluation=draft.pk, indicator=first_indicator(other_set).pk, file=photo()
    )
    assert answer["status"] == "rejected" and set(answer["errors"]) == {"indicator"}
    assert answer["errors"]["indicator"] == "Chỉ số này không thuộc bộ tiêu chí của đánh giá."
    assert upload(officer_client, id="ev-ind2", evaluation=draft.pk, indicator="abc", file=photo())["errors"] == {
        "indicator": answer["errors"]["indicator"]
    }
    assert not Evidence.objects.exists()


def test_a_missing_file_and_a_missing_id_are_named(officer_client, draft):
    answer = upload(officer_client, id="ev-none", evaluation=draft.pk)
    assert answer["status"] == "rejected" and set(answer["errors"]) == {"file"}
    assert answer["errors"]["file"]
    no_id = upload(officer_client, evaluation=draft.pk, file=photo())
    assert no_id["status"] == "rejected" and no_id["id"] is None and set(no_id["errors"]) == {"id"}
    assert not Evidence.objects.exists()


def test_the_upload_needs_the_csrf_token(officer, draft):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    url = reverse("field:evidence")
    assert client.post(url, {"id": "ev-csrf", "evaluation": draft.pk, "file": photo()}).status_code == 403
    assert not Evidence.objects.exists()
    token = client.get(reverse("field:session")).json()["csrf_token"]
    response = client.post(url, {"id": "ev-csrf", "evaluation": draft.pk, "file": photo()}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200 and response.json()["status"] == "applied"


@override_settings(EVIDENCE_MAX_UPLOAD_SIZE=1024)
def test_a_body_too_large_is_a_400_in_vietnamese(officer_client, draft):
    big = photo(content=jpeg_bytes() + b"\0" * 200_000)
    with translation.override("vi"):
        response = officer_client.post(
            reverse("field:evidence"), {"id": "ev-big", "evaluation": draft.pk, "file": big}
        )
    assert response.status_code == 400
    assert "quá lớn" in response.json()["error"]["message"]
    # Within the body's margin but over the limit: refused by the file's check, naming it.
    answer = upload(officer_client, id="ev-big2", evaluation=draft.pk, file=photo(content=jpeg_bytes() + b"\0" * 2000))
    assert answer["status"] == "rejected" and "anh-minh-chung.jpg" in answer["errors"]["file"]
    assert not Evidence.objects.exists()


def test_a_reviewer_may_not_upload(client, areas, draft):
    reviewer = make_officer(roles.COMMUNE_REVIEWER, areas["commune_a"], username="reviewer")
    client.force_login(reviewer)
    response = client.post(reverse("field:evidence"), {"id": "ev-r", "evaluation": draft.pk, "file": photo()})
    assert response.status_code == 403
    assert not Evidence.objects.exists()


def test_a_json_body_is_a_400(officer_client):
    response = officer_client.post(reverse("field:evidence"), {"id": "x"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["message"]
