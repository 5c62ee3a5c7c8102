"""Province-scale benchmark in a scratch SQLite database.

    .venv/bin/python bench/run.py           # 164,322 households, 5 years (a few minutes)
    .venv/bin/python bench/run.py --quick   # about 1/20 of that

Each benchmark is a function in ``STEPS``; a step gets the shared ``Context`` and returns rows for the
final table. Add a step by writing a function and listing it there.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 15
YEAR = 2024


@dataclass
class Context:
    quick: bool
    workdir: Path
    data: dict = field(default_factory=dict)


@dataclass
class Row:
    name: str
    value: str
    note: str = ""


def setup_django(workdir: Path) -> None:
    # The settings read these at import time, so they must be set before django.setup().
    os.environ["SQLITE_PATH"] = str(workdir / "bench.sqlite3")
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ["PRIVATE_MEDIA_ROOT"] = str(workdir / "private")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    for path in (ROOT / "site", ROOT):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    import django

    django.setup()
    from django.conf import settings

    # Measure what production does: no query log kept per request.
    settings.DEBUG = False
    # The scratch run has no collected static files; that warning is noise here.
    warnings.filterwarnings("ignore", message="No directory at")


def timed(fn: Callable, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - started, result


def median_ms(fn: Callable, repeats: int = REPEATS) -> float:
    fn()  # warm caches (templates, query plans) before measuring
    samples = [timed(fn)[0] for _ in range(repeats)]
    return statistics.median(samples) * 1000


# --- steps ---------------------------------------------------------------------------------------


def step_migrate(ctx: Context) -> list[Row]:
    from django.core.management import call_command

    seconds, _ = timed(call_command, "migrate", verbosity=0, interactive=False)
    return [Row("migrate scratch database", f"{seconds:.1f} s")]


def step_generate(ctx: Context) -> list[Row]:
    from django.core.management import call_command

    from evaluations.demo import BASELINE, DemoBuilder, active_criteria_sets
    from evaluations.models import AdministrativeUnit, Evaluation, Score, Subject

    sizes = BASELINE.scaled(1 / 20) if ctx.quick else BASELINE
    started = time.perf_counter()
    call_command("load_admin_units", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("seed_criteria_sets", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    builder = DemoBuilder(sizes, progress=lambda message: print(f"    {message}", flush=True))
    builder.build(active_criteria_sets())
    seconds = time.perf_counter() - started
    rows = {
        "units": AdministrativeUnit.objects.count(),
        "subjects": Subject.objects.count(),
        "evaluations": Evaluation.objects.count(),
        "scores": Score.objects.count(),
    }
    total = sum(rows.values())
    ctx.data["sizes"] = sizes
    return [
        Row("generate data set", f"{seconds:.1f} s", f"{total:,} rows, {total / seconds:,.0f} rows/s"),
        *(Row(f"  {name}", f"{count:,}") for name, count in rows.items()),
        Row(
            "  households / clans / villages / units",
            f"{sizes.households:,} / {sizes.clans} / {sizes.villages} / {sizes.units}",
        ),
    ]


def busiest_area():
    """The old district with most evaluations: the listing a district officer opens most."""
    from django.db.models import Count

    from evaluations.models import AdministrativeUnit, Evaluation, UnitLevel

    districts = list(AdministrativeUnit.objects.filter(level=UnitLevel.DISTRICT))
    counts = {
        d: Evaluation.objects.filter(area__path__startswith=d.path, year=YEAR).aggregate(n=Count("pk"))["n"]
        for d in districts
    }
    return max(counts, key=counts.get)


def listing_url(area) -> str | None:
    from django.urls import NoReverseMatch, reverse

    from evaluations.models import Evaluation

    viewset = getattr(Evaluation, "snippet_viewset", None)
    try:
        if viewset is not None:
            base = reverse(viewset.get_url_name("list"))
        else:
            base = reverse("wagtailsnippets_evaluations_evaluation:list")
    except NoReverseMatch:
        return None
    return f"{base}?area={area.pk}&year={YEAR}"


def step_listing(ctx: Context) -> list[Row]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from evaluations.selectors import evaluation_list

    area = busiest_area()
    label = f"{area.name}, {YEAR}"

    def orm():
        qs = evaluation_list(area=area, year=YEAR)
        return list(qs[:20]), qs.count()

    orm_ms = median_ms(orm)
    matches = orm()[1]
    rows = [Row("ORM: evaluation_list first page + count", f"{orm_ms:.1f} ms", f"{label}: {matches:,} matches")]

    url = listing_url(area)
    if url is None:
        return [*rows, Row("listing", "not registered yet")]
    user = get_user_model().objects.create_superuser("bench", "bench@example.org", "bench-password")
    client = Client()
    client.force_login(user)
    first = client.get(url)
    if first.status_code != 200:
        return [*rows, Row("listing", f"HTTP {first.status_code}", url)]

    def get():
        response = client.get(url)
        assert response.status_code == 200
        return response

    server_ms = median_ms(get)
    return [
        *rows,
        Row("admin listing GET (median of 15)", f"{server_ms:.1f} ms", url),
        Row("listing / ORM ratio", f"{server_ms / orm_ms:.1f} x"),
    ]


def step_bulk_recognition(ctx: Context) -> list[Row]:
    """One decision recognising 10,000 reviewed evaluations, beside the bare UPDATE of the same rows."""
    from datetime import date

    from django.contrib.auth import get_user_model
    from django.db import transaction

    from evaluations import services
    from evaluations.models import Evaluation, EvaluationResult, EvaluationStatus

    size = 1_000 if ctx.quick else 10_000
    ids = list(
        Evaluation.objects.filter(year=YEAR, result=EvaluationResult.MEETS)
        .order_by("pk")
        .values_list("pk", flat=True)[:size]
    )
    user, _created = get_user_model().objects.get_or_create(
        username="bench-reviewer", defaults={"is_superuser": True, "is_staff": True}
    )
    area = bench_province()

    def reset():
        Evaluation.objects.filter(pk__in=ids).update(status=EvaluationStatus.REVIEWED, decision=None)

    def recognise(number: str):
        with transaction.atomic():
            decision = services.decision_record(
                kind="recognition",
                number=number,
                decision_date=date(YEAR, 12, 20),
                issuing_body="UBND tỉnh (bench)",
                signatory="Chủ tịch",
                area=area,
                user=user,
            )
            evaluations = list(Evaluation.objects.filter(pk__in=ids))
            return services.evaluations_decide(evaluations=evaluations, decision=decision, user=user)

    def bare_update():
        with transaction.atomic():
            for start in range(0, len(ids), 900):
                Evaluation.objects.filter(pk__in=ids[start : start + 900]).update(status=EvaluationStatus.RECOGNISED)

    reset()
    service_s, outcome = timed(recognise, "BENCH-1")
    done = len(outcome["done"])
    reset()
    bare_s, _ = timed(bare_update)
    return [
        Row(
            f"bulk recognition, {done:,} evaluations, one decision",
            f"{service_s * 1000:.0f} ms",
            "with revisions + audit",
        ),
        Row("bare UPDATE of the same rows", f"{bare_s * 1000:.0f} ms"),
        Row("recognition / bare update ratio", f"{service_s / bare_s:.1f} x"),
    ]


def write_household_workbook(path: Path, count: int, code_prefix: str = "HGD-") -> int:
    """``count`` household rows over the scratch province's villages in force today, as a commune would type
    them (the same names twice in a list would name one village). ``ops/faults.py`` uses it too."""
    import random

    import xlsxwriter

    from evaluations.demo import person_name
    from evaluations.models import AdministrativeUnit, UnitLevel
    from evaluations.models.units import communes_by_path

    today = list(AdministrativeUnit.objects.current().filter(level=UnitLevel.VILLAGE).order_by("path"))
    communes = communes_by_path(v.path for v in today)
    villages = list(dict.fromkeys((communes[v.path].name, v.name) for v in today if v.path in communes))
    rng = random.Random(5)  # noqa: S311 (test data)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Danh sách")
    sheet.write_row(0, 0, ["DANH SÁCH HỘ GIA ĐÌNH"])
    sheet.write_row(2, 0, ["Xã/phường", "Thôn/khu phố", "Họ tên chủ hộ", "Danh xưng", "Số nhân khẩu", "Mã hộ"])
    for n in range(count):
        commune, village = villages[n % len(villages)]
        female = rng.random() < 0.28
        name = person_name(rng, rng.choice(("kinh", "kinh", "cham", "raglai")), female)
        sheet.write_row(
            3 + n, 0, [commune, village, name, "Bà" if female else "Ông", rng.randint(1, 9), f"{code_prefix}{n:06d}"]
        )
    book.close()
    return count


def measure(mode: str, path: Path, ctx: Context) -> dict:
    """Run ``bench/import_run.py`` in a fresh process and return what it printed."""
    import json
    import subprocess

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "site"), str(ROOT)])}
    out = subprocess.run(  # noqa: S603 (our own script, fixed arguments)
        [sys.executable, str(ROOT / "bench" / "import_run.py"), mode, str(path), str(ctx.workdir)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def step_import(ctx: Context) -> list[Row]:
    """Households import end to end beside python-calamine's raw read of the same file (goal: within 4x)."""
    from django.db import connection

    count = BASELINE_HOUSEHOLDS // 20 if ctx.quick else BASELINE_HOUSEHOLDS
    path = ctx.workdir / "households.xlsx"
    seconds, _ = timed(write_household_workbook, path, count)
    # The subprocess writes to the same SQLite file: let go of this process's connection first.
    connection.close()
    raw = measure("raw", path, ctx)
    full = measure("import", path, ctx)
    again = measure("import", path, ctx)
    ratio = full["seconds"] / raw["seconds"]
    return [
        Row(
            "import: write household workbook",
            f"{seconds:.1f} s",
            f"{count:,} rows, {path.stat().st_size / 1e6:.1f} MB",
        ),
        Row("import: raw read (python-calamine)", f"{raw['seconds']:.2f} s", f"peak {raw['peak_mb']:.0f} MB"),
        Row(
            "import: end to end (read, validate, resolve, write)",
            f"{full['seconds']:.2f} s",
            f"created {full['created']:,}, rejected {full['rejected']:,}; validation {full['validate_seconds']} s",
        ),
        Row("import / raw read ratio", f"{ratio:.1f} x", "goal <= 4x"),
        Row("import: peak memory (fresh process)", f"{full['peak_mb']:.0f} MB", "goal < 400 MB"),
        Row(
            "import again (idempotent)",
            f"{again['seconds']:.2f} s",
            f"created {again['created']}, updated {again['updated']}, unchanged {again['unchanged']:,}",
        ),
    ]


