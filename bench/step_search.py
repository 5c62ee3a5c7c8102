"""Database search at province scale, and the public recognition list."""

from __future__ import annotations

import random
import statistics
import time

from django.db import connection
from django.test import Client

from wagtail.models import Page, Site

from bench.harness import REPEATS, YEAR, Context, Row, median_ms, percentile, timed
from bench.places import busiest_area
from content.models import RecognitionListPage
from evaluations.models import AdministrativeUnit, Evaluation, UnitLevel
from evaluations.selectors import PublicRecognitionPage, public_recognitions, public_recognitions_matching
from search.backends.base import IndexDoc
from search.backends.database import DatabaseBackend, entry_from_doc
from search.indexing import rebuild_batches
from search.models import SearchEntry
from search.query import SearchRequest

SEARCH_REPEATS = 30


#: Synthetic evidence rows get ids far above the demo's real evidence.
SYNTHETIC_ID = 10_000_000


#: Words officers type into evidence search, in the shapes they type them (no diacritics, a phrase...).
SEARCH_QUERIES = [
    ("one common word", "hoc"),
    ("two words, no diacritics", "hoc tap"),
    ("quoted phrase", '"bien ban hop"'),
    ("with diacritics", "Khuyến học Phước Hải"),
    ("rare word", "Chamali"),
    ("a name, no diacritics", "nguyen van"),
]


_VOCABULARY = (  # noqa: SIM905 - a sentence is easier to read and edit than a list of syllables
    "biên bản họp gia đình học tập dòng họ khuyến học khuyến tài cộng đồng thôn xã phường đơn vị "
    "công dân sổ theo dõi danh sách học sinh giỏi tiên tiến năm học quyết định khen thưởng tổ chức "
    "hội nghị tổng kết phong trào xây dựng xã hội học tập suốt đời đường làng đình chùa thư viện "
    "trung tâm học tập cộng đồng lớp xóa mù chữ tiếng Chăm nghề nông nghiệp chăn nuôi tin học ngoại ngữ"
).split()


_NAMES = (  # noqa: SIM905
    "Nguyễn Trần Lê Phạm Đặng Đàng Chế Lò Pinăng Quảng Văn Thị Hữu Đức Minh Hoa Lan Đường Phước Hải"
).split()


def synthetic_evidence_text(rng) -> str:
    words = [rng.choice(_VOCABULARY) for _ in range(rng.randint(60, 160))]
    for _ in range(3):
        words.insert(rng.randrange(len(words)), rng.choice(_NAMES))
    names = " ".join(rng.choice(_NAMES) for _ in range(3))
    return f"{names}. " + " ".join(words) + "."


