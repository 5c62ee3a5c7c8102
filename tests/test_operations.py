"""Production operations: logs on stderr carrying request ids, and a cache shared by the processes of a deployment.

The logging tests use the configuration the suite runs with (settings.LOGGING, the same as production's): the
records reach the real stderr handler, which writes to whatever sys.stderr is, here pytest's capsys.
"""

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse, HttpResponseForbidden
from django.test import Client
from django.urls import path

import pytest
from django_tasks import task

from config.logs import StderrHandler
from config.settings.base import cache_config

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger("tests.operations")


def logging_view(request):
    log.warning("searched for %s", request.POST.get("q", ""))
    return HttpResponse("ok")


def failing_view(request):
    raise RuntimeError("the import file vanished")


def refusing_view(request):
    return HttpResponseForbidden("no")


urlpatterns = [path("logs/", logging_view), path("boom/", failing_view), path("refused/", refusing_view)]
uses_test_views = pytest.mark.urls(__name__)


@task()
def logging_task():
    log.info("importing in the background")


def lines_with(text: str, output: str) -> list[str]:
    return [line for line in output.splitlines() if text in line]


# --- request ids ---------------------------------------------------------------------------------------------------


@uses_test_views
@pytest.mark.parametrize("given", ["abc-123", "nginx.4f2a_B9", "0f" * 32])
def test_a_sane_request_id_is_echoed_back(client, given):
    response = client.get("/logs/", headers={"X-Request-ID": given})
    assert response.status_code == 200
    assert response["X-Request-ID"] == given


@uses_test_views
@pytest.mark.parametrize(
    "hostile",
    ["x" * 65, "x" * 200, "abc\n", "abc\n2026-12-01 ERROR forged line", "a b", "id;rm -rf", "mã-số", ""],
    ids=["65 chars", "200 chars", "trailing newline", "newline", "space", "semicolon", "not ascii", "empty"],
)
def test_a_hostile_request_id_is_replaced(client, hostile):
    response = client.get("/logs/", headers={"X-Request-ID": hostile})
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


@uses_test_views
def test_without_a_request_id_each_request_gets_its_own(client):
    first, second = client.get("/logs/")["X-Request-ID"], client.get("/logs/")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


# --- logs ----------------------------------------------------------------------------------------------------------


def test_the_configured_handler_writes_to_stderr():
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, StderrHandler)]
    assert len(handlers) == 1
    assert handlers[0].stream is sys.stderr


@uses_test_views
def test_a_record_logged_during_a_request_carries_its_id_on_one_line(client, capsys):
    log.warning("before any request")
    # Posted: a line break in a query string is refused before any view (config/hostile_params.py).
    client.post("/logs/", {"q": "Nguyễn\nINFO forged"}, headers={"X-Request-ID": "req-42"})
    log.warning("after the request")
    err = capsys.readouterr().err

    [line] = lines_with("searched for", err)
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} WARNING \[req-42\] tests\.operations pid=\d+: ", line)
    # The newline from the form stays inside the record: no line of its own.
    assert line.endswith("searched for Nguyễn\\nINFO forged")
    assert not lines_with("INFO forged", err.replace(line, ""))
    # Outside a request: "-".
    assert "WARNING [-] tests.operations" in lines_with("before any request", err)[0]
    assert "WARNING [-] tests.operations" in lines_with("after the request", err)[0]


@uses_test_views
def test_an_error_in_a_view_is_logged_to_stderr_with_its_traceback(capsys):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/", headers={"X-Request-ID": "req-500"})
    assert response.status_code == 500
    assert response["X-Request-ID"] == "req-500"
    err = capsys.readouterr().err

    [line] = lines_with("Internal Server Error: /boom/", err)
    assert " ERROR [req-500] django.request pid=" in line
    # The traceback is on the record's line, its line breaks written as \n.
    assert "\\nTraceback (most recent call last):\\n" in line
    assert "in failing_view" in line
    assert line.endswith("RuntimeError: the import file vanished")
    assert len(lines_with("the import file vanished", err)) == 1


@uses_test_views
def test_a_refusal_logged_by_django_after_the_middleware_carries_the_id(client, capsys):
    # Django logs a 4xx (or a returned 500) once the middleware chain has returned.
    assert client.get("/refused/", headers={"X-Request-ID": "req-403"}).status_code == 403
    [line] = lines_with("Forbidden: /refused/", capsys.readouterr().err)
    assert " WARNING [req-403] django.request pid=" in line


def test_a_background_task_logs_with_its_task_id(capsys):
    result = logging_task.enqueue()
    log.info("after the task")
    err = capsys.readouterr().err
    [line] = lines_with("importing in the background", err)
    assert f" INFO [task-{result.id}] tests.operations " in line
    assert "INFO [-] tests.operations" in lines_with("after the task", err)[0]


def test_the_task_worker_logs_through_the_same_handler():
    # db_worker adds its own stdout handler only when nothing would show its records; the root's
    # stderr handler does, so the worker's records have the same format and ids as the web's.
    from django_tasks_db.management.commands.db_worker import Command

    loggers = [logging.getLogger("django_tasks"), logging.getLogger("django_tasks_db")]
    levels = [logger.level for logger in loggers]
    try:
        Command().configure_logging(verbosity=1)
        for logger in loggers:
            assert logger.handlers == []
            assert logger.propagate
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


# --- the cache -----------------------------------------------------------------------------------------------------


def test_cache_urls():
    db = cache_config("db://")["default"]
    assert db["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert db["LOCATION"] == "django_cache"
    assert db["OPTIONS"] == {"MAX_ENTRIES": 10_000}
    named = cache_config("db://site_cache?max_entries=500&cull_frequency=4&timeout=60")["default"]
    assert (named["LOCATION"], named["TIMEOUT"]) == ("site_cache", 60)
    assert named["OPTIONS"] == {"MAX_ENTRIES": 500, "CULL_FREQUENCY": 4}
    files = cache_config("file:///srv/khuyenhoc/cache")["default"]
    assert files["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert files["LOCATION"] == "/srv/khuyenhoc/cache"
    assert cache_config("file://")["default"]["LOCATION"].endswith(os.path.join("var", "cache"))
    assert cache_config("locmem://")["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    for wrong in ("redis://127.0.0.1:6379/0", "memcached://x", "file://relative/folder", "db://?max_entries=many"):
        with pytest.raises(ImproperlyConfigured):
            cache_config(wrong)


TAKE_LOCK = """
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
if "{who}" == "first":
    call_command("createcachetable")  # a deployment step; nothing to do for the file cache
print(settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1], cache.add("import-lock:56", "{who}", 60),
      cache.get("import-lock:56"))
"""


@pytest.mark.parametrize(
    ("cache_url", "backend"), [(None, "DatabaseCache"), ("file://{tmp}/cache", "FileBasedCache")], ids=["db", "file"]
)
def test_a_lock_taken_in_one_process_holds_in_another(tmp_path, cache_url, backend):
    # Two web workers of a deployment: separate processes with production settings on one database.
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "CACHE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "khuyenhoc.example.vn",
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
    }
    if cache_url:
        env["CACHE_URL"] = cache_url.format(tmp=tmp_path)

    def worker(who: str) -> str:
        result = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "shell", "-c", TAKE_LOCK.format(who=who)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout.strip().splitlines()[-1]

    assert worker("first") == f"{backend} True first"
    assert worker("second") == f"{backend} False first"
