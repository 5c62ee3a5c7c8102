"""A bulk decision works in sets (rows read as values, revisions and log entries inserted in bulk, search rows
updated in place) and leaves exactly what one save at a time would: the same revision content, a history and
a compare view that read it, the search entries a rebuild gives; all of it or nothing, inline or in the
background, with the refused evaluations untouched."""

import datetime
import json
from decimal import Decimal
from unittest import mock
from urllib.parse import urlencode

from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils import timezone

from wagtail.models import ModelLogEntry, Revision

import pytest

from evaluations import roles
from evaluations.admin import evaluation_viewset
from evaluations.bulk_jobs import _progress_path, decision_job_refresh_status
from evaluations.models import BulkDecisionJob, Evaluation, RecognitionDecision, Score
from evaluations.services import evaluation_review, evaluation_submit, evaluations_decide, revisions, workflow
from operations.jobs import ProgressFile
from search import indexing
from search.backends import get_backend
from search.models import ObjectType, SearchEntry
from tests.factories import FamilyFactory, make_criteria_set, make_decision, make_officer, scored_evaluation

pytestmark = pytest.mark.django_db

#: How the history names a recognition (``evaluations.log_actions``), in Vietnamese.
RECOGNISED_BY_A_DECISION = "Được công nhận theo quyết định"
BULK = reverse("wagtail_bulk_action", args=["evaluations", "evaluation", "recognise"])


class Interrupted(BaseException):
    """The worker stopped mid-write (a signal, a shutdown): not an error any code handles."""


@pytest.fixture
def reviewer(areas):
    return make_officer(roles.COMMUNE_REVIEWER, areas["commune_a"], username="tham-dinh-tap")


@pytest.fixture
def family_set(db):
    return make_criteria_set(code="gdht-tap")


@pytest.fixture
def small_batches(monkeypatch):
    """Rounds of two evaluations: a handful of rows exercise what thousands do (several rounds, one transaction)."""
    monkeypatch.setattr(workflow, "DECIDE_BATCH", 2)


def reviewed(subject, criteria_set, superuser, *, year=2025, points="9", note=""):
    evaluation = scored_evaluation(subject, criteria_set, year=year, points=points)
    if note:
        Evaluation.objects.filter(pk=evaluation.pk).update(note=note)
    evaluation_submit(evaluation=evaluation, user=superuser)
    evaluation_review(evaluation=evaluation, user=superuser)
    return Evaluation.objects.get(pk=evaluation.pk)


@pytest.fixture
def selection(areas, family_set, superuser):
    """Five reviewed evaluations in commune A, one of them noted, one of a subject already recognised in 2024."""
    evaluations = [reviewed(FamilyFactory(area=areas["village_a1"]), family_set, superuser) for _ in range(3)]
    evaluations.append(
        reviewed(FamilyFactory(area=areas["village_a2"]), family_set, superuser, note="Gia đình tiêu biểu “xã A”")
    )
    earlier = FamilyFactory(area=areas["village_a2"])
    old = reviewed(earlier, family_set, superuser, year=2024)
    evaluations_decide(
        evaluations=[old], decision=make_decision(areas["commune_a"], "1/QĐ-2024", 2024), user=superuser
    )
    evaluations.append(reviewed(earlier, family_set, superuser))
    return evaluations


def decision_post(areas):
    return {
        "number": "301/QĐ-UBND",
        "decision_date": "15/12/2025",
        "issuing_body": "UBND xã Phước Hải",
        "signatory": "Chủ tịch UBND xã Phước Hải",
        "area": areas["commune_a"].pk,
    }


def decide_through(path, client, areas, evaluations, settings, capture):
    """Recognise ``evaluations`` through the bulk action: at once, or by the background worker."""
    settings.BULK_ACTION_BACKGROUND_ROWS = 2 if path == "background" else 1000
    query = urlencode([("id", e.pk) for e in evaluations] + [("next", "/admin/")])
    with capture(execute=True):
        response = client.post(f"{BULK}?{query}", decision_post(areas))
    assert response.status_code == 302
    if path == "background":
        assert BulkDecisionJob.objects.get().status == "done"
    else:
        assert not BulkDecisionJob.objects.exists()


