"""Exact spellings rank first, counts are exact up to the cap and say "more than" above it, and a word
found in most documents is paged without ranking every match: what a visitor or an officer sees."""

from django.template.loader import render_to_string
from django.utils import translation

import pytest

from search.backends import database
from search.query import SearchRequest
from search.selectors import ResultItem, ResultPage

from .conftest import doc, titles

pytestmark = pytest.mark.django_db

ALL = ("page", "subject", "evidence")


@pytest.fixture
def three_spellings(db_backend):
    # "dinh" alone has the best bm25 (a short title, the word twice): only the spelling puts it last.
    db_backend.index(
        [
            doc(1, "dinh dinh", "", public=True),
            doc(2, "Lễ hội ở sân đình của làng Hữu Đức năm nay", "", public=True),
            doc(3, "Gia đình ông Nguyễn Đình Thi ở thôn Từ Thiện, xã Phước Hải", "", public=True),
        ]
    )
    return db_backend


@pytest.fixture(params=["all ranked", "page ranked"])
def ranking(request, monkeypatch):
    """Both ways of ranking: every match (few matches), or the page only (a word found in most rows)."""
    if request.param == "page ranked":
        monkeypatch.setattr(database, "RANK_ALL_MAX", 0)
    return request.param


def test_exact_spelling_first_then_diacritics_then_folded(three_spellings, ranking):
    expected = [
        "Gia đình ông Nguyễn Đình Thi ở thôn Từ Thiện, xã Phước Hải",
        "Lễ hội ở sân đình của làng Hữu Đức năm nay",
        "dinh dinh",
    ]
    assert titles(three_spellings, "Đình", object_types=ALL) == expected
    assert titles(three_spellings, "Đình", object_types=("page", "subject"), public_only=True) == expected


def test_lower_case_with_diacritics_ranks_any_case_of_the_word_first(three_spellings, ranking):
    found = titles(three_spellings, "đình", object_types=ALL)
    assert found[-1] == "dinh dinh"
    assert set(found[:2]) == {
        "Gia đình ông Nguyễn Đình Thi ở thôn Từ Thiện, xã Phước Hải",
        "Lễ hội ở sân đình của làng Hữu Đức năm nay",
    }


def test_typed_without_diacritics_every_spelling_matches(three_spellings, ranking):
    assert len(titles(three_spellings, "dinh", object_types=ALL)) == 3


def test_page_ranked_pages_hold_every_match_once(db_backend, monkeypatch):
    """Above the full-ranking bound, pages follow the tiers, then the newest entry: no match lost or
    shown twice across pages, exact spellings first."""
    monkeypatch.setattr(database, "RANK_ALL_MAX", 0)
    db_backend.index([doc(pk, f"Biên bản họp số {pk}", "", public=True) for pk in range(1, 24)])
    db_backend.index([doc(pk, f"bien ban hop so {pk}", "", public=True) for pk in range(24, 31)])
    seen = []
    for offset in range(0, 40, 7):
        page = db_backend.search(SearchRequest(text="Biên bản", object_types=ALL, offset=offset, limit=7))
        seen += [hit.object_id for hit in page.hits]
    assert sorted(seen) == list(range(1, 31))
    assert set(seen[:23]) == set(range(1, 24))  # the spelling typed, before the folded-only ones


def test_count_exact_up_to_the_cap_then_more_than(db_backend, monkeypatch):
    monkeypatch.setattr(database, "COUNT_CAP", 5)
    db_backend.index([doc(pk, f"Khuyến học {pk}", "", public=True) for pk in range(1, 6)])
    exact = db_backend.search(SearchRequest(text="khuyen hoc", object_types=ALL))
    assert (exact.total, exact.total_exact) == (5, True)
    db_backend.index([doc(6, "Khuyến học 6", "", public=True)])
    capped = db_backend.search(SearchRequest(text="khuyen hoc", object_types=ALL, limit=3))
    assert (capped.total, capped.total_exact) == (5, False)
    assert len(capped.hits) == 3
    public = db_backend.search(SearchRequest(text="khuyen hoc", object_types=("page",), public_only=True))
    assert (public.total, public.total_exact) == (5, False)


def test_public_count_never_counts_what_is_not_public(db_backend, monkeypatch):
    monkeypatch.setattr(database, "COUNT_CAP", 5)
    db_backend.index([doc(pk, f"Khuyến học {pk}", "", public=pk <= 2) for pk in range(1, 10)])
    public = db_backend.search(SearchRequest(text="khuyen hoc", object_types=("page",), public_only=True))
    assert (public.total, public.total_exact) == (2, True)
    assert {hit.object_id for hit in public.hits} == {1, 2}


def test_an_entry_made_public_in_place_is_found_publicly_and_back(db_backend):
    """A decision may update ``public`` and ``year`` of entries in place (no new document): the public
    index follows, and the year filter too."""
    from search.models import SearchEntry

    db_backend.index([doc(1, "Gia đình ông Chế Văn Lộc", "", object_type="subject", year=None)])
    request = SearchRequest(text="che van loc", object_types=("subject",), public_only=True)
    assert db_backend.search(request).total == 0
    SearchEntry.objects.filter(object_id=1).update(public=True, year=2025)
    assert [hit.year for hit in db_backend.search(request).hits] == [2025]
    by_year = SearchRequest(text="che van loc", object_types=("subject",), year=2025)
    assert db_backend.search(by_year).total == 1
    SearchEntry.objects.filter(object_id=1).update(public=False, year=None)
    assert db_backend.search(request).total == 0
    assert db_backend.search(by_year).total == 0


def test_more_than_the_cap_reads_hon_10_000_in_vietnamese():
    page = ResultPage(query="hoc", total=10_000, total_exact=False, items=[ResultItem("page", "Khuyến học")])
    with translation.override("vi"):
        public = render_to_string("search/search.html", {"search_query": "hoc", "search_results": page})
    assert "hơn 10.000 kết quả" in public


def test_area_tags_follow_a_unit_moved_in_place(db_backend):
    db_backend.index([doc(1, "Biên bản họp", object_type="evidence", area_path="000100010001")])
    db_backend.move_area("00010001", "00020005")
    moved = SearchRequest(text="bien ban", object_types=("evidence",), area_paths=("00020005",))
    old = SearchRequest(text="bien ban", object_types=("evidence",), area_paths=("00010001",))
    assert [hit.area_path for hit in db_backend.search(moved).hits] == ["000200050001"]
    assert db_backend.search(old).total == 0
