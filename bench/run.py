"""Province-scale benchmark in a scratch database (SQLite, PostgreSQL, or both side by side).

    .venv/bin/python bench/run.py                   # 164,322 households, 5 years (a few minutes)
    .venv/bin/python bench/run.py --quick           # about 1/20 of that
    .venv/bin/python bench/run.py --engines both    # SQLite and PostgreSQL, figures side by side
    .venv/bin/python bench/run.py --reuse var/bench # keep the generated data set for the next run

With ``DATABASE_URL`` set the run is on PostgreSQL, in a database of its own it creates on that server and
drops at the end (``bench.engines``).

Each benchmark is a function in ``STEPS``; a step gets the shared ``Context`` and returns rows for the
final table. Add a step by writing a function in the ``bench/step_*.py`` module of what it measures and
listing it there. The step modules import the site's models at their top: they are imported once Django
is set up (``harness.setup_django``), in ``main``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# Run as a script: the repository root on the path, for ``bench``.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import engines  # noqa: E402 (after the path is set)
from bench.harness import Context, Row, load_now, load_span, setup_django  # noqa: E402
from bench.table import print_side_by_side, print_table  # noqa: E402


def steps() -> list[tuple[str, Callable[[Context], list[Row]]]]:
    """Named steps, run in order; each returns rows for the table."""
    # Imported here, not at the top: the step modules import models, which need Django set up first.
    from bench.step_data import step_generate, step_migrate
    from bench.step_documents import step_certificates
    from bench.step_exports import step_listing_export
    from bench.step_field import step_field
    from bench.step_import import step_import
    from bench.step_listing import step_bulk_recognition, step_listing
    from bench.step_national import step_national_rollup, step_national_units
    from bench.step_reports import step_rollup, step_workbook
    from bench.step_search import step_public_list, step_search
    from bench.step_todo import step_todo

    return [
        ("migrate", step_migrate),
        ("generate", step_generate),
        ("evaluation listing", step_listing),
        ("bulk recognition", step_bulk_recognition),
        ("to-do panel", step_todo),
        ("import", step_import),
        ("roll-up", step_rollup),
        ("official workbook", step_workbook),
        ("listing export", step_listing_export),
        ("certificates", step_certificates),
        ("search", step_search),
        ("public recognition list", step_public_list),
        ("field app", step_field),
        # Last: they move the provinces under a national root (every path changes).
        ("national units", step_national_units),
        ("national roll-up", step_national_rollup),
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="about 1/20 of the province")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder and print where it is")
    parser.add_argument("--only", nargs="*", help="run only these steps (migrate and generate always run)")
    parser.add_argument(
        "--engines",
        help="sqlite, postgresql, or both (figures side by side); default: postgresql when DATABASE_URL is set, "
        "else sqlite. PostgreSQL without DATABASE_URL: a throwaway cluster (Debian's binaries)",
    )
    parser.add_argument(
        "--reuse",
        metavar="DIR",
        help="keep the migrated, generated database (and its media) in DIR and start the next run from a copy of "
        "it: new migrations are applied, generate is skipped",
    )
    parser.add_argument("--rows-out", help=argparse.SUPPRESS)  # child process of a run on several engines
    parser.add_argument("--export-memory", type=int, help=argparse.SUPPRESS)  # child process of a step
    parser.add_argument("--certificates-memory", type=int, help=argparse.SUPPRESS)  # child process of a step
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.export_memory:
        setup_django(Path(args.workdir))
        from bench.step_exports import export_memory  # after django.setup(), as in steps()

        export_memory(args.export_memory)
        return 0
    if args.certificates_memory:
        setup_django(Path(args.workdir))
        from bench.step_documents import certificates_memory_child

        certificates_memory_child(args.certificates_memory)
        return 0

    try:
        chosen = engines.parse_engines(args.engines, os.environ.get("DATABASE_URL"))
    except ValueError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    exit_on_signals()  # SIGTERM and SIGHUP unwind like Ctrl+C: the throwaway database is dropped
    try:
        with contextlib.ExitStack() as cleanup:
            server_url = postgres_server(args, cleanup) if engines.POSTGRESQL in chosen else None
            if len(chosen) == 1:
                return run_engine(chosen[0], args, server_url)
            return run_side_by_side(chosen, args, server_url)
    except KeyboardInterrupt:
        print("bench: interrupted; the scratch databases are dropped.", file=sys.stderr)
        return 130


def postgres_server(args: argparse.Namespace, cleanup: contextlib.ExitStack) -> str:
    """The PostgreSQL server to create the run's database on: ``DATABASE_URL``'s, else a throwaway cluster
    (kept in the ``--reuse`` folder, with the data set, between runs)."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    from ops.common import PostgresCluster, scratch_dir

    where = Path(args.reuse).resolve() if args.reuse else scratch_dir("khuyenhoc-bench-pg-")
    where.mkdir(parents=True, exist_ok=True)
    where.chmod(0o755)  # the postgres user enters it to reach its cluster
    cluster = PostgresCluster(where)
    if not cluster.available():
        raise SystemExit("bench: PostgreSQL asked for, but no DATABASE_URL and no PostgreSQL server binaries here")
    if not args.reuse:
        cleanup.callback(shutil.rmtree, where, ignore_errors=True)
    cleanup.callback(cluster.stop)
    return cluster.start("khuyenhoc")


