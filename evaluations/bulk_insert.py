"""Bulk inserts straight into a model's table: the demo loader and the Excel importer write rows by the
hundred thousand, where building model instances would cost more than the rest of their work."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import chain

from django.db import connection

#: Parameters per multi-row ``INSERT`` on SQLite (its limit is 32,766; 3,000 to 12,000 measured alike).
SQLITE_PARAMETERS_PER_INSERT = 6_000


def insert_many(table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """``INSERT`` of ``rows`` (tuples in ``columns`` order) into ``table``, names quoted by the caller.

    SQLite: statements of many rows each, through the driver's own cursor. Django's cursor rewrites
    the placeholders of every statement it runs, and for statements of thousands of them that costs
    more than SQLite's own work; one-row ``executemany`` is slower than many-row statements there too.
    Errors are still Django's (``IntegrityError`` and so on). Elsewhere: ``executemany``.
    """
    if not rows:
        return
    names = ", ".join(columns)
    if connection.vendor != "sqlite":
        # Names come from the model's meta; values are parameters.
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        return
    head = f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608 (names from the model's meta)
    one = "(" + ", ".join("?" * len(columns)) + ")"
    per_statement = max(1, SQLITE_PARAMETERS_PER_INSERT // len(columns))
    full = head + ", ".join([one] * per_statement)
    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = connection.connection.cursor()
        try:
            for start in range(0, len(rows), per_statement):
                chunk = rows[start : start + per_statement]
                sql = full if len(chunk) == per_statement else head + ", ".join([one] * len(chunk))
                cursor.execute(sql, list(chain.from_iterable(chunk)))
        finally:
            cursor.close()


def insert_rows(model, fields: Sequence[str], rows: Iterable[tuple], batch: int = 20_000) -> int:
    """``insert_many`` of ``rows`` (tuples in ``fields`` order) into ``model``'s own table.

    Columns not listed get their model default, so a field added later with a default does not
    break the loader.
    """
    opts = model._meta
    quote = connection.ops.quote_name
    listed = {opts.get_field(name).column for name in fields}
    defaults = [
        (f.column, f.get_db_prep_save(f.get_default(), connection))
        for f in opts.local_concrete_fields
        if f.column not in listed and not f.primary_key and f.has_default()
    ]
    columns = [opts.get_field(name).column for name in fields] + [column for column, _ in defaults]
    extra = tuple(value for _, value in defaults)
    table, names = quote(opts.db_table), [quote(c) for c in columns]
    done = 0
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row + extra if extra else row)
        if len(chunk) >= batch:
            insert_many(table, names, chunk)
            done += len(chunk)
            chunk = []
    if chunk:
        insert_many(table, names, chunk)
        done += len(chunk)
    return done
