"""Applying from the screen as a run: in the background when large, with progress, one at a time, and
failures and interrupted workers shown with the way to start again."""

import datetime
from io import StringIO

from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

import pytest

from evaluations.models import Subject
from evaluations.public_version import bump_after_commit
from evaluations.roles import COMMUNE_OFFICER, PROVINCIAL_OFFICER
from reorganisation.models import (
    ApplyPhase,
    Reorganisation,
    ReorganisationRun,
    ReorganisationStatus,
    ReviewItem,
    RunStatus,
    SubjectMove,
)
from reorganisation.runs import ProgressFile
from reorganisation.services import reorganisation_create_official
from tests.factories import make_officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(world):
    return make_officer(PROVINCIAL_OFFICER, world["old_province"], world["new_province"], username="tinh")


@pytest.fixture
def reorg(world):
    return reorganisation_create_official()


def preview_url(reorg):
    return reverse("reorganisation:preview", args=[reorg.pk])


def run_url(run):
    return reverse("reorganisation:run", args=[run.reorganisation_id, run.pk])


@override_settings(REORGANISATION_INLINE_MAX_SUBJECTS=5)
def test_a_large_reorganisation_is_applied_by_the_worker_and_shows_the_outcome(
    client, world, officer, reorg, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    preview = client.get(preview_url(reorg)).content.decode()
    assert "Sắp xếp này lớn: việc áp dụng chạy nền" in preview

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(preview_url(reorg), {"confirm": "1"})
    # Queued once, run by the (immediate, in tests) background backend; the other callback drops the cached
    # public pages.
    assert len([c for c in callbacks if c is not bump_after_commit]) == 1
    run = ReorganisationRun.objects.get()
    assert response.url == run_url(run)
    assert run.in_background and run.task_id and run.size == 10  # active subjects in the old communes
    assert run.status == RunStatus.DONE and run.changed

    page = client.get(run_url(run)).content.decode()
    assert 'data-run-status="done"' in page and "Chạy nền" in page
    assert "<td>Số đối tượng chuyển</td><td>11</td>" in page
    assert "<td>Số đối tượng cần rà soát</td><td>6</td>" in page
    assert 'http-equiv="refresh"' not in page  # finished: it no longer refreshes
    assert Subject.objects.get(pk=world["families"]["kp1"][0].pk).area.get_parent().name == "Phường Đông Hải"
    assert Reorganisation.objects.get().status == ReorganisationStatus.APPLIED


@override_settings(REORGANISATION_INLINE_MAX_SUBJECTS=5)
def test_a_second_click_while_queued_does_not_queue_twice(client, officer, reorg, django_capture_on_commit_callbacks):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = client.post(preview_url(reorg), {"confirm": "1"})
        second = client.post(preview_url(reorg), {"confirm": "1"}, follow=True)
    assert len([c for c in callbacks if c is not bump_after_commit]) == 1
    run = ReorganisationRun.objects.get()
    assert run.status == RunStatus.QUEUED
    assert first.url == second.redirect_chain[-1][0] == run_url(run)
    body = second.content.decode()
    assert "đang được áp dụng: không bắt đầu thêm lần nào" in body
    assert "Đang chờ tiến trình chạy nền bắt đầu" in body and 'http-equiv="refresh"' in body
    # The preview offers no second apply meanwhile, only the way to the progress.
    preview = client.get(preview_url(reorg)).content.decode()
    assert f'data-run-in-progress="{run.pk}"' in preview and 'name="confirm"' not in preview
    # The command refuses too.
    with pytest.raises(CommandError, match="đang được áp dụng"):
        call_command("apply_reorganisation", stdout=StringIO())
    assert ReorganisationRun.objects.count() == 1 and not SubjectMove.objects.exists()


def test_the_run_page_shows_the_phase_and_counts_while_it_works(client, officer, reorg):
    run = ReorganisationRun.objects.create(
        reorganisation=reorg, status=RunStatus.RUNNING, in_background=True, started_at=timezone.now()
    )
    ProgressFile(run)(ApplyPhase.SUBJECTS, 500, 1200)
    client.force_login(officer)
    page = client.get(run_url(run)).content.decode()
    assert 'data-run-status="running"' in page and 'http-equiv="refresh"' in page
    assert "Chuyển đối tượng: 500/1200 (42%)" in page
    assert '<progress max="100" value="42">' in page
    assert 'aria-current="step"><strong>Chuyển đối tượng</strong>' in page
    assert "đang áp dụng" in client.get(reverse("reorganisation:index")).content.decode()


@override_settings(REORGANISATION_INLINE_MAX_SUBJECTS=5)
def test_a_failed_apply_shows_the_error_and_changes_nothing(
    client, world, officer, reorg, monkeypatch, django_capture_on_commit_callbacks
):
    def disk_full(*args, **kwargs):
        raise DatabaseError("disk full")

    # Fails after the subjects have moved inside the transaction: all of it must roll back.
    monkeypatch.setattr(ReviewItem.objects, "bulk_create", disk_full)
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(preview_url(reorg), {"confirm": "1"})
    run = ReorganisationRun.objects.get()
    assert run.status == RunStatus.FAILED
    body = client.get(run_url(run)).content.decode()
    assert 'data-run-status="failed"' in body and "Thất bại" in body
    assert "Áp dụng thất bại, không có gì thay đổi: disk full" in body
    assert "Bắt đầu lại: xem lại bản xem trước và xác nhận" in body
    assert Subject.objects.get(pk=world["families"]["kp1"][0].pk).area == world["villages"]["kp1"]
    assert not SubjectMove.objects.exists()
    assert Reorganisation.objects.get().status == ReorganisationStatus.DRAFT

    # Starting again: the preview says what happened and offers the confirmation again.
    monkeypatch.undo()
    preview = client.get(preview_url(reorg)).content.decode()
    assert 'data-last-run="failed"' in preview and 'name="confirm"' in preview
    with django_capture_on_commit_callbacks(execute=True):
        client.post(preview_url(reorg), {"confirm": "1"})
    assert ReorganisationRun.objects.filter(status=RunStatus.DONE).count() == 1


def test_a_run_whose_worker_died_is_shown_interrupted_and_can_start_again(client, officer, reorg, settings):
    settings.REORGANISATION_STALE_MINUTES = 15
    long_ago = timezone.now() - datetime.timedelta(minutes=20)
    run = ReorganisationRun.objects.create(reorganisation=reorg, status=RunStatus.RUNNING, in_background=True)
    ReorganisationRun.objects.filter(pk=run.pk).update(created_at=long_ago, started_at=long_ago)
    client.force_login(officer)
    page = client.get(run_url(run)).content.decode()
    run.refresh_from_db()
    assert run.status == RunStatus.INTERRUPTED
    assert 'data-run-status="interrupted"' in page and "bị gián đoạn" in page and "không có gì thay đổi" in page
    assert f'href="{preview_url(reorg)}">Bắt đầu lại' in page

    response = client.post(preview_url(reorg), {"confirm": "1"})
    again = ReorganisationRun.objects.exclude(pk=run.pk).get()
    assert response.url == run_url(again) and again.status == RunStatus.DONE


def test_a_run_still_reporting_progress_is_not_interrupted(client, officer, reorg, settings):
    settings.REORGANISATION_STALE_MINUTES = 15
    long_ago = timezone.now() - datetime.timedelta(minutes=20)
    run = ReorganisationRun.objects.create(reorganisation=reorg, status=RunStatus.RUNNING)
    ReorganisationRun.objects.filter(pk=run.pk).update(created_at=long_ago, started_at=long_ago)
    ProgressFile(run)(ApplyPhase.PLAN, 0, 0)  # just now
    client.force_login(officer)
    client.get(run_url(run))
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING


def test_only_officers_reaching_every_old_unit_see_a_run(client, world, officer, reorg):
    client.force_login(officer)
    client.post(preview_url(reorg), {"confirm": "1"})
    run = ReorganisationRun.objects.get()
    home = reverse("wagtailadmin_home")
    client.force_login(make_officer(PROVINCIAL_OFFICER, world["dong_hai"], username="tinh-mot-phan"))
    assert client.get(run_url(run)).url == home
    client.force_login(make_officer(COMMUNE_OFFICER, world["old_province"], username="xa"))
    assert client.get(run_url(run)).url == home
    # A run belongs to its reorganisation's URL only.
    client.force_login(officer)
    other = Reorganisation.objects.create(name="Khác", effective_date=datetime.date(2027, 1, 1), source="manual")
    assert client.get(reverse("reorganisation:run", args=[other.pk, run.pk])).status_code == 404


def test_the_command_prints_progress_and_records_the_run(world, reorg):
    out = StringIO()
    call_command("apply_reorganisation", stdout=out)
    text = out.getvalue()
    assert "Tính những gì thay đổi…" in text
    assert "Kết thúc đơn vị cũ và lập lại thôn: 5 / 5 (100%)" in text
    assert "Chuyển đối tượng: 0 / 11 (0%)" in text and "Chuyển đối tượng: 11 / 11 (100%)" in text
    assert text.index("Chuyển đối tượng: 11 / 11") < text.index("Đã áp dụng")
    run = ReorganisationRun.objects.get()
    assert (run.status, run.in_background, run.counts["subjects_moved"]) == (RunStatus.DONE, False, 11)
