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
from bench.places import bench_province, busiest_area, walk_list_index
from evaluations import services
from evaluations.admin.evaluations import EVALUATION_LISTING_FIELDS
from evaluations.admin.listing import BoundedCountPaginator, exact_count_bound
from evaluations.filters import EvaluationFilterSet
from evaluations.models import (
    EVALUATION_LIST_ORDER,
    AdministrativeUnit,
    CriteriaSet,
    Evaluation,
    EvaluationResult,
    EvaluationStatus,
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
    return EvaluationFilterSet(params, queryset=base.only(*EVALUATION_LISTING_FIELDS), request=None).qs


def index_walk_floor(params: dict) -> tuple[list[int], int]:
    """The honest floor of one listing page and its bounded count, in SQL: the ids of the page walked from
    an index in page order (the filters checked as it goes), then the columns the listing shows for those
    ids alone, and the count of at most ``bound + 1`` matches."""
    table = Evaluation._meta.db_table
    where, args = [], []
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
    criteria = CriteriaSet._meta.db_table
    with connection.cursor() as cursor:
        ids = walk_list_index(
            cursor,
            where,
            args,
            PER_PAGE,
            "e.id, s.name, e.year, e.kind, u.name, c.name, e.total, e.grade, e.result, e.status",
            joins=f"JOIN {criteria} c ON c.id = e.criteria_set_id",
        )
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {' AND '.join(where) or '1 = 1'} "  # noqa: S608
            f"LIMIT {exact_count_bound() + 1}) AS page",
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


#: Runs of the bulk decision and of its floor measured (each from the same reset rows); the median is shown.
BULK_RUNS = 3


def step_bulk_recognition(ctx: Context) -> list[Row]:
    """One decision recognising 10,000 reviewed evaluations (1,000 in quick mode), beside its honest floor:
    one transaction with one UPDATE of the same rows, a bulk INSERT (COPY on PostgreSQL) of the same revision and log
    rows (the content the service wrote) and the UPDATE of the same search rows, checked equal."""
    import statistics

    from django.db import connection

    from wagtail.models import ModelLogEntry, Revision

    from bench.harness import goal_row, load_average
    from evaluations.models import RecognitionDecision
    from search.indexing import subjects_public_refresh

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
    Evaluation.objects.filter(pk__in=ids).update(status=EvaluationStatus.REVIEWED, decision=None)
    subject_ids = sorted(set(Evaluation.objects.filter(pk__in=ids).values_list("subject_id", flat=True)))
    subjects_public_refresh(subject_ids)
    before = _bulk_snapshot(ids)
    marks = (
        Revision.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
        ModelLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
        RecognitionDecision.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
    )

    def reset(keep_decision=None):
        """Back to the rows as they were: statuses, revisions, log rows, decisions and search rows."""
        with transaction.atomic():
            Evaluation.objects.filter(pk__in=ids).update(status=EvaluationStatus.REVIEWED, decision=None)
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {Evaluation._meta.db_table} SET latest_revision_id = %s, version = %s, "  # noqa: S608
                    "updated_at = %s WHERE id = %s",
                    [(r["latest_revision_id"], r["version"], r["updated_at"], r["id"]) for r in before],
                )
            ModelLogEntry.objects.filter(pk__gt=marks[1]).delete()
            Revision.objects.filter(pk__gt=marks[0]).delete()
            RecognitionDecision.objects.filter(pk__gt=marks[2]).exclude(pk=keep_decision).delete()
            subjects_public_refresh(subject_ids)

    def recognise(number: str):
        # As the background job does: the decision, then the selection by id.
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
            return services.evaluations_decide(evaluations=ids, decision=decision, user=user)

    service_samples, outcome = [], None
    for run in range(BULK_RUNS):
        reset()
        seconds, outcome = timed(recognise, f"BENCH-{marks[2]}-{run}")
        service_samples.append(seconds)
    done = len(outcome["done"])
    answer = _bulk_answer(ids, marks)
    floor = _bulk_floor_rows(ids, marks)

    def floor_write():
        with transaction.atomic(), connection.cursor() as cursor:
            _bulk_floor_write(cursor, floor)

    floor_samples = []
    for _run in range(BULK_RUNS):
        reset(keep_decision=floor["decision"])  # the floor writes the last run's decision again
        seconds, _ = timed(floor_write)
        floor_samples.append(seconds)
    floor_answer = _bulk_answer(ids, marks)
    reset()
    if floor_answer != answer:
        raise AssertionError("the bulk decision's floor wrote other rows than the service")

    service_s, floor_s = statistics.median(service_samples), statistics.median(floor_samples)
    goal_s = 3.0 * size / 10_000
    scale = "" if size == 10_000 else f"; quick mode: {size:,} evaluations, goal scaled to {goal_s:g} s (3 s / 10,000)"
    return [
        goal_row(
            f"bulk recognition, {done:,} evaluations, one decision",
            service_s,
            unit="s",
            at_most=goal_s,
            digits=2,
            note=f"median of {BULK_RUNS}; revisions + audit + search rows; load {load_average()}{scale}",
        ),
        Row(
            "  floor: one UPDATE + bulk INSERT of the same rows",
            f"{floor_s * 1000:.0f} ms",
            f"median of {BULK_RUNS}; same statuses, revisions, log and search rows (checked equal)",
        ),
        goal_row("  bulk recognition / floor", service_s / floor_s, unit="x", at_most=3),
    ]


