"""Search backends: ``database`` (the default, embedded) and ``elasticsearch`` (scale-out).

``settings.SEARCH_BACKEND`` chooses; both take the same ``IndexDoc`` rows and ``SearchRequest``.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver


@cache
def get_backend():
    name = getattr(settings, "SEARCH_BACKEND", "database")
    if name == "elasticsearch":
        # Only the configured back end is imported (the database one needs no Elasticsearch client).
        from .elasticsearch import ElasticsearchBackend

        return ElasticsearchBackend.from_settings()
    if name == "database":
        from .database import DatabaseBackend

        return DatabaseBackend()
    raise ValueError(f"Unknown SEARCH_BACKEND {name!r}: use 'database' or 'elasticsearch'.")


@receiver(setting_changed)
def _forget_backend(setting, **kwargs):
    if setting in ("SEARCH_BACKEND", "ELASTICSEARCH_URL", "ELASTICSEARCH_INDEX_PREFIX"):
        get_backend.cache_clear()
