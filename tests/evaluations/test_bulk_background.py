"""A bulk decision on a large selection is recorded by the background worker, on exactly the selection the
officer saw, with a page to follow it; a job whose worker died is reported interrupted."""

import datetime
from urllib.parse import urlencode

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

import pytest

from evaluations import roles
from evaluations.bulk_jobs import decision_job_refresh_status
from evaluations.models import BulkDecisionJob, Evaluation, RecognitionDecision
from evaluations.services import evaluation_review, evaluation_submit
from tests.evaluations.test_evidence import PDF
from tests.factories import ClanFactory, FamilyFactory, make_criteria_set, make_officer, scored_evaluation

pytestmark = pytest.mark.django_db

ADDRESS = reverse("wagtail_bulk_action", args=["evaluations", "evaluation", "recognise"])


@pytest.fixture
def reviewer(areas):
    return make_officer(roles.COMMUNE_REVIEWER, areas["commune_a"], username="tham-dinh-nen")


def reviewed(subject, criteria_set, year, officer, reviewer):
    evaluation = scored_evaluation(subject, criteria_set, year=year, points="9")
    evaluation_submit(evaluation=evaluation, user=officer)
    evaluation_review(evaluation=evaluation, user=reviewer)
    return evaluation


def decision_post(areas):
    return {
        "number": "301/QĐ-UBND",
        "decision_date": "15/12/2026",
        "issuing_body": "UBND xã Phước Hải",
        "signatory": "Chủ tịch UBND xã Phước Hải",
        "area": areas["commune_a"].pk,
        "file": SimpleUploadedFile("quyet-dinh-301.pdf", PDF),
    }


def test_a_large_selection_is_decided_in_the_background_exactly_as_selected(
    client, settings, areas, reviewer, django_capture_on_commit_callbacks
):
    settings.BULK_ACTION_BACKGROUND_ROWS = 2
    officer = make_officer(roles.COMMUNE_OFFICER, areas["commune_a"], username="can-bo-nen")
    family_set = make_criteria_set(code="gdht-nen")
    chosen = [
        reviewed(FamilyFactory(area=areas[village]), family_set, 2026, officer, reviewer)
        for village in ("village_a1", "village_a1", "village_a2")
    ]
    other_year = reviewed(FamilyFactory(area=areas["village_a2"]), family_set, 2025, officer, reviewer)
    other_kind = reviewed(
        ClanFactory(area=areas["commune_a"]), make_criteria_set(kind="clan", code="dhht-nen"), 2026, officer, reviewer
    )
    client.force_login(reviewer)
    filters = {"year": "2026", "kind": "family", "id": "all", "next": "/admin/"}

    with django_capture_on_commit_callbacks() as queued:
        response = client.post(f"{ADDRESS}?{urlencode(filters)}", decision_post(areas))
    assert response.status_code == 302
    job = BulkDecisionJob.objects.get()
    assert job.status == "queued" and job.selected == 3
    # Nothing is decided before the worker runs.
    assert not RecognitionDecision.objects.exists()
    assert set(Evaluation.objects.values_list("status", flat=True)) == {"reviewed"}

    page = client.get(response.url).content.decode()
    status_url = reverse("evaluations_bulk_jobs:detail", args=[job.pk])
    assert "Đang xử lý 3 đánh giá trong nền…" in page and status_url in page

    for callback in queued:  # the commit of the request queues the task; the test backend runs it at once
        callback()
    job.refresh_from_db()
    assert job.status == "done" and (job.done, job.refused) == (3, 0)
    decision = RecognitionDecision.objects.get()
    assert job.decision == decision and decision.number == "301/QĐ-UBND" and decision.file_name == "quyet-dinh-301.pdf"
    assert decision.file.read() == PDF
    assert set(decision.evaluations.values_list("pk", flat=True)) == {e.pk for e in chosen}
    assert set(Evaluation.objects.filter(pk__in=[other_year.pk, other_kind.pk]).values_list("status", flat=True)) == {
        "reviewed"
    }
    assert not job.file  # the scan now belongs to the decision

    status_page = client.get(status_url)
    assert status_page.status_code == 200
    assert 'data-bulk-status="done"' in status_page.content.decode()
    # Only the officer who asked follows the job.
    client.force_login(officer)
    assert client.get(status_url).status_code == 404


def test_a_small_selection_is_still_decided_at_once(client, settings, areas, reviewer):
    settings.BULK_ACTION_BACKGROUND_ROWS = 2
    officer = make_officer(roles.COMMUNE_OFFICER, areas["commune_a"], username="can-bo-ngay")
    family_set = make_criteria_set(code="gdht-ngay")
    chosen = [reviewed(FamilyFactory(area=areas["village_a1"]), family_set, 2026, officer, reviewer) for _ in range(2)]
    client.force_login(reviewer)
    query = "&".join(f"id={e.pk}" for e in chosen)
    assert client.post(f"{ADDRESS}?{query}&next=/admin/", decision_post(areas)).status_code == 302
    assert not BulkDecisionJob.objects.exists()
    assert set(Evaluation.objects.values_list("status", flat=True)) == {"recognised"}


def test_a_job_whose_worker_died_is_reported_interrupted(settings, areas, reviewer):
    job = BulkDecisionJob.objects.create(action="recognise", evaluation_ids=[1], selected=1, created_by=reviewer)
    assert decision_job_refresh_status(job).status == "queued"  # just asked: the worker may come
    long_ago = timezone.now() - datetime.timedelta(minutes=settings.BULK_ACTION_STALE_MINUTES + 1)
    BulkDecisionJob.objects.filter(pk=job.pk).update(status="running", started_at=long_ago)
    job = decision_job_refresh_status(BulkDecisionJob.objects.get(pk=job.pk))
    assert job.status == "interrupted"
    assert "không đánh giá nào bị thay đổi" in job.message


def test_the_worker_checks_the_selection_again(client, settings, areas, reviewer, django_capture_on_commit_callbacks):
    """What changed while the job waited is left unchanged and named: returned to draft, or moved away."""
    settings.BULK_ACTION_BACKGROUND_ROWS = 2
    officer = make_officer(roles.COMMUNE_OFFICER, areas["commune_a"], username="can-bo-lai")
    family_set = make_criteria_set(code="gdht-lai")
    kept, returned, moved = (
        reviewed(FamilyFactory(area=areas["village_a1"]), family_set, 2026, officer, reviewer) for _ in range(3)
    )
    client.force_login(reviewer)
    query = "&".join(f"id={e.pk}" for e in (kept, returned, moved))
    with django_capture_on_commit_callbacks() as queued:
        client.post(f"{ADDRESS}?{query}&next=/admin/", decision_post(areas))
    Evaluation.objects.filter(pk=returned.pk).update(status="draft")
    Evaluation.objects.filter(pk=moved.pk).update(area=areas["village_b1"])
    for callback in queued:
        callback()
    job = BulkDecisionJob.objects.get()
    assert job.status == "done" and (job.done, job.refused) == (1, 2)
    assert "2 đánh giá được giữ nguyên" in job.message and "không còn thuộc địa bàn của bạn" in job.message
    assert list(RecognitionDecision.objects.get().evaluations.all()) == [kept]
