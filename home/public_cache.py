"""Whole responses of the public site, cached for anonymous visitors and dropped when public data changes.

A public page reads only data that changes a few times a day (decisions, registrations, published pages),
yet each view costs tens of milliseconds of queries and templates. Every anonymous ``GET`` of a public
address is therefore answered from the shared cache (``CACHES["default"]``: the database table in
production, shared by every worker) under a key holding the **public data version**; any change that a
public page may show bumps that version (``public_data_changed``), so the next request renders afresh.
``PUBLIC_CACHE_SECONDS`` bounds how long an entry lives in any case (a safety net for a write that
bypassed every signal, e.g. SQL typed in a shell); 0 turns the cache off.

Never cached: a visitor with a session or a message cookie (an officer sees their userbar, a form its
messages), the admin and every private address, a response that sets a cookie or used a CSRF token, and
anything but a 200 of HTML or JSON.
"""

from __future__ import annotations

import hashlib
import itertools

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_migrate, post_save, pre_migrate
from django.http import HttpResponse

VERSION_KEY = "public-data-version"
#: Addresses that are never public pages (``settings.PUBLIC_CACHE_EXCLUDED_PREFIXES`` adds more).
PRIVATE_PREFIXES = (
    "/admin/",
    "/django-admin/",
    "/accounts/",
    "/documents/",
    "/evidence/",
    "/health/",
    "/static/",
    "/media/",
    "/reports/",
)
CACHEABLE_TYPES = ("text/html", "application/json")
#: Headers kept with a cached body; the outer middleware (request id, security policy) add theirs again.
KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary", "Cache-Control", "Link", "X-Robots-Tag")

_process_counter = itertools.count(1)


def cache_seconds() -> int:
    return int(getattr(settings, "PUBLIC_CACHE_SECONDS", 300))


def public_data_version() -> str:
    """The current public data version; a fresh one is stored when none is (empty or restarted cache)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = new_version()
        # ``add``: two workers starting at once agree on the first one stored.
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY) or version
    return version


def new_version() -> str:
    import os
    import time

    return f"{time.time_ns():x}-{os.getpid():x}-{next(_process_counter):x}"


#: True while ``migrate`` runs: its data migrations save pages and units before the cache table exists
#: (``createcachetable`` comes after), and no page is cached before the site is up anyway.
_migrating = False


def _migration_started(**_kwargs) -> None:
    global _migrating
    _migrating = True


def _migration_ended(**_kwargs) -> None:
    global _migrating
    _migrating = False
    if connection_has_cache_table():
        public_data_changed()  # a migration may change what pages show


def connection_has_cache_table() -> bool:
    from django.core.cache import caches
    from django.core.cache.backends.db import DatabaseCache
    from django.db import connections, router

    backend = caches["default"]
    if not isinstance(backend, DatabaseCache):
        return True
    database = router.db_for_write(backend.cache_model_class)
    return backend._table in connections[database].introspection.table_names()


def public_data_changed(**_kwargs) -> None:
    """Drop every cached public response: now, and again when the current transaction commits. The second
    time matters where the cache is not in the database: a request that read the new version before the
    commit rendered the old data and stored it under that version."""
    if _migrating:
        return
    cache.set(VERSION_KEY, new_version(), timeout=None)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: cache.set(VERSION_KEY, new_version(), timeout=None))


def request_is_cacheable(request) -> bool:
    if request.method not in ("GET", "HEAD") or cache_seconds() <= 0:
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return False
    path = request.path
    excluded = PRIVATE_PREFIXES + tuple(getattr(settings, "PUBLIC_CACHE_EXCLUDED_PREFIXES", ()))
    return not path.startswith(excluded)


def response_is_cacheable(request, response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
        return False  # the page holds a CSRF token of this visitor
    cache_control = response.get("Cache-Control", "")
    if "private" in cache_control or "no-store" in cache_control or "no-cache" in cache_control:
        return False
    return response.get("Content-Type", "").startswith(CACHEABLE_TYPES)


def response_key(request, version: str) -> str:
    # Hashed: a long query string must not exceed a cache backend's key length.
    address = f"{request.get_host()}{request.get_full_path()}".encode()
    return f"public-page:{version}:{hashlib.sha256(address).hexdigest()}"


class PublicResponseCacheMiddleware:
    """Serve anonymous public ``GET`` requests from the cache (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request_is_cacheable(request):
            return self.get_response(request)
        key = response_key(request, public_data_version())
        stored = cache.get(key)
        if stored is not None:
            status, headers, body = stored
            response = HttpResponse(body if request.method == "GET" else b"", status=status)
            for name, value in headers:
                response[name] = value
            response["X-Public-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if request.method == "GET" and response_is_cacheable(request, response):
            headers = [(name, response[name]) for name in KEPT_HEADERS if name in response]
            cache.set(key, (response.status_code, headers, response.content), timeout=cache_seconds())
            response["X-Public-Cache"] = "miss"
        return response


def connect_invalidation() -> None:
    """What a public page shows comes from these writes; each bumps the public data version."""
    from wagtail.models import Page, Site
    from wagtail.signals import page_published, page_unpublished

    from evaluations.models import AdministrativeUnit, Evaluation, GradeBand, RecognitionDecision, Subject
    from evaluations.signals import evaluations_bulk_changed, subjects_bulk_changed, units_moved

    for signal in (page_published, page_unpublished, evaluations_bulk_changed, subjects_bulk_changed, units_moved):
        signal.connect(public_data_changed, dispatch_uid=f"public-cache-{id(signal)}")
    pre_migrate.connect(_migration_started, dispatch_uid="public-cache-pre-migrate")
    post_migrate.connect(_migration_ended, dispatch_uid="public-cache-post-migrate")
    for signal in (post_save, post_delete):
        signal.connect(_model_changed, dispatch_uid=f"public-cache-model-{id(signal)}")
    global WATCHED_MODELS, EVALUATION_MODEL
    WATCHED_MODELS = (Page, Site, Subject, RecognitionDecision, AdministrativeUnit, GradeBand)
    EVALUATION_MODEL = Evaluation


WATCHED_MODELS: tuple = ()
EVALUATION_MODEL = None
#: An evaluation's save shows on public pages when it is new, deleted, or in a decided state; a draft's
#: score entry (many saves a day) does not.
UNDECIDED = ("draft", "submitted", "reviewed")


def _model_changed(sender, instance, created=False, **kwargs) -> None:
    if EVALUATION_MODEL is not None and isinstance(instance, EVALUATION_MODEL):
        if created or kwargs.get("signal") is post_delete or instance.status not in UNDECIDED:
            public_data_changed()
        return
    if isinstance(instance, WATCHED_MODELS) or instance._meta.app_label in ("content", "home"):
        public_data_changed()
