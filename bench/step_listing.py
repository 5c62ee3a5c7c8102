"""The evaluation listing screen and a bulk recognition of a commune's evaluations."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse

from bench.harness import YEAR, Context, Row, median_ms, timed
from bench.places import bench_province, busiest_area
from evaluations import services
from evaluations.models import Evaluation, EvaluationResult, EvaluationStatus
from evaluations.selectors import evaluation_list


def listing_url(area) -> str | None:
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
