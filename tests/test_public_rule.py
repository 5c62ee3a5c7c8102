"""One public rule, on every public surface.

Beside one public family, three subjects that must never be named in public: a family that declined
publication, a learning citizen (an individual: never published), and a family whose evaluation says
"recognised" but that no decision recognised. None of them appears by name on the list page, a detail
page, the public search (results and count), the search index's ``public`` flag, the sitemap, a model
story or the open-data API; every count of public rows leaves them out; the published figures withhold
the village's count of one learning citizen.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

import pytest

from content.models import ArticleIndexPage, ModelStoryPage, RecognitionListPage
from evaluations.models import Evaluation, HeadTitle, Subject, subject_is_public
from search.indexing import index_pages, public_years
from search.models import SearchEntry
from search.selectors import public_search
from tests.factories import CitizenFactory, FamilyFactory, make_decision, make_recognised

pytestmark = pytest.mark.django_db

PUBLIC = "Gia đình ông Trần Văn Bảo"
HIDDEN = ["Huỳnh Văn Bảo", "Chamaléa Thị Bảo", "Lê Văn Bảo"]


def add_story(index, subject, slug: str) -> ModelStoryPage:
    story = ModelStoryPage(
        title=f"Câu chuyện {subject.name}",
        slug=slug,
        subject=subject,
        date=datetime.date(2026, 1, 5),
        intro="Học tập suốt đời.",
    )
    index.add_child(instance=story)
    story.save_revision().publish()
    return story


@pytest.fixture
def world(areas, home):
    decision = make_decision(areas["commune_a"], "125/QĐ-UBND", 2025)
    public = FamilyFactory(head_name="Trần Văn Bảo", head_title=HeadTitle.MR, area=areas["village_a1"])
    declined = FamilyFactory(head_name="Huỳnh Văn Bảo", area=areas["village_a1"])
    citizen = CitizenFactory(full_name="Chamaléa Thị Bảo", area=areas["village_a1"])
    undecided = FamilyFactory(head_name="Lê Văn Bảo", area=areas["village_a2"])
    evaluations = {
        "public": make_recognised(public, decision),
        "declined": make_recognised(declined, decision),
        "citizen": make_recognised(citizen, decision),
        "undecided": make_recognised(undecided, decision),
    }
    page = RecognitionListPage(title="Danh sách công nhận", slug="danh-sach", area=areas["province"])
    home.add_child(instance=page)
    page.save_revision().publish()
    stories_index = ArticleIndexPage(title="Mô hình tiêu biểu", slug="mo-hinh")
    home.add_child(instance=stories_index)
    stories_index.save_revision().publish()
    # Stories written while the families were public; then the family declines publication, and the other
    # family's recognition turns out to have no decision ("recognised", as an import or an old screen left it).
    stories = {key: add_story(stories_index, subject, f"cau-chuyen-{key}") for key, subject in
               (("public", public), ("declined", declined), ("undecided", undecided))}  # fmt: skip
    declined.publish_consent = False
    declined.save()
    evaluations["undecided"].decision = None
    evaluations["undecided"].save()
    # A story about a learning citizen cannot be saved (its subject is not a public choice); one written
    # to the database directly is hidden all the same.
    with pytest.raises(ValidationError):
        add_story(stories_index, citizen, "cau-chuyen-citizen")
    stories["citizen"] = add_story(stories_index, public, "cau-chuyen-citizen")
    ModelStoryPage.objects.filter(pk=stories["citizen"].pk).update(subject=citizen, title=f"Câu chuyện {citizen.name}")
    stories["citizen"] = ModelStoryPage.objects.get(pk=stories["citizen"].pk)
    index_pages([stories["citizen"]])
    return {
        "areas": areas,
        "page": page,
        "stories_index": stories_index,
        "stories": stories,
        "evaluations": evaluations,
        "subjects": {"public": public, "declined": declined, "citizen": citizen, "undecided": undecided},
    }


def assert_no_hidden_name(text: str):
    for name in HIDDEN:
        assert name not in text, name


def test_the_rule_itself(world):
    evaluations, subjects = world["evaluations"], world["subjects"]
    assert list(Evaluation.objects.public().values_list("pk", flat=True)) == [evaluations["public"].pk]
    assert list(Subject.objects.public().values_list("pk", flat=True)) == [subjects["public"].pk]
    assert subject_is_public(subjects["public"]) and subject_is_public(subjects["public"].pk)
    assert not any(subject_is_public(subjects[key]) for key in ("declined", "citizen", "undecided"))
    annotated = dict(Subject.objects.with_public_year().values_list("pk", "public_year"))
    assert annotated[subjects["public"].pk] == 2025
    assert {annotated[subjects[key].pk] for key in ("declined", "citizen", "undecided")} == {None}
    # The same rule asked of named subjects (the search index's batches).
    named = Evaluation.objects.public_of_subjects([subject.pk for subject in subjects.values()])
    assert list(named.values_list("pk", flat=True)) == [evaluations["public"].pk]
    assert public_years(subject.pk for subject in subjects.values()) == {subjects["public"].pk: 2025}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner only: it runs without statistics here")
def test_the_rule_asked_of_named_subjects_reads_their_rows_not_every_recognition(world):
    """Without planner statistics SQLite took the status index (every recognised evaluation in the
    database, walked for each subject: 1.4 s for one subject at a million evaluations) over the subject's."""
    subject = world["subjects"]["public"]

    def plan(queryset) -> str:
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return " | ".join(row[-1] for row in cursor.fetchall())

    for queryset in (
        Subject.objects.public().filter(pk=subject.pk),
        Subject.objects.public().filter(pk__in=[subject.pk, subject.pk + 1]),
        Evaluation.objects.public_of_subjects([subject.pk, subject.pk + 1]),
    ):
        steps = plan(queryset)
        assert "evaluation_status_list_idx" not in steps and "evaluation_kind_list_idx" not in steps, steps
        assert "(subject_id=?)" in steps, steps


