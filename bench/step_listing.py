"""The evaluation listing screen (against the index walk of the same page) and a bulk recognition of a
commune's evaluations."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse

from bench.harness import YEAR, Context, Row, goal_row, load_average, median_ms, timed
from bench.places import bench_province, busiest_area
from evaluations import services
from evaluations.admin.listing import BoundedCountPaginator, exact_count_bound
from evaluations.filters import EvaluationFilterSet
from evaluations.models import (
    EVALUATION_LIST_ORDER,
    AdministrativeUnit,
    CriteriaSet,
    Evaluation,
    EvaluationResult,
    EvaluationStatus,
    Subject,
)

#: Repeats of each listing figure (medians).
LISTING_REPEATS = 7


def listing_base() -> str | None:
    viewset = getattr(Evaluation, "snippet_viewset", None)
    try:
        if viewset is not None:
            return reverse(viewset.get_url_name("list"))
        return reverse("wagtailsnippets_evaluations_evaluation:list")
    except NoReverseMatch:
        return None


#: Rows per page of the admin listing (``EvaluationViewSet.list_per_page``).
PER_PAGE = 50


def listing_queryset(params: dict):
    """The admin listing's rows for ``params`` (its GET filters), as the listing builds them."""
    base = Evaluation.objects.select_related("subject", "area", "criteria_set").order_by(*EVALUATION_LIST_ORDER)
    return EvaluationFilterSet(params, queryset=base, request=None).qs


def index_walk_floor(params: dict) -> tuple[list[int], int]:
    """The honest floor of one listing page and its bounded count, in SQL: the ids of the page walked from
    an index in page order (the filters checked as it goes), then the columns the listing shows for those
    ids alone, and the count of at most ``bound + 1`` matches."""
    table = Evaluation._meta.db_table
    where, args = ["1 = 1"], []
    if "year" in params:
        where.append("year = %s")
        args.append(int(params["year"]))
    if "kind" in params:
        where.append("kind = %s")
        args.append(params["kind"])
    if "area" in params:
        units = AdministrativeUnit._meta.db_table
        where.append(f"area_id IN (SELECT id FROM {units} WHERE path LIKE %s)")  # noqa: S608 (model table names)
        args.append(AdministrativeUnit.objects.get(pk=params["area"]).path + "%")
    condition = " AND ".join(where)
    subjects, criteria = Subject._meta.db_table, CriteriaSet._meta.db_table
    units = AdministrativeUnit._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table} WHERE {condition} "  # noqa: S608 (model table names)
            f"ORDER BY year DESC, sort_name_folded, sort_name, id LIMIT {PER_PAGE}",
            args,
        )
        ids = [row[0] for row in cursor.fetchall()]
        if ids:
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(
                f"SELECT e.id, s.name, e.year, e.kind, u.name, c.name, e.total, e.grade, e.result, e.status "  # noqa: S608
                f"FROM {table} e JOIN {subjects} s ON s.id = e.subject_id JOIN {units} u ON u.id = e.area_id "
                f"JOIN {criteria} c ON c.id = e.criteria_set_id WHERE e.id IN ({marks})",
                ids,
            )
            cursor.fetchall()
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {condition} LIMIT {exact_count_bound() + 1}) AS page",  # noqa: S608
            args,
        )
        count = cursor.fetchone()[0]
    return ids, count


def step_listing(ctx: Context) -> list[Row]:
    """The admin evaluation listing, unfiltered, by district and year, by year and kind: the ORM page and
    count and the admin GET, against the index walk of the same page (its ids and order checked equal)."""
    area = busiest_area()
    listings = [
        ("unfiltered", {}),
        (f"{area.name} + {YEAR}", {"area": str(area.pk), "year": str(YEAR)}),
        (f"{YEAR} + families", {"year": str(YEAR), "kind": "family"}),
    ]
    base = listing_base()
    client = None
    if base is not None:
        user = get_user_model().objects.create_superuser("bench", "bench@example.org", "bench-password")
        client = Client()
        client.force_login(user)
    rows = [Row("machine load (1 / 5 / 15 min)", load_average())]
    for label, params in listings:
        # Parsed once, as the floor gets its parameters parsed: what is timed is the page and its count.
        queryset = listing_queryset(params)

        def orm(queryset=queryset):
            paginator = BoundedCountPaginator(queryset.all(), PER_PAGE)
            return [e.pk for e in paginator.page(1).object_list], paginator.count

        ours, count = orm()
        floor_ids, floor_count = index_walk_floor(params)
        assert ours == floor_ids, f"{label}: the listing's page differs from the index walk's"
        assert count == floor_count, f"{label}: counts differ ({count} / {floor_count})"
        orm_ms = median_ms(orm, LISTING_REPEATS)
        floor_ms = median_ms(lambda params=params: index_walk_floor(params), LISTING_REPEATS)
        shown = f"{count:,}" if count <= exact_count_bound() else f"more than {exact_count_bound():,}"
        rows += [
            Row(f"listing {label}: ORM page + count", f"{orm_ms:.1f} ms", f"{shown} matches"),
            Row("  index walk in page order + look-up (floor)", f"{floor_ms:.1f} ms", "same ids, same order"),
            goal_row("  ORM / floor", orm_ms / floor_ms, unit="x", at_most=3),
        ]
        if client is None:
            continue
        url = f"{base}?{urlencode(params)}" if params else base
        first = client.get(url)
        if first.status_code != 200:
            rows.append(Row(f"  admin GET {label}", f"HTTP {first.status_code}", url))
            continue

        def get(url=url):
            response = client.get(url)
            assert response.status_code == 200
            return response

        rows.append(goal_row("  admin GET", median_ms(get, LISTING_REPEATS), unit="ms", at_most=150, note=url))
    rows.append(Row("machine load after", load_average()))
    return rows


def step_bulk_recognition(ctx: Context) -> list[Row]:
    """One decision recognising 10,000 reviewed evaluations, beside the bare UPDATE of the same rows."""
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
