"""The admin data version: one value in the shared cache that changes after every committed write to the data
an admin listing may show (evaluations, subjects, decisions, units, users, groups and permissions, Wagtail's
user profiles). Cached admin listings (``evaluations/admin/listing_cache.py``) are keyed on it.

The writes are seen where they all pass, the database connection (``watch_writes``, an execute wrapper on
every connection, the worker's too): ``QuerySet.update()``, ``bulk_create`` and the bulk services' SQL
send no model signal, and the listing must not show a total or a status from before any of them. Writes to
tables no listing shows (sessions, the cache itself, login attempts, tasks, job progress, the search index)
are not counted, or every request's session and every job's heartbeat would empty the cache (a login does:
it writes the user's last login time).
"""

from __future__ import annotations

import re

from django.core.cache import cache
from django.db import transaction

from .public_version import cache_table_exists, migrating, new_version, stored_version

VERSION_KEY = "admin-data-version"

#: The tables whose rows an admin listing reads: the project's data, users, groups and their permissions.
WATCHED_PREFIXES = ("evaluations_", "reorganisation_", "auth_", "wagtailusers_", "wagtailcore_")
#: Inside those, tables only of progress and bookkeeping, written many times a minute while a job runs.
UNWATCHED_TABLES = frozenset(
    {
        "evaluations_importjob",
        "evaluations_bulkdecisionjob",
        "evaluations_importlock",
        "evaluations_exportrecord",
    }
)
_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)


def admin_data_version() -> str:
    return stored_version(VERSION_KEY)


#: Set once the cache's table is known to exist (``migrate`` writes permissions before ``createcachetable``).
_cache_ready = False


def bump_admin_version() -> None:
    global _cache_ready
    if not _cache_ready:
        if not cache_table_exists():
            return  # nothing can have been cached yet, so nothing is stale
        _cache_ready = True
    cache.set(VERSION_KEY, new_version(), timeout=None)


def written_table(sql: str) -> str | None:
    """The table an ``INSERT``, ``UPDATE`` or ``DELETE`` writes, or ``None`` for any other statement."""
    if not isinstance(sql, str):
        return None  # composed SQL objects: only the bench's and tests' DDL uses them
    head = sql[:32].lstrip()[:6].upper()
    if not head.startswith(("INSERT", "UPDATE", "DELETE")):
        return None
    match = _WRITE.match(sql)
    return match.group(1).lower() if match else None


def is_watched(table: str | None) -> bool:
    return table is not None and table.startswith(WATCHED_PREFIXES) and table not in UNWATCHED_TABLES


def cache_in_connection(connection) -> bool:
    """True when the shared cache is a table of this SQLite database. The version cannot be written from
    here then: right after an ``INSERT ... RETURNING`` in autocommit, SQLite's statement is still open
    and the cache's own transaction on the same connection undid the row (the demo's first evidence file
    failed its foreign key). The listing cache is off in that set-up (``listing_cache.cache_seconds``);
    PostgreSQL's driver has read the whole answer when ``execute`` returns."""
    from django.core.cache import caches
    from django.core.cache.backends.db import DatabaseCache

    return connection.vendor == "sqlite" and isinstance(caches["default"], DatabaseCache)


def watch_writes(execute, sql, params, many, context):
    """Execute wrapper: after a write to a watched table the version changes once the write is committed
    (a reader before the commit sees the old rows, and whatever it caches is under the old version)."""
    result = execute(sql, params, many, context)
    if is_watched(written_table(sql)) and not migrating():
        connection = context["connection"]
        if not connection.in_atomic_block:
            bump_admin_version()
        elif not any(entry[1] is bump_admin_version for entry in connection.run_on_commit):
            transaction.on_commit(bump_admin_version, using=connection.alias)
    return result


def install_write_watch(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: every new connection (each thread's, the worker's) watches its writes."""
    if watch_writes not in connection.execute_wrappers and not cache_in_connection(connection):
        connection.execute_wrappers.append(watch_writes)