def run_engine(engine: str, args: argparse.Namespace, server_url: str | None) -> int:
    """Every step on one engine, in this process; the table printed (or written for the parent run)."""
    if args.reuse:
        workdir = Path(args.reuse).resolve() / engine
        workdir.mkdir(parents=True, exist_ok=True)
    else:
        workdir = Path(tempfile.mkdtemp(prefix="khuyenhoc-bench-"))
    scale = "quick" if args.quick else "full"
    database_name = None
    restored = False
    if engine == engines.SQLITE:
        os.environ.pop("DATABASE_URL", None)
        kept = workdir / f"generated-{scale}.sqlite3"
        if args.reuse and kept.exists():
            engines.copy_sqlite(kept, workdir / "bench.sqlite3")
            restored = True
        elif args.reuse:
            engines.remove_sqlite(workdir / "bench.sqlite3")  # a previous run's working copy
    else:
        database_name = engines.throwaway_name()
        kept_name = engines.snapshot_name(args.quick)
        restored = bool(args.reuse) and engines.database_exists(server_url, kept_name)
        os.environ["DATABASE_URL"] = engines.create_database(
            server_url, database_name, template=kept_name if restored else None
        )
    rows: list[Row] = []
    started = time.perf_counter()
    failed = True
    try:
        setup_django(workdir)
        ctx = Context(quick=args.quick, workdir=workdir, engine=engine, restored=restored)
        if args.reuse:
            ctx.save_snapshot = functools.partial(save_snapshot, ctx, server_url, database_name, scale)
        label = engines.LABELS[engine]
        for name, step in steps():
            if args.only and name not in args.only and name not in ("migrate", "generate"):
                continue
            print(f"[{time.perf_counter() - started:6.1f} s] {label}: {name}", flush=True)
            before = load_now()
            step_rows = step(ctx)
            span = load_span(before, load_now())
            for row in step_rows:
                row.load = row.load or span
            rows += step_rows
        failed = False
    finally:
        close_connections()
        if database_name:
            engines.drop_database(server_url, database_name)
        if args.keep and not args.reuse:
            print(f"scratch folder kept: {workdir}")
        elif not args.reuse:
            shutil.rmtree(workdir, ignore_errors=True)
        # Printed even when a step fails: what was measured before it is not lost.
        rows.append(
            Row("whole run", f"{time.perf_counter() - started:.1f} s", "quick" if args.quick else "full scale")
        )
        if args.rows_out:
            Path(args.rows_out).write_text(json.dumps([dataclasses.asdict(row) for row in rows]))
        else:
            print()
            print(f"engine: {engines.LABELS[engine]}; {os.cpu_count()} cores")
            print_table(rows)
    return 1 if failed else 0


def close_connections() -> None:
    """Close Django's connections, if Django got as far as being set up (a database with a session left
    open cannot be dropped or copied)."""
    from django.apps import apps

    if apps.ready:
        from django.db import connections

        connections.close_all()


def save_snapshot(ctx: Context, server_url: str | None, database_name: str | None, scale: str) -> str:
    """``--reuse``: keep a copy of the migrated, generated database for the next run; where it is."""
    close_connections()  # a PostgreSQL template has no session; a SQLite copy sees every commit
    if ctx.engine == engines.SQLITE:
        kept = ctx.workdir / f"generated-{scale}.sqlite3"
        engines.copy_sqlite(ctx.workdir / "bench.sqlite3", kept)
        return str(kept)
    kept_name = engines.snapshot_name(scale == "quick")
    engines.drop_database(server_url, kept_name)
    engines.create_database(server_url, kept_name, template=database_name)
    return kept_name


def run_side_by_side(chosen: list[str], args: argparse.Namespace, server_url: str | None) -> int:
    """Each engine in a child process of its own (Django is set up once per process), one after the other;
    their figures in one table."""
    results: dict[str, list[Row]] = {}
    status = 0
    with tempfile.TemporaryDirectory(prefix="khuyenhoc-bench-rows-") as folder:
        for engine in chosen:
            out = Path(folder) / f"{engine}.json"
            argv = [sys.executable, str(Path(__file__).resolve()), "--engines", engine, "--rows-out", str(out)]
            argv += ["--quick"] * args.quick + ["--keep"] * args.keep
            argv += ["--reuse", args.reuse] if args.reuse else []
            argv += ["--only", *args.only] if args.only else []
            env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
            if engine == engines.POSTGRESQL:
                env["DATABASE_URL"] = server_url
            status = status or run_child(argv, env)
            if out.exists():
                results[engines.LABELS[engine]] = [Row(**row) for row in json.loads(out.read_text())]
    print()
    print(f"engines side by side; {os.cpu_count()} cores")
    print_side_by_side(results)
    return status


def run_child(argv: list[str], env: dict[str, str]) -> int:
    """Run ``argv`` to the end; when this run is stopped, the child is stopped too and given time to drop its
    database (``subprocess.run`` would kill it outright)."""
    child = subprocess.Popen(argv, env=env)  # noqa: S603 (this script)
    try:
        return child.wait()
    except KeyboardInterrupt:
        child.send_signal(signal.SIGTERM)  # Ctrl+C reached it already; SIGTERM may have reached only us
        try:
            child.wait(timeout=120)
        except subprocess.TimeoutExpired:
            child.kill()
        raise


def exit_on_signals() -> None:
    """SIGTERM and SIGHUP end the run like Ctrl+C, so the ``finally`` blocks drop what it created."""

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)


if __name__ == "__main__":
    sys.exit(main())
