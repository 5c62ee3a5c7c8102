"""Which database engines a bench run measures, and the throwaway PostgreSQL databases it works in.

Nothing here imports Django: ``bench/run.py`` decides the database before ``django.setup()`` reads
``DATABASE_URL`` (``config.settings.base.database_config``). A PostgreSQL run never touches the database
its ``DATABASE_URL`` names: it creates ``khuyenhoc_bench_<pid>`` on the same server (the role needs
CREATEDB), works there and drops it at the end. With ``--reuse`` the generated data set is kept on the
server as ``khuyenhoc_bench_<scale>_generated`` and each run starts from a copy of it (``TEMPLATE``).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
ENGINES = (SQLITE, POSTGRESQL)
LABELS = {SQLITE: "SQLite", POSTGRESQL: "PostgreSQL"}
#: Every database the bench creates starts with this (never one of the site's own).
PREFIX = "khuyenhoc_bench_"


def parse_engines(text: str | None, database_url: str | None) -> list[str]:
    """``--engines``: ``sqlite``, ``postgresql``, both comma-separated, or ``both``. Unset: PostgreSQL when
    ``DATABASE_URL`` is set, else SQLite (what ``make bench`` does)."""
    if not text:
        return [POSTGRESQL if database_url else SQLITE]
    aliases = {"both": list(ENGINES), "all": list(ENGINES), "postgres": [POSTGRESQL], "pg": [POSTGRESQL]}
    engines: list[str] = []
    for part in text.lower().replace(" ", "").split(","):
        for engine in aliases.get(part, [part]):
            if engine not in ENGINES:
                raise ValueError(f"unknown engine {part!r}: use sqlite, postgresql or both")
            if engine not in engines:
                engines.append(engine)
    return engines


def throwaway_name(pid: int | None = None) -> str:
    """The database of one run: unique per process, recognisable as the bench's."""
    return f"{PREFIX}{os.getpid() if pid is None else pid}"


def snapshot_name(quick: bool) -> str:
    """Where ``--reuse`` keeps the generated data set on a PostgreSQL server, one per scale."""
    return f"{PREFIX}{'quick' if quick else 'full'}_generated"


def with_database(url: str, name: str) -> str:
    """``url`` naming the database ``name`` instead (user, password, host, port and options kept)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _check_name(name: str) -> None:
    # Only our own databases are ever created or dropped here.
    if not name.startswith(PREFIX) or not name.replace("_", "").isalnum():
        raise ValueError(f"not a bench database: {name!r}")


def _admin(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True)


def database_exists(server_url: str, name: str) -> bool:
    with _admin(server_url) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def create_database(server_url: str, name: str, *, template: str | None = None) -> str:
    """Create ``name`` (a copy of ``template`` if given) on ``server_url``'s server; its URL."""
    from psycopg import sql

    _check_name(name)
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        _check_name(template)
        statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    with _admin(server_url) as conn:
        conn.execute(statement)
    return with_database(server_url, name)


def drop_database(server_url: str, name: str) -> None:
    """Drop ``name`` if it exists, ending any session still connected to it (a child process killed
    mid-step may leave one)."""
    from psycopg import sql

    _check_name(name)
    with _admin(server_url) as conn:
        drop = sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
        if conn.info.server_version >= 130000:
            conn.execute(drop + sql.SQL(" WITH (FORCE)"))
            return
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        conn.execute(drop)


def remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database (its WAL included) through SQLite's backup API."""
    remove_sqlite(target)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
