"""Background exports that lose their worker: shown interrupted after EXPORT_STALE_MINUTES, their partial
files removed, started again from the export screen; a failing export leaves no file behind."""

import datetime
import io
import shutil

from django.urls import reverse
from django.utils import timezone

import openpyxl
import pytest

from reports import excel, exports
from reports.models import ExportJob, ExportStatus


@pytest.fixture(autouse=True)
def empty_export_folder():
    """The folder outlives the test's rows (whose ids the next test reuses): each test starts with it empty."""
    shutil.rmtree(exports.export_dir())
    yield
    shutil.rmtree(exports.export_dir())


@pytest.fixture
def stale_minutes(settings):
    settings.EXPORT_STALE_MINUTES = 15
    return 15


def killed_job(user, *, minutes_ago: float) -> ExportJob:
    """An export its worker was writing when it was killed: RUNNING, half done, its partial files left."""
    job = ExportJob.objects.create(
        user=user,
        listing="evaluations",
        file_format="xlsx",
        filters={},
        status=ExportStatus.RUNNING,
        total_rows=10,
        done_rows=5,
    )
    # Queued an hour ago, last progress ``minutes_ago``.
    last = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    ExportJob.objects.filter(pk=job.pk).update(created_at=last - datetime.timedelta(hours=1), heartbeat_at=last)
    job.refresh_from_db()
    exports.partial_path(job).write_bytes(b"PK\x03\x04 half a workbook")
    exports.work_dir(job).mkdir()
    (exports.work_dir(job) / "tmpsheet1").write_bytes(b"<row/>" * 100)
    return job


def leftovers(job):
    return sorted(p.name for p in exports.export_dir().iterdir() if f"-{job.pk}" in p.name)


def test_a_killed_export_is_shown_interrupted_cleaned_and_restarted(admin_client, superuser, dataset, stale_minutes):
    job = killed_job(superuser, minutes_ago=stale_minutes + 5)
    assert leftovers(job) == [f".job-{job.pk}.part", f".job-{job.pk}.tmp"]

    page = admin_client.get(reverse("reports:export_jobs")).content.decode()
    assert "Bị gián đoạn" in page and "Bắt đầu lại" in page
    job.refresh_from_db()
    assert job.status == ExportStatus.INTERRUPTED
    assert leftovers(job) == []  # the partial file and the writer's temporary files are gone

    response = admin_client.post(reverse("reports:export_job_restart", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.done_rows, job.error) == (ExportStatus.DONE, 10, "")
    assert leftovers(job) == [job.file_name]
    download = admin_client.get(reverse("reports:export_job_download", args=[job.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert sheet.max_row == 11

    # A second click does not start it again.
    admin_client.post(reverse("reports:export_job_restart", args=[job.pk]))
    assert ExportJob.objects.get(pk=job.pk).file_name == job.file_name


def test_an_export_still_beating_is_left_alone(admin_client, superuser, dataset, stale_minutes):
    job = killed_job(superuser, minutes_ago=stale_minutes - 5)
    page = admin_client.get(reverse("reports:export_job", args=[job.pk])).content.decode()
    assert "Bị gián đoạn" not in page and "Bắt đầu lại" not in page
    job.refresh_from_db()
    assert job.status == ExportStatus.RUNNING
    assert leftovers(job) == [f".job-{job.pk}.part", f".job-{job.pk}.tmp"]
    response = admin_client.post(reverse("reports:export_job_restart", args=[job.pk]))
    assert response.status_code == 302
    assert ExportJob.objects.get(pk=job.pk).status == ExportStatus.RUNNING  # not restarted while it runs


def test_another_users_export_cannot_be_restarted(client, superuser, dataset, stale_minutes):
    from tests.factories import UserFactory

    job = killed_job(superuser, minutes_ago=stale_minutes + 5)
    other = UserFactory(username="other", is_superuser=True)
    client.force_login(other)
    assert client.post(reverse("reports:export_job_restart", args=[job.pk])).status_code == 404
    assert ExportJob.objects.get(pk=job.pk).status == ExportStatus.RUNNING


def test_a_failing_export_leaves_no_file(admin_client, dataset, settings, monkeypatch):
    """The disk fills up half-way: the job fails with the error, no file under any name is left."""
    settings.REPORTS_EXPORT_BACKGROUND_ROWS = 2
    real_writer = excel.write_listing_xlsx

    def disk_full_after_three_rows(listing, rows, output, progress=None, every=5000, tmpdir=None):
        def report(done):
            if done >= 3:
                raise OSError(28, "No space left on device")

        return real_writer(listing, rows, output, progress=report, every=1, tmpdir=tmpdir)

    monkeypatch.setattr(excel, "write_listing_xlsx", disk_full_after_three_rows)
    admin_client.get(reverse("reports:export", args=["evaluations"]), {"format": "xlsx"})
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.FAILED and "No space left" in job.error
    assert leftovers(job) == []
    page = admin_client.get(reverse("reports:export_job", args=[job.pk])).content.decode()
    assert "Bắt đầu lại" in page  # a failed export can be started again too
