"""Real worker processes on a file copy of the test database."""

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


class WorkerSite:
    """A file copy of the test database, private files in a temporary folder, and processes run on them."""

    def __init__(self, tmp_path: Path):
        self.tmp = tmp_path
        self.db_path = tmp_path / "db.sqlite3"
        self.private = tmp_path / "private"
        self.processes: list[subprocess.Popen] = []

    def copy_database(self) -> None:
        """The test database as it is now (schema, migrations' rows, the test's rows) into the file."""
        connection.ensure_connection()
        target = sqlite3.connect(self.db_path)
        connection.connection.backup(target)
        target.close()

    def env(self, **extra) -> dict:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
        return env | {
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "SQLITE_PATH": str(self.db_path),
            "PRIVATE_MEDIA_ROOT": str(self.private),
            "MEDIA_ROOT": str(self.tmp / "media"),
            "PYTHONUNBUFFERED": "1",
            **extra,
        }

    def start_worker(self, *args: str, **env) -> subprocess.Popen:
        log = (self.tmp / f"worker-{len(self.processes)}.log").open("w")
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "run_worker", "--no-startup-delay", "--interval", "0.2", *args],
            cwd=ROOT,
            env=self.env(**env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        process.log_path = log.name
        self.processes.append(process)
        return process

    def manage(self, *args: str, **env) -> str:
        result = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def query(self, sql: str, params=()) -> list:
        with sqlite3.connect(self.db_path, timeout=60) as db:
            return db.execute(sql, params).fetchall()

    def wait_for(self, sql: str, params=(), *, timeout: float = 120, process=None) -> list:
        """Poll until ``sql`` returns rows (a worker's start on a shared machine can take a while)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = self.query(sql, params)
            if rows:
                return rows
            if process is not None and process.poll() is not None:
                pytest.fail(f"the worker exited ({process.returncode}): {Path(process.log_path).read_text()}")
            time.sleep(0.05)
        pytest.fail(f"nothing came of {sql!r} within {timeout} s")

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)


@pytest.fixture
def worker_site(transactional_db, django_db_serialized_rollback, tmp_path):
    # Committed rows (no test transaction around them) can be copied; the data migrations' rows are put back
    # after the test for the tests that follow.
    if connection.vendor != "sqlite":
        pytest.skip("the worker process tests run on a file copy of the SQLite test database")
    site = WorkerSite(tmp_path)
    yield site
    site.stop_all()
