"""Exports of the evaluation listing (our streamed workbook; Wagtail's export address leads there) and their
memory."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

import xlsxwriter

from bench.harness import ROOT, YEAR, Context, Row, peak_mb, timed
from evaluations.admin import evaluation_viewset
from reports import excel
from reports.exports import prepare_export

#: The bench's entry point: it runs ``export_memory`` in a fresh process (``--export-memory``).
RUN = ROOT / "bench" / "run.py"


def export_rows(limit: int):
    """The evaluation listing export of the busiest year, first ``limit`` rows (all areas)."""
    user, _created = get_user_model().objects.get_or_create(
        username="bench-export", defaults={"is_superuser": True, "is_staff": True}
    )
    prepared = prepare_export(user=user, listing="evaluations", params={"year": str(YEAR)})
    return prepared.listing, prepared.queryset[:limit]


def step_listing_export(ctx: Context) -> list[Row]:
    """Our listing export beside raw xlsxwriter writing the same cells, and Wagtail's export address."""
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
                [
                    sys.executable,
                    str(ROOT / "bench" / "run.py"),
                    "--export-memory",
                    str(size),
                    "--workdir",
                    str(ctx.workdir),
                ],
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
    """Wagtail's list export address (``?export=xlsx``) no longer builds the file inside the request: it
    leads to the project's export of the same rows (in the background when large)."""
    user = get_user_model().objects.get(username="bench-export")
    client = Client()
    client.force_login(user)
    url = reverse(evaluation_viewset.get_url_name("list"))

    def export():
        response = client.get(url, {"year": YEAR, "export": "xlsx"})
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith(reverse("reports:export", args=["evaluations"]))
        return response

    seconds, _response = timed(export)
    return [
        Row(
            "  Wagtail's list export address (xlsx)",
            f"{seconds * 1000:.0f} ms",
            f"redirects to the export above ({count:,}+ rows of {YEAR}); no file in the request",
        )
    ]


def export_memory(size: int) -> None:
    """Child process of the export benchmark: write ``size`` rows, print MB before/after and rows."""

    before = peak_mb()
    listing, queryset = export_rows(size)
    target = Path(tempfile.mkdtemp(prefix="khuyenhoc-mem-")) / "listing.xlsx"
    count = excel.write_listing_xlsx(listing, listing.rows(queryset), str(target))
    target.unlink()
    after = peak_mb()
    print(f"{before:.1f} {after:.1f} {count}")
