"""``make faults``: kill the background worker and the web process with SIGKILL in the middle of their
work, start them again, and check the database.

    .venv/bin/python ops/faults.py [--households 20000] [--stale-minutes 1] [--port 8105] [--keep]

A scratch deployment: a SQLite file in a temporary folder, or the database of ``DATABASE_URL`` (a scratch
one: it is migrated and the demo is loaded into it). gunicorn serves the production settings on
loopback; the worker is ``manage.py run_worker``. This script
plays the officer: it uploads and confirms imports, asks for exports and posts decisions through the
same services and forms the admin uses, and reads the database directly to check.

(a) the worker killed in the middle of writing a large household import: all or nothing, no duplicates,
    the job not left running (interrupted after ``IMPORT_STALE_MINUTES``), restarted, then complete;
(b) the worker killed in the middle of a large export: the job not left running, no partial file;
(c) the web process killed in the middle of a bulk recognition decision made in the request: all or
    nothing, and the same decision recorded once when posted again;
(d) the worker killed in the middle of a large bulk decision it was given (above
    ``BULK_ACTION_BACKGROUND_ROWS``): all or nothing, the job interrupted after ``BULK_ACTION_STALE_MINUTES``,
    and the decision recorded once when asked again.

One PASS or FAIL line per check, then a summary; exit status 1 on any FAIL, 2 if the set-up failed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

# Run as a script: the repository root on the path, for ``ops`` (and ``bench``).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ops.common import (  # noqa: E402 (after the path is set)
    ROOT,
    Client,
    Process,
    deployment_env,
    gunicorn,
    prepare_database,
    run_in_scratch,
    say,
    serve,
    wait_for_http,
    worker_command,
)

#: Job states in which someone is still expected to work (the import's and the export's).
IN_PROGRESS = {"uploaded", "queued", "running"}
CODE_PREFIX = "FAULT-"


class Checks:
    def __init__(self):
        self.results: list[tuple[bool, str]] = []

    def check(self, passed: bool, message: str) -> bool:
        self.results.append((passed, message))
        print(f"{'PASS' if passed else 'FAIL'}: {message}", flush=True)
        return passed

    def summary(self) -> int:
        failed = [m for ok, m in self.results if not ok]
        print()
        print(f"Summary: {len(self.results) - len(failed)} passed, {len(failed)} failed")
        for message in failed:
            print(f"  FAIL: {message}")
        return 1 if failed else 0


def wait_until(condition: Callable[[], object], timeout: float, interval: float = 0.2):
    """``condition()``'s first true value within ``timeout`` seconds, else None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    return None