BASELINE_HOUSEHOLDS = 164_322


def bench_province():
    from evaluations.models import AdministrativeUnit, UnitLevel

    return AdministrativeUnit.objects.filter(code="58", level=UnitLevel.PROVINCE).first()


def sql_group_by(root, years: list[int]) -> list[tuple]:
    """The hand-written baseline: one GROUP BY over the same evaluations, per commune, kind and year."""
    from django.db import connection

    from evaluations.models import AdministrativeUnit

    commune_prefix = AdministrativeUnit.steplen * 3
    marks = ", ".join(["%s"] * len(years))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT e.year, substr(u.path, 1, {commune_prefix}) AS commune, e.kind, e.grade,
                   COUNT(*), SUM(CASE WHEN e.status = 'recognised' THEN 1 ELSE 0 END)
            FROM evaluations_evaluation e JOIN evaluations_administrativeunit u ON u.id = e.area_id
            WHERE e.year IN ({marks}) AND e.status <> 'draft' AND u.path LIKE %s
            GROUP BY e.year, commune, e.kind, e.grade
            """,
            [*years, root.path + "%"],
        )
        return cursor.fetchall()


def sql_group_by_ids(root, years: list[int]) -> list[tuple]:
    """A stricter baseline: the same GROUP BY picking the rows by the subtree's unit ids, which the
    roll-up's covering index serves without reading the table (the roll-up's own first query)."""
    from django.db import connection

    marks = ", ".join(["%s"] * len(years))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT e.year, e.area_id, e.kind, e.grade, e.level,
                   COUNT(*), SUM(CASE WHEN e.status = 'recognised' THEN 1 ELSE 0 END)
            FROM evaluations_evaluation e
            WHERE e.area_id IN (SELECT id FROM evaluations_administrativeunit WHERE path LIKE %s)
              AND e.year IN ({marks}) AND e.status <> 'draft'
            GROUP BY e.area_id, e.year, e.kind, e.grade, e.level
            """,
            [root.path + "%", *years],
        )
        return cursor.fetchall()


