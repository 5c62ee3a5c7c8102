"""``make load``: gunicorn with the production settings on PostgreSQL, and a bounded load of our own.

    .venv/bin/python ops/load.py [--clients 20] [--duration 60] [--requests N] [--workers 4] [--goal-seconds 15]

Without ``DATABASE_URL`` a throwaway PostgreSQL cluster is started (as ``.ci/run`` does) and removed at
the end; without PostgreSQL's binaries the run uses a SQLite file and says so. Given a ``DATABASE_URL``,
that database is migrated and the demo loaded into it (use a scratch one). Then ``--clients`` threads
send requests over loopback for ``--duration`` seconds (or until ``--requests`` in all) over a mix of
public pages and the open-data API (asked anonymously, as the public does) and admin screens of logged-in
demo users, and the figures per endpoint are printed. Then each endpoint with a goal (``GOALS``: requests
per second and p95) is asked alone by every client for ``--goal-seconds``, and the verdicts are printed.
Exit status 1 if any answer was a server error (5xx), 2 if the set-up failed.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import random
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

# Run as a script: the repository root on the path, for ``ops`` (and ``bench``).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ops.common import (  # noqa: E402 (after the path is set)
    Client,
    PostgresCluster,
    Response,
    deployment_env,
    gunicorn,
    load_average,
    prepare_database,
    run_in_scratch,
    say,
    serve,
)

#: Who the admin clients log in as (evaluations/demo_roles.py): the province and one commune.
ADMIN_USERS = ("tinh", "xa-ninhphuoc")


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    weight: int

    @property
    def admin(self) -> bool:
        """Admin screens are asked by a logged-in officer; everything else by an anonymous visitor."""
        return self.path.startswith("/admin/")


@dataclass(frozen=True)
class Goal:
    """What one endpoint must reach on its own: ``clients`` asking it and nothing else."""

    endpoint: str
    min_rps: float | None
    max_p95_ms: float | None  # None: measured and printed, no goal


#: Issue 16's goals on this 2-core machine (gunicorn, 4 workers, PostgreSQL, 20 clients).
GOALS = (
    Goal("public home", 200, 200),
    Goal("recognition list", 200, 200),
    Goal("API recognitions", 200, 200),
    Goal("admin evaluation listing", None, 500),
    # The same listing rendered afresh on every request (each address new to the listing cache): its cost.
    Goal("admin evaluation listing, uncached", None, None),
)


ENDPOINTS = (
    Endpoint("public home", "/", 4),
    Endpoint("recognition list", "/danh-sach-cong-nhan/", 3),
    Endpoint("recognition list, filtered", "/danh-sach-cong-nhan/?kind=family&year=2025", 3),
    Endpoint("recognition list, name search", "/danh-sach-cong-nhan/?q=" + quote("Nguyễn"), 2),
    Endpoint("public search", "/search/?query=" + quote("khuyến học"), 2),
    Endpoint("API recognitions", "/api/v1/recognitions/?kind=family&year=2025&page_size=100", 3),
    Endpoint("API figures", "/api/v1/figures/?area=56&year=2025", 2),
    Endpoint("admin dashboard", "/admin/", 2),
    Endpoint("admin evaluation listing", "/admin/snippets/evaluations/evaluation/?year=2026", 2),
    # ``{n}``: a number new at each request (a parameter the listing ignores), so the cache never answers.
    Endpoint("admin evaluation listing, uncached", "/admin/snippets/evaluations/evaluation/?year=2026&fresh={n}", 0),
    Endpoint("admin export (csv)", "/admin/reports/export/evaluations/?format=csv&year=2026&status=reviewed", 1),
)
LOGIN = "admin login (before the run)"
REQUEST_NUMBERS = itertools.count(1)


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    server_errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    #: Answers the admin listing cache gave (``X-Admin-Cache: hit``).
    cached: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, name: str, seconds: float, status: int | None, note: str = "", cached: bool = False) -> None:
        with self.lock:
            self.latencies[name].append(seconds)
            self.cached[name] += cached
            # A redirect is an answer (a login form, a finished export); anything else is an error.
            if status is None or not 200 <= status < 400:
                self.errors[name] += 1
                if len(self.samples) < 10:
                    self.samples.append(f"{name}: {note or status}")
            if status is not None and status >= 500:
                self.server_errors[name] += 1


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def timed(stats: Stats, name: str, call: Callable[[], Response]) -> None:
    started = time.perf_counter()
    try:
        answer = call()
        stats.record(name, answer.seconds, answer.status, cached=answer.headers.get("X-Admin-Cache") == "hit")
    except Exception as exc:
        stats.record(name, time.perf_counter() - started, None, f"{type(exc).__name__}: {exc}")


def in_parallel(function: Callable[[int], object], count: int) -> None:
    threads = [threading.Thread(target=function, args=(n,), daemon=True) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def client_loop(
    number: int,
    clients: tuple[Client, Client],
    stop: threading.Event,
    budget: threading.Semaphore | None,
    stats: Stats,
    endpoints: tuple[Endpoint, ...] = ENDPOINTS,
):
    """One person asking ``endpoints`` at random until told to stop: an admin screen with the logged-in
    client, a public page with the anonymous one (``clients``: logged in, anonymous)."""
    rng = random.Random(number)  # noqa: S311 (a request mix, not a secret)
    # Alone (a goal phase), an endpoint the mix leaves out (weight 0) is still asked.
    weights = [e.weight for e in endpoints] if any(e.weight for e in endpoints) else [1] * len(endpoints)
    officer, visitor = clients
    while not stop.is_set():
        if budget is not None and not budget.acquire(blocking=False):
            return
        endpoint = rng.choices(endpoints, weights)[0]
        client = officer if endpoint.admin else visitor
        path = endpoint.path.format(n=next(REQUEST_NUMBERS)) if "{n}" in endpoint.path else endpoint.path
        timed(stats, endpoint.name, lambda path=path, client=client: client.get(path))


def run_clients(
    browsers: list[tuple[Client, Client]],
    duration: float,
    budget: threading.Semaphore | None,
    endpoints: tuple[Endpoint, ...] = ENDPOINTS,
) -> tuple[Stats, float]:
    stats, stop = Stats(), threading.Event()
    threads = [
        threading.Thread(target=client_loop, args=(n, browsers[n], stop, budget, stats, endpoints), daemon=True)
        for n in range(len(browsers))
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    deadline = started + duration
    while time.perf_counter() < deadline and any(t.is_alive() for t in threads):
        time.sleep(0.2)
    stop.set()
    for thread in threads:
        thread.join(150)  # a request in flight finishes (or times out)
    return stats, time.perf_counter() - started


def run_load(
    port: int, clients: int, duration: float, requests: int | None, workers: int
) -> tuple[Stats, Stats, float, list[tuple[Client, Client]]]:
    """The logins (before the clock starts), then the timed run of the whole mix; returns both figures, the
    run's length and the clients (logged in, anonymous) for the goal phases."""
    logins = Stats()
    browsers = [(Client(port, timeout=120), Client(port, timeout=120)) for _ in range(clients)]
    say(f"{clients} clients log in through the admin form ({', '.join(ADMIN_USERS)})")
    # Apart from the run: a password hash costs about a second of CPU by design.
    in_parallel(
        lambda n: timed(logins, LOGIN, lambda: browsers[n][0].login(ADMIN_USERS[n % len(ADMIN_USERS)])), clients
    )
    say("warm-up: every worker serves every endpoint once (not counted)")
    in_parallel(lambda n: [browsers[n][0 if e.admin else 1].get(e.path.format(n=0)) for e in ENDPOINTS], workers)
    budget = threading.Semaphore(requests) if requests else None
    say(f"load: {clients} clients for {duration:.0f} s" + (f" or {requests} requests" if requests else ""))
    stats, elapsed = run_clients(browsers, duration, budget)
    return logins, stats, elapsed, browsers