def wagtail_content(evaluation: Evaluation, previous_revision_id: int | None) -> dict:
    """What ``save_revision`` stores for ``evaluation`` as it is now: ``serializable_data()`` taken after the
    save and before the evaluation points at its new revision (the save's time: the row's ``updated_at``)."""
    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    evaluation.latest_revision_id = previous_revision_id
    with mock.patch("django.utils.timezone.now", return_value=evaluation.updated_at):
        data = evaluation.serializable_data()
    data["scores"].sort(key=lambda score: score["pk"])
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def subject_entries(subject_ids) -> list[tuple]:
    return sorted(
        SearchEntry.objects.filter(object_type=ObjectType.SUBJECT, object_id__in=subject_ids).values_list(
            "object_id", "title", "summary", "title_folded", "body_folded", "kind", "year", "area_path", "public"
        )
    )


def rebuilt_entries(subject_ids) -> list[tuple]:
    get_backend().rebuild(indexing.rebuild_batches(), lambda message: None)
    return subject_entries(subject_ids)


@pytest.mark.parametrize("path", ["inline", "background"])
def test_a_bulk_decision_leaves_what_one_save_at_a_time_would(
    path, client, areas, reviewer, superuser, selection, small_batches, settings, django_capture_on_commit_callbacks
):
    previous = {e.pk: e.latest_revision_id for e in selection}
    versions = {e.pk: e.version for e in selection}
    client.force_login(reviewer)
    decide_through(path, client, areas, selection, settings, django_capture_on_commit_callbacks)

    decision = RecognitionDecision.objects.get(number="301/QĐ-UBND")
    for evaluation in selection:
        stored = Evaluation.objects.get(pk=evaluation.pk)
        assert (stored.status, stored.decision, stored.version) == ("recognised", decision, versions[stored.pk] + 1)
        revision = stored.latest_revision
        assert revision.pk != previous[stored.pk]
        # Fields and child scores as Wagtail's own serialisation gives them, and the revision's bookkeeping.
        assert revision.content == wagtail_content(stored, previous[stored.pk])
        assert (revision.object_id, revision.object_str, revision.user) == (str(stored.pk), str(stored), reviewer)
        assert revision.created_at == stored.updated_at
        assert revision.base_content_object == stored
        restored = revision.as_object()
        assert restored.status == "recognised" and restored.note == stored.note
        assert sorted((s.indicator_id, s.points) for s in restored.scores.all()) == sorted(
            stored.scores.values_list("indicator_id", "points")
        )
        # One audit entry, as ``save_revision(log_action=...)`` writes it.
        entry = ModelLogEntry.objects.filter(object_id=str(stored.pk), revision=revision).get()
        assert (entry.action, entry.label, entry.user, entry.data) == (
            "evaluations.recognise",
            str(stored),
            reviewer,
            {"decision": "301/QĐ-UBND"},
        )
        assert entry.content_changed and entry.timestamp == stored.updated_at

    # The history lists it, the compare view reads both revisions, the inspect screen shows the decision.
    noted = Evaluation.objects.get(pk=selection[3].pk)
    history = client.get(reverse(evaluation_viewset.get_url_name("history"), args=[noted.pk]))
    assert history.status_code == 200
    assert RECOGNISED_BY_A_DECISION in history.content.decode()
    compare = client.get(
        reverse(
            evaluation_viewset.get_url_name("revisions_compare"),
            args=[noted.pk, previous[noted.pk], noted.latest_revision_id],
        )
    )
    assert compare.status_code == 200
    # Only the status changed, which is not one of the form's fields.
    assert "Hai phiên bản này không có gì khác nhau" in compare.content.decode()
    inspect = client.get(reverse(evaluation_viewset.get_url_name("inspect"), args=[noted.pk]))
    assert inspect.status_code == 200 and "301/QĐ-UBND" in inspect.content.decode()
    # A decided evaluation is not reverted (only a draft changes): the revert screen sends to the inspect one.
    client.force_login(superuser)
    revert = client.get(
        reverse(evaluation_viewset.get_url_name("revisions_revert"), args=[noted.pk, noted.latest_revision_id])
    )
    assert revert.status_code == 302
    assert revert.url == reverse(evaluation_viewset.get_url_name("inspect"), args=[noted.pk])


@pytest.mark.parametrize("path", ["inline", "background"])
def test_search_entries_after_a_bulk_decision_are_what_a_rebuild_gives(
    path, client, areas, reviewer, selection, small_batches, settings, django_capture_on_commit_callbacks
):
    subject_ids = [e.subject_id for e in selection]
    declined = selection[0].subject
    declined.publish_consent = False
    declined.save()
    before = subject_entries(subject_ids)
    assert sum(entry[-1] for entry in before) == 1  # only the subject recognised in 2024

    client.force_login(reviewer)
    decide_through(path, client, areas, selection, settings, django_capture_on_commit_callbacks)

    after = subject_entries(subject_ids)
    assert after == rebuilt_entries(subject_ids)
    assert {entry[0]: (entry[6], entry[8]) for entry in after} == {
        e.subject_id: (None, False) if e.subject_id == declined.pk else (2025, True) for e in selection
    }


