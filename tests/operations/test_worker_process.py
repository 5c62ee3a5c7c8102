"""``run_worker`` as a real process on a file SQLite database: it survives a locked database, and an export
whose worker is killed (kill -9) mid-way is found interrupted, leaves no partial file, and can be restarted."""

import datetime
import io
import sqlite3
import time
from pathlib import Path

import openpyxl

from reports import exports
from tests.factories import FamilyFactory

DATABASE_QUEUE = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "background": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}
#: SQLite's busy timeout in the project's settings: a lock held longer makes the worker's query fail.
BUSY_TIMEOUT = 20


def _stamp(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")  # how Django stores a UTC datetime in SQLite


def test_the_worker_waits_out_a_locked_database_and_keeps_beating(worker_site):
    worker_site.copy_database()
    worker = worker_site.start_worker("--heartbeat", "0.5")
    worker_site.wait_for("SELECT 1 FROM operations_workerheartbeat WHERE stopped_at IS NULL", process=worker)

    # Another process holds the write lock longer than the busy timeout (a long index rebuild did).
    lock = sqlite3.connect(worker_site.db_path, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    time.sleep(BUSY_TIMEOUT + 5)
    released = datetime.datetime.now(datetime.UTC)
    lock.execute("COMMIT")
    lock.close()

    assert worker.poll() is None, Path(worker.log_path).read_text()
    # The worker beats again once the database is free, and says why it waited.
    worker_site.wait_for(
        "SELECT 1 FROM operations_workerheartbeat WHERE beat_at > ? AND stopped_at IS NULL",
        (_stamp(released),),
        process=worker,
    )
    log = Path(worker.log_path).read_text()
    assert "WARNING" in log and "database is locked" in log


RECOVER = """
from django.contrib.auth import get_user_model
from django.test import Client
client = Client()
client.force_login(get_user_model().objects.get(pk={user}))
page = client.get("/admin/reports/exports/{job}/").content.decode()
print("INTERRUPTED" if "Bị gián đoạn" in page else "NOT INTERRUPTED")
print(client.post("/admin/reports/exports/{job}/restart/").status_code)
"""


def test_an_export_whose_worker_is_killed_is_interrupted_and_restarted(worker_site, settings, superuser, areas):
    families = 3000  # enough for the export to take a while, so the worker is killed in the middle of it
    FamilyFactory.create_batch(families, area=areas["village_a1"])
    settings.TASKS = DATABASE_QUEUE
    job = exports.export_job_start(user=superuser, listing="subjects", file_format="xlsx", params={"kind": "family"})
    assert job.status == "queued" and job.task_id
    worker_site.copy_database()

    worker = worker_site.start_worker()
    worker_site.wait_for("SELECT 1 FROM reports_exportjob WHERE id = ? AND status = 'running'", (job.pk,))
    worker.kill()  # SIGKILL: no cleanup of any kind
    worker.wait(timeout=30)

    folder = worker_site.private / "exports"
    assert worker_site.query("SELECT status FROM reports_exportjob WHERE id = ?", (job.pk,)) == [("running",)]
    assert not list(folder.glob(f"subjects-{job.pk}-*")), "a file under its final name before it was complete"

    # The user opens the export: nothing has beaten for EXPORT_STALE_MINUTES (0 here), so it is interrupted;
    # what the killed worker left is removed; "Start again" queues it anew.
    output = worker_site.manage(
        "shell", "-c", RECOVER.format(user=superuser.pk, job=job.pk), EXPORT_STALE_MINUTES="0"
    ).split()
    assert output[-2:] == ["INTERRUPTED", "302"]
    assert not list(folder.glob(f".job-{job.pk}.*")), "the killed export's partial files are still there"

    finisher = worker_site.start_worker("--batch")
    assert finisher.wait(timeout=300) == 0, Path(finisher.log_path).read_text()
    [(status, file_name, done)] = worker_site.query(
        "SELECT status, file_name, done_rows FROM reports_exportjob WHERE id = ?", (job.pk,)
    )
    assert (status, done) == ("done", families)
    assert sorted(p.name for p in folder.iterdir()) == [file_name]
    sheet = openpyxl.load_workbook(io.BytesIO((folder / file_name).read_bytes())).active
    assert sheet.max_row == 1 + families