class Deployment:
    """The scratch deployment: environment, the web process, the worker, and this process's own Django
    (reading the same database as they do)."""

    def __init__(self, workdir: Path, database_url: str | None, port: int, stale_minutes: int):
        self.workdir, self.port = workdir, port
        stale = str(stale_minutes)
        self.env = deployment_env(
            workdir,
            database_url,
            IMPORT_STALE_MINUTES=stale,
            EXPORT_STALE_MINUTES=stale,
            BULK_ACTION_STALE_MINUTES=stale,
            # Scenario (c) kills the web process in the middle of a decision it writes itself; (d) restarts it
            # with the usual threshold so that the worker writes it.
            BULK_ACTION_BACKGROUND_ROWS="100000",
        )
        # The worker's own temporary folder: whatever is left in it after a kill is the worker's.
        self.worker_tmp = workdir / "tmp-worker"
        self.worker_tmp.mkdir(exist_ok=True)
        self.web = gunicorn(self.env, workdir / "gunicorn.log", port=port, workers=2, timeout=300)
        self.worker = Process(
            "worker", worker_command(), {**self.env, "TMPDIR": str(self.worker_tmp)}, workdir / "worker.log"
        )

    def setup_django(self) -> None:
        os.environ.update(self.env)
        for path in (ROOT / "site", ROOT):
            if str(path) not in sys.path:
                sys.path.insert(0, str(path))
        import django

        django.setup()

    def start(self, cleanup: contextlib.ExitStack) -> None:
        """Start the web process and the worker, stopped when ``cleanup`` closes."""
        serve([self.web, self.worker], port=self.port, cleanup=cleanup)

    def restart_web(self, **env) -> None:
        """Start the web process again, with ``env`` changed from the deployment's."""
        self.web.stop()
        self.web.env = {**self.env, **env}
        self.web.start()
        wait_for_http(self.port)

    # --- is someone in the middle of writing? ---

    def writer_busy(self) -> bool:
        """Whether another process holds a write transaction open right now."""
        from django.db import connection

        if connection.vendor == "sqlite":
            probe = sqlite3.connect(connection.settings_dict["NAME"], timeout=0, isolation_level=None)
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
                return False
            except sqlite3.OperationalError:
                return True  # database is locked: a writer is in its transaction
            finally:
                probe.close()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend' "
                "AND backend_xid IS NOT NULL AND state IN ('active', 'idle in transaction')"
            )
            return cursor.fetchone()[0] > 0

    def wait_mid_write(self, still: Callable[[], bool], timeout: float, hold: float = 0.2) -> bool:
        """True once a write transaction has stayed open for ``hold`` seconds (the long one, not a
        progress update); False when ``still()`` says the work is over, or after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        since = None
        while time.monotonic() < deadline and still():
            if self.writer_busy():
                since = since or time.monotonic()
                if time.monotonic() - since >= hold:
                    return True
            else:
                since = None
            time.sleep(0.05)
        return False


# --- (a) the worker killed mid-import ----------------------------------------------------------------


def fault_import(dep: Deployment, checks: Checks, households: int, stale_minutes: int) -> None:
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.db.models import Count

    from bench.step_import import write_household_workbook
    from evaluations.imports import jobs
    from evaluations.models import ImportJob, LearningFamily

    say(f"(a) import of {households} households; the worker is killed while it writes")
    path = dep.workdir / "households.xlsx"
    write_household_workbook(path, households, code_prefix=CODE_PREFIX)
    user = get_user_model().objects.get(username="demo")
    upload = ContentFile(path.read_bytes(), name="ho-gia-dinh.xlsx")
    job = jobs.import_job_create(upload=upload, kind="family", user=user)
    job = jobs.import_job_check(job)
    # The check runs here or in the worker, as the file's size says: wait for its outcome either way.
    wait_until(lambda: ImportJob.objects.get(pk=job.pk).status not in IN_PROGRESS, 300, 0.5)
    job.refresh_from_db()
    if not checks.check(job.status == "validated", f"import checked: {job.progress_total} rows ({job.status})"):
        return
    jobs.import_job_confirm(job)

    def imported():
        return LearningFamily.objects.filter(code__startswith=CODE_PREFIX)

    def running():
        return ImportJob.objects.filter(pk=job.pk, status="running").exists()

    mid = wait_until(running, 120, 0.05) and dep.wait_mid_write(running, timeout=300)
    job.refresh_from_db()
    if not checks.check(
        bool(mid) and job.status == "running", f"worker caught in the middle of the import ({job.status})"
    ):
        return
    dep.worker.kill()
    count = imported().count()
    checks.check(
        count in (0, households), f"after the kill: {count} of {households} households written (all or nothing)"
    )
    duplicates = imported().values("code").annotate(n=Count("pk")).filter(n__gt=1).count()
    checks.check(duplicates == 0, f"after the kill: {duplicates} household codes written twice")

    dep.worker.start()
    waited = time.monotonic()
    say(f"waiting for the import to be found interrupted (IMPORT_STALE_MINUTES={stale_minutes})")
    interrupted = wait_until(
        lambda: jobs.import_job_refresh_status(ImportJob.objects.get(pk=job.pk)).status == "interrupted",
        stale_minutes * 60 + 90,
        2,
    )
    job.refresh_from_db()
    checks.check(
        bool(interrupted),
        f"killed import job is {job.status!r} {time.monotonic() - waited:.0f} s after the worker restarted "
        "(expected 'interrupted', not running forever)",
    )
    if not interrupted:
        return
    jobs.import_job_restart(job)
    done = wait_until(lambda: ImportJob.objects.get(pk=job.pk).status not in IN_PROGRESS, 300, 0.5)
    job.refresh_from_db()
    if job.status == "validated":  # checked again: confirmed as the officer would
        jobs.import_job_confirm(job)
        done = wait_until(lambda: ImportJob.objects.get(pk=job.pk).status not in IN_PROGRESS, 600, 1)
        job.refresh_from_db()
    count = imported().count()
    duplicates = imported().values("code").annotate(n=Count("pk")).filter(n__gt=1).count()
    checks.check(
        bool(done) and job.status == "done" and count == households and duplicates == 0,
        f"restarted import: job {job.status!r}, {count} of {households} households, {duplicates} duplicates",
    )


# --- (b) the worker killed mid-export ----------------------------------------------------------------


def fault_export(dep: Deployment, checks: Checks, stale_minutes: int) -> None:
    """An xlsx export (xlsxwriter writes the file at the end, its sheets in temporary files meanwhile) and
    a CSV one (written straight to its file), each killed in the middle."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from reports import exports
    from reports.models import ExportJob

    user = get_user_model().objects.get(username="demo")
    export_dir = Path(settings.PRIVATE_MEDIA_ROOT) / "exports"
    killed = []
    for file_format in ("xlsx", "csv"):
        job = exports.export_job_start(user=user, listing="evaluations", file_format=file_format, params={})
        say(f"(b) export of {job.total_rows} evaluations ({file_format}); the worker is killed while it writes")
        mid = wait_until(
            lambda pk=job.pk: ExportJob.objects.filter(pk=pk, status="running", done_rows__gt=0), 300, 0.1
        )
        job.refresh_from_db()
        if checks.check(bool(mid), f"worker caught in the middle of the {file_format} export ({job.done_rows} rows)"):
            dep.worker.kill()
            killed.append(job.pk)
        if not dep.worker.alive():
            dep.worker.start()
    if not killed:
        return
    killed_at = time.time()

    # The user looks at the jobs (the page may be where an interrupted job is noticed) as the worker runs again.
    client = Client(dep.port)
    client.login("demo")
    waited = time.monotonic()
    say(f"waiting for the exports to leave 'running' (EXPORT_STALE_MINUTES={stale_minutes})")

    def settled():
        for pk in killed:
            client.get(f"/admin/reports/exports/{pk}/")
        return not ExportJob.objects.filter(pk__in=killed, status__in=IN_PROGRESS).exists()

    wait_until(settled, stale_minutes * 60 + 90, 3)
    for job in ExportJob.objects.filter(pk__in=killed).order_by("pk"):
        checks.check(
            job.status not in IN_PROGRESS,
            f"killed {job.file_format} export job is {job.status!r} {time.monotonic() - waited:.0f} s after the "
            "worker restarted (expected 'interrupted' or 'failed', not running forever)",
        )
    finished = set(ExportJob.objects.filter(status="done").exclude(file_name="").values_list("file_name", flat=True))
    partial = sorted(p.name for p in export_dir.glob("*") if p.name not in finished) if export_dir.exists() else []
    checks.check(not partial, f"no partial export file in private storage ({', '.join(partial) or 'none'})")
    leftovers = sorted(p.name for p in dep.worker_tmp.rglob("*") if p.is_file() and p.stat().st_mtime <= killed_at)
    checks.check(
        not leftovers, f"no temporary file left by the killed worker ({', '.join(leftovers[:5]) or 'none'} in TMPDIR)"
    )