def test_refused_evaluations_are_left_exactly_as_they_were(areas, reviewer, family_set, superuser, small_batches):
    decided = [reviewed(FamilyFactory(area=areas["village_a1"]), family_set, superuser) for _ in range(3)]
    draft = scored_evaluation(FamilyFactory(area=areas["village_a1"]), family_set)
    failing = reviewed(FamilyFactory(area=areas["village_a1"]), family_set, superuser, points="2")
    elsewhere = reviewed(FamilyFactory(area=areas["village_b1"]), family_set, superuser)
    refused = [draft, failing, elsewhere]
    before = {
        e.pk: (e.status, e.decision_id, e.latest_revision_id, e.version, e.updated_at, e.revisions.count())
        for e in refused
    }
    logs = {e.pk: ModelLogEntry.objects.filter(object_id=str(e.pk)).count() for e in refused}

    outcome = evaluations_decide(
        evaluations=[*decided, *refused], decision=make_decision(areas["commune_a"]), user=reviewer
    )

    assert outcome["done"] == sorted(e.pk for e in decided)
    reasons = dict(outcome["refused"])
    assert set(reasons) == {e.pk for e in refused}
    assert "đang ở trạng thái “Bản nháp”" in reasons[draft.pk]
    assert "không đạt tiêu chí" in reasons[failing.pk]
    assert reasons[elsewhere.pk] == "Đánh giá này nằm ngoài địa bàn của bạn."
    for evaluation in refused:
        evaluation.refresh_from_db()
        assert (
            evaluation.status,
            evaluation.decision_id,
            evaluation.latest_revision_id,
            evaluation.version,
            evaluation.updated_at,
            evaluation.revisions.count(),
        ) == before[evaluation.pk]
        assert ModelLogEntry.objects.filter(object_id=str(evaluation.pk)).count() == logs[evaluation.pk]


def state(selection) -> tuple:
    """Everything a decision writes: statuses and links, revisions, log entries, decisions, search rows."""
    return (
        sorted(
            Evaluation.objects.filter(pk__in=[e.pk for e in selection]).values_list(
                "pk", "status", "decision_id", "latest_revision_id", "version"
            )
        ),
        Revision.objects.count(),
        ModelLogEntry.objects.count(),
        RecognitionDecision.objects.count(),
        subject_entries([e.subject_id for e in selection]),
    )


def fail_on_second_call(real, error):
    """``real``, failing with ``error`` when called a second time (after one round was written)."""
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise error
        return real(*args, **kwargs)

    return failing


def test_an_error_part_way_through_writes_nothing(
    client, areas, reviewer, selection, small_batches, monkeypatch, settings, django_capture_on_commit_callbacks
):
    """The log rows of the second round fail: the first round's revisions, log rows and statuses, and the
    decision itself, are all rolled back."""
    before = state(selection)
    monkeypatch.setattr(revisions, "insert_rows", fail_on_second_call(revisions.insert_rows, RuntimeError("disk")))
    client.force_login(reviewer)
    with pytest.raises(RuntimeError, match="disk"):
        decide_through("inline", client, areas, selection, settings, django_capture_on_commit_callbacks)
    assert state(selection) == before
    assert not Evaluation.objects.filter(decision__number="301/QĐ-UBND").exists()


def test_a_background_decision_that_fails_part_way_writes_nothing_and_says_so(
    client, areas, reviewer, selection, small_batches, monkeypatch, settings, django_capture_on_commit_callbacks
):
    before = state(selection)
    monkeypatch.setattr(revisions, "insert_rows", fail_on_second_call(revisions.insert_rows, RuntimeError("disk")))
    client.force_login(reviewer)
    settings.BULK_ACTION_BACKGROUND_ROWS = 2
    query = urlencode([("id", e.pk) for e in selection] + [("next", "/admin/")])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{BULK}?{query}", decision_post(areas))
    job = BulkDecisionJob.objects.get()
    assert job.status == "failed" and (job.done, job.refused, job.decision) == (0, 0, None)
    assert "không đánh giá nào bị thay đổi" in job.message
    assert state(selection)[:3] == before[:3] and state(selection)[4] == before[4]
    assert RecognitionDecision.objects.count() == before[3]
    assert not _progress_path(job).exists()


