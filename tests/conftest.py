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


def rebuild_after_flush():
    """What the data migrations made, made again when a transactional test before this one flushed the
    database (live-server and process tests run on committed data): the root collection, the role groups,
    the page tree with its home page and the default site. Returns the home page."""
    from django.apps import apps as django_apps
    from django.contrib.contenttypes.models import ContentType

    from wagtail.models import Collection, Locale, Page, Site

    from evaluations.roles import sync_roles
    from home.models import ROOT_NAME, HomePage

    # A flush recreated the content types under new ids; ids cached before it would name rows that are gone.
    ContentType.objects.clear_cache()
    if Collection.get_first_root_node() is None:
        Collection.add_root(name=ROOT_NAME)
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        locale, _ = Locale.objects.get_or_create(language_code="vi")
        root = Page.get_first_root_node() or Page.add_root(instance=Page(title=ROOT_NAME, slug="root", locale=locale))
        home = HomePage(title="Hội Khuyến học", slug="home", locale=locale)
        root.add_child(instance=home)
        home.save_revision().publish()
        site = Site.objects.create(
            hostname="localhost", root_page=home, is_default_site=True, site_name="Hội Khuyến học"
        )
    sync_roles(django_apps)  # after the page tree and the collection: it grants on their roots
    return site.root_page.specific