def test_list_page(client, world):
    page = world["page"]
    html = client.get(page.url).content.decode()
    assert PUBLIC in html
    assert_no_hidden_name(html)
    assert "1 mô hình học tập được công nhận" in html
    searched = client.get(page.url, {"q": "bao"}).content.decode()
    assert_no_hidden_name(searched)
    assert "1 mô hình học tập được công nhận" in searched


def test_detail_pages(client, world):
    page, evaluations = world["page"], world["evaluations"]
    assert client.get(f"{page.url}{evaluations['public'].pk}/").status_code == 200
    for key in ("declined", "citizen", "undecided"):
        assert client.get(f"{page.url}{evaluations[key].pk}/").status_code == 404, key


def test_public_search_results_and_count(client, world):
    found = public_search(text="bao")
    # The public family and the story about it; nothing of the hidden three (nor their stories).
    assert sorted(item.title for item in found.items) == sorted([PUBLIC, f"Câu chuyện {PUBLIC}"])
    assert found.total == 2  # counted after the rule, before paging
    html = client.get("/search/", {"query": "bao"}).content.decode()
    assert PUBLIC in html and "2 kết quả" in html
    assert_no_hidden_name(html)
    # The stories about the hidden three are not found either.
    stories = client.get("/search/", {"query": "Câu chuyện"}).content.decode()
    assert "Câu chuyện Gia đình ông Trần Văn Bảo" in stories and "1 kết quả" in stories
    assert_no_hidden_name(stories)


def test_search_index_public_flag(world):
    subjects, stories = world["subjects"], world["stories"]
    flags = dict(SearchEntry.objects.filter(object_type="subject").values_list("object_id", "public"))
    assert flags[subjects["public"].pk] is True
    assert not any(flags[subjects[key].pk] for key in ("declined", "citizen", "undecided"))
    pages = dict(SearchEntry.objects.filter(object_type="page").values_list("object_id", "public"))
    assert pages[stories["public"].pk] is True
    assert not any(pages[stories[key].pk] for key in ("declined", "citizen", "undecided"))


