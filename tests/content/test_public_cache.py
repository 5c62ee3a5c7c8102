"""Public pages are cached whole for anonymous visitors, and a change they show drops the cache."""

import pytest

from evaluations import services
from evaluations.models import EvaluationResult, EvaluationStatus, HeadTitle
from evaluations.public_version import VERSION_KEY, public_data_version
from evaluations.roles import COMMUNE_OFFICER, PROVINCIAL_OFFICER
from tests.factories import FamilyFactory, make_evaluation, make_officer, make_recognised

pytestmark = pytest.mark.django_db


def cache_state(response) -> str | None:
    return response.headers.get("X-Public-Cache")


def test_second_anonymous_visit_is_served_from_the_cache(client, recognition_page, recognised):
    first = client.get(recognition_page.url)
    second = client.get(recognition_page.url)
    assert (cache_state(first), cache_state(second)) == ("miss", "hit")
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    # The outer middleware still give the cached answer its security policy.
    assert "Content-Security-Policy" in second
    # Another filter is another page.
    assert cache_state(client.get(recognition_page.url, {"kind": "clan"})) == "miss"


def test_officers_and_the_admin_are_never_cached(client, recognition_page, recognised, areas):
    officer = make_officer(COMMUNE_OFFICER, areas["commune_a"])
    client.force_login(officer)
    assert cache_state(client.get(recognition_page.url)) is None
    assert cache_state(client.get(recognition_page.url)) is None
    assert cache_state(client.get("/admin/")) is None


def test_a_new_recognition_shows_at_once(client, recognition_page, recognised, areas):
    assert "Lê Thị Mới" not in client.get(recognition_page.url).content.decode()
    family = FamilyFactory(head_name="Lê Thị Mới", head_title=HeadTitle.MRS, area=areas["village_a1"])
    make_recognised(family, recognised["decision"])
    response = client.get(recognition_page.url)
    assert cache_state(response) == "miss"
    assert "Lê Thị Mới" in response.content.decode()


def test_a_bulk_decision_drops_the_cache(client, recognition_page, recognised, areas):
    family = FamilyFactory(head_name="Phan Văn Chờ", head_title=HeadTitle.MR, area=areas["village_a1"])
    evaluation = make_evaluation(family, status=EvaluationStatus.REVIEWED, result=EvaluationResult.MEETS)
    assert "Phan Văn Chờ" not in client.get(recognition_page.url).content.decode()
    provincial = make_officer(PROVINCIAL_OFFICER, areas["province"])
    outcome = services.evaluations_decide(evaluations=[evaluation], decision=recognised["decision"], user=provincial)
    assert len(outcome["done"]) == 1
    assert "Phan Văn Chờ" in client.get(recognition_page.url).content.decode()


def test_withdrawn_consent_hides_the_family_at_once(client, recognition_page, recognised):
    assert "Nguyễn Văn An" in client.get(recognition_page.url).content.decode()
    family = recognised["family"].subject
    family.publish_consent = False
    family.save()
    assert "Nguyễn Văn An" not in client.get(recognition_page.url).content.decode()


def test_scoring_a_draft_keeps_the_cache(client, recognition_page, recognised, areas):
    draft = make_evaluation(FamilyFactory(area=areas["village_a1"]), year=2026)
    client.get(recognition_page.url)
    version = public_data_version()
    indicator = next(i for c in draft.criteria_set.criteria.all() for i in c.indicators.all() if i.max_points)
    services.evaluation_record_scores(evaluation=draft, values={indicator.pk: indicator.max_points})
    draft.refresh_from_db()
    assert draft.total == indicator.max_points  # the score was recorded
    assert public_data_version() == version
    assert cache_state(client.get(recognition_page.url)) == "hit"


def test_a_published_page_drops_the_cache(client, home, recognition_page):
    from content.models import ArticleIndexPage

    client.get("/")
    index = ArticleIndexPage(title="Tin tức mới", slug="tin-tuc-moi")
    home.add_child(instance=index)
    index.save_revision().publish()
    response = client.get("/")
    assert cache_state(response) == "miss"


def test_responses_that_set_a_cookie_or_fail_are_not_stored(client, recognition_page):
    assert cache_state(client.get("/khong-co-trang-nay/")) is None
    assert cache_state(client.get("/khong-co-trang-nay/")) is None


def test_the_cache_can_be_turned_off(client, settings, recognition_page):
    settings.PUBLIC_CACHE_SECONDS = 0
    assert cache_state(client.get(recognition_page.url)) is None
    assert cache_state(client.get(recognition_page.url)) is None


def test_a_lost_version_starts_afresh(client, recognition_page, recognised):
    from django.core.cache import cache

    client.get(recognition_page.url)
    cache.delete(VERSION_KEY)
    assert cache_state(client.get(recognition_page.url)) == "miss"
    assert cache_state(client.get(recognition_page.url)) == "hit"


def test_another_visitor_gets_the_cached_page(client, recognition_page, recognised):
    from django.test import Client

    client.get(recognition_page.url)
    assert cache_state(Client().get(recognition_page.url)) == "hit"


def test_migrate_before_the_cache_table_exists(settings, areas):
    """A fresh deployment migrates first and creates the cache table after: the data migrations' saves and
    the end of ``migrate`` must not reach for a table that is not there yet."""
    from evaluations import public_version

    # Django's setting_changed handler gives ``caches`` the new settings (and the old ones back after).
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "no_such_cache_table"}
    }
    try:
        public_version.migration_started()
        FamilyFactory(area=areas["village_a1"])  # a watched save while migrating: nothing is written
        public_version.migration_ended()  # the table is missing: no bump, no error
        assert not public_version.cache_table_exists()
    finally:
        public_version._migrating = False


def test_home_figures_follow_a_new_recognition(client, recognition_page, recognised, areas):
    def recognised_families(response) -> int:
        return next(row["recognised"] for row in response.context["figures"]["kinds"] if row["kind"] == "family")

    before = recognised_families(client.get("/"))
    make_recognised(FamilyFactory(area=areas["village_a1"]), recognised["decision"])
    response = client.get("/")
    assert cache_state(response) == "miss"
    assert recognised_families(response) == before + 1
