"""/health/ for monitoring and the admin's warning while the background worker is not running."""

import datetime
import subprocess
import sys

from django.urls import reverse
from django.utils import timezone

import pytest

from operations.models import WorkerHeartbeat
from reports import exports
from tests.operations.conftest import ROOT
from tests.operations.test_worker_process import DATABASE_QUEUE

WARNING = "Tiến trình chạy nền không hoạt động"


@pytest.fixture
def database_queue(db, settings):
    """Tasks wait in the database for a worker, as in production (the suite otherwise runs them at once)."""
    settings.TASKS = DATABASE_QUEUE
    settings.WORKER_STALE_SECONDS = 90


def beat(seconds_ago: float, **fields) -> WorkerHeartbeat:
    now = timezone.now()
    return WorkerHeartbeat.objects.create(
        worker_id=f"w{WorkerHeartbeat.objects.count()}",
        host="app1",
        pid=4242,
        backend="background",
        queues="default",
        started_at=now - datetime.timedelta(hours=1),
        beat_at=now - datetime.timedelta(seconds=seconds_ago),
        **fields,
    )


def queue_an_export(user):
    return exports.export_job_start(user=user, listing="evaluations", file_format="csv", params={})


def test_no_worker_and_nothing_waiting_is_reported_but_not_an_error(client, database_queue):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] is True
    assert body["worker"] == "absent" and body["worker_heartbeat_age_seconds"] is None
    assert body["queued_tasks"] == 0 and body["oldest_queued_age_seconds"] is None


def test_no_worker_while_a_job_waits_is_503(client, database_queue, superuser):
    queue_an_export(superuser)
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["worker"] == "absent"
    assert body["queued_tasks"] == 1 and body["oldest_queued_age_seconds"] >= 0
    assert client.head("/health/").status_code == 503


def test_a_fresh_heartbeat_is_ok_even_with_a_queue(client, database_queue, superuser):
    beat(3)
    queue_an_export(superuser)
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["worker"] == "alive"
    assert 2 <= body["worker_heartbeat_age_seconds"] < 60
    head = client.head("/health/")
    assert head.status_code == 200 and head.content == b""
    # Nothing private: ages and counts only, no host, process, user or file names.
    assert set(body) == {
        "status",
        "database",
        "worker",
        "worker_heartbeat_age_seconds",
        "queued_tasks",
        "oldest_queued_age_seconds",
    }
    assert "app1" not in response.content.decode()


def test_a_stale_or_stopped_worker_is_dead(client, database_queue, superuser):
    beat(600)
    beat(2, stopped_at=timezone.now())  # stopped gracefully: no longer takes tasks
    queue_an_export(superuser)
    body = client.get("/health/").json()
    assert body["worker"] == "stale" and 590 < body["worker_heartbeat_age_seconds"] < 700
    assert client.get("/health/").status_code == 503


def test_without_a_database_queue_no_worker_is_needed(client, db):
    body = client.get("/health/").json()
    assert (body["status"], body["worker"]) == ("ok", "not_required")


def test_an_unreachable_database_is_503(tmp_path):
    script = (
        "from django.test import Client; r = Client().get('/health/'); "
        "print(r.status_code, r.json()['database'], r.json()['status'])"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "SQLITE_PATH": str(tmp_path / "no-such-folder" / "db.sqlite3"),
            "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.stdout.split()[-3:] == ["503", "False", "error"], result.stdout + result.stderr


def test_the_admin_warns_while_the_worker_is_not_running(admin_client, database_queue):
    dashboard = reverse("wagtailadmin_home")
    assert WARNING in admin_client.get(dashboard).content.decode()
    assert WARNING in admin_client.get(reverse("reports:export_jobs")).content.decode()  # on every admin page
    beat(5)
    assert WARNING not in admin_client.get(dashboard).content.decode()


def test_no_warning_when_tasks_need_no_worker(admin_client):
    assert WARNING not in admin_client.get(reverse("wagtailadmin_home")).content.decode()


def test_the_public_site_shows_no_warning(client, database_queue, home):
    response = client.get(home.url)
    assert WARNING not in response.content.decode()
