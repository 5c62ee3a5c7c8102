"""An officer's admin listing page, answered again from the shared cache until the data it shows changes.

An officer goes back to the same listing many times an hour (back from an evaluation, the next page and
back, a reload), and each rendering costs ~50 ms of CPU however few rows it shows: Wagtail's menu,
filters, buttons and the rows' cells. The page is stored under a key of everything it depends on:

- the admin data version (``evaluations/admin_version.py``), which changes after every committed write to
  the data a listing shows, through any path (forms, services, bulk SQL, imports, the worker);
- the session and its CSRF cookie (the page holds the user's CSRF token, name and permissions), the
  language and time zone, the address with its filters and page, the sidebar's collapsed state.

Never answered from the cache or stored: a request with messages waiting to be shown (a saved form says
so once), a response that added a message, set a cookie or issued a new CSRF secret, anything but a 200.
``ADMIN_LISTING_CACHE_SECONDS`` bounds an entry's life in any case (a write made outside Django, e.g. SQL
in a shell); it is off with a per-process cache, which would not see the worker's writes, and with a cache
table in a SQLite database (``admin_version.cache_in_connection``).
"""

from __future__ import annotations

import hashlib
import zlib

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.http import HttpResponse
from django.utils import timezone, translation

from evaluations.admin_version import admin_data_version, cache_in_connection

#: Says on the response whether it came from the cache (read by the tests and ``make load``).
CACHE_HEADER = "X-Admin-Cache"
SIDEBAR_COOKIE = "wagtail_sidebar_collapsed"


def cache_seconds() -> int:
    if cache_in_connection(connection):
        return 0  # the version could not follow the writes (``admin_version.cache_in_connection``)
    configured = getattr(settings, "ADMIN_LISTING_CACHE_SECONDS", None)
    if configured is not None:
        return int(configured)
    return 0 if isinstance(caches["default"], LocMemCache) else 300


def messages_waiting(request) -> bool:
    return bool(request.COOKIES.get("messages")) or bool(getattr(request, "session", {}).get("_messages"))


def entry_key(request) -> str | None:
    """The key of this request's page, or ``None`` when it must be rendered (see the module's docstring)."""
    if request.method not in ("GET", "HEAD") or cache_seconds() <= 0 or not request.user.is_authenticated:
        return None
    session_key = request.session.session_key
    csrf_cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    if not session_key or not csrf_cookie or messages_waiting(request):
        return None
    parts = (
        str(request.user.pk),
        session_key,
        csrf_cookie,
        translation.get_language() or "",
        timezone.get_current_timezone_name(),
        request.COOKIES.get(SIDEBAR_COOKIE, ""),
        request.get_host(),
        request.get_full_path(),
    )
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"admin-listing:{admin_data_version()}:{digest}"


def storable(request, response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE") != request.COOKIES.get(settings.CSRF_COOKIE_NAME):
        return False  # a new CSRF secret was issued: the page holds a token of the next cookie
    storage = getattr(request, "_messages", None)
    return not getattr(storage, "added_new", False)


def cached_listing(request, render_page):
    """The page of ``render_page()`` (a view's response), from the cache when it may be."""
    key = entry_key(request)
    if key is not None:
        stored = cache.get(key)
        if stored is not None:
            content, content_type = stored
            response = HttpResponse(zlib.decompress(content), content_type=content_type)
            response[CACHE_HEADER] = "hit"
            return response
    response = render_page()
    if key is None:
        return response
    if hasattr(response, "render"):
        response.render()
    if storable(request, response):
        # Compressed: a page of 50 rows is ~175 kB of HTML, ~15 kB so (the cache is a database table).
        cache.set(key, (zlib.compress(response.content, 1), response["Content-Type"]), cache_seconds())
        response[CACHE_HEADER] = "miss"
    return response