# --- (c) the web process killed mid-decision -----------------------------------------------------------


def decision_setup() -> tuple[object, list[int]]:
    """The commune of today with most evaluations that meet the criteria (2025 and 2026), all put back to
    'reviewed' and undecided: what a bulk recognition decides."""
    from django.db.models import Count

    from evaluations.models import AdministrativeUnit, Evaluation, UnitLevel
    from evaluations.models.units import in_subtree

    communes = AdministrativeUnit.objects.current().filter(level=UnitLevel.COMMUNE)

    def meeting(commune):
        return Evaluation.objects.filter(in_subtree(commune), result="meets")

    best = max(communes, key=lambda c: meeting(c).aggregate(n=Count("pk"))["n"])
    rows = meeting(best)
    rows.update(status="reviewed", decision=None)
    return best, list(rows.values_list("pk", flat=True))


def fault_decision(dep: Deployment, checks: Checks) -> None:
    from evaluations.models import Evaluation, RecognitionDecision

    commune, ids = decision_setup()
    number = "99/QĐ-UBND (faults)"
    # "Select all" of the listing filtered to that commune's reviewed evaluations that meet the criteria.
    address = "/admin/bulk/evaluations/evaluation/recognise/?id=all&" + urlencode(
        {"area": commune.pk, "status": "reviewed", "result": "meets", "next": "/admin/"}
    )
    fields = {
        "number": number,
        "decision_date": "20/11/2026",
        "issuing_body": f"UBND {commune.name}",
        "signatory": "Chủ tịch",
        "area": commune.pk,
    }
    say(f"(c) one decision recognising {len(ids)} evaluations of {commune.name}; the web process is killed meanwhile")
    client = Client(dep.port)
    client.login("demo")
    token = client.csrf_token(address)
    answers: list = []

    def post():
        try:
            answers.append(client.post(address, {**fields, "csrfmiddlewaretoken": token}).status)
        except OSError as exc:
            answers.append(exc)

    sender = threading.Thread(target=post, daemon=True)
    sender.start()
    mid = dep.wait_mid_write(lambda: not answers, timeout=120)
    if not checks.check(mid and not answers, "web process caught in the middle of the decision"):
        sender.join(300)
        return
    dep.web.kill()
    sender.join(30)

    def outcome():
        decisions = RecognitionDecision.objects.filter(number=number)
        recognised = Evaluation.objects.filter(pk__in=ids, status="recognised").count()
        reviewed = Evaluation.objects.filter(pk__in=ids, status="reviewed", decision=None).count()
        return decisions.count(), recognised, reviewed

    decisions, recognised, reviewed = outcome()
    checks.check(
        (decisions, recognised, reviewed) in ((0, 0, len(ids)), (1, len(ids), 0)),
        f"after the kill: {decisions} decision, {recognised} recognised, {reviewed} still reviewed of {len(ids)} "
        "(all or nothing)",
    )
    dep.restart_web()
    client = Client(dep.port)
    client.login("demo")
    status = client.post(address, {**fields, "csrfmiddlewaretoken": client.csrf_token(address)}).status
    decisions, recognised, reviewed = outcome()
    checks.check(
        status == 302 and decisions == 1 and recognised == len(ids),
        f"posted again after the restart: HTTP {status}, {decisions} decision, {recognised} of {len(ids)} recognised",
    )


