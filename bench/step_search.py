"""Database search at province scale, and the public recognition list."""

from __future__ import annotations

import random
import statistics
import time

from django.db import connection
from django.test import Client

from wagtail.models import Page, Site

from bench.harness import YEAR, Context, Row, goal_row, load_average, median_ms, percentile, timed
from bench.places import busiest_area
from content.models import RecognitionListPage
from evaluations.access import unit_reach_paths
from evaluations.models import PUBLIC_KINDS, AdministrativeUnit, Evaluation, Subject, UnitLevel
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


def public_floor(filters: dict, size: int = 20) -> list[int]:
    """The honest floor of one public list page, in SQL: the ids walked from an index in list order with the
    public rule and the filters checked as it goes, then the columns the page shows for those ids alone."""
    table, subjects = Evaluation._meta.db_table, Subject._meta.db_table
    units = AdministrativeUnit._meta.db_table
    kinds = [str(kind) for kind in PUBLIC_KINDS]
    where = [
        "status = 'recognised'",
        "decision_id IS NOT NULL",
        f"kind IN ({', '.join(['%s'] * len(kinds))})",
        f"subject_id NOT IN (SELECT id FROM {subjects} WHERE NOT publish_consent OR NOT is_active)",  # noqa: S608
    ]
    args: list = list(kinds)
    if filters.get("kind"):
        where.append("kind = %s")
        args.append(filters["kind"])
    if filters.get("year"):
        where.append("year = %s")
        args.append(filters["year"])
    if filters.get("grade"):
        where.append("grade = %s")
        args.append(filters["grade"])
    if filters.get("area") is not None:
        # The area's subtree and those of the units that went into it (the list's rule of an area).
        paths = unit_reach_paths(filters["area"])
        likes = " OR ".join(["path LIKE %s"] * len(paths))
        where.append(f"area_id IN (SELECT id FROM {units} WHERE {likes})")  # noqa: S608
        args += [path + "%" for path in paths]
    if filters.get("q"):
        where.append("sort_name_folded LIKE %s")
        args.append(f"%{filters['q']}%")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table} WHERE {' AND '.join(where)} "  # noqa: S608 (model table names)
            f"ORDER BY year DESC, sort_name_folded, sort_name, id LIMIT {size}",
            args,
        )
        ids = [row[0] for row in cursor.fetchall()]
        if ids:
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(
                f"SELECT e.id, e.year, e.kind, e.grade, e.level, s.name, u.name, u.level, u.path "  # noqa: S608
                f"FROM {table} e JOIN {subjects} s ON s.id = e.subject_id JOIN {units} u ON u.id = e.area_id "
                f"WHERE e.id IN ({marks})",
                ids,
            )
            cursor.fetchall()
    return ids


def step_public_list(ctx: Context) -> list[Row]:
    """The public recognition list (unfiltered, filtered, a name search): the page and count of the selector
    and the GET of the page, against the index walk of the same page (its ids and order checked equal)."""
    province = AdministrativeUnit.objects.get(code="58", level=UnitLevel.PROVINCE)
    page = RecognitionListPage.objects.first()
    if page is None:
        root = Site.objects.get(is_default_site=True).root_page
        page = RecognitionListPage(title="Danh sách công nhận", slug="danh-sach-cong-nhan", area=province)
        root.add_child(instance=page)
        page.save_revision().publish()
    Page.objects.filter(pk=page.pk).update(live=True)
    district = busiest_area()
    grade = (
        public_recognitions(kind="family", area=district, year=YEAR)
        .exclude(grade="")
        .values_list("grade", flat=True)
        .first()
    )
    query = f"kind=family&area={district.code}&year={YEAR}" + (f"&grade={grade}" if grade else "")
    lists = [
        ("no filter", {"area": province}, ""),
        (
            f"families, {district.name}, {YEAR}, {grade or 'any grade'}",
            {"kind": "family", "area": district, "year": YEAR, "grade": grade},
            query,
        ),
        (
            f"name search 'nguyen van', {YEAR}",
            {"q": "nguyen van", "year": YEAR, "area": province},
            f"q=nguyen+van&year={YEAR}",
        ),
    ]
    client = Client()
    rows = [Row("machine load (1 / 5 / 15 min)", load_average())]
    for label, filters, address_query in lists:
        matching = public_recognitions_matching(**filters)

        def orm(matching=matching):
            rows = PublicRecognitionPage(matching)
            return [row["pk"] for row in rows[0:20]], rows.count()

        def uncached(matching=matching):
            return matching.count()

        ours, count = orm()
        floor_ids = public_floor(filters)
        assert ours == floor_ids, f"{label}: the list's page differs from the index walk's"
        assert count == uncached()
        orm_ms = median_ms(orm, SEARCH_REPEATS // 3)
        floor_ms = median_ms(lambda filters=filters: public_floor(filters), SEARCH_REPEATS // 3)
        count_ms = median_ms(uncached, 3)
        rows += [
            Row(
                f"public list, {label}: page + count",
                f"{orm_ms:.1f} ms",
                f"{count:,} matches; count cached per filter",
            ),
            Row("  index walk in list order + look-up (floor)", f"{floor_ms:.1f} ms", "same ids, same order"),
            goal_row("  page + count / floor", orm_ms / floor_ms, unit="x", at_most=3),
            Row("  the count itself, uncached (once per filter and change)", f"{count_ms:.1f} ms"),
        ]
        address = f"{page.url}?{address_query}" if address_query else page.url
        first = client.get(address)
        if first.status_code != 200:
            rows.append(Row("  public list GET", f"HTTP {first.status_code}", address))
            continue

        def get(address=address):
            response = client.get(address)
            assert response.status_code == 200
            return response

        rows.append(
            goal_row("  public list GET", median_ms(get, SEARCH_REPEATS // 3), unit="ms", at_most=150, note=address)
        )
        api = f"/api/v1/recognitions/?{address_query}" if address_query else "/api/v1/recognitions/"

        def get_api(api=api):
            response = client.get(api)
            assert response.status_code == 200, response.status_code
            return response

        get_api()
        rows.append(goal_row("  API GET", median_ms(get_api, SEARCH_REPEATS // 3), unit="ms", at_most=150, note=api))
    rows.append(Row("machine load after", load_average()))
    return rows