def step_rollup(ctx: Context) -> list[Row]:
    """The full roll-up (every level) for one year and for five, beside one hand-written SQL GROUP BY."""
    from reports.rollup import rollup
    from reports.services import targets_seed_national

    root = bench_province()
    targets_seed_national(province=root, yearly_from=2021)
    years = list(ctx.data["sizes"].years)
    one_ms = median_ms(lambda: rollup(root=root, years=YEAR), repeats=7)
    sql_one_ms = median_ms(lambda: sql_group_by(root, [YEAR]), repeats=7)
    ids_one_ms = median_ms(lambda: sql_group_by_ids(root, [YEAR]), repeats=7)
    five_ms = median_ms(lambda: rollup(root=root, years=years), repeats=5)
    sql_five_ms = median_ms(lambda: sql_group_by(root, years), repeats=5)
    ids_five_ms = median_ms(lambda: sql_group_by_ids(root, years), repeats=5)
    result = rollup(root=root, years=YEAR)
    nodes = len(result.nodes)
    return [
        Row(f"roll-up, {YEAR}, every level", f"{one_ms:.0f} ms", f"{nodes} areas, {root.name}; goal < 1000 ms"),
        Row("  hand-written SQL GROUP BY, same rows", f"{sql_one_ms:.0f} ms"),
        Row("  roll-up / SQL ratio", f"{one_ms / sql_one_ms:.2f} x", "goal <= 2 x"),
        Row("  the same GROUP BY by unit ids (covering index)", f"{ids_one_ms:.0f} ms"),
        Row("  roll-up / by-ids ratio", f"{one_ms / ids_one_ms:.2f} x", "the roll-up also counts the register"),
        Row(f"roll-up, {len(years)} years", f"{five_ms:.0f} ms"),
        Row("  hand-written SQL GROUP BY, same rows", f"{sql_five_ms:.0f} ms"),
        Row("  roll-up / SQL ratio", f"{five_ms / sql_five_ms:.2f} x", "goal <= 2 x"),
        Row("  the same GROUP BY by unit ids (covering index)", f"{ids_five_ms:.0f} ms"),
        Row("  roll-up / by-ids ratio", f"{five_ms / ids_five_ms:.2f} x"),
    ]