def test_a_worker_stopped_while_updating_the_search_rows_writes_nothing(
    client, areas, reviewer, selection, small_batches, monkeypatch, settings, django_capture_on_commit_callbacks
):
    """Stopped in the last step (the search rows), after every revision and status was written: nothing of it
    stays, and the job is reported interrupted once its worker is found gone."""
    before = state(selection)
    monkeypatch.setattr(indexing, "_public_refresh", mock.Mock(side_effect=Interrupted))
    client.force_login(reviewer)
    settings.BULK_ACTION_BACKGROUND_ROWS = 2
    query = urlencode([("id", e.pk) for e in selection] + [("next", "/admin/")])
    with django_capture_on_commit_callbacks(execute=True):  # the task runner records the task as failed
        client.post(f"{BULK}?{query}", decision_post(areas))
    assert indexing._public_refresh.called
    assert state(selection)[:3] == before[:3] and state(selection)[4] == before[4]
    assert RecognitionDecision.objects.count() == before[3]

    job = BulkDecisionJob.objects.get()
    assert job.status == "running"
    long_ago = timezone.now() - datetime.timedelta(minutes=settings.BULK_ACTION_STALE_MINUTES + 1)
    BulkDecisionJob.objects.filter(pk=job.pk).update(started_at=long_ago)
    assert decision_job_refresh_status(BulkDecisionJob.objects.get(pk=job.pk)).status == "interrupted"


def test_progress_is_reported_per_round(areas, reviewer, selection, small_batches):
    reported = []
    evaluations_decide(
        evaluations=selection,
        decision=make_decision(areas["commune_a"]),
        user=reviewer,
        progress=lambda done, total: reported.append((done, total)),
    )
    assert reported == [(2, 5), (4, 5), (5, 5)]


def test_the_job_page_shows_how_far_a_running_job_has_got(client, reviewer):
    job = BulkDecisionJob.objects.create(
        action="recognise",
        evaluation_ids=list(range(1, 10_001)),
        selected=10_000,
        status="running",
        started_at=timezone.now(),
        decision_data={"number": "7/QĐ-UBND"},
        created_by=reviewer,
    )
    client.force_login(reviewer)
    address = reverse("evaluations_bulk_jobs:detail", args=[job.pk])
    page = client.get(address).content.decode()
    assert "data-bulk-progress" not in page and "Đang ghi quyết định cho 10000 đánh giá" in page

    ProgressFile(_progress_path(job))("decide", 4_000, 10_000)
    page = client.get(address).content.decode()
    assert 'data-bulk-progress="4000/10000"' in page
    assert "Đã xử lý 4000/10000 đánh giá (40%)" in page
    _progress_path(job).unlink()


def test_revision_content_written_by_the_database_equals_the_one_built_in_python(areas, family_set, superuser):
    """The child rows' JSON the database writes (``contents_json``) holds the values the Python path gives:
    decimals with their places, true/false/null, text with quotes, line breaks and Vietnamese letters."""
    evaluation = reviewed(FamilyFactory(area=areas["village_a1"]), family_set, superuser, points="9.5")
    scores = list(evaluation.scores.order_by("pk"))
    Score.objects.filter(pk=scores[0].pk).update(points=Decimal("10"), self_points=Decimal("0.5"), self_met=False)
    Score.objects.filter(pk=scores[1].pk).update(points=None, met=True, note='Biên bản "họp" thôn\nđã ký\\ \t')
    bare = reviewed(FamilyFactory(area=areas["village_a1"]), family_set, superuser)
    Score.objects.filter(evaluation=bare).delete()  # no child rows: an empty list
    builder = revisions.RevisionRows(Evaluation)
    rows = [list(r) for r in Evaluation.objects.filter(pk__in=[evaluation.pk, bare.pk]).values_list(*builder.columns)]
    now = timezone.now()
    from_database = [json.loads(text) for text in builder.contents_json(rows, now=now)]
    in_python = json.loads(json.dumps(builder.contents(rows, now=now), cls=DjangoJSONEncoder))
    assert from_database == in_python
    assert {s["pk"]: (s["points"], s["met"], s["self_points"], s["self_met"]) for s in in_python[0]["scores"]}[
        scores[0].pk
    ] == ("10.0", None, "0.5", False)
    assert in_python[1]["scores"] == []
