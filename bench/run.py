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
    query = f"kind=family&area={district.pk}&year={YEAR}" + (f"&grade={grade}" if grade else "")
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


#: Named steps, run in order; each returns rows for the table.
STEPS: list[tuple[str, Callable[[Context], list[Row]]]] = [
    ("migrate", step_migrate),
    ("generate", step_generate),
    ("evaluation listing", step_listing),
    ("public recognition list", step_public_list),
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
    args = parser.parse_args(argv)

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
    rows.append(Row("whole run", f"{time.perf_counter() - started:.1f} s", "quick" if args.quick else "full scale"))
    print()
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
