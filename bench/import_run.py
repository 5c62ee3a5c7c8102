"""The import benchmark's measurements, in a fresh process of their own (its peak memory is the import's):

    import_run.py PATH WORKDIR CODE_PREFIX REPEATS

One process, ``REPEATS`` rounds: each imports the workbook into the same state (the households the
previous round created are deleted first, untimed) and reads it raw with python-calamine, the two
alternating so that both see the same load. Then the same workbook again over what it created (every row
unchanged), ``REPEATS`` times. The peak memory is read after the first import, before anything else
ran. Then the floor: the raw read plus the same rows written straight back into the same tables, with
their indexes, in one transaction (``floor_once``), ``REPEATS`` times, and the rows checked equal to the
import's. Prints one JSON line of seconds per run, the peak and the counts. Used by ``bench/step_import.py``.
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


def imported_tables(code_prefix: str) -> tuple[str, list, list[tuple]]:
    """What the import wrote, for ``delete_imported`` and ``imported_rows``: (the subjects' quoted table,
    the ``LIKE`` parameter of their codes, and (model, quoted column) for every table pointing at them: their
    own kind's table, the review items of households filed in divided units, moves)."""
    from django.db import connection

    from evaluations.models import Subject

    quote = connection.ops.quote_name
    pattern = code_prefix.replace("%", r"\%").replace("_", r"\_") + "%"
    pointing = [
        (relation.related_model, quote(relation.field.column))
        # Hidden relations too (``related_name="+"``).
        for relation in Subject._meta.get_fields(include_hidden=True)
        if relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)
    ]
    return quote(Subject._meta.db_table), [pattern], pointing


#: The subjects an import round wrote, by their codes (``imported_tables`` gives the table and the parameter).
CHOSEN = "code LIKE %s ESCAPE '\\'"


def delete_imported(code_prefix: str) -> int:
    """Delete the subjects whose code starts with ``code_prefix`` and every row pointing at them: the state
    before the import."""
    from django.db import connection, transaction

    subjects, pattern, pointing = imported_tables(code_prefix)
    quote = connection.ops.quote_name
    chosen = f"SELECT id FROM {subjects} WHERE {CHOSEN}"  # noqa: S608 (names from the model's meta)
    with transaction.atomic(), connection.cursor() as cursor:
        for model, column in pointing:
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)} WHERE {column} IN ({chosen})", pattern)  # noqa: S608
        cursor.execute(f"DELETE FROM {subjects} WHERE {CHOSEN}", pattern)  # noqa: S608
        deleted = cursor.rowcount
    if connection.vendor == "postgresql":
        # The next round inserts into tables as clean as the first one found them.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {subjects}")
    return deleted


def imported_rows(code_prefix: str) -> list[tuple[str, list[str], list[tuple]]]:
    """The rows the import wrote, as (quoted table, quoted columns, rows in key order) per table: the
    subjects, then the tables pointing at them that got rows."""
    from django.db import connection

    subjects, pattern, pointing = imported_tables(code_prefix)
    quote = connection.ops.quote_name
    chosen = f"SELECT id FROM {subjects} WHERE {CHOSEN}"  # noqa: S608 (names from the model's meta)
    queries = [(subjects, f"SELECT * FROM {subjects} WHERE {CHOSEN} ORDER BY id")]  # noqa: S608
    for model, column in pointing:
        table, key = quote(model._meta.db_table), quote(model._meta.pk.column)
        queries.append((table, f"SELECT * FROM {table} WHERE {column} IN ({chosen}) ORDER BY {key}"))  # noqa: S608
    found = []
    with connection.cursor() as cursor:
        for table, sql in queries:
            cursor.execute(sql, pattern)
            rows = cursor.fetchall()
            if rows:
                found.append((table, [quote(c[0]) for c in cursor.description], rows))
    return found


def floor_once(path: str, rows: list[tuple[str, list[str], list[tuple]]]) -> float:
    """The import's floor: the raw read of the file, then the rows the import wrote inserted again as they are
    (ids included) in one transaction, by the fastest statement each engine has (``insert_many``)."""
    from django.db import transaction

    from evaluations.bulk_insert import insert_many, larger_sqlite_cache

    started = time.perf_counter()
    raw_read(path)
    with transaction.atomic(), larger_sqlite_cache():
        for table, columns, table_rows in rows:
            insert_many(table, columns, table_rows)
    return time.perf_counter() - started


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
    written = imported_rows(code_prefix)
    floors = []
    for _ in range(rounds):
        delete_imported(code_prefix)
        floors.append(floor_once(path, written))
    if imported_rows(code_prefix) != written:
        raise AssertionError("the import's floor wrote other rows than the import")
    for _ in range(rounds):
        seconds, _planned, again_counts = import_once(path)
        again.append(seconds)
    print(
        json.dumps(
            {
                "import": imports,
                "plan": plans,
                "raw": raws,
                "floor": floors,
                "floor_rows": sum(len(table_rows) for _, _, table_rows in written),
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
