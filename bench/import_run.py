"""The import benchmark's measurements, in a fresh process of their own (its peak memory is the import's):

    import_run.py PATH WORKDIR CODE_PREFIX REPEATS

One process, ``REPEATS`` rounds: each imports the workbook into the same state (the households the
previous round created are deleted first, untimed) and reads it raw with python-calamine, the two
alternating so that both see the same load. Then the same workbook again over what it created (every row
unchanged), ``REPEATS`` times. The peak memory is read after the first import, before anything else
ran. Prints one JSON line of seconds per run, the peak and the counts. Used by ``bench/step_import.py``.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

# Run as a script: the repository root on the path, for ``bench``.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import setup_django  # noqa: E402 (after the path is set)


def raw_read(path: str) -> float:
    import python_calamine

    started = time.perf_counter()
    python_calamine.CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
    return time.perf_counter() - started


def import_once(path: str) -> tuple[float, float, dict]:
    """(seconds in all, seconds to plan, counts): read, validate and plan, then write in one transaction."""
    from evaluations.imports import importer

    started = time.perf_counter()
    data = Path(path).read_bytes()
    plan = importer.plan_import(data, Path(path).name)
    planned = time.perf_counter() - started
    counts = importer.apply_plan(plan)
    return time.perf_counter() - started, planned, counts


def delete_imported(code_prefix: str) -> int:
    """Delete the subjects whose code starts with ``code_prefix`` and every row pointing at them (their own
    table's row, the review items of households filed in divided units): the state before the import."""
    from django.db import connection, transaction

    from evaluations.models import Subject

    quote = connection.ops.quote_name
    subjects = quote(Subject._meta.db_table)
    chosen = f"SELECT id FROM {subjects} WHERE code LIKE %s"  # noqa: S608 (names from the model's meta)
    pattern = code_prefix.replace("%", r"\%").replace("_", r"\_") + "%"
    with transaction.atomic(), connection.cursor() as cursor:
        # Hidden relations too (``related_name="+"``: review items, moves).
        for relation in Subject._meta.get_fields(include_hidden=True):
            if not (relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)):
                continue
            table, column = quote(relation.related_model._meta.db_table), quote(relation.field.column)
            cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({chosen} ESCAPE '\\')", [pattern])  # noqa: S608
        cursor.execute(f"DELETE FROM {subjects} WHERE code LIKE %s ESCAPE '\\'", [pattern])  # noqa: S608
        deleted = cursor.rowcount
    if connection.vendor == "postgresql":
        # The next round inserts into tables as clean as the first one found them.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {subjects}")
    return deleted


def main(path: str, workdir: str, code_prefix: str, repeats: str) -> None:
    setup_django(Path(workdir))
    rounds = int(repeats)
    imports, plans, raws, again = [], [], [], []
    counts = again_counts = {}
    peak_import = 0.0
    for n in range(rounds):
        delete_imported(code_prefix)  # none in the first round, unless a run stopped midway left some
        seconds, planned, counts = import_once(path)
        if not n:
            peak_import = peak_mb()
        imports.append(seconds)
        plans.append(planned)
        raws.append(raw_read(path))
    for _ in range(rounds):
        seconds, _planned, again_counts = import_once(path)
        again.append(seconds)
    print(
        json.dumps(
            {
                "import": imports,
                "plan": plans,
                "raw": raws,
                "again": again,
                "peak_mb": peak_import,
                "counts": counts,
                "again_counts": again_counts,
            }
        )
    )


def peak_mb() -> float:
    """This process's peak resident memory. VmHWM belongs to the process's own memory map; ru_maxrss
    would also count the parent's peak, which Linux carries across exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main(*sys.argv[1:5])
