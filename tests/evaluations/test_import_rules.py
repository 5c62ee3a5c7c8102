"""Rules an import shares with the screens: the search index follows what it writes, names fold the same way
for every search, and points parse with the same messages as the score form."""

from __future__ import annotations

from django.db import connection
from django.urls import reverse
from django.utils import translation

import pytest

from evaluations import bulk_insert
from evaluations.admin import evaluation_viewset
from evaluations.models import LearningFamily, Subject
from search.models import ObjectType, SearchEntry
from tests.evaluations.test_imports import families_file, results_file, run
from tests.factories import FamilyFactory, make_criteria_set, make_decision, make_recognised, scored_evaluation

pytestmark = pytest.mark.django_db


def public(client, query: str) -> str:
    response = client.get("/search/", {"query": query})
    assert response.status_code == 200
    return response.content.decode()


def test_an_import_that_renames_a_public_subject_renames_it_in_the_public_search(client, areas):
    family = FamilyFactory(area=areas["village_a1"], head_name="Phan Văn Cũ", code="H1")
    make_recognised(family, make_decision(areas["commune_a"]))
    assert "Phan Văn Cũ" in public(client, "phan van cu")

    plan = run(families_file([["Xã Phước Hải", "Thôn Từ Thiện", "Phan Văn Mới", "Ông", 4, "H1"]]))

    assert plan.counts()["updated"] == 1
    assert "Gia đình ông Phan Văn Mới" in public(client, "phan van moi")
    assert "Phan Văn Cũ" not in public(client, "phan van cu")


def test_subjects_an_import_creates_or_renames_are_in_the_search_index(areas):
    run(families_file([["Xã Phước Hải", "Thôn Từ Thiện", "Lò Văn Một", "Ông", 4, "H1"]]))
    assert list(SearchEntry.objects.filter(object_type=ObjectType.SUBJECT).values_list("title", flat=True)) == [
        "Gia đình ông Lò Văn Một"
    ]
    run(families_file([["Xã Phước Hải", "Thôn Từ Thiện", "Lò Văn Hai", "Ông", 4, "H1"]]))
    assert list(SearchEntry.objects.filter(object_type=ObjectType.SUBJECT).values_list("title", flat=True)) == [
        "Gia đình ông Lò Văn Hai"
    ]


def test_a_name_written_with_a_hyphen_is_found_typed_with_a_space(admin_client, client, areas):
    family = FamilyFactory(area=areas["village_a1"], head_name="Lê Thị Hồng-Nhung")
    make_recognised(family, make_decision(areas["commune_a"]))

    chooser = admin_client.get("/admin/evaluations/choose-subject/results/", {"q": "hong nhung"})
    assert "Lê Thị Hồng-Nhung" in chooser.content.decode()
    assert "Lê Thị Hồng-Nhung" in public(client, "hong nhung")


def test_a_bad_score_gives_the_same_message_on_the_score_screen_and_in_an_import(admin_client, areas, settings):
    settings.LANGUAGE_CODE = "vi"
    criteria_set = make_criteria_set(code="gdht-test")
    family = FamilyFactory(head_name="Nguyễn Văn An", area=areas["village_a1"])
    evaluation = scored_evaluation(FamilyFactory(area=areas["village_a1"]), criteria_set, year=2025)
    indicator = criteria_set.criteria.first().indicators.first()
    score_url = reverse(evaluation_viewset.get_url_name("score"), args=[evaluation.pk])

    for typed in ("x,5", "11", "7,25", "-1"):
        with translation.override("vi"):
            form = admin_client.get(score_url).context["form"]
            response = admin_client.post(
                score_url, {f"score_{indicator.pk}": typed, "version": form.initial["version"]}
            )
        on_screen = response.context["form"].errors[f"score_{indicator.pk}"]
        row = ["Gia đình", 2024, "gdht-test", "Phước Hải", "Từ Thiện", family.head_name, typed, 10, 10, 15, 15, 20, 5]
        plan = run(results_file([[*row, None]]))
        in_import = [r.message for r in plan.rejections if r.column.startswith("G")]
        assert in_import == list(on_screen), typed


def test_an_import_matches_a_stored_name_written_with_other_punctuation(areas):
    FamilyFactory(area=areas["village_a1"], head_name="Lê Thị Hồng-Nhung", head_title="bà", member_count=4)

    plan = run(families_file([["Xã Phước Hải", "Thôn Từ Thiện", "Lê Thị Hồng Nhung", "Bà", 5, ""]]))

    assert plan.counts() == {"created": 0, "updated": 1, "unchanged": 0, "rejected": 0}
    assert list(LearningFamily.objects.values_list("member_count", flat=True)) == [5]


def test_a_large_import_is_indexed_after_its_commit_by_the_background_worker(
    areas, settings, django_capture_on_commit_callbacks
):
    settings.SEARCH_INLINE_MAX_SUBJECTS = 2
    rows = [
        ["Xã Phước Hải", "Thôn Từ Thiện", name, "Ông", 4, ""] for name in ("Lò Văn Ba", "Lò Văn Bốn", "Lò Văn Năm")
    ]
    titles = SearchEntry.objects.filter(object_type=ObjectType.SUBJECT).values_list("title", flat=True)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run(families_file(rows))
    assert LearningFamily.objects.count() == 3 and not titles.exists()  # not yet: the write was not held up
    for callback in callbacks:
        callback()  # the commit: the task is queued, and the test settings' worker runs it at once
    assert sorted(titles) == ["Gia đình ông Lò Văn Ba", "Gia đình ông Lò Văn Bốn", "Gia đình ông Lò Văn Năm"]


def planner_rows(table: str) -> int | None:
    """What PostgreSQL's statistics say the table holds (None: no statistics)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        tuples = cursor.fetchone()[0]
        return None if tuples < 0 else int(tuples)


def test_a_large_import_leaves_the_planner_statistics_of_what_it_wrote(areas, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner statistics (SQLite's queries are written for its planner without them)")
    monkeypatch.setattr(bulk_insert, "STATISTICS_AFTER_ROWS", 30)  # a list of 30 households counts as large here
    rows = [["Xã Phước Hải", "Thôn Từ Thiện", f"Lò Văn {number}", "Ông", 4, ""] for number in range(40)]
    run(families_file(rows))
    # What the planner now expects (whatever an earlier test left in the statistics of this table).
    assert planner_rows(Subject._meta.db_table) == Subject.objects.count() == 40
