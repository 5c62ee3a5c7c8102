"""Privacy on the public site: declined subjects never appear; no personal field is ever shown."""

import datetime

import pytest

from content.models import ArticleIndexPage, ModelStoryPage
from evaluations.models import Evidence, HeadTitle
from tests.factories import ClanFactory, FamilyFactory, make_recognised

pytestmark = pytest.mark.django_db


@pytest.fixture
def declined(areas, recognised):
    """A recognised family that asked not to be published."""
    family = FamilyFactory(
        head_name="Huỳnh Văn Kín", head_title=HeadTitle.MR, area=areas["village_a1"], publish_consent=False
    )
    return make_recognised(family, recognised["decision"])


@pytest.fixture
def stories(home):
    index = ArticleIndexPage(title="Mô hình tiêu biểu", slug="mo-hinh")
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


def add_story(index, subject, slug):
    story = ModelStoryPage(
        title=f"Câu chuyện {subject.name}", slug=slug, subject=subject, date=datetime.date(2026, 1, 5), intro="…"
    )
    index.add_child(instance=story)
    story.save_revision().publish()
    return story


def test_declined_subject_is_absent_from_list_detail_and_search(client, recognition_page, declined):
    assert "Huỳnh Văn Kín" not in client.get(recognition_page.url).content.decode()
    assert "Huỳnh Văn Kín" not in client.get(recognition_page.url, {"q": "huynh van kin"}).content.decode()
    assert client.get(f"{recognition_page.url}{declined.pk}/").status_code == 404
    found = client.get("/search/", {"query": "huynh van kin"}).content.decode()
    assert "Huỳnh Văn Kín" not in found
    # The search does find consenting models by name, without diacritics.
    assert "Gia đình ông Nguyễn Văn An" in client.get("/search/", {"query": "nguyen van an"}).content.decode()


def test_declined_subject_is_absent_from_the_api(client, recognition_page, declined):
    # The list's JSON address is the open-data API's recognitions (same filters), within the page's province.
    response = client.get(f"{recognition_page.url}api/", {"q": "van"})
    assert response.status_code == 302
    assert response["Location"].startswith("/api/v1/recognitions/?") and "area=T01" in response["Location"]
    data = client.get(f"{recognition_page.url}api/", {"q": "van"}, follow=True).json()
    names = [row["name"] for row in data["results"]]
    assert names == ["Gia đình ông Nguyễn Văn An"]
    assert data["count"] == 1
    everything = client.get(f"{recognition_page.url}api/", follow=True).json()
    assert "Huỳnh Văn Kín" not in {row["name"] for row in everything["results"]}
    # Only the published fields.
    assert set(everything["results"][0]) == {
        "id",
        "kind",
        "name",
        "village",
        "commune",
        "year",
        "grade",
        "level",
        "decision_number",
        "decision_date",
        "decision_issuing_body",
        "url",
    }
    first = everything["results"][0]
    assert first["url"] == f"http://testserver{recognition_page.url}{first['id']}/"


def test_home_counts_a_declined_subject_only_in_aggregate(client, recognition_page, declined):
    html = client.get("/").content.decode()
    assert "Huỳnh Văn Kín" not in html
    # Three families recognised in 2025 (two consenting, one declined): the figure counts them all.
    assert "Được công nhận năm 2025" in html
    assert '<span class="figure__value">3</span>' in html


def test_story_about_a_subject_who_withdraws_consent_disappears(client, recognition_page, recognised, stories):
    family = recognised["family"].subject.specific
    story = add_story(stories, family, "ba-the-he")
    assert client.get(story.url).status_code == 200
    assert story.title in client.get(stories.url).content.decode()

    family.publish_consent = False
    family.save()
    assert client.get(story.url).status_code == 404
    assert story.title not in client.get(stories.url).content.decode()
    assert story.title not in client.get("/").content.decode()
    assert story.url not in client.get("/sitemap.xml").content.decode()
    assert story.title not in client.get("/search/", {"query": "Câu chuyện"}).content.decode()


def test_no_personal_field_or_evidence_in_public_html(client, recognition_page, recognised, areas):
    clan = ClanFactory(clan_name="Họ Châu", representative="Châu Văn Đại Diện", area=areas["commune_b"])
    clan.note = "Ghi chú nội bộ: điện thoại 0909"
    clan.save()
    make_recognised(clan, recognised["decision"])
    family = recognised["family"]
    family.note = "Ghi chú đánh giá riêng"
    family.save()
    Evidence.objects.create(
        evaluation=family,
        file="2025/abc.pdf",
        original_name="so-ho-khau-nguyen-van-an.pdf",
        content_type="application/pdf",
        size=10,
        description="Sổ hộ khẩu",
    )
    pages = [
        client.get(recognition_page.url).content.decode(),
        client.get(f"{recognition_page.url}{family.pk}/").content.decode(),
        client.get("/search/", {"query": "nguyen"}).content.decode(),
    ]
    for html in pages:
        for private in [
            "Châu Văn Đại Diện",  # a clan's representative: beyond the display name
            "Ghi chú nội bộ",
            "Ghi chú đánh giá riêng",
            "so-ho-khau",
            "Sổ hộ khẩu",
            "/evidence/",
            "Chủ tịch UBND",  # the signatory is not among the published fields
        ]:
            assert private not in html, private
    detail = pages[1]
    # The family has 7 members: the number appears nowhere in the detail's facts.
    facts = detail.split('<dl class="facts">')[1].split("</dl>")[0]
    assert ">7<" not in facts and "7 " not in facts