def _bulk_snapshot(ids: list[int]) -> list[dict]:
    from django.db import connection

    rows = list(
        Evaluation.objects.filter(pk__in=ids)
        .order_by("pk")
        .values("id", "latest_revision_id", "version", "updated_at")
    )
    for row in rows:
        row["updated_at"] = connection.ops.adapt_datetimefield_value(row["updated_at"])
    return rows


def _bulk_answer(ids: list[int], marks: tuple[int, int, int]) -> tuple:
    """What a bulk decision leaves: each row's status, decision and latest revision's content, the new log
    rows (object, action, data, revision's object) and the subjects' search rows (public, year)."""
    from wagtail.models import ModelLogEntry, Revision

    from search.models import ObjectType, SearchEntry

    # Each row's latest revision must be one of its own.
    evaluations = list(
        Evaluation.objects.filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "status", "decision_id", "version", "latest_revision__object_id")
    )
    contents = dict(Revision.objects.filter(pk__gt=marks[0]).values_list("object_id", "content"))
    logs = sorted(
        ModelLogEntry.objects.filter(pk__gt=marks[1], action="evaluations.recognise").values_list(
            "object_id", "label", "revision__object_id", "content_changed"
        )
    )
    subjects = Evaluation.objects.filter(pk__in=ids).values("subject_id")
    entries = sorted(
        SearchEntry.objects.filter(object_type=ObjectType.SUBJECT, object_id__in=subjects).values_list(
            "object_id", "public", "year"
        )
    )
    return evaluations, contents, logs, entries


