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

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse

from evaluations.public_version import public_data_changed, public_data_version

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


def cache_seconds() -> int:
    return int(getattr(settings, "PUBLIC_CACHE_SECONDS", 300))


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
    """Pages bump the public data version when published, unpublished, moved or deleted, and when a page
    or a snippet of the content apps is saved; the evaluations' data bump it themselves
    (``evaluations/receivers.py``)."""
    from wagtail.models import Page, Site
    from wagtail.signals import page_published, page_unpublished

    for signal in (page_published, page_unpublished):
        signal.connect(public_data_changed, dispatch_uid=f"public-cache-{id(signal)}")

    def content_changed(sender, instance, **kwargs):
        if isinstance(instance, (Page, Site)) or instance._meta.app_label in ("content", "home"):
            public_data_changed()

    for signal in (post_save, post_delete):
        signal.connect(content_changed, weak=False, dispatch_uid=f"public-cache-content-{id(signal)}")
