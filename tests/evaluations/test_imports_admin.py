"""The import screens through real requests: upload -> preview -> confirm -> counts, errors, access."""

from __future__ import annotations

import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import openpyxl
import pytest

from evaluations.models import AreaAssignment, ImportJob, ImportStatus, LearningFamily
from tests.evaluations.test_imports import families_file
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def upload(client, data: bytes, name: str = "ds.xlsx", **fields):
    return client.post(
        reverse("evaluations_imports:start"),
        {"kind": "family", "file": SimpleUploadedFile(name, data), **fields},
    )


def test_upload_preview_confirm_and_counts(admin_client, areas):
    data = families_file(
        [
            ["Xã Phước Hải", "Thôn Từ Thiện", "Nguyễn Văn An", "Ông", 4, "H1"],
            ["Xã Phước Hải", "Thôn Từ Thiện", "Trần Văn Bình", "Ông", 0, "H2"],
        ]
    )
    response = upload(admin_client, data)
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.VALIDATED
    preview = admin_client.get(response["Location"])
    html = preview.content.decode()
    assert 'data-count="created">1<' in html and 'data-count="rejected">1<' in html
    assert "E (Số nhân khẩu)" in html
    assert LearningFamily.objects.count() == 0  # nothing written before confirming

    confirmed = admin_client.post(response["Location"], follow=True)
    assert confirmed.status_code == 200
    job.refresh_from_db()
    assert (job.status, job.created, job.rejected) == (ImportStatus.DONE, 1, 1)
    assert LearningFamily.objects.get().head_name == "Nguyễn Văn An"

    errors = admin_client.get(reverse("evaluations_imports:errors", args=[job.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(errors.streaming_content))).active
    assert sheet["C2"].value == "Trần Văn Bình"
    assert "Số nhân khẩu" in sheet["H2"].value

    listing = admin_client.get(reverse("evaluations_imports:list"))
    assert "ds.xlsx" in listing.content.decode()


def test_a_refused_file_is_reported_on_the_job(admin_client, areas):
    response = upload(admin_client, b"PK\x03\x04 not really", "macro.xlsm")
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED
    assert "macro" in admin_client.get(response["Location"]).content.decode().lower()


def test_large_files_run_in_the_background_task(admin_client, areas, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_INLINE_MAX_ROWS = 1
    settings.IMPORT_INLINE_MAX_BYTES = 10
    rows = [["Xã Phước Hải", "Thôn Từ Thiện", f"Nguyễn Văn {n}", "Ông", 4, f"H{n}"] for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(admin_client, families_file(rows))
    assert ImportJob.objects.get().status == ImportStatus.VALIDATED  # checked by the preview task
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(response["Location"])
    job = ImportJob.objects.get()
    assert (job.status, job.created, job.progress_done, job.progress_total) == (ImportStatus.DONE, 3, 3, 3)


def test_the_template_downloads(admin_client, areas):
    response = admin_client.get(
        reverse("evaluations_imports:template"), {"kind": "family", "commune": areas["commune_a"].pk}
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert "Hướng dẫn" in book.sheetnames


def test_an_officer_sees_only_their_communes_and_their_jobs(client, areas):
    officer = UserFactory(username="officer-a", is_staff=True, is_superuser=False)
    from django.contrib.auth.models import Permission

    officer.user_permissions.add(
        Permission.objects.get(codename="access_admin"), Permission.objects.get(codename="add_learningfamily")
    )
    AreaAssignment.objects.create(user=officer, area=areas["commune_a"])
    client.force_login(officer)
    page = client.get(reverse("evaluations_imports:start")).content.decode()
    assert "Xã Phước Hải" in page and "Xã Phước Hữu" not in page
    # Their one commune is chosen already.
    assert re.search(rf'<option value="{areas["commune_a"].pk}"[^>]*selected', page)
    data = families_file([["Xã Phước Hữu", "Thôn Hữu Đức", "Trần Văn Bình", "Ông", 4, ""]])
    response = upload(client, data)
    job = ImportJob.objects.get()
    assert job.rejected == 1 and job.created == 0
    client.post(response["Location"])
    assert not LearningFamily.objects.exists()

    other = UserFactory(username="admin2", is_superuser=True, is_staff=True)
    someone_else = ImportJob.objects.create(kind="family", original_name="x.xlsx", created_by=other)
    assert client.get(reverse("evaluations_imports:detail", args=[someone_else.pk])).status_code == 404
    # Choosing a commune outside the area is refused by the form.
    response = upload(client, data, commune=areas["commune_b"].pk)
    assert response.status_code == 200 and ImportJob.objects.count() == 2


def test_without_the_permission_the_screens_are_refused(client, areas):
    user = UserFactory(username="reader", is_staff=True)
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    response = client.get(reverse("evaluations_imports:start"))
    # Wagtail answers PermissionDenied in the admin with a redirect to the dashboard and a message.
    assert response.status_code in (302, 403)
    assert response.get("Location", "") != reverse("evaluations_imports:start")


def test_results_import_and_its_template_through_the_admin(admin_client, areas):
    from evaluations.models import Evaluation
    from tests.evaluations.test_imports import results_file
    from tests.factories import FamilyFactory, make_criteria_set

    make_criteria_set(code="gdht-test")
    FamilyFactory(head_name="Nguyễn Văn An", area=areas["village_a1"])
    template = admin_client.get(reverse("evaluations_imports:template"), {"kind": "result"})
    assert "Hướng dẫn" in openpyxl.load_workbook(io.BytesIO(template.content)).sheetnames
    data = results_file(
        [["Gia đình", 2024, "gdht-test", "Phước Hải", "Từ Thiện", "Nguyễn Văn An", 10, 10, 10, 15, 15, 20, 5, 85]]
    )
    response = admin_client.post(
        reverse("evaluations_imports:start"), {"kind": "result", "file": SimpleUploadedFile("kq.xlsx", data)}
    )
    admin_client.post(response["Location"])
    assert Evaluation.objects.get().grade == "Tốt"


def stuck_job(admin_client, status, *, minutes_ago: int, task_id: str = ""):
    """A job left ``status`` by a worker that died ``minutes_ago`` (the transaction rolled back)."""
    from datetime import timedelta

    from django.utils import timezone

    upload(admin_client, families_file([["Xã Phước Hải", "Thôn Từ Thiện", "Nguyễn Văn An", "Ông", 4, "H1"]]))
    job = ImportJob.objects.get()
    long_ago = timezone.now() - timedelta(minutes=minutes_ago)
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, started_at=long_ago, heartbeat_at=long_ago, created_at=long_ago, task_id=task_id
    )
    job.refresh_from_db()
    return job


def test_a_job_whose_worker_died_is_shown_interrupted_and_can_start_again(admin_client, areas, settings):
    from django.utils import translation

    settings.IMPORT_STALE_MINUTES = 15
    job = stuck_job(admin_client, ImportStatus.RUNNING, minutes_ago=20)
    url = reverse("evaluations_imports:detail", args=[job.pk])
    with translation.override("vi"):
        page = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.INTERRUPTED
    assert "gián đoạn" in job.message and "chưa ghi" in job.message  # Vietnamese, says nothing was written
    assert 'data-import-status="interrupted"' in page and 'name="action" value="restart"' in page
    assert LearningFamily.objects.count() == 0

    admin_client.post(url, {"action": "restart"})
    job.refresh_from_db()
    assert (job.status, job.message, job.created) == (ImportStatus.VALIDATED, "", 1)  # checked anew
    admin_client.post(url)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and LearningFamily.objects.count() == 1


def test_a_job_still_reporting_progress_is_not_interrupted(admin_client, areas, settings):
    from evaluations.imports import jobs

    settings.IMPORT_STALE_MINUTES = 15
    job = stuck_job(admin_client, ImportStatus.RUNNING, minutes_ago=5)
    admin_client.get(reverse("evaluations_imports:detail", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.RUNNING
    # Only an interrupted job starts again.
    admin_client.post(reverse("evaluations_imports:detail", args=[job.pk]), {"action": "restart"})
    job.refresh_from_db()
    assert job.status == ImportStatus.RUNNING
    with pytest.raises(ValueError):
        jobs.import_job_restart(job)


def test_the_task_result_tells_a_failed_or_waiting_worker(admin_client, areas, settings):
    from datetime import timedelta
    from unittest import mock

    from django_tasks.base import TaskResultStatus

    from evaluations.imports import jobs

    settings.IMPORT_STALE_MINUTES = 15
    failed = stuck_job(admin_client, ImportStatus.RUNNING, minutes_ago=1, task_id="t-1")
    with mock.patch.object(jobs, "background_task_status", return_value=TaskResultStatus.FAILED):
        assert jobs.import_job_interrupted(failed)  # failed at once, no need to wait for the timeout
        admin_client.get(reverse("evaluations_imports:list"))
    failed.refresh_from_db()
    assert failed.status == ImportStatus.INTERRUPTED

    ImportJob.objects.filter(pk=failed.pk).update(status=ImportStatus.QUEUED)
    failed.refresh_from_db()
    with mock.patch.object(jobs, "background_task_status", return_value=TaskResultStatus.READY):
        assert not jobs.import_job_interrupted(failed)  # still waiting in the queue, however long
    with mock.patch.object(jobs, "background_task_status", return_value=TaskResultStatus.RUNNING):
        assert not jobs.import_job_interrupted(failed)
        long_ago = failed.heartbeat_at - timedelta(minutes=20)
        ImportJob.objects.filter(pk=failed.pk).update(heartbeat_at=long_ago, started_at=long_ago, created_at=long_ago)
        failed.refresh_from_db()
        assert jobs.import_job_interrupted(failed)  # running, silent for 20 minutes

    ImportJob.objects.filter(pk=failed.pk).update(status=ImportStatus.DONE)
    failed.refresh_from_db()
    assert not jobs.import_job_interrupted(failed)


def test_background_jobs_keep_their_task_id_and_progress_is_a_heartbeat(
    admin_client, areas, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_INLINE_MAX_ROWS = 1
    settings.IMPORT_INLINE_MAX_BYTES = 10
    rows = [["Xã Phước Hải", "Thôn Từ Thiện", f"Nguyễn Văn {n}", "Ông", 4, f"H{n}"] for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        upload(admin_client, families_file(rows))
    job = ImportJob.objects.get()
    assert job.task_id and job.heartbeat_at is not None


def test_a_confirmed_job_waiting_for_its_task_is_not_taken_for_interrupted(
    admin_client, areas, settings, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from evaluations.imports import jobs

    settings.IMPORT_INLINE_MAX_ROWS = 0
    settings.IMPORT_STALE_MINUTES = 15
    upload(admin_client, families_file([["Xã Phước Hải", "Thôn Từ Thiện", "Nguyễn Văn An", "Ông", 4, "H1"]]))
    # Checked 20 minutes ago by a preview task that has finished.
    long_ago = timezone.now() - timedelta(minutes=20)
    ImportJob.objects.update(task_id="preview-task", heartbeat_at=long_ago, created_at=long_ago)
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=False):
        job = jobs.import_job_confirm(job)
    assert (job.status, job.task_id) == (ImportStatus.QUEUED, "")
    assert not jobs.import_job_interrupted(job)