def test_search_index_follows_a_decision_and_a_withdrawal(world):
    """The flag follows the subject: recorded a decision later, it becomes public; withdrawn, hidden."""
    undecided, story = world["evaluations"]["undecided"], world["stories"]["undecided"]
    undecided.decision = make_decision(world["areas"]["commune_a"], "130/QĐ-UBND", 2025)
    undecided.save()
    entry = SearchEntry.objects.get(object_type="subject", object_id=undecided.subject_id)
    assert entry.public is True
    assert SearchEntry.objects.get(object_type="page", object_id=story.pk).public is True
    subject = undecided.subject.specific
    subject.publish_consent = False
    subject.save()
    assert SearchEntry.objects.get(object_type="subject", object_id=subject.pk).public is False
    assert SearchEntry.objects.get(object_type="page", object_id=story.pk).public is False


def test_sitemap(client, world):
    stories = world["stories"]
    xml = client.get("/sitemap.xml").content.decode()
    assert stories["public"].url in xml
    for key in ("declined", "citizen", "undecided"):
        assert stories[key].url not in xml, key
    assert_no_hidden_name(xml)


def test_model_story_pages(client, world):
    stories = world["stories"]
    assert client.get(stories["public"].url).status_code == 200
    for key in ("declined", "citizen", "undecided"):
        assert client.get(stories[key].url).status_code == 404, key
    for html in (client.get(world["stories_index"].url).content.decode(), client.get("/").content.decode()):
        assert "Câu chuyện Gia đình ông Trần Văn Bảo" in html
        assert_no_hidden_name(html)
    # The editor can only choose a public subject for a story.
    field = ModelStoryPage._meta.get_field("subject").formfield()
    choices = field.queryset.complex_filter(field.get_limit_choices_to())
    assert list(choices.values_list("name", flat=True)) == [PUBLIC]


def test_open_data_recognitions(client, world):
    body = client.get(reverse("api:recognitions")).json()
    assert [row["name"] for row in body["results"]] == [PUBLIC]
    assert body["count"] == 1
    assert_no_hidden_name(client.get(reverse("api:recognitions"), {"format": "csv"}).content.decode())
    # Learning citizens are not a public kind: asking for them is a wrong parameter, not a list of people.
    refused = client.get(reverse("api:recognitions"), {"kind": "citizen"})
    assert refused.status_code == 400
    assert refused.json()["error"]["parameter"] == "kind"
    # The list page's JSON address is the same API.
    redirected = client.get(f"{world['page'].url}api/", {"q": "bao"}, follow=True)
    assert [row["name"] for row in redirected.json()["results"]] == [PUBLIC]


def test_open_data_figures_withhold_a_village_count_of_one_citizen(client, world):
    response = client.get(reverse("api:figures"), {"area": "T0111", "year": 2025})
    assert response.status_code == 200
    assert_no_hidden_name(response.content.decode())
    rows = {(r["area_name"], r["indicator"]): r for r in response.json()["results"]}
    village = rows[("Thôn Từ Thiện", "citizen")]
    assert village["suppressed"] is True
    assert village["registered"] is village["evaluated"] is village["recognised"] is None
    assert village["percent_recognised"] is None and village["target_met"] is None
    # The only other village of the commune is withheld with it: the commune minus it would give the count.
    assert rows[("Thôn Thái An", "citizen")]["suppressed"] is True
    # Communes are never withheld; households are not counts of individuals.
    assert rows[("Xã Phước Hải", "citizen")]["suppressed"] is False
    family = rows[("Thôn Từ Thiện", "family")]
    assert family["suppressed"] is False and family["registered"] == 2