def run_goals(browsers: list[tuple[Client, Client]], seconds: float) -> list[tuple[Goal, int, float, float, int]]:
    """Each goal's endpoint alone under every client for ``seconds``: (goal, requests, req/s, p95 ms, answers
    from the admin listing cache)."""
    by_name = {e.name: e for e in ENDPOINTS}
    results = []
    for goal in GOALS:
        endpoint = by_name[goal.endpoint]
        say(f"goal phase: {len(browsers)} clients on {endpoint.name} for {seconds:.0f} s")
        stats, elapsed = run_clients(browsers, seconds, None, (endpoint,))
        samples = stats.latencies.get(endpoint.name, [])
        p95 = percentile(samples, 0.95) * 1000 if samples else float("inf")
        results.append((goal, len(samples), len(samples) / elapsed, p95, stats.cached.get(endpoint.name, 0)))
    return results


def print_goals(results: list[tuple[Goal, int, float, float, int]]) -> None:
    print()
    print("Goals (each endpoint alone under every client; cached: answers from the admin listing cache):")
    header = f"{'endpoint':<36} {'requests':>8} {'req/s':>7} {'p95 ms':>8} {'cached':>7}  goal"
    print(header)
    print("-" * (len(header) + 30))
    held = judged = 0
    for goal, count, rps, p95, cached in results:
        share = f"{100 * cached / count:.0f} %" if count else "-"
        if goal.max_p95_ms is None:
            print(f"{goal.endpoint:<36} {count:>8} {rps:>7.1f} {p95:>8.0f} {share:>7}  (measured, no goal)")
            continue
        wanted = [f"p95 < {goal.max_p95_ms:g} ms"] + ([f">= {goal.min_rps:g} req/s"] if goal.min_rps else [])
        holds = p95 < goal.max_p95_ms and (goal.min_rps is None or rps >= goal.min_rps)
        held += holds
        judged += 1
        verdict = "holds" if holds else "MISSED"
        print(f"{goal.endpoint:<36} {count:>8} {rps:>7.1f} {p95:>8.0f} {share:>7}  {', '.join(wanted)}: {verdict}")
    print(f"goals: {held} of {judged} held; load average at the end: {load_average()}")