# --- (d) the worker killed mid-decision ----------------------------------------------------------------


def fault_background_decision(dep: Deployment, checks: Checks, stale_minutes: int) -> None:
    from evaluations.models import BulkDecisionJob, Evaluation, RecognitionDecision

    dep.restart_web(BULK_ACTION_BACKGROUND_ROWS="200")
    commune, ids = decision_setup()
    number = "98/QĐ-UBND (faults)"
    address = "/admin/bulk/evaluations/evaluation/recognise/?id=all&" + urlencode(
        {"area": commune.pk, "status": "reviewed", "result": "meets", "next": "/admin/"}
    )
    fields = {
        "number": number,
        "decision_date": "21/11/2026",
        "issuing_body": f"UBND {commune.name}",
        "signatory": "Chủ tịch",
        "area": commune.pk,
    }
    say(f"(d) one decision on {len(ids)} evaluations of {commune.name}, written by the worker; the worker is killed")
    client = Client(dep.port)
    client.login("demo")
    latest = BulkDecisionJob.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    status = client.post(address, {**fields, "csrfmiddlewaretoken": client.csrf_token(address)}).status
    job = BulkDecisionJob.objects.filter(pk__gt=latest).order_by("pk").first()
    if not checks.check(status == 302 and job is not None, f"decision queued for the worker (HTTP {status})"):
        return
    mid = dep.wait_mid_write(
        lambda: BulkDecisionJob.objects.filter(pk=job.pk, status__in=("queued", "running")).exists(), timeout=120
    )
    if not checks.check(mid, "worker caught in the middle of the decision"):
        return
    dep.worker.kill()

    def outcome():
        decisions = RecognitionDecision.objects.filter(number=number).count()
        recognised = Evaluation.objects.filter(pk__in=ids, status="recognised").count()
        return decisions, recognised

    decisions, recognised = outcome()
    checks.check(
        (decisions, recognised) in ((0, 0), (1, len(ids))),
        f"after the kill: {decisions} decision, {recognised} of {len(ids)} recognised (all or nothing)",
    )
    dep.worker.start()
    say(f"waiting for the job to leave 'running' (BULK_ACTION_STALE_MINUTES={stale_minutes})")
    deadline = time.monotonic() + 60 * stale_minutes + 120
    while time.monotonic() < deadline:
        client.get(f"/admin/bulk-decisions/{job.pk}/")  # where the officer notices it
        job.refresh_from_db()
        if job.status not in ("queued", "running"):
            break
        time.sleep(5)
    checks.check(job.status == "interrupted", f"killed decision job is '{job.status}' (expected 'interrupted')")
    status = client.post(address, {**fields, "csrfmiddlewaretoken": client.csrf_token(address)}).status
    again = BulkDecisionJob.objects.filter(pk__gt=job.pk).order_by("pk").first()
    deadline = time.monotonic() + 300
    while again is not None and time.monotonic() < deadline:
        again.refresh_from_db()
        if again.status not in ("queued", "running"):
            break
        time.sleep(2)
    decisions, recognised = outcome()
    checks.check(
        again is not None and again.status == "done" and decisions == 1 and recognised == len(ids),
        f"asked again: job '{again and again.status}', {decisions} decision, {recognised} of {len(ids)} recognised",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=20000, help="rows of the household list (20000)")
    parser.add_argument(
        "--stale-minutes", type=int, default=1, help="IMPORT_STALE_MINUTES of the run (1): a silent job's time"
    )
    parser.add_argument("--port", type=int, default=8105)
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (database, logs) at the end")
    args = parser.parse_args(argv)

    def body(workdir: Path, cleanup: contextlib.ExitStack) -> int:
        database_url = os.environ.get("DATABASE_URL")
        dep = Deployment(workdir, database_url, args.port, args.stale_minutes)
        checks = Checks()
        say(f"scratch deployment in {workdir} on {'DATABASE_URL' if database_url else 'a SQLite file'}")
        prepare_database(dep.env, workdir / "setup.log")
        dep.setup_django()
        # Stopped at the end whatever state a scenario left them in (killed, restarted).
        dep.start(cleanup)
        for scenario in (
            lambda: fault_import(dep, checks, args.households, args.stale_minutes),
            lambda: fault_export(dep, checks, args.stale_minutes),
            lambda: fault_decision(dep, checks),
            lambda: fault_background_decision(dep, checks, args.stale_minutes),
        ):
            if not dep.worker.alive():
                dep.worker.start()
            if not dep.web.alive():
                dep.restart_web()
            try:
                scenario()
            except Exception as exc:  # one scenario's crash is its FAIL; the others still run
                checks.check(False, f"scenario crashed: {type(exc).__name__}: {exc}")
        return checks.summary()

    return run_in_scratch("khuyenhoc-faults-", keep=args.keep, body=body)


if __name__ == "__main__":
    sys.exit(main())
