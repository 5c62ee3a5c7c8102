"""Certificates for a decision of 1,000 families (issue 18's goal: under 30 s and 200 MB here): the officer's
download through the view (access, codes made, pages, record) against the floor of the same pages written
from page data read beforehand (checked equal: the same pages, the same text), and the peak memory of a
fresh process printing them."""

from __future__ import annotations

import datetime
import subprocess
import sys

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from bench.harness import ROOT, YEAR, Context, Row, goal_row, load_average, median_seconds
from bench.step_todo import officer
from documents.certificates import certificate_pages, certificate_rows, write_certificates
from documents.formats import document_language
from documents.models import Certificate
from evaluations import roles
from evaluations.models import (
    AdministrativeUnit,
    DecisionKind,
    Evaluation,
    EvaluationStatus,
    RecognitionDecision,
    SubjectKind,
    UnitLevel,
)

FAMILIES = 1000


def commune_with_most_recognised() -> AdministrativeUnit:
    communes = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE)
    best, most = None, -1
    for commune in communes:
        count = Evaluation.objects.filter(
            area__path__startswith=commune.path,
            year=YEAR,
            kind=SubjectKind.FAMILY,
            status=EvaluationStatus.RECOGNISED,
        ).aggregate(n=Count("pk"))["n"]
        if count > most:
            best, most = commune, count
    return best


def decision_of(commune: AdministrativeUnit) -> tuple[RecognitionDecision, list[tuple[int, int | None]]]:
    """A decision of ``commune`` recognising up to 1,000 of its recognised families; returns it and what to
    put back (each evaluation's former decision)."""
    decision = RecognitionDecision.objects.create(
        kind=DecisionKind.RECOGNITION,
        number="999/QĐ-UBND-BENCH",
        decision_date=datetime.date(YEAR, 12, 20),
        issuing_body=f"UBND {commune.name.lower()}",
        signatory="Nguyễn Văn Bench",
        area=commune,
    )
    rows = list(
        Evaluation.objects.filter(
            area__path__startswith=commune.path, year=YEAR, kind=SubjectKind.FAMILY, status=EvaluationStatus.RECOGNISED
        )
        .order_by("pk")
        .values_list("pk", "decision_id")[:FAMILIES]
    )
    Evaluation.objects.filter(pk__in=[pk for pk, _d in rows]).update(decision=decision)
    return decision, rows


def put_back(decision: RecognitionDecision, rows: list[tuple[int, int | None]]) -> None:
    table = Evaluation._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET decision_id = %s WHERE id = %s", [(d, pk) for pk, d in rows])  # noqa: S608
    Certificate.objects.filter(evaluation_id__in=[pk for pk, _d in rows]).delete()
    decision.delete()


def step_certificates(ctx: Context) -> list[Row]:
    commune = commune_with_most_recognised()
    decision, rows = decision_of(commune)
    try:
        return measure(ctx, commune, decision, len(rows))
    finally:
        put_back(decision, rows)


def measure(ctx: Context, commune, decision, count: int) -> list[Row]:
    user = officer("bench-in", roles.COMMUNE_OFFICER, commune)
    client = Client()
    client.force_login(user)
    url = reverse("documents:decision_certificates", args=[decision.pk])
    base_url = "http://testserver/"
    settings.DOCUMENT_BACKGROUND_SUBJECTS = count + 1  # the file in the request: what the job does, timed

    def view() -> bytes:
        response = client.get(url, HTTP_HOST="testserver")
        assert response.status_code == 200, response.status_code
        return response.content

    first = view()  # makes the codes: later prints (and the floor) reuse them, as a reprint does
    ours_s = median_seconds(view, 3)

    with document_language():
        evaluations = list(certificate_rows(Evaluation.objects.filter(decision=decision)))
        pages = list(certificate_pages(evaluations, base_url=base_url))

    def floor() -> bytes:
        with document_language():
            return write_certificates(pages)[0]

    floor_s = median_seconds(floor, 3)
    assert same_pages(first, floor()), "the view's certificates differ from the floor's"
    before, peak = certificates_memory(ctx, decision.pk)
    return [
        Row("machine load (1 / 5 / 15 min)", load_average()),
        goal_row(
            f"certificates for a decision of {count:,} families ({commune.name}), the officer's download",
            ours_s,
            unit="s",
            at_most=30,
            note=f"{len(first) / 1e6:.1f} MB of PDF, one page each",
        ),
        Row("  the same pages from page data read beforehand (floor)", f"{floor_s:.2f} s", "same pages, same text"),
        Row("  download / floor", f"{ours_s / floor_s:.2f} x", "reading rows, codes, access and the record"),
        goal_row(
            "  peak memory of a process printing them",
            peak,
            unit="MB",
            at_most=200,
            note=f"+{peak - before:.0f} MB over the process after set-up ({before:.0f} MB)",
        ),
        Row("machine load after", load_average()),
    ]


def same_pages(ours: bytes, theirs: bytes) -> bool:
    import io

    from pypdf import PdfReader

    a, b = PdfReader(io.BytesIO(ours)).pages, PdfReader(io.BytesIO(theirs)).pages
    if len(a) != len(b):
        return False
    sample = sorted({0, len(a) // 2, len(a) - 1, *range(0, len(a), 97)})
    return all(a[i].extract_text() == b[i].extract_text() for i in sample)


def certificates_memory(ctx: Context, decision_id: int) -> tuple[float, float]:
    """Peak memory (VmHWM) of a fresh process printing the decision's certificates."""
    output = subprocess.run(  # noqa: S603
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--certificates-memory",
            str(decision_id),
            "--workdir",
            str(ctx.workdir),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    before, after = output.splitlines()[-1].split()
    return float(before), float(after)


def certificates_memory_child(decision_id: int) -> None:
    """Child process: print the certificates of ``decision_id`` as the job does; print MB before and after."""
    from bench.harness import peak_mb
    from documents.certificates import print_certificates

    before = peak_mb()
    data, _count = print_certificates(Evaluation.objects.filter(decision_id=decision_id), base_url="http://x/")
    assert data.startswith(b"%PDF")
    print(f"{before:.1f} {peak_mb():.1f}")
