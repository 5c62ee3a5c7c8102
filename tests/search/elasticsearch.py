"""Running tests against a real Elasticsearch cluster.

Tests that use the ``es_backend`` fixture skip, saying why, when ``ELASTICSEARCH_URL`` is not set
(a developer's machine); when it is set the cluster is expected, and an unreachable one fails the run.
"""

import os
import uuid

import pytest


@pytest.fixture
def es_backend(settings):
    url = os.environ.get("ELASTICSEARCH_URL", "")
    if not url:
        pytest.skip("Elasticsearch integration test: set ELASTICSEARCH_URL (e.g. http://127.0.0.1:9200) to run it")
    from search.backends import get_backend

    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = url
    settings.ELASTICSEARCH_INDEX_PREFIX = f"test-{uuid.uuid4().hex[:8]}"
    #: Forced refresh after every write, so a search right after a bulk index sees it.
    settings.ELASTICSEARCH_REFRESH_ON_WRITE = True
    get_backend.cache_clear()
    backend = get_backend()
    if not backend.client.ping():
        pytest.fail(f"ELASTICSEARCH_URL is set to {url} but no cluster answers there")
    try:
        yield backend
    finally:
        backend.drop_all()
        get_backend.cache_clear()
