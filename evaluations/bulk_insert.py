"""Bulk writes straight into the tables: the demo loader and the Excel importer write rows by the hundred
thousand, where building model instances would cost more than the rest of their work.

``subjects_bulk_create`` and ``subjects_bulk_update`` are the one way subjects are written in bulk: they derive
the names as ``Subject.save`` does (``subject_names_of_rows``) and tell the search index which subjects changed
(``subjects_bulk_changed``), as a save would. ``insert_many``, ``insert_rows``, ``insert_returning`` and
``update_rows`` are the raw statements beneath.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from itertools import chain

from django.db import connection
from django.utils import timezone

from .models import AdministrativeUnit, Subject, evaluations_follow_subject_names
from .models.subjects import SUBJECT_MODELS, subject_names_of_rows, subject_own_fields
from .signals import subjects_bulk_changed

#: Parameters per multi-row ``INSERT`` on SQLite (its limit is 32,766; 3,000 to 12,000 measured alike).
SQLITE_PARAMETERS_PER_INSERT = 6_000


#: A bulk write of at least this many rows reads the planner's statistics again (``planner_statistics_refresh``).
STATISTICS_AFTER_ROWS = 1_000


def planner_statistics_refresh(*models, rows: int | None = None) -> None:
    """PostgreSQL: the planner's statistics of ``models``' tables read again after a bulk write filled them
    (``rows``: how many it wrote; fewer than ``STATISTICS_AFTER_ROWS`` change nothing worth reading again).

    Until autovacuum gets there, PostgreSQL misjudges what a filter keeps: it sorted a district's 51,442
    evaluations for a listing page it could walk from an index (68 ms instead of 0.8 ms at a million
    evaluations). SQLite is left as it is: it gathers no statistics by itself and the site's queries are
    written for its planner without them (with them it sorted the whole table for the listing's first
    page: 225 ms instead of 8 ms)."""
    if connection.vendor != "postgresql" or (rows is not None and rows < STATISTICS_AFTER_ROWS):
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


@contextmanager
def larger_sqlite_cache(kibibytes: int = 65_536):
    """SQLite: a 64 MB page cache for this connection while a bulk write runs. With the default 2 MB the
    index pages of 100,000+ rows (an import, a search rebuild) are read again for every batch."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{int(kibibytes)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def insert_many(table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """``INSERT`` of ``rows`` (tuples in ``columns`` order) into ``table``, names quoted by the caller.

    SQLite: statements of many rows each, through the driver's own cursor. Django's cursor rewrites
    the placeholders of every statement it runs, and for statements of thousands of them that costs
    more than SQLite's own work; one-row ``executemany`` is slower than many-row statements there too.
    Errors are still Django's (``IntegrityError`` and so on). PostgreSQL: ``COPY`` (100,000 rows in 0.7 s
    where ``executemany`` took 4.6 s and multi-row statements 5.3 s). Elsewhere: ``executemany``.
    """
    if not rows:
        return
    names = ", ".join(columns)
    if connection.vendor == "postgresql":
        copy_rows(table, names, rows)
        return
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


def copy_rows(table: str, names: str, rows: Iterable[tuple]) -> None:
    """PostgreSQL's ``COPY ... FROM STDIN`` of ``rows`` into ``table`` (``names``: its quoted columns, in row
    order), inside the caller's transaction; values are adapted by the driver as for parameters."""
    connection.ensure_connection()
    with (
        connection.wrap_database_errors,
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


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


def insert_returning(model, fields: list[str], rows: list[tuple]) -> list[int]:
    """Insert ``rows`` and return their new ids in row order.

    PostgreSQL: ids from the key's sequence, then ``COPY``. SQLite: ``insert_many``, then the ids above the
    previous highest one; SQLite has one writer at a time and this runs inside the caller's
    transaction, so they are exactly these rows, and the count is checked all the same.
    """
    quote = connection.ops.quote_name
    opts = model._meta
    table, pk = quote(opts.db_table), quote(opts.pk.column)
    columns = [quote(opts.get_field(f).column) for f in fields]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT COALESCE(MAX({pk}), 0) FROM {table}")  # noqa: S608 (names from model meta)
            last = cursor.fetchone()[0]
            insert_many(table, columns, rows)
            cursor.execute(f"SELECT {pk} FROM {table} WHERE {pk} > %s ORDER BY {pk}", [last])  # noqa: S608
            ids = [r[0] for r in cursor.fetchall()]
            if len(ids) != len(rows):
                raise RuntimeError("rows were inserted by someone else during the bulk write")
            return ids
        if connection.vendor == "postgresql":
            # The ids taken from the key's sequence first, then the rows copied with them: as an INSERT
            # would number them, at the speed of COPY.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [opts.db_table, opts.pk.column, len(rows)],
            )
            ids = [r[0] for r in cursor.fetchall()]
            copy_rows(
                table, ", ".join([pk, *columns]), ((pk_value, *row) for pk_value, row in zip(ids, rows, strict=True))
            )
            return ids
        ids: list[int] = []
        names = ", ".join(columns)
        placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
        per_batch = max(1, min(1000, 30000 // len(fields)))
        for start in range(0, len(rows), per_batch):
            chunk = rows[start : start + per_batch]
            sql = (
                f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608 (names from model meta)
                f"{', '.join([placeholders] * len(chunk))} RETURNING {pk}"
            )
            cursor.execute(sql, [value for row in chunk for value in row])
            ids += [r[0] for r in cursor.fetchall()]
    return ids


def update_rows(model, fields: list[str], rows: list[tuple]) -> None:
    """``UPDATE`` of ``fields`` for each row (values in ``fields`` order, then the key)."""
    if not rows or not fields:
        return
    quote = connection.ops.quote_name
    opts = model._meta
    key = opts.pk.column
    assignments = ", ".join(f"{quote(opts.get_field(f).column)} = %s" for f in fields)
    sql = f"UPDATE {quote(opts.db_table)} SET {assignments} WHERE {quote(key)} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def update_rows_keyed(model, field: str, pairs: Sequence[tuple[int, int]], changes: dict, increment: str = "") -> None:
    """One ``UPDATE`` of the rows ``pairs`` names, (key, value): ``field`` set to each row's own integer value (a
    foreign key just written: each evaluation's new revision), ``changes`` (field -> value) the same for all,
    and ``increment`` (a field) counted up by one. The values are joined by key rather than looked up again
    by a subquery per row or picked by a ``CASE`` of every key (a 2,000-row ``CASE`` cost 0.5 s on both
    engines; the subquery, while PostgreSQL's statistics of the revisions were old, 4 ms a row)."""
    if not pairs:
        return
    quote = connection.ops.quote_name
    opts = model._meta
    table, key = quote(opts.db_table), quote(opts.pk.column)
    assignments, params = [], []
    for name, value in changes.items():
        target = opts.get_field(name)
        assignments.append(f"{quote(target.column)} = %s")
        params.append(target.get_db_prep_save(value, connection))
    if increment:
        column = quote(opts.get_field(increment).column)
        assignments.append(f"{column} = {column} + 1")
    assignments.append(f"{quote(opts.get_field(field).column)} = keyed.row_value")
    keys, values = [pair[0] for pair in pairs], [pair[1] for pair in pairs]
    if connection.vendor == "postgresql":
        source = "SELECT unnest(%s::bigint[]) AS row_key, unnest(%s::bigint[]) AS row_value"
        params += [keys, values]
    else:  # SQLite 3.33+ (UPDATE ... FROM)
        pairs_sql = ", ".join(["(%s, %s)"] * len(pairs))
        source = f"SELECT column1 AS row_key, column2 AS row_value FROM (VALUES {pairs_sql})"  # noqa: S608
        params += list(chain.from_iterable(pairs))
    sql = f"UPDATE {table} SET {', '.join(assignments)} FROM ({source}) AS keyed WHERE {table}.{key} = keyed.row_key"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


#: The ``Subject`` fields a bulk creation gives, after the derived names: (code, publish_consent, note,
#: registered_on) per row; kind, area, is_active, the times and the creator are filled in here.
SUBJECT_CREATE_FIELDS = [
    "kind",
    "name",
    "name_folded",
    "area",
    "code",
    "publish_consent",
    "is_active",
    "note",
    "registered_on",
    "created_at",
    "updated_at",
    "created_by",
]
#: Subjects per statement when their evaluations follow renamed subjects (well below SQLite's parameter limit).
FOLLOW_CHUNK = 900
#: The ``Subject`` fields a bulk update writes: (code, publish_consent, note, registered_on) per row.
SUBJECT_UPDATE_FIELDS = ["name", "name_folded", "code", "publish_consent", "note", "registered_on", "updated_at"]


def subjects_bulk_create(
    *,
    kind: str,
    areas: list[AdministrativeUnit],
    common: list[tuple],
    own: list[tuple],
    user_id: int | None = None,
) -> list[int]:
    """Insert subjects of ``kind`` and return their ids in row order; row i is in ``areas[i]``, with ``common[i]``
    (code, publish_consent, note, registered_on as the database takes it) and ``own[i]`` (the values of
    ``subject_own_fields(kind)``). Names are derived as ``Subject.save`` does; the index is told."""
    if not areas:
        return []
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    names = subject_names_of_rows(kind=kind, rows=zip(areas, own, strict=True))
    subjects = [
        (kind, name, folded, area.id, code, consent, True, note, registered, now, now, user_id)
        for area, (name, folded), (code, consent, note, registered) in zip(areas, names, common, strict=True)
    ]
    # In the order of the register index (area, then registration date) and of the codes' unique index (kind,
    # area, code): both grow at one place per area rather than all over. SQLite inserted 100,000 households
    # 4x faster so than in name order, whose index is the cheaper one to grow out of order. The ids still
    # follow the rows given.
    order = sorted(range(len(subjects)), key=lambda i: (subjects[i][3], subjects[i][8], subjects[i][4]))
    ordered_ids = insert_returning(Subject, SUBJECT_CREATE_FIELDS, [subjects[i] for i in order])
    insert_rows(
        SUBJECT_MODELS[kind],
        ["subject_ptr", *subject_own_fields(kind)],
        [(pk, *own[i]) for pk, i in zip(ordered_ids, order, strict=True)],
    )
    ids = [0] * len(subjects)
    for pk, i in zip(ordered_ids, order, strict=True):
        ids[i] = pk
    subjects_bulk_changed.send(sender=Subject, subject_ids=ids)
    return ids


def subjects_bulk_update(
    *, kind: str, ids: list[int], areas: list[AdministrativeUnit], common: list[tuple], own: list[tuple]
) -> None:
    """Write the stored subjects ``ids`` of ``kind`` again, as ``subjects_bulk_create`` takes their values; names
    derived as ``Subject.save`` does; the index is told."""
    if not ids:
        return
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    names = subject_names_of_rows(kind=kind, rows=zip(areas, own, strict=True))
    update_rows(
        Subject,
        SUBJECT_UPDATE_FIELDS,
        [(*pair, *values, now, pk) for pair, values, pk in zip(names, common, ids, strict=True)],
    )
    update_rows(SUBJECT_MODELS[kind], subject_own_fields(kind), [(*v, pk) for v, pk in zip(own, ids, strict=True)])
    for start in range(0, len(ids), FOLLOW_CHUNK):
        evaluations_follow_subject_names(ids[start : start + FOLLOW_CHUNK])
    subjects_bulk_changed.send(sender=Subject, subject_ids=ids, names_changed=True)
