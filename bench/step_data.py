"""Set-up: the scratch database migrated and the province-scale data set generated (or, with ``--reuse``,
restored from the copy a previous run kept: ``bench/run.py``). Set-up figures are single runs: they are not
judged, and each builds what the measured steps read."""

from __future__ import annotations

import os
import time

from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from bench.harness import Context, Row, timed
from evaluations.bulk_insert import planner_statistics_refresh
from evaluations.demo import BASELINE, DemoBuilder, active_criteria_sets
from evaluations.models import SUBJECT_MODELS, AdministrativeUnit, Evaluation, Score, Subject


def pending_migrations() -> int:
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def step_migrate(ctx: Context) -> list[Row]:
    pending = pending_migrations()
    # A kept data set that new migrations changed is kept again after them (step_generate).
    ctx.data["migrated"] = pending
    seconds, _ = timed(call_command, "migrate", verbosity=0, interactive=False)
    note = f"{pending} migrations applied" + (" to the kept data set" if ctx.restored else "")
    return [Row("migrate scratch database", f"{seconds:.1f} s", note)]


def scores_statistics_refresh() -> None:
    """PostgreSQL: the scores' statistics, which the loader does not read (``evaluations.demo``), as
    autovacuum reads them in production a minute after a bulk write. Without any, PostgreSQL takes 323
    evaluations' scores for half a million rows and reads all 7 million (0.4 s instead of 3 ms: the field
    app's download)."""
    planner_statistics_refresh(Score)


def step_generate(ctx: Context) -> list[Row]:
    sizes = BASELINE.scaled(1 / 20) if ctx.quick else BASELINE
    ctx.data["sizes"] = sizes
    if ctx.restored:
        # A data set kept by an older run may have been generated before the loader read PostgreSQL's planner
        # statistics again (``planner_statistics_refresh``): read them now, as the loader does.
        planner_statistics_refresh(AdministrativeUnit, Subject, Evaluation, *SUBJECT_MODELS.values())
        scores_statistics_refresh()
        rows = [Row("generate data set", "reused", "--reuse: a copy of the data set a previous run generated")]
        if ctx.data["migrated"] and ctx.save_snapshot:
            seconds, where = timed(ctx.save_snapshot)
            rows.append(Row("  kept again after the new migrations", f"{seconds:.1f} s", where))
        return rows + count_rows(sizes)
    started = time.perf_counter()
    call_command("load_admin_units", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("seed_criteria_sets", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    builder = DemoBuilder(sizes, progress=lambda message: print(f"    {message}", flush=True))
    builder.build(active_criteria_sets())
    scores_statistics_refresh()
    seconds = time.perf_counter() - started
    counted = table_counts()
    total = sum(counted.values())
    rows = [Row("generate data set", f"{seconds:.1f} s", f"{total:,} rows, {total / seconds:,.0f} rows/s")]
    if ctx.save_snapshot:
        kept_s, where = timed(ctx.save_snapshot)
        rows.append(Row("  kept for the next run (--reuse)", f"{kept_s:.1f} s", where))
    return rows + count_rows(sizes, counted)


def table_counts() -> dict[str, int]:
    return {
        "units": AdministrativeUnit.objects.count(),
        "subjects": Subject.objects.count(),
        "evaluations": Evaluation.objects.count(),
        "scores": Score.objects.count(),
    }


def count_rows(sizes, counted: dict[str, int] | None = None) -> list[Row]:
    counted = counted or table_counts()
    return [
        *(Row(f"  {name}", f"{count:,}") for name, count in counted.items()),
        Row(
            "  households / clans / villages / units",
            f"{sizes.households:,} / {sizes.clans} / {sizes.villages} / {sizes.units}",
        ),
    ]
