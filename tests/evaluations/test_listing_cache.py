"""An officer's admin listing is answered again from the cache, and never shows anything older than the last
committed write: a score saved by the service's bulk SQL, a status changed by a workflow action, an area
assignment taken away. Messages show once; another session, user or language gets its own page."""

from decimal import Decimal

from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

import pytest

from evaluations.admin import evaluation_viewset
from evaluations.admin.listing_cache import CACHE_HEADER, cache_seconds
from evaluations.admin_version import is_watched, written_table
from evaluations.models import AreaAssignment, Evaluation, EvaluationResult
from evaluations.roles import COMMUNE_OFFICER
from tests.conftest import rebuild_after_flush
from tests.factories import FamilyFactory, make_evaluation, make_officer

# Committed for real: the version changes when a write commits, as it does between an officer's requests.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def listing_cache_on(settings):
    rebuild_after_flush()  # the role groups, if a transactional test before this one flushed them
    settings.ADMIN_LISTING_CACHE_SECONDS = 300


@pytest.fixture
def rows(areas):
    first = make_evaluation(FamilyFactory(head_name="Lê Thị Mai", area=areas["village_a1"]), total=Decimal("61"))
    second = make_evaluation(
        FamilyFactory(head_name="Trần Văn An", area=areas["village_a2"]),
        total=Decimal("90"),
        result=EvaluationResult.MEETS,
    )
    outside = make_evaluation(FamilyFactory(head_name="Phạm Thị Nga", area=areas["village_b1"]))
    return first, second, outside


@pytest.fixture
def officer(areas):
    return make_officer(COMMUNE_OFFICER, areas["commune_a"], username="xa-a")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listing(client, **params):
    response = client.get(reverse(evaluation_viewset.get_url_name("list")), params)
    assert response.status_code == 200
    return response


def test_the_same_page_comes_again_from_the_cache_until_a_write_without_signals(officer, rows):
    client = logged_in(officer)
    first = listing(client)
    assert CACHE_HEADER not in first  # the first page also issued the CSRF cookie: not stored
    stored = listing(client)
    assert stored[CACHE_HEADER] == "miss"
    again = listing(client)
    assert again[CACHE_HEADER] == "hit"
    assert again.content == stored.content
    assert "Lê Thị Mai" in again.text and "Phạm Thị Nga" not in again.text
    # A score saved the way the scoring service saves it: SQL UPDATE, no model signal.
    Evaluation.objects.filter(pk=rows[0].pk).update(total=Decimal("77.5"))
    fresh = listing(client)
    assert fresh[CACHE_HEADER] == "miss"
    assert "77,5" in fresh.text and "61" not in fresh.text
    # Another filter or page is another entry.
    assert listing(client, year="2025")[CACHE_HEADER] == "miss"


def test_a_workflow_action_shows_its_message_once_and_the_new_status(officer, rows):
    client = logged_in(officer)
    listing(client)
    assert listing(client)[CACHE_HEADER] == "miss"
    action = reverse(evaluation_viewset.get_url_name("action"), args=[rows[1].pk, "submit"])
    assert client.post(action).status_code == 302
    with_message = listing(client)
    assert CACHE_HEADER not in with_message  # messages waiting: rendered, not stored
    assert "đã được gửi" in with_message.text.lower() or "Trần Văn An" in with_message.text
    messages = [str(m) for m in with_message.context["messages"]]
    assert len(messages) == 1
    assert "Chờ thẩm định" in with_message.text or "Đã gửi" in with_message.text
    after = listing(client)
    assert after[CACHE_HEADER] == "miss"
    assert messages[0] not in after.text
    assert listing(client)[CACHE_HEADER] == "hit"


def test_each_session_and_user_has_its_own_page(officer, rows, areas):
    client = logged_in(officer)
    listing(client)
    listing(client)
    assert listing(client)[CACHE_HEADER] == "hit"
    # The same officer on another device: another session and CSRF cookie, so another entry.
    other_device = logged_in(officer)
    listing(other_device)
    assert listing(other_device)[CACHE_HEADER] == "miss"
    # An officer of commune B sees only commune B's row, never the page cached for commune A.
    neighbour = logged_in(make_officer(COMMUNE_OFFICER, areas["commune_b"], username="xa-b"))
    listing(neighbour)
    page = listing(neighbour)
    assert page[CACHE_HEADER] == "miss"
    assert "Phạm Thị Nga" in page.text and "Lê Thị Mai" not in page.text
    # Requests write sessions and cache entries: that empties nobody's cache.
    assert listing(neighbour)[CACHE_HEADER] == "hit"
    listing(other_device)
    assert listing(neighbour)[CACHE_HEADER] == "hit"


def test_an_area_taken_away_is_seen_at_once(officer, rows, areas):
    client = logged_in(officer)
    listing(client)
    assert "Lê Thị Mai" in listing(client).text
    AreaAssignment.objects.filter(user=officer).update(area=areas["commune_b"])
    page = listing(client)
    assert "Lê Thị Mai" not in page.text and "Phạm Thị Nga" in page.text
    officer.groups.remove(Group.objects.get(name=COMMUNE_OFFICER))
    assert client.get(reverse(evaluation_viewset.get_url_name("list"))).status_code in (302, 403)


def test_off_with_a_cache_of_each_process_unless_set(settings):
    settings.ADMIN_LISTING_CACHE_SECONDS = None
    assert cache_seconds() == 0  # the suite's cache is LocMemCache: the worker's writes would not be seen
    settings.ADMIN_LISTING_CACHE_SECONDS = 60
    assert cache_seconds() == 60


@pytest.mark.parametrize(
    ("sql", "watched"),
    [
        ('UPDATE "evaluations_evaluation" SET "total" = %s WHERE "id" = %s', True),
        ("INSERT INTO evaluations_score (evaluation_id) VALUES (%s)", True),
        ('  delete from "auth_user_groups" WHERE "user_id" = %s', True),
        ('UPDATE "django_session" SET "expire_date" = %s', False),
        ('INSERT INTO "django_cache" (cache_key) VALUES (%s)', False),
        ('UPDATE "reports_exportjob" SET "done_rows" = %s', False),
        ('UPDATE "evaluations_importjob" SET "done_rows" = %s', False),
        ('SELECT * FROM "evaluations_evaluation" WHERE "note" = \'UPDATE evaluations_x\'', False),
    ],
)
def test_writes_that_count(sql, watched):
    assert is_watched(written_table(sql)) is watched


def test_off_with_the_cache_table_in_a_sqlite_database(settings):
    """There the version cannot follow the writes (an open ``INSERT ... RETURNING`` on the same connection):
    the listing is rendered every time, and no write touches the cache table mid-statement."""
    from django.db import connection

    from evaluations.admin_version import cache_in_connection

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "x"}}
    settings.ADMIN_LISTING_CACHE_SECONDS = 300
    sqlite = connection.vendor == "sqlite"
    assert cache_in_connection(connection) is sqlite
    assert cache_seconds() == (0 if sqlite else 300)
