"""The public data version: one value in the shared cache that changes whenever anything a public page or
list may show has changed (a decision, a revocation, a subject's consent, registration or name, units, a
published page). Every cached public answer is keyed on it, so one change makes them all stale at once:
the counts of the public lists (``selectors.public_count_key``) and whole public pages
(``home/public_cache.py``). Who bumps it: ``evaluations/receivers.py`` (the evaluations' data) and
``home/public_cache.connect_invalidation`` (pages).
"""

from __future__ import annotations

import itertools
import os
import time

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "public-data-version"

_process_counter = itertools.count(1)
#: True while ``migrate`` runs: its data migrations save pages and units before the cache table exists
#: (``createcachetable`` comes after), and nothing public is cached before the site is up anyway.
_migrating = False


def new_version() -> str:
    return f"{time.time_ns():x}-{os.getpid():x}-{next(_process_counter):x}"


def stored_version(key: str) -> str:
    """The version stored under ``key``; a fresh one is stored when none is (an empty or restarted cache)."""
    version = cache.get(key)
    if version is None:
        version = new_version()
        # ``add``: two workers starting at once agree on the first one stored.
        if not cache.add(key, version, timeout=None):
            version = cache.get(key) or version
    return version


def public_data_version() -> str:
    """The current public data version."""
    return stored_version(VERSION_KEY)


def migrating() -> bool:
    """True while ``migrate`` runs (the cache table may not exist yet)."""
    return _migrating


def public_data_changed(**_kwargs) -> None:
    """Make every cached public answer stale: now, and again when the current transaction commits. The
    second time matters where the cache is not in the database: a request that read the new version
    before the commit read the old data and stored it under that version."""
    if _migrating:
        return
    cache.set(VERSION_KEY, new_version(), timeout=None)
    connection = transaction.get_connection()
    # Once per transaction: an import or a reorganisation saves thousands of rows.
    if connection.in_atomic_block and not any(entry[1] is bump_after_commit for entry in connection.run_on_commit):
        transaction.on_commit(bump_after_commit)


def bump_after_commit() -> None:
    cache.set(VERSION_KEY, new_version(), timeout=None)


def migration_started(**_kwargs) -> None:
    global _migrating
    _migrating = True


def migration_ended(**_kwargs) -> None:
    global _migrating
    _migrating = False
    if cache_table_exists():
        public_data_changed()  # a migration may change what public pages show


def cache_table_exists() -> bool:
    """False only when the cache is the database's and its table is not created yet."""
    from django.core.cache import caches
    from django.core.cache.backends.db import DatabaseCache
    from django.db import connections, router

    backend = caches["default"]
    if not isinstance(backend, DatabaseCache):
        return True
    database = router.db_for_write(backend.cache_model_class)
    return backend._table in connections[database].introspection.table_names()
