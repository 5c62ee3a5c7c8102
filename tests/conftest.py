from django.core.cache import cache

import pytest

from tests.factories import UserFactory, make_area_tree


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache: what is cached by row ids (the structure version) must not
    leak from one test's rolled-back rows to the next test's, which may reuse the same ids."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def areas(db):
    """A small province: one district, communes A and B, two villages each."""
    return make_area_tree()


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def home(db):
    """The site's home page (made by the data migration)."""
    from wagtail.models import Site

    return Site.objects.get(is_default_site=True).root_page.specific
