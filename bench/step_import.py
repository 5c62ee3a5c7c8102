"""Importing a province-scale household workbook: raw reading beside the whole import, each in its own
process (its own peak memory)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

from django.db import connection

import xlsxwriter

from bench.harness import ROOT, Context, Row, timed
from evaluations.demo import person_name
from evaluations.models import AdministrativeUnit, UnitLevel
from evaluations.models.units import communes_by_path

BASELINE_HOUSEHOLDS = 164_322


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


def measure(mode: str, path: Path, ctx: Context) -> dict:
    """Run ``bench/import_run.py`` in a fresh process and return what it printed."""
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
