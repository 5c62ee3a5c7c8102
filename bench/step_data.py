"""Set-up: the scratch database migrated and the province-scale data set generated."""

from __future__ import annotations

import os
import time

from django.core.management import call_command

from bench.harness import Context, Row, timed
from evaluations.demo import BASELINE, DemoBuilder, active_criteria_sets
from evaluations.models import AdministrativeUnit, Evaluation, Score, Subject


def step_migrate(ctx: Context) -> list[Row]:
    seconds, _ = timed(call_command, "migrate", verbosity=0, interactive=False)
    return [Row("migrate scratch database", f"{seconds:.1f} s")]


def step_generate(ctx: Context) -> list[Row]:
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