def print_report(logins: Stats, stats: Stats, elapsed: float, engine: str, workers: int, clients: int) -> int:
    print()
    print(f"Load: {clients} clients, {elapsed:.1f} s, gunicorn {workers} sync workers, {engine}")
    header = f"{'endpoint':<34} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}"
    print(header)
    print("-" * len(header))
    samples = logins.latencies[LOGIN]
    print(
        f"{LOGIN:<34} {len(samples):>8} {'-':>7} {percentile(samples, 0.50) * 1000:>8.0f} "
        f"{percentile(samples, 0.95) * 1000:>8.0f} {percentile(samples, 0.99) * 1000:>8.0f} {logins.errors[LOGIN]:>6}"
    )
    total = 0
    for name in [e.name for e in ENDPOINTS]:
        samples = stats.latencies.get(name, [])
        if not samples:
            continue
        total += len(samples)
        print(
            f"{name:<34} {len(samples):>8} {len(samples) / elapsed:>7.1f} {percentile(samples, 0.50) * 1000:>8.0f} "
            f"{percentile(samples, 0.95) * 1000:>8.0f} {percentile(samples, 0.99) * 1000:>8.0f} "
            f"{stats.errors.get(name, 0):>6}"
            + (f"  ({stats.cached[name]} from the listing cache)" if stats.cached[name] else "")
        )
    everything = [s for samples in stats.latencies.values() for s in samples]
    errors, server_errors = sum(stats.errors.values()), sum(stats.server_errors.values())
    print("-" * len(header))
    if everything:
        print(
            f"{'all':<34} {total:>8} {total / elapsed:>7.1f} {percentile(everything, 0.50) * 1000:>8.0f} "
            f"{percentile(everything, 0.95) * 1000:>8.0f} {percentile(everything, 0.99) * 1000:>8.0f} {errors:>6}"
        )
    print(f"load average (1/5/15 min) at the end: {load_average()}")
    for sample in logins.samples + stats.samples:
        print(f"  error: {sample}")
    server_errors += sum(logins.server_errors.values())
    if server_errors:
        print(f"FAIL: {server_errors} server errors (5xx)")
        return 1
    if not everything:
        print("FAIL: no request was answered")
        return 1
    print(f"PASS: no server error (5xx); {errors} other errors")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (60)")
    parser.add_argument("--requests", type=int, help="stop after this many requests in all")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    parser.add_argument(
        "--goal-seconds", type=float, default=15, help="seconds of each goal phase after the mix (15; 0: none)"
    )
    parser.add_argument("--port", type=int, default=8105)
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (logs) at the end")
    args = parser.parse_args(argv)

    def body(workdir: Path, cleanup: contextlib.ExitStack) -> int:
        database_url = os.environ.get("DATABASE_URL")
        if database_url:
            engine = "PostgreSQL (DATABASE_URL)" if database_url.startswith("postgres") else database_url.split(":")[0]
        else:
            cluster = PostgresCluster(workdir)
            if cluster.available():
                cleanup.callback(cluster.stop)
                database_url = cluster.start("khuyenhoc_load")
                engine = "PostgreSQL (temporary cluster)"
            else:
                engine = "SQLite (no PostgreSQL binaries found: the load runs on a SQLite file)"
                say(engine)
        env = deployment_env(workdir, database_url)
        prepare_database(env, workdir / "setup.log")
        web = gunicorn(env, workdir / "gunicorn.log", port=args.port, workers=args.workers)
        serve([web], port=args.port, cleanup=cleanup)
        say(f"load average before the load: {load_average()}")
        logins, stats, elapsed, browsers = run_load(
            args.port, args.clients, args.duration, args.requests, args.workers
        )
        goals = run_goals(browsers, args.goal_seconds) if args.goal_seconds > 0 else []
        status = print_report(logins, stats, elapsed, engine, args.workers, args.clients)
        if goals:
            print_goals(goals)
        return status

    return run_in_scratch("khuyenhoc-load-", keep=args.keep, body=body)


if __name__ == "__main__":
    sys.exit(main())