def step_search(ctx: Context) -> list[Row]:
    """Database search at province scale: subjects and 50,000 evidence texts, FTS beside a LIKE scan."""
    backend = DatabaseBackend()
    rows = []
    seconds, indexed = timed(backend.rebuild, rebuild_batches(), lambda message: None)
    rows.append(Row("search: rebuild index (subjects, pages)", f"{seconds:.1f} s", f"{indexed:,} entries"))

    count = 2_500 if ctx.quick else 50_000
    rng = random.Random(7)
    sample = list(
        Evaluation.objects.filter(year=YEAR).values_list("kind", "year", "area__path").order_by("pk")[: count * 4 : 4]
    )
    started = time.perf_counter()
    for start in range(0, count, 2_000):
        batch = []
        for number in range(start, min(start + 2_000, count)):
            kind, year, path = sample[number % len(sample)]
            text = synthetic_evidence_text(rng)
            title = f"minh-chung-{number}.pdf"
            if number % 5_000 == 0:
                text += " Chamali"
            doc = IndexDoc("evidence", SYNTHETIC_ID + number, title, text, "", kind, year, path, False)
            batch.append(entry_from_doc(doc))
        SearchEntry.objects.bulk_create(batch, batch_size=2_000)
    seconds = time.perf_counter() - started
    rows.append(Row("search: insert evidence texts", f"{seconds:.1f} s", f"{count:,} texts, {count / seconds:,.0f}/s"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), avg(length(body_folded)) FROM site_search_searchentry")
        total, average = cursor.fetchone()
    rows.append(Row("search: index rows", f"{total:,}", f"evidence bodies {average:,.0f} characters on average"))

    area = busiest_area()
    scopes = [
        ("evidence, whole province", {"object_types": ("evidence",), "facets": True}),
        ("evidence, one district", {"object_types": ("evidence",), "facets": True, "area_paths": (area.path,)}),
        ("public (subjects+pages)", {"object_types": ("page", "subject"), "public_only": True}),
    ]
    for scope, fields in scopes:
        for label, text in SEARCH_QUERIES:
            request = SearchRequest(text=text, **fields)
            measured = {}
            for method in ("search", "scan"):
                fn = getattr(backend, method)
                fn(request)  # warm
                samples = [timed(fn, request)[0] * 1000 for _ in range(SEARCH_REPEATS)]
                measured[method] = (statistics.median(samples), percentile(samples, 0.95), fn(request).total)
            (fts_med, fts_p95, fts_total), (like_med, like_p95, like_total) = measured["search"], measured["scan"]
            rows.append(
                Row(
                    f"search {scope}: {label}",
                    f"{fts_med:.1f} / {fts_p95:.1f} ms",
                    f"FTS median/p95, {fts_total:,} hits; LIKE scan {like_med:.1f} / {like_p95:.1f} ms, "
                    f"{like_total:,} hits",
                )
            )
    return rows


def step_public_list(ctx: Context) -> list[Row]:
    """The public recognition list at province scale with filters, beside the bare selector query."""
    province = AdministrativeUnit.objects.get(code="58", level=UnitLevel.PROVINCE)
    page = RecognitionListPage.objects.first()
    if page is None:
        root = Site.objects.get(is_default_site=True).root_page
        page = RecognitionListPage(title="Danh sách công nhận", slug="danh-sach-cong-nhan", area=province)
        root.add_child(instance=page)
        page.save_revision().publish()
    Page.objects.filter(pk=page.pk).update(live=True)
    district = busiest_area()
    filters = {"kind": "family", "area": district, "year": YEAR, "grade": None}
    grade = (
        public_recognitions(kind="family", area=district, year=YEAR)
        .exclude(grade="")
        .values_list("grade", flat=True)
        .first()
    )
    filters["grade"] = grade
    label = f"families, {district.name}, {YEAR}, {grade or 'any grade'}"

    def orm():
        rows = PublicRecognitionPage(public_recognitions_matching(**filters))
        return rows[0:20], rows.count()

    orm_ms = median_ms(orm)
    matches = orm()[1]
    client = Client()
    # The list's area filter takes GSO codes, as the open-data API does.
    query = f"kind=family&area={district.code}&year={YEAR}" + (f"&grade={grade}" if grade else "")
    url = f"{page.url}?{query}"
    searched = f"{page.url}?q=nguyen+van&year={YEAR}"
    rows = [Row("ORM: public_recognitions first page + count", f"{orm_ms:.1f} ms", f"{label}: {matches:,} matches")]
    for name, address in (
        ("public list GET, filtered", url),
        ("public list GET, name search", searched),
        ("public list GET, no filter", page.url),
    ):
        first = client.get(address)
        if first.status_code != 200:
            rows.append(Row(name, f"HTTP {first.status_code}", address))
            continue

        def get(address=address):
            response = client.get(address)
            assert response.status_code == 200
            return response

        server_ms = median_ms(get)
        rows.append(Row(f"{name} (median of {REPEATS})", f"{server_ms:.1f} ms", address))
        if name.endswith("filtered"):
            rows.append(Row("public list / ORM ratio", f"{server_ms / orm_ms:.1f} x"))
    return rows