def step_workbook(ctx: Context) -> list[Row]:
    from reports import excel
    from reports.rollup import rollup

    root = bench_province()
    path = ctx.workdir / "official.xlsx"

    def build():
        excel.official_workbook(rollup(root=root, years=YEAR), YEAR, str(path))

    ms = median_ms(build, repeats=3)
    return [Row(f"official workbook, {root.name} {YEAR}", f"{ms:.0f} ms", f"{path.stat().st_size / 1024:.0f} KB")]


def export_rows(limit: int):
    """The evaluation listing export of the busiest year, first ``limit`` rows (all areas)."""
    from django.contrib.auth import get_user_model

    from reports.exports import prepare_export

    user, _created = get_user_model().objects.get_or_create(
        username="bench-export", defaults={"is_superuser": True, "is_staff": True}
    )
    prepared = prepare_export(user=user, listing="evaluations", params={"year": str(YEAR)})
    return prepared.listing, prepared.queryset[:limit]


def step_listing_export(ctx: Context) -> list[Row]:
    """Our listing export beside raw xlsxwriter writing the same cells, and Wagtail's own list export."""
    import subprocess

    import xlsxwriter

    from reports import excel

    limit = 8_250 if ctx.quick else 165_000
    listing, queryset = export_rows(limit)
    out = ctx.workdir / "listing.xlsx"

    def ours():
        return excel.write_listing_xlsx(listing, listing.rows(queryset), str(out))

    ours_s, count = timed(ours)
    cells = list(listing.rows(queryset))
    fetch_s, _ = timed(lambda: list(listing.rows(queryset)))

    def raw():
        book = xlsxwriter.Workbook(str(ctx.workdir / "raw.xlsx"), {"constant_memory": True})
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, listing.headings)
        for r, row in enumerate(cells, start=1):
            sheet.write_row(r, 0, row)
        book.close()

    raw_s, _ = timed(raw)
    rows = [
        Row(
            f"listing export, {count:,} rows (xlsx)", f"{ours_s:.2f} s", "query + cells + xlsxwriter, constant memory"
        ),
        Row("  raw xlsxwriter, same cells (prefetched)", f"{raw_s:.2f} s"),
        Row("  ORM fetch of the same rows", f"{fetch_s:.2f} s"),
        Row("  ours / raw write ratio", f"{ours_s / raw_s:.2f} x", "goal <= 1.3 x"),
        Row("  ours / (fetch + raw write) ratio", f"{ours_s / (fetch_s + raw_s):.2f} x"),
    ]
    # Peak memory, each size in a fresh process (ru_maxrss), to show it stays flat as rows grow.
    for size in (max(1, limit // 4), limit):
        output = (
            subprocess.run(  # noqa: S603
                [sys.executable, __file__, "--export-memory", str(size), "--workdir", str(ctx.workdir)],
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        before, after, written = output.split()
        rows.append(
            Row(
                f"  peak memory, {int(written):,} rows",
                f"{float(after):.0f} MB",
                f"+{float(after) - float(before):.0f} MB over the process after set-up ({float(before):.0f} MB)",
            )
        )
    rows += wagtail_export(ctx, count)
    return rows


def wagtail_export(ctx: Context, count: int) -> list[Row]:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from evaluations.admin import evaluation_viewset

    user = get_user_model().objects.get(username="bench-export")
    client = Client()
    client.force_login(user)
    url = reverse(evaluation_viewset.get_url_name("list"))

    def export():
        response = client.get(url, {"year": YEAR, "export": "xlsx"})
        assert response.status_code == 200, response.status_code
        return sum(len(chunk) for chunk in response.streaming_content)

    seconds, size = timed(export)
    return [
        Row(
            "  Wagtail's built-in list export (xlsx)",
            f"{seconds:.2f} s",
            f"all {YEAR} evaluations ({count:,}+ rows), {size / 1e6:.1f} MB",
        )
    ]


def export_memory(size: int) -> None:
    """Child process of the export benchmark: write ``size`` rows, print MB before/after and rows."""
    from reports import excel

    def peak_mb() -> float:
        # VmHWM, not ru_maxrss: ru_maxrss survives exec and would report the parent's peak at fork time.
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    before = peak_mb()
    listing, queryset = export_rows(size)
    target = Path(tempfile.mkdtemp(prefix="khuyenhoc-mem-")) / "listing.xlsx"
    count = excel.write_listing_xlsx(listing, listing.rows(queryset), str(target))
    target.unlink()
    after = peak_mb()
    print(f"{before:.1f} {after:.1f} {count}")


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


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def step_search(ctx: Context) -> list[Row]:
    """Database search at province scale: subjects and 50,000 evidence texts, FTS beside a LIKE scan."""
    import random

    from django.db import connection

    from evaluations.models import Evaluation
    from search.backends.base import IndexDoc
    from search.backends.database import DatabaseBackend, entry_from_doc
    from search.indexing import rebuild_batches
    from search.models import SearchEntry
    from search.query import SearchRequest

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
    from django.test import Client

    from wagtail.models import Page, Site

    from content.models import RecognitionListPage
    from evaluations.models import AdministrativeUnit, UnitLevel
    from evaluations.selectors import PublicRecognitionPage, public_recognitions, public_recognitions_matching

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


# --- every province, and a national root ------------------------------------------------------------

#: Subjects copied onto the second province get this code prefix (and their source's id).
SECOND_PREFIX = "BENCH2-"


def load_average() -> str:
    return " / ".join(f"{n:.2f}" for n in os.getloadavg())


def step_national_units(ctx: Context) -> list[Row]:
    """Every province's units and the old -> new mapping loaded under a national root, then loaded again (about
    ten seconds: the quick run loads them all too)."""
    from evaluations.admin_units import load_admin_units
    from evaluations.models import AdministrativeUnit, UnitSuccession

    units_before = AdministrativeUnit.objects.count()
    seconds, report = timed(load_admin_units, all_provinces=True, national=True)
    again_s, again = timed(load_admin_units, all_provinces=True, national=True)
    counts = report.counts
    scope = f"{counts['provinces']} provinces"
    return [
        Row(
            f"load units of {scope} under a national root",
            f"{seconds:.1f} s",
            f"{report.created:,} units created, {report.moved} provinces moved under the root",
        ),
        Row(
            "  provinces / former provinces",
            f"{counts['provinces']} / {counts['former provinces']}",
        ),
        Row(
            "  former districts / former communes",
            f"{counts['former districts']:,} / {counts['former communes']:,}",
            f"+{counts['former districts without communes']} island districts without communes",
        ),
        Row("  communes from 1/7/2025", f"{counts['communes']:,}"),
        Row("  successions (old -> new)", f"{counts['successions']:,}", f"{UnitSuccession.objects.count():,} stored"),
        Row("  units in the database", f"{AdministrativeUnit.objects.count():,}", f"{units_before:,} before"),
        Row("  load again (idempotent)", f"{again_s:.1f} s", f"{again.changed} changes"),
    ]


def copy_province_data(source, target) -> dict[str, int]:
    """A second province of generated data: the register and evaluations of ``source`` (the former Ninh
    Thuận) copied onto ``target``'s units (the former Khánh Hòa): districts and communes spread evenly, each
    village re-created under its commune's image. Scores and clans' village links are not copied (the
    roll-up reads neither)."""
    from django.db import connection

    from evaluations.admin_units import TreeWriter
    from evaluations.models import SUBJECT_MODELS, AdministrativeUnit, Evaluation, Subject, UnitLevel

    def units(root, level):
        return list(AdministrativeUnit.objects.filter(path__startswith=root.path, level=level).order_by("path"))

    mapping = {source.pk: target.pk}
    for level in (UnitLevel.DISTRICT, UnitLevel.COMMUNE):
        src, dst = units(source, level), units(target, level)
        mapping.update((u.pk, dst[i * len(dst) // len(src)].pk) for i, u in enumerate(src))
    image = {u.path: u for u in AdministrativeUnit.objects.filter(pk__in=set(mapping.values()))}
    by_pk = {u.pk: u for u in image.values()}
    parents = {u.path: mapping[u.pk] for u in AdministrativeUnit.objects.filter(pk__in=list(mapping))}
    writer, copies = TreeWriter(), []
    for village in units(source, UnitLevel.VILLAGE):
        parent = by_pk[parents[village.path[: -village.steplen]]]
        fields = {
            f: getattr(village, f) for f in ("name", "short_name", "unit_type", "level", "valid_from", "valid_to")
        }
        copies.append((village, writer.add(parent, **fields)))
    writer.flush()
    mapping.update((village.pk, copy.pk) for village, copy in copies)

    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_area_map")
        cursor.execute("CREATE TEMP TABLE bench_area_map (src integer PRIMARY KEY, dst integer NOT NULL)")
        cursor.executemany("INSERT INTO bench_area_map (src, dst) VALUES (%s, %s)", list(mapping.items()))

        def columns(model, replace: dict[str, str], alias: str) -> tuple[str, str]:
            # Every column but an own id (a child table's key is its parent link, which is copied).
            fields = [f for f in model._meta.local_concrete_fields if not (f.primary_key and not f.is_relation)]
            names = ", ".join(quote(f.column) for f in fields)
            values = ", ".join(replace.get(f.column, f"{alias}.{quote(f.column)}") for f in fields)
            return names, values

        subject_table = quote(Subject._meta.db_table)
        evaluation_table = quote(Evaluation._meta.db_table)
        # The register has moved onto today's units since (the demo applies the 2025 reorganisation): a
        # subject is copied where its evaluation of the benchmarked year was, on the former units.
        where_then = (
            f"JOIN {evaluation_table} te ON te.subject_id = s.id AND te.year = {int(YEAR)} "
            "JOIN bench_area_map m ON m.src = te.area_id"
        )
        names, values = columns(Subject, {"area_id": "m.dst", "code": f"'{SECOND_PREFIX}' || s.id"}, "s")
        cursor.execute(
            f"INSERT INTO {subject_table} ({names}) SELECT {values} FROM {subject_table} s {where_then}"  # noqa: S608
        )
        # The copy of a subject, found through the register index (area, kind, ...).
        twin = (
            f"{where_then} JOIN {subject_table} ns ON ns.area_id = m.dst "
            f"AND ns.kind = s.kind AND ns.code = '{SECOND_PREFIX}' || s.id"
        )
        for model in SUBJECT_MODELS.values():
            table = quote(model._meta.db_table)
            ptr = model._meta.pk.column
            names, values = columns(model, {ptr: "ns.id"}, "c")
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {values} FROM {table} c "  # noqa: S608
                f"JOIN {subject_table} s ON s.id = c.{quote(ptr)} {twin}"
            )
        names, values = columns(
            Evaluation,
            {"subject_id": "ns.id", "area_id": "ea.dst", "decision_id": "NULL", "revocation_id": "NULL"},
            "e",
        )
        cursor.execute(
            f"INSERT INTO {evaluation_table} ({names}) SELECT {values} FROM {evaluation_table} e "  # noqa: S608
            f"JOIN bench_area_map ea ON ea.src = e.area_id JOIN {subject_table} s ON s.id = e.subject_id {twin}"
        )
        cursor.execute("DROP TABLE bench_area_map")
        cursor.execute("ANALYZE")
    return {
        "villages": len(copies),
        "subjects": Subject.objects.filter(code__startswith=SECOND_PREFIX).count(),
        "evaluations": Evaluation.objects.filter(subject__code__startswith=SECOND_PREFIX).count(),
    }


def national_sql(nation, year: int) -> dict[tuple[str, str], tuple[int, int]]:
    """The hand-written baseline: one GROUP BY over the same evaluations, per province under ``nation`` and
    kind: (evaluated, recognised)."""
    from django.db import connection

    from evaluations.models.units import PATH_STEP

    province_prefix = len(nation.path) + PATH_STEP  # the provinces sit one level below the root
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT substr(u.path, 1, {province_prefix}) AS province, e.kind,
                   COUNT(*), SUM(CASE WHEN e.status = 'recognised' THEN 1 ELSE 0 END)
            FROM evaluations_evaluation e JOIN evaluations_administrativeunit u ON u.id = e.area_id
            WHERE e.year = %s AND e.status <> 'draft' AND u.path LIKE %s
            GROUP BY province, e.kind
            """,  # noqa: S608 (a number)
            [year, nation.path + "%"],
        )
        return {(path, kind): (n, recognised) for path, kind, n, recognised in cursor.fetchall()}


def step_national_rollup(ctx: Context) -> list[Row]:
    """The roll-up at the national root over two provinces' generated data, beside one GROUP BY (checked equal)."""
    from evaluations.admin_units import ensure_national_root
    from evaluations.models import AdministrativeUnit, SubjectKind, UnitLevel
    from reports.rollup import rollup

    first = bench_province()
    second = AdministrativeUnit.objects.get(code="56", level=UnitLevel.PROVINCE, valid_from__isnull=True)
    copied_s, copied = timed(copy_province_data, first, second)
    nation = ensure_national_root()

    result = rollup(root=nation, years=YEAR)
    expected = national_sql(nation, YEAR)
    for child in result.root.children:
        for kind in SubjectKind.values:
            figures = child.figures[YEAR][kind]
            got = (figures.evaluated, figures.recognised)
            assert got == expected.get((child.path, kind), (0, 0)), (child.name, kind, got)
    with_data = [c for c in result.root.children if c.figures[YEAR][SubjectKind.FAMILY].evaluated]
    assert {c.name for c in with_data} == {first.name, second.name}, with_data

    repeats = 5 if ctx.quick else 7
    before = load_average()
    rollup_ms = median_ms(lambda: rollup(root=nation, years=YEAR), repeats=repeats)
    sql_ms = median_ms(lambda: national_sql(nation, YEAR), repeats=repeats)
    # The same tree for a year without data: what the areas themselves cost (14,000 with every province).
    empty_ms = median_ms(lambda: rollup(root=nation, years=YEAR + 10), repeats=repeats)
    evaluated = sum(c.figures[YEAR][k].evaluated for c in with_data for k in SubjectKind.values)
    return [
        Row(
            "copy the generated data onto a second province",
            f"{copied_s:.1f} s",
            f"{copied['subjects']:,} subjects, {copied['evaluations']:,} evaluations, {copied['villages']} villages",
        ),
        Row(
            f"roll-up at the national root, {YEAR} (median of {repeats})",
            f"{rollup_ms:.0f} ms",
            f"{len(result.nodes):,} areas, {len(with_data)} provinces with data, {evaluated:,} evaluated",
        ),
        Row("  hand-written SQL GROUP BY by province, same rows (checked equal)", f"{sql_ms:.0f} ms"),
        Row("  roll-up / SQL ratio", f"{rollup_ms / sql_ms:.2f} x", "the roll-up also counts the register, targets"),
        Row(
            f"  the same roll-up for a year without data ({YEAR + 10})",
            f"{empty_ms:.0f} ms",
            "the cost of the areas alone",
        ),
        Row("  load average (1 / 5 / 15 min)", f"{before} -> {load_average()}"),
    ]


#: Named steps, run in order; each returns rows for the table.
STEPS: list[tuple[str, Callable[[Context], list[Row]]]] = [
    ("migrate", step_migrate),
    ("generate", step_generate),
    ("evaluation listing", step_listing),
    ("bulk recognition", step_bulk_recognition),
    ("import", step_import),
    ("roll-up", step_rollup),
    ("official workbook", step_workbook),
    ("listing export", step_listing_export),
    ("search", step_search),
    ("public recognition list", step_public_list),
    # Last: they move the provinces under a national root (every path changes).
    ("national units", step_national_units),
    ("national roll-up", step_national_rollup),
]


def print_table(rows: list[Row]) -> None:
    width_name = max(len(r.name) for r in rows)
    width_value = max(len(r.value) for r in rows)
    rule = "-" * (width_name + width_value + 40)
    print(rule)
    for r in rows:
        print(f"{r.name:<{width_name}}  {r.value:>{width_value}}  {r.note}")
    print(rule)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="about 1/20 of the province")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder and print where it is")
    parser.add_argument("--only", nargs="*", help="run only these steps (migrate and generate always run)")
    parser.add_argument("--export-memory", type=int, help=argparse.SUPPRESS)  # child process of a step
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.export_memory:
        setup_django(Path(args.workdir))
        export_memory(args.export_memory)
        return 0

    workdir = Path(tempfile.mkdtemp(prefix="khuyenhoc-bench-"))
    setup_django(workdir)
    ctx = Context(quick=args.quick, workdir=workdir)
    rows: list[Row] = []
    started = time.perf_counter()
    try:
        for name, step in STEPS:
            if args.only and name not in args.only and name not in ("migrate", "generate"):
                continue
            print(f"[{time.perf_counter() - started:6.1f} s] {name}", flush=True)
            rows += step(ctx)
    finally:
        if args.keep:
            print(f"scratch folder kept: {workdir}")
        else:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)
        # Printed even when a step fails: what was measured before it is not lost.
        scale = "quick" if args.quick else "full scale"
        rows.append(Row("whole run", f"{time.perf_counter() - started:.1f} s", scale))
        print()
        print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