def _bulk_floor_rows(ids: list[int], marks: tuple[int, int, int]) -> dict:
    """The rows the last service run wrote, as the floor writes them again (same content, same decision)."""
    from django.db import connection
    from django.utils import timezone

    from wagtail.models import ModelLogEntry, Revision

    from search.models import ObjectType, SearchEntry

    decision_id = Evaluation.objects.filter(pk__in=ids[:1]).values_list("decision_id", flat=True).get()
    revisions = list(
        Revision.objects.filter(pk__gt=marks[0])
        .order_by("pk")
        .values_list(
            "content_type_id", "base_content_type_id", "object_id", "user_id", "created_at", "content", "object_str"
        )
    )
    content = Revision._meta.get_field("content")
    logs = list(
        ModelLogEntry.objects.filter(pk__gt=marks[1], action="evaluations.recognise")
        .order_by("pk")
        .values_list(
            "content_type_id", "object_id", "label", "action", "data", "timestamp", "user_id", "content_changed"
        )
    )
    data = ModelLogEntry._meta.get_field("data")
    adapt = connection.ops.adapt_datetimefield_value
    subjects = Evaluation.objects.filter(pk__in=ids).values("subject_id")
    return {
        "decision": decision_id,
        "revisions": [(*r[:4], adapt(r[4]), content.get_db_prep_save(r[5], connection), r[6]) for r in revisions],
        "logs": [(*r[:4], data.get_db_prep_save(r[4], connection), adapt(r[5]), *r[6:]) for r in logs],
        "entries": list(
            SearchEntry.objects.filter(object_type=ObjectType.SUBJECT, object_id__in=subjects).values_list(
                "public", "year", "object_id"
            )
        ),
        "first_revision": marks[0],
        "now_value": timezone.now(),
        "ids": ids,
    }


def _bulk_floor_write(cursor, floor: dict) -> None:
    """The least a database must do for the same answer: the revisions and log rows inserted in bulk (SQLite:
    ``executemany``; PostgreSQL: ``COPY``), the evaluations updated by one statement joined to their new
    revisions' ids, the search rows by ``executemany`` (SQLite) or one joined ``UPDATE`` (PostgreSQL)."""
    from wagtail.models import ModelLogEntry, Revision

    from evaluations.bulk_insert import copy_rows, update_rows_keyed
    from search.models import SearchEntry

    revision, log = Revision._meta.db_table, ModelLogEntry._meta.db_table
    entry = SearchEntry._meta.db_table
    postgresql = connection.vendor == "postgresql"
    revision_columns = "content_type_id, base_content_type_id, object_id, user_id, created_at, content, object_str"
    if postgresql:
        copy_rows(revision, revision_columns, floor["revisions"])
    else:
        cursor.executemany(
            f"INSERT INTO {revision} ({revision_columns}) VALUES (%s, %s, %s, %s, %s, %s, %s)",  # noqa: S608
            floor["revisions"],
        )
    cursor.execute(f"SELECT id FROM {revision} WHERE id > %s ORDER BY id", [floor["first_revision"]])  # noqa: S608
    made = [row[0] for row in cursor.fetchall()]
    log_columns = "content_type_id, object_id, label, action, data, timestamp, user_id, content_changed, revision_id"
    log_rows = [(*row, revision_id) for row, revision_id in zip(floor["logs"], made, strict=True)]
    if postgresql:
        copy_rows(log, f"{log_columns}, deleted", [(*row, False) for row in log_rows])
    else:
        cursor.executemany(
            f"INSERT INTO {log} ({log_columns}, deleted) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, FALSE)",  # noqa: S608
            log_rows,
        )
    # Revisions were made in the order of the evaluations' ids (the service's batches walk them in order).
    update_rows_keyed(
        Evaluation,
        "latest_revision",
        list(zip(floor["ids"], made, strict=True)),
        {
            "status": EvaluationStatus.RECOGNISED,
            "decision_id": floor["decision"],
            "status_reason": "",
            "updated_at": floor["now_value"],
            "locked": False,
            "locked_by_id": None,
            "locked_at": None,
        },
        increment="version",
    )
    if postgresql:
        public, years, subject_ids = (list(column) for column in zip(*floor["entries"], strict=True))
        cursor.execute(
            f"UPDATE {entry} e SET public = v.public, year = v.year FROM (SELECT unnest(%s::boolean[]) AS public, "  # noqa: S608
            "unnest(%s::smallint[]) AS year, unnest(%s::bigint[]) AS object_id) v "
            "WHERE e.object_type = 'subject' AND e.object_id = v.object_id",
            [public, years, subject_ids],
        )
    else:
        cursor.executemany(
            f"UPDATE {entry} SET public = %s, year = %s WHERE object_type = 'subject' AND object_id = %s",  # noqa: S608
            floor["entries"],
        )
