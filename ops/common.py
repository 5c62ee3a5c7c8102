"""What ``ops/load.py`` and ``ops/faults.py`` share: a scratch deployment (environment, database,
processes) and a small HTTP client that logs in through the admin form.

Everything runs for real: a PostgreSQL cluster of its own or a SQLite file, gunicorn with the production
settings, the background worker, requests over loopback. Nothing here is imported by the site.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"
#: The demo users' password (evaluations/demo.py, README "Demo login").
DEMO_PASSWORD = "khuyenhoc-demo"  # noqa: S105 (public demo data)


def say(message: str) -> None:
    # UTC: Django sets the process's time zone to Vietnam's once it is set up.
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}Z] {message}", flush=True)


def load_average() -> str:
    return " / ".join(f"{n:.2f}" for n in os.getloadavg())


# --- environment ---------------------------------------------------------------------------------


def deployment_env(workdir: Path, database_url: str | None, **extra: str) -> dict[str, str]:
    """The production settings pointed at scratch folders (and a scratch SQLite file without a URL).
    Plain HTTP on loopback: no redirect to HTTPS; TMPDIR inside ``workdir`` so temporary files left by a
    killed process can be found."""
    (workdir / "tmp").mkdir(parents=True, exist_ok=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "SQLITE_", "CACHE_", "MEDIA_", "PRIVATE_MEDIA_", "STATIC_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(40),
        DJANGO_ALLOWED_HOSTS=f"{HOST},localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        CACHE_URL="db://",
        MEDIA_ROOT=str(workdir / "media"),
        PRIVATE_MEDIA_ROOT=str(workdir / "private"),
        STATIC_ROOT=str(workdir / "static"),
        TMPDIR=str(workdir / "tmp"),
        PYTHONUNBUFFERED="1",
        **extra,
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env["SQLITE_PATH"] = str(workdir / "db.sqlite3")
    return env


def manage(env: dict, *args: str, log: Path | None = None) -> None:
    """``manage.py ARGS`` to the end; its output goes to ``log`` (shown if it fails)."""
    say("manage.py " + " ".join(args))
    with open(log or os.devnull, "ab") as out:
        result = subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
            [PYTHON, "manage.py", *args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    if result.returncode != 0:
        if log:
            print(log.read_text(errors="replace")[-3000:], file=sys.stderr)
        raise RuntimeError(f"manage.py {' '.join(args)} failed (exit {result.returncode})")


def prepare_database(env: dict, log: Path, households: int | None = None) -> None:
    """Migrate, create the cache table, collect the static files (the production settings serve them from
    the manifest in ``STATIC_ROOT``), load the demo province."""
    manage(env, "migrate", "--noinput", log=log)
    manage(env, "createcachetable", log=log)
    manage(env, "collectstatic", "--noinput", log=log)
    demo = ["load_demo_data"] + (["--households", str(households)] if households else [])
    manage(env, *demo, log=log)


# --- processes -----------------------------------------------------------------------------------


class Process:
    """A long-running process in its own process group, so a kill reaches all of it (gunicorn's master
    and its workers alike)."""

    def __init__(self, name: str, argv: list[str], env: dict, log: Path):
        self.name, self.argv, self.env, self.log = name, argv, env, log
        self.popen: subprocess.Popen | None = None

    def start(self) -> Process:
        handle = open(self.log, "ab")  # noqa: SIM115 (kept open for the child's lifetime)
        self.popen = subprocess.Popen(  # noqa: S603 (our own commands)
            self.argv, cwd=ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        handle.close()
        say(f"started {self.name} (pid {self.popen.pid})")
        return self

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL to the whole group: no handler runs, nothing is flushed or rolled back by the process."""
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait()
        say(f"killed {self.name} (SIGKILL, pid {self.popen.pid})")

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM, then SIGKILL if it has not gone within ``timeout`` seconds."""
        if not self.alive():
            return
        try:
            os.killpg(self.popen.pid, signal.SIGTERM)
            self.popen.wait(timeout)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            self.kill()


def gunicorn(env: dict, log: Path, *, port: int, workers: int, timeout: int = 120) -> Process:
    argv = [
        str(Path(PYTHON).parent / "gunicorn"),
        "--pythonpath",
        "site",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--timeout",
        str(timeout),
        "config.wsgi:application",
    ]
    return Process("gunicorn", argv, env, log)


def worker_command() -> list[str]:
    """The project's worker (django-tasks-db's db_worker with a heartbeat), polling often for a quick run."""
    return [PYTHON, "manage.py", "run_worker", "--interval", "0.5", "--no-startup-delay"]


def serve(processes: Iterable[Process], *, port: int, cleanup: contextlib.ExitStack) -> None:
    """Start ``processes`` (gunicorn, the worker...), each stopped when ``cleanup`` closes; returns once
    ``port`` answers."""
    for process in processes:
        cleanup.callback(process.stop)
        process.start()
    wait_for_http(port)


def wait_for_http(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status = Client(port).get("/robots.txt").status
            if status < 500:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"nothing answers on {HOST}:{port} after {timeout:.0f} s")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


# --- a throwaway PostgreSQL cluster (as .ci/run starts one) ----------------------------------------


class PostgresCluster:
    """initdb into a temporary folder, start it on a free loopback port, one database; ``stop()`` removes
    it all. ``available()`` is False without the server binaries (then the caller uses SQLite)."""

    def __init__(self, workdir: Path):
        self.root = workdir / "postgres"
        self.bin = self.find_bin()
        self.port = free_port()
        self.started = False

    @staticmethod
    def find_bin() -> Path | None:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name or 0))
        for folder in reversed(found):
            if all((folder / name).exists() for name in ("initdb", "pg_ctl", "postgres")):
                return folder
        for name in ("initdb", "pg_ctl"):
            if not shutil.which(name):
                return None
        return Path(shutil.which("initdb")).parent

    def available(self) -> bool:
        if self.bin is None:
            return False
        # PostgreSQL refuses to run as root: root runs it as the postgres user.
        return os.geteuid() != 0 or shutil.which("runuser") is not None and _user_exists("postgres")

    def _run(self, *argv: str, quiet: bool = False) -> None:
        command = list(argv)
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(  # noqa: S603
            command, check=True, cwd=self.root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL if quiet else None
        )

    def start(self, database: str) -> str:
        """Start the cluster (initdb first unless ``root`` already holds one: ``bench/run.py --reuse`` keeps
        it between runs) with ``database`` in it; its URL."""
        data = self.root / "data"
        reused = (data / "PG_VERSION").exists()
        if not reused:
            self.root.mkdir(parents=True)
            if os.geteuid() == 0:
                shutil.chown(self.root, "postgres")
            self.root.chmod(0o700)
            self._run(str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "--encoding=UTF8",
                      "--locale=C.UTF-8", "--auth=trust")  # fmt: skip
            with open(data / "postgresql.conf", "a") as conf:
                # Loopback only, and no durability: the cluster is gone after the run.
                conf.write(
                    f"\nlisten_addresses = '{HOST}'\nport = {self.port}\nunix_socket_directories = '{self.root}'\n"
                    "max_connections = 100\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                )
        self.started = True
        log = str(self.root / "postgres.log")
        # The port on the command line: a kept cluster gets this run's free port.
        self._run(str(self.bin / "pg_ctl"), "-D", str(data), "-l", log, "-o", f"-p {self.port}", "-w", "start")
        try:
            self._run(str(self.bin / "createdb"), "-h", str(self.root), "-p", str(self.port), "-U", "postgres",
                      database, quiet=reused)  # fmt: skip
        except subprocess.CalledProcessError:
            if not reused:  # a kept cluster has it from its first run
                raise
        kind = "kept" if reused else "temporary"
        say(f"PostgreSQL {self.bin.parent.name} started on {HOST}:{self.port} ({kind} cluster)")
        return f"postgres://postgres@{HOST}:{self.port}/{database}"

    def stop(self) -> None:
        if self.started:
            with contextlib.suppress(subprocess.CalledProcessError):
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop")
            self.started = False


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def scratch_dir(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)  # the postgres user enters it to reach its cluster
    return path


def exit_on_signals() -> None:
    """SIGTERM and SIGHUP end the script like Ctrl+C, so its ``finally`` cleans up."""

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)


def run_in_scratch(prefix: str, *, keep: bool, body: Callable[[Path, contextlib.ExitStack], int]) -> int:
    """``body(workdir, cleanup)`` in a new scratch folder: its exit status, 130 when interrupted (Ctrl+C,
    SIGTERM, SIGHUP), 2 when the set-up fails. What ``body`` puts on ``cleanup`` (processes, a cluster) is
    stopped at the end; then the folder is removed, unless ``keep`` or the set-up failed (its logs stay)."""
    exit_on_signals()
    workdir = scratch_dir(prefix)
    try:
        with contextlib.ExitStack() as cleanup:
            return body(workdir, cleanup)
    except KeyboardInterrupt:
        print("Interrupted: the processes are stopped.", file=sys.stderr)
        return 130
    except (RuntimeError, OSError) as exc:
        print(f"FAIL: set-up: {exc} (logs in {workdir})", file=sys.stderr)
        keep = True
        return 2
    finally:
        if keep:
            say(f"scratch folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


# --- HTTP ----------------------------------------------------------------------------------------


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes, seconds: float):
        self.status, self.headers, self.body, self.seconds = status, headers, body, seconds

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class Client:
    """One browser: its own cookies, a new connection per request (gunicorn's sync workers close them)."""

    def __init__(self, port: int, timeout: float = 300):
        self.port, self.timeout = port, timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, fields: dict | list | None = None) -> Response:
        headers = {"Host": f"{HOST}:{self.port}", "User-Agent": "khuyenhoc-ops/1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            # Django's CSRF check compares the Origin with the host.
            headers["Origin"] = f"http://{HOST}:{self.port}"
            headers["Referer"] = f"http://{HOST}:{self.port}{path}"
            if "csrftoken" in self.cookies:
                headers["X-CSRFToken"] = self.cookies["csrftoken"]
        started = time.perf_counter()
        connection = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            data = answer.read()
        finally:
            connection.close()
        seconds = time.perf_counter() - started
        for header in answer.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = morsel.value
        return Response(answer.status, answer.headers, data, seconds)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, fields: dict | list) -> Response:
        return self.request("POST", path, fields)

    def csrf_token(self, path: str) -> str:
        """The form's CSRF token on the page at ``path`` (also sets the csrftoken cookie)."""
        page = self.get(path)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if page.status != 200 or not found:
            raise RuntimeError(f"no form with a CSRF token at {path} (HTTP {page.status})")
        return found.group(1)

    def login(self, username: str, password: str = DEMO_PASSWORD) -> Response:
        """Log in through the admin login form, as a person would; raises if it does not take."""
        token = self.csrf_token("/admin/login/")
        answer = self.post(
            "/admin/login/",
            {"csrfmiddlewaretoken": token, "username": username, "password": password, "next": "/admin/"},
        )
        if answer.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login as {username} failed (HTTP {answer.status})")
        return answer
