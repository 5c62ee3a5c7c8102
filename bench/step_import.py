"""Importing a province-scale household workbook: the whole import beside python-calamine's raw read of the
file, medians of 3 in one fresh process (its peak memory is the import's): ``bench/import_run.py``."""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
from pathlib import Path

from django.db import connection

import xlsxwriter

from bench.harness import ROOT, Context, Row, goal_row, timed
from evaluations.demo import person_name
from evaluations.models import AdministrativeUnit, UnitLevel
from evaluations.models.units import communes_by_path

BASELINE_HOUSEHOLDS = 164_322
#: The households' codes: what each round deletes before importing again (``bench/import_run.py``).
CODE_PREFIX = "BENCH-HGD-"
#: The issue's goal: an import within 3 times the raw read of its file.
IMPORT_GOAL = 3
REPEATS = 3


def write_household_workbook(path: Path, count: int, code_prefix: str = "HGD-") -> int:
    """``count`` household rows over the scratch province's villages in force today, as a commune would type
    them (the same names twice in a list would name one village). ``ops/faults.py`` uses it too."""
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


def measure(path: Path, ctx: Context, repeats: int) -> dict:
    """Run ``bench/import_run.py`` in a fresh process and return what it printed."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "site"), str(ROOT)])}
    out = subprocess.run(  # noqa: S603 (our own script, fixed arguments)
        [
            sys.executable,
            str(ROOT / "bench" / "import_run.py"),
            str(path),
            str(ctx.workdir),
            CODE_PREFIX,
            str(repeats),
        ],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    if out.returncode:
        print(out.stderr[-3000:], file=sys.stderr)
        out.check_returncode()
    return json.loads(out.stdout.strip().splitlines()[-1])


def step_import(ctx: Context) -> list[Row]:
    """Households import end to end beside python-calamine's raw read of the same file, medians of 3 in one
    process, each import doing the same work (goal: within 3x); and beside its floor, the raw read plus the
    same rows inserted straight into the same tables (what no import of this file can go below)."""
    count = BASELINE_HOUSEHOLDS // 20 if ctx.quick else BASELINE_HOUSEHOLDS
    path = ctx.workdir / "households.xlsx"
    seconds, _ = timed(write_household_workbook, path, count, CODE_PREFIX)
    # The subprocess writes to the same database: let go of this process's connection first (SQLite).
    connection.close()
    found = measure(path, ctx, REPEATS)
    raw, full = statistics.median(found["raw"]), statistics.median(found["import"])
    floor = statistics.median(found["floor"])
    counts, again = found["counts"], found["again_counts"]
    runs = lambda key: ", ".join(f"{s:.2f}" for s in found[key])  # noqa: E731
    return [
        Row(
            "import: write household workbook",
            f"{seconds:.1f} s",
            f"set-up, one run: {count:,} rows, {path.stat().st_size / 1e6:.1f} MB",
        ),
        Row(f"import: raw read (python-calamine), median of {REPEATS}", f"{raw:.2f} s", f"runs {runs('raw')} s"),
        Row(
            f"import: end to end (read, validate, resolve, write), median of {REPEATS}",
            f"{full:.2f} s",
            f"runs {runs('import')} s; created {counts['created']:,}, rejected {counts['rejected']:,}; "
            f"read and plan {statistics.median(found['plan']):.2f} s",
        ),
        goal_row("import / raw read ratio", full / raw, unit="x", at_most=IMPORT_GOAL, note="same process, same load"),
        Row(
            f"  floor: raw read + the same rows inserted as they are, median of {REPEATS}",
            f"{floor:.2f} s",
            f"runs {runs('floor')} s; {found['floor_rows']:,} rows into the same tables and indexes, one "
            f"transaction, checked equal; import / floor {full / floor:.1f}x, floor / raw read {floor / raw:.1f}x",
        ),
        goal_row(
            "import: peak memory (fresh process)",
            found["peak_mb"],
            unit="MB",
            at_most=400,
            digits=0,
            note="after the first import",
        ),
        Row(
            f"import again (idempotent), median of {REPEATS}",
            f"{statistics.median(found['again']):.2f} s",
            f"created {again['created']}, updated {again['updated']}, unchanged {again['unchanged']:,}",
        ),
    ]
