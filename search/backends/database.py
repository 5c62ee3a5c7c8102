"""The embedded backend: the ``SearchEntry`` table with SQLite FTS5 or PostgreSQL full-text search.

Text is folded in Python (``evaluations.text.fold_words``) before it is stored and before it is
queried, so diacritics (đ included), case and NFC/NFD behave the same on both databases.

How a search stays fast whatever the word (the same steps on both databases, ``DatabaseBackend.search``):

* public searches read a public-only index (SQLite: ``site_search_public_fts``; PostgreSQL: a partial
  GIN index), so they never touch what the public may not find; filters (type, area, kind, year) are
  answered inside the full-text index (filter tokens: SQLite's ``tags`` column, PostgreSQL's vector);
* the count stops at ``COUNT_CAP`` + 1 ("more than 10,000");
* a word with few matches (``RANK_ALL_MAX``) has them all ranked: first by how exactly they spell the
  typed words (``ParsedQuery.tiers``: "Đình" before "đình" before "dinh"), then bm25 / ts_rank; a word
  with more is paged by tier and then newest entry first, and only the page's rows are ranked (by how
  their titles match).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

from django.db import connection, transaction
from django.db.models import CharField, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext

from evaluations.bulk_insert import copy_rows, larger_sqlite_cache, planner_statistics_refresh
from evaluations.models.units import PATH_STEP
from evaluations.text import fold_words

from ..models import ObjectType, SearchEntry
from ..query import (
    COUNT_CAP,
    Hit,
    SearchRequest,
    SearchResults,
    fts5_filters,
    fts5_marks,
    fts5_text,
    pg_filters,
    pg_marks,
    pg_tsquery,
)
from ..text import ParsedQuery, marked_words, word_pairs
from .base import IndexDoc, SearchBackend

ENTRY_TABLE = SearchEntry._meta.db_table
#: SQLite (migration 0003): every entry, and public entries only.
FTS_TABLE = "site_search_entry_fts"
PUBLIC_FTS_TABLE = "site_search_public_fts"
#: What each FTS5 table holds (a request for all of them needs no type filter).
ALL_TYPES = frozenset(ObjectType.values)
PUBLIC_TYPES = frozenset({ObjectType.PAGE, ObjectType.SUBJECT})
#: SQLite bm25 weights per column: title, body, marks, pairs, tags (the last three only tier or filter).
BM25 = "10.0, 1.0, 0.0, 0.0, 0.0"
#: Longest folded body kept: a PostgreSQL tsvector holds at most 1 MB, and long files add little.
MAX_BODY = 200_000
BATCH = 2_000
#: Up to this many matches are all ranked (tier, then bm25 / ts_rank); above it only the page is.
RANK_ALL_MAX = 300
#: A batch is written into this temporary table, then into the entries in one statement. SQLite: the
#: triggers then feed FTS5 within one statement (a statement per row makes FTS5 flush per row, 10x slower);
#: PostgreSQL (the rebuild): only the rows that differ get their ``search_vector`` computed again.
STAGE_TABLE = "site_search_staged_entry"
#: Bodies up to this long are folded once each (a subject's body is its kind and area: few distinct ones).
SHORT_BODY = 500

#: Columns written for each entry, in the order of ``entry_row`` (the table's order).
ENTRY_COLUMNS = (
    "object_type",
    "object_id",
    "title",
    "summary",
    "title_folded",
    "kind",
    "year",
    "area_path",
    "public",
    "updated_at",
    "marks",
    "pairs",
    "body_folded",
)
#: What decides whether a stored entry must be rewritten (not its time stamp).
_COMPARED = tuple(column for column in ENTRY_COLUMNS[2:] if column != "updated_at")


def _body_text(body: str) -> tuple[str, str, str]:
    """The folded body, its marks and its pairs."""
    folded = fold_words(body)[:MAX_BODY]
    return folded, marked_words(body), word_pairs(folded)


_short_body_text = lru_cache(maxsize=8_192)(_body_text)


def entry_row(doc: IndexDoc, now) -> tuple:
    """The stored row of ``doc`` (``ENTRY_COLUMNS``): text folded, marks of the title and body."""
    body = doc.body[:MAX_BODY]
    body_folded, body_marks, body_pairs = _short_body_text(body) if len(body) <= SHORT_BODY else _body_text(body)
    title_folded = fold_words(doc.title)
    # Each token once (a tier or a phrase asks only whether it is there; a second one is index work).
    marks = " ".join(dict.fromkeys(f"{marked_words(doc.title)} {body_marks}".split()))
    pairs = " ".join(dict.fromkeys(f"{word_pairs(title_folded)} {body_pairs}".split()))
    return (
        doc.object_type,
        doc.object_id,
        doc.title[:255],
        doc.summary[:300],
        title_folded,
        doc.kind or "",
        doc.year,
        doc.area_path or "",
        bool(doc.public),
        now,
        marks,
        pairs,
        body_folded,
    )


def upsert_sql(source: str, *, written_before: bool = False) -> str:
    """INSERT of ``ENTRY_COLUMNS`` from ``source`` (``VALUES (...)`` or a ``SELECT``) that replaces an
    existing entry of the same object, and writes nothing when the entry is already what it would
    become (no full-text work for unchanged rows); ``written_before``: nor when the entry was written
    after the time given as the last parameter (a rebuild leaves what other writers indexed meanwhile).

    Atomic per row on both databases: two writers indexing the same object never meet the unique
    constraint (a delete then insert could, on PostgreSQL)."""
    distinct = "IS NOT" if connection.vendor == "sqlite" else "IS DISTINCT FROM"
    updates = ", ".join(f"{column} = excluded.{column}" for column in ENTRY_COLUMNS[2:])
    changed = " OR ".join(f"{ENTRY_TABLE}.{column} {distinct} excluded.{column}" for column in _COMPARED)
    guard = f" AND {ENTRY_TABLE}.updated_at < %s" if written_before else ""
    return (
        f"INSERT INTO {ENTRY_TABLE} ({', '.join(ENTRY_COLUMNS)}) {source} "  # noqa: S608 - names are constants
        f"ON CONFLICT (object_type, object_id) DO UPDATE SET {updates} WHERE ({changed}){guard}"
    )


def stamp():
    """Now, as the database stores ``updated_at`` (raw SQL bypasses the field's conversion)."""
    return connection.ops.adapt_datetimefield_value(timezone.now())


def write_rows(rows: Sequence[tuple], *, written_before=None) -> None:
    """Upsert entry rows (``entry_row``); call inside a transaction. ``written_before`` (a stored time):
    leave entries written since then (see ``upsert_sql``); given by the rebuild, which holds the entries'
    lock (``lock_entries``)."""
    placeholders = ", ".join(["%s"] * len(ENTRY_COLUMNS))
    guard = written_before is not None
    extra = [written_before] if guard else []
    with connection.cursor() as cursor:
        if connection.vendor != "sqlite":
            if guard:
                _write_staged_postgresql(cursor, rows, written_before)
                return
            sql = upsert_sql(f"VALUES ({placeholders})", written_before=guard)
            cursor.executemany(sql, [(*row, *extra) for row in rows])
            return
        columns = ", ".join(ENTRY_COLUMNS)
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {STAGE_TABLE} ({columns})")
        for start in range(0, len(rows), BATCH):
            cursor.execute(f"DELETE FROM {STAGE_TABLE}")  # noqa: S608
            cursor.executemany(f"INSERT INTO {STAGE_TABLE} VALUES ({placeholders})", rows[start : start + BATCH])  # noqa: S608
            # "WHERE true": SQLite's parser needs it between a SELECT and ON CONFLICT.
            sql = upsert_sql(f"SELECT {columns} FROM {STAGE_TABLE} WHERE true", written_before=guard)  # noqa: S608
            cursor.execute(sql, extra)
        cursor.execute(f"DELETE FROM {STAGE_TABLE}")  # noqa: S608


def _write_staged_postgresql(cursor, rows: Sequence[tuple], written_before) -> None:
    """The rebuild's write on PostgreSQL, under the entries' lock: the rows copied into a temporary table,
    then one UPDATE of the entries that differ and one INSERT of those missing. An upsert would compute
    every proposed row's stored ``search_vector`` (the text parsed again) before finding it unchanged."""
    columns = ", ".join(ENTRY_COLUMNS)
    cursor.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {STAGE_TABLE} AS SELECT {columns} FROM {ENTRY_TABLE} WITH NO DATA"  # noqa: S608
    )
    cursor.execute(f"TRUNCATE {STAGE_TABLE}")
    copy_rows(STAGE_TABLE, columns, rows)
    same_object = "e.object_type = s.object_type AND e.object_id = s.object_id"
    updates = ", ".join(f"{column} = s.{column}" for column in ENTRY_COLUMNS[2:])
    changed = " OR ".join(f"e.{column} IS DISTINCT FROM s.{column}" for column in _COMPARED)
    cursor.execute(
        f"UPDATE {ENTRY_TABLE} e SET {updates} FROM {STAGE_TABLE} s "  # noqa: S608 - names are constants
        f"WHERE {same_object} AND ({changed}) AND e.updated_at < %s",
        [written_before],
    )
    cursor.execute(
        f"INSERT INTO {ENTRY_TABLE} ({columns}) SELECT {columns} FROM {STAGE_TABLE} s "  # noqa: S608
        f"WHERE NOT EXISTS (SELECT 1 FROM {ENTRY_TABLE} e WHERE {same_object})"
    )
    cursor.execute(f"TRUNCATE {STAGE_TABLE}")


def analyze_entries() -> None:
    """PostgreSQL: the planner's statistics of the entries read again after a bulk write
    (``planner_statistics_refresh``): still believing the table empty, it looked for a phrase found in two
    texts of thousands by reading every text of that type (40 ms instead of 1 ms for 2,500 texts)."""
    planner_statistics_refresh(SearchEntry)


def lock_entries() -> None:
    """Hold off every other writer of the index until this transaction ends.

    SQLite: the site's transactions are IMMEDIATE, so the write lock is already held. PostgreSQL: a lock
    that conflicts with every INSERT/UPDATE/DELETE of the table, taken before the batch reads its objects:
    a writer that indexed before it has committed (the batch reads its change), one that indexes after it
    writes the newer document last."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {ENTRY_TABLE} IN SHARE ROW EXCLUSIVE MODE")


class DatabaseBackend(SearchBackend):
    name = "database"

    # --- writing ------------------------------------------------------------------------------

    def index(self, docs: Iterable[IndexDoc]) -> int:
        now = stamp()
        rows = [entry_row(doc, now) for doc in docs]
        if rows:
            with transaction.atomic():
                write_rows(rows)
        return len(rows)

    def delete(self, object_type: str, object_ids: Iterable[int]) -> None:
        ids = list(object_ids)
        for start in range(0, len(ids), 900):
            SearchEntry.objects.filter(object_type=object_type, object_id__in=ids[start : start + 900]).delete()

    def move_area(self, old_path: str, new_path: str) -> None:
        """Rewrite the paths in place, as treebeard does for the units (the folded text does not change;
        on SQLite the triggers re-index the rows' area tokens)."""
        SearchEntry.objects.filter(area_path__startswith=old_path).update(
            area_path=Concat(Value(new_path), Substr("area_path", len(old_path) + 1), output_field=CharField())
        )

    def rebuild(self, batches, progress: Callable[[str], None]) -> int:
        """Bring every entry up to date batch by batch, then remove entries of objects that are gone.

        Each batch reads its objects and upserts their rows in one short transaction that holds off other
        writers of the index (``lock_entries``), so readers always find every object and writers wait at
        most one batch. The rebuild starts inside the first batch's lock: an entry written after that was
        written by the save that changed its object, from data at least as new as the rebuild's, and is
        left as it is (whatever ``batches`` read once at its start, such as who is public, cannot
        overwrite it). Rows already right are not written. An entry no batch produced is removed unless
        it was written after the start (an object created meanwhile, indexed by its own save).
        """
        with larger_sqlite_cache():
            return self._rebuild(iter(batches), progress)

    def _rebuild(self, iterator, progress: Callable[[str], None]) -> int:
        started = None
        seen: dict[str, set[int]] = {}
        done = 0
        while True:
            with transaction.atomic():
                lock_entries()
                if started is None:
                    started = stamp()
                batch = next(iterator, None)
                if batch is None:
                    break
                object_type, docs = batch
                now = stamp()
                write_rows([entry_row(doc, now) for doc in docs], written_before=started)
            seen.setdefault(object_type, set()).update(doc.object_id for doc in docs)
            done += len(docs)
            progress(
                gettext("%(type)s: %(count)s entries")
                % {"type": ObjectType(object_type).label, "count": number_format(done, force_grouping=True)}
            )
        with transaction.atomic():
            lock_entries()
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT id, object_type, object_id FROM {ENTRY_TABLE} WHERE updated_at < %s",  # noqa: S608
                    [started],
                )
                stale = [
                    pk
                    for pk, object_type, object_id in cursor.fetchall()
                    if object_id not in seen.get(object_type, ())
                ]
            for start in range(0, len(stale), 900):
                SearchEntry.objects.filter(pk__in=stale[start : start + 900]).delete()
        if stale:
            progress(
                gettext("%(count)s entries of objects that no longer exist removed")
                % {"count": number_format(len(stale), force_grouping=True)}
            )
        analyze_entries()
        return done

    # --- reading ------------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResults:
        parsed = request.parsed
        if not parsed:
            return SearchResults()
        if connection.vendor == "sqlite":
            engine = SqliteQuery(request, parsed)
        elif connection.vendor == "postgresql":
            engine = PostgresQuery(request, parsed)
        else:
            return self.scan(request)
        if engine.nothing:
            return SearchResults()
        if request.facets:
            # The count and the facets from one pass over at most COUNT_CAP + 1 matches.
            rows = engine.facet_rows(COUNT_CAP + 1, PATH_STEP * request.area_depth)
            counted = len(rows)
        else:
            counted = engine.count(engine.matching(), COUNT_CAP + 1)
        results = SearchResults(total=min(counted, COUNT_CAP), total_exact=counted <= COUNT_CAP)
        if counted <= RANK_ALL_MAX:
            ranked = engine.ranked(request.limit, request.offset)
        else:
            ranked = tiered_page(engine, request.offset, request.limit)
        results.hits = hits_of(ranked, parsed if counted > RANK_ALL_MAX else None)
        if request.facets and results.total_exact:
            results.facets = facets_of(rows)
        return results

    def scan(self, request: SearchRequest) -> SearchResults:
        """The same search as a plain ``LIKE '%...%'`` scan of the folded columns (no ranking, exact count)."""
        parsed = request.parsed
        if not parsed:
            return SearchResults()
        where, params = filter_sql(request)
        like, like_params = like_sql(parsed)
        where_sql = " AND ".join([like, *where])
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT e.id, 0, 0.0 FROM {ENTRY_TABLE} e WHERE {where_sql} ORDER BY e.id LIMIT %s OFFSET %s",  # noqa: S608
                [*like_params, *params, request.limit, request.offset],
            )
            hits = hits_of(cursor.fetchall())
            cursor.execute(f"SELECT count(*) FROM {ENTRY_TABLE} e WHERE {where_sql}", [*like_params, *params])  # noqa: S608
            return SearchResults(total=cursor.fetchone()[0], hits=hits)


def tiered_page(engine, offset: int, limit: int) -> list[tuple[int, int, float]]:
    """The page ``offset``..``offset + limit`` of the matches ordered by tier, then newest entry first:
    costs what the page and the tiers before it cost (``hits_of`` then ranks the page's rows)."""
    end = offset + limit
    picked: list[tuple[int, int]] = []
    position = 0
    conditions = engine.tier_conditions()
    for tier, condition in enumerate(conditions):
        last = tier == len(conditions) - 1
        # How many rows this tier holds matters only up to the page's end.
        size = end - position if last else engine.count(condition, end - position)
        start_in_tier = max(0, offset - position)
        if size > start_in_tier:
            ids = engine.newest(condition, min(size, end - position) - start_in_tier, start_in_tier)
            picked += [(pk, tier) for pk in ids]
        position += size
        if position >= end:
            break
    return [(pk, tier, 0.0) for pk, tier in picked]


def title_rank(parsed: ParsedQuery, title_folded: str) -> int:
    """How well a folded title matches (lower is better): the loose words side by side, every word,
    or not every word; what orders a page of a word found in most rows, within each tier."""
    words = set(title_folded.split())
    if not all(word in words for word in parsed.words):
        return 2
    return 0 if len(parsed.terms) > 1 and f" {' '.join(parsed.terms)} " in f" {title_folded} " else 1


def hits_of(ranked: Sequence[tuple[int, int, float]], rank_page: ParsedQuery | None = None) -> list[Hit]:
    """``Hit`` rows for entry ids in ``ranked`` order (id, tier, score: lower is better); ``rank_page``:
    rank them among themselves (tier, then ``title_rank``, then the order given)."""
    ids = [row[0] for row in ranked]
    if not ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, object_type, object_id, title, summary, kind, year, area_path, title_folded "  # noqa: S608
            f"FROM {ENTRY_TABLE} WHERE id IN ({', '.join(['%s'] * len(ids))})",
            ids,
        )
        rows = {row[0]: row for row in cursor.fetchall()}
    if rank_page is not None:
        order = {pk: number for number, pk in enumerate(ids)}

        def key(row):
            stored = rows.get(row[0])
            return (row[1], title_rank(rank_page, stored[8]) if stored else 2, order[row[0]])

        ranked = sorted(ranked, key=key)
    return [
        Hit(
            object_type=row[1],
            object_id=row[2],
            title=row[3],
            summary=row[4],
            kind=row[5],
            year=row[6],
            area_path=row[7],
            score=-float(score or 0),
        )
        for pk, _tier, score in ranked
        if (row := rows.get(pk)) is not None
    ]


def facets_of(rows) -> dict[str, list[tuple[object, int]]]:
    """Facet counts (largest first) of (kind, year, area) rows."""
    counters: dict[str, Counter] = {"kind": Counter(), "year": Counter(), "area": Counter()}
    for kind, year, area in rows:
        if kind:
            counters["kind"][kind] += 1
        if year is not None:
            counters["year"][year] += 1
        if area:
            counters["area"][area] += 1
    return {name: sorted(counter.items(), key=lambda r: (-r[1], r[0])) for name, counter in counters.items()}


class SqliteQuery:
    """One request on SQLite's FTS5 tables: text, filters and tiers are all MATCH expressions."""

    def __init__(self, request: SearchRequest, parsed: ParsedQuery):
        self.table = PUBLIC_FTS_TABLE if request.public_only else FTS_TABLE
        filters = fts5_filters(request, PUBLIC_TYPES if request.public_only else ALL_TYPES)
        self.nothing = filters is None
        self.filters = filters or []
        self.parsed = parsed
        self.tiers = [fts5_marks(tokens) for tokens in parsed.tiers]

    def matching(self, *, ranked: bool = False) -> str:
        return " AND ".join(f"({part})" for part in [fts5_text(self.parsed, ranked=ranked), *self.filters])

    def tier_conditions(self) -> list[str]:
        """MATCH text of each tier's rows (in a tier, not in any before it), the rest last."""
        base = self.matching()
        conditions = []
        for number, tier in enumerate([*self.tiers, None]):
            earlier = self.tiers[:number]
            condition = base if tier is None else f"{base} AND ({tier})"
            if earlier:
                condition = f"({condition}) NOT ({' OR '.join(f'({t})' for t in earlier)})"
            conditions.append(condition)
        return conditions

    def count(self, match: str, cap: int) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT rowid FROM {self.table} WHERE {self.table} MATCH %s LIMIT %s)",  # noqa: S608
                [match, cap],
            )
            return cursor.fetchone()[0]

    def ranked(self, limit: int, offset: int) -> list[tuple[int, int, float]]:
        base = self.matching()
        cases = " ".join(
            f"WHEN rowid IN (SELECT rowid FROM {self.table} WHERE {self.table} MATCH %s) THEN {number}"  # noqa: S608
            for number in range(len(self.tiers))
        )
        tier = f"CASE {cases} ELSE {len(self.tiers)} END" if self.tiers else "0"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, {tier} AS tier, bm25({self.table}, {BM25}) AS score FROM {self.table} "  # noqa: S608
                f"WHERE {self.table} MATCH %s ORDER BY tier, score, rowid LIMIT %s OFFSET %s",
                [*(f"{base} AND ({t})" for t in self.tiers), self.matching(ranked=True), limit, offset],
            )
            return cursor.fetchall()

    def newest(self, match: str, limit: int, offset: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid FROM {self.table} WHERE {self.table} MATCH %s ORDER BY rowid DESC LIMIT %s OFFSET %s",  # noqa: S608
                [match, limit, offset],
            )
            return [row[0] for row in cursor.fetchall()]

    def facet_rows(self, cap: int, length: int) -> list[tuple]:
        """(kind, year, area at ``length``) of at most ``cap`` matches. CROSS JOIN keeps the full-text match
        as the outer loop (SQLite does not reorder it); the narrow index of migration 0003 answers each
        look-up (a row with a long body spans several pages)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT e.kind, e.year, substr(e.area_path, 1, {int(length)}) FROM {self.table} "  # noqa: S608
                f"CROSS JOIN {ENTRY_TABLE} e INDEXED BY site_search_entry_facets ON e.id = {self.table}.rowid "
                f"WHERE {self.table} MATCH %s LIMIT %s",
                [self.matching(), cap],
            )
            return cursor.fetchall()


class PostgresQuery:
    """One request on PostgreSQL: the stored ``search_vector`` and its GIN indexes (a partial one for
    public entries, which ``e.public`` written as a literal lets the planner choose)."""

    def __init__(self, request: SearchRequest, parsed: ParsedQuery):
        filters = pg_filters(request, PUBLIC_TYPES if request.public_only else ALL_TYPES)
        self.nothing = filters is None
        # Type, area, kind and year are tokens of the vector (migration 0004): the GIN index answers them with
        # the words. A btree condition beside it (the type, an area prefix) made the planner walk that btree
        # and read every candidate's vector instead.
        self.filters = filters or ""
        self.public = " AND e.public" if request.public_only else ""
        self.parsed = parsed
        self.tiers = [pg_marks(tokens) for tokens in parsed.tiers]

    def _where(self, tsquery: str) -> tuple[str, list]:
        if self.filters:
            tsquery = f"({tsquery}) & {self.filters}"
        return f"e.search_vector @@ to_tsquery('simple'::regconfig, %s){self.public}", [tsquery]

    def matching(self) -> str:
        return pg_tsquery(self.parsed, ranked=False)

    def tier_conditions(self) -> list[str]:
        base = self.matching()
        conditions = []
        for number, tier in enumerate([*self.tiers, None]):
            earlier = self.tiers[:number]
            condition = f"({base})" if tier is None else f"({base}) & ({tier})"
            if earlier:
                condition += " & !(" + " | ".join(f"({t})" for t in earlier) + ")"
            conditions.append(condition)
        return conditions

    def _matches(self, tsquery: str, columns: str) -> tuple[str, list]:
        """``columns`` of the matches of ``tsquery``, as a query whose plan is chosen for all of them: the
        caller reads at most a capped number. Planned under that LIMIT, a match the statistics call common
        (a spelling frequent among evidence texts, asked of the public entries) looked cheaper to find by
        reading the table in order, and when it was not there the whole table was read (190 ms). A
        materialised CTE is planned on its own and still read only as far as the LIMIT asks."""
        where, params = self._where(tsquery)
        return f"WITH m AS MATERIALIZED (SELECT {columns} FROM {ENTRY_TABLE} e WHERE {where}) ", params  # noqa: S608

    def count(self, tsquery: str, cap: int) -> int:
        matches, params = self._matches(tsquery, "1")
        with connection.cursor() as cursor:
            cursor.execute(f"{matches}SELECT count(*) FROM (SELECT 1 FROM m LIMIT %s) capped", [*params, cap])  # noqa: S608
            return cursor.fetchone()[0]

    def ranked(self, limit: int, offset: int) -> list[tuple[int, int, float]]:
        where, params = self._where(self.matching())
        cases = " ".join(
            f"WHEN e.search_vector @@ to_tsquery('simple'::regconfig, %s) THEN {number}"
            for number in range(len(self.tiers))
        )
        tier = f"CASE {cases} ELSE {len(self.tiers)} END" if self.tiers else "0"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT e.id, {tier} AS tier, "  # noqa: S608
                "-ts_rank_cd(e.search_vector, to_tsquery('simple'::regconfig, %s)) AS score "
                f"FROM {ENTRY_TABLE} e WHERE {where} ORDER BY tier, score, e.id LIMIT %s OFFSET %s",
                [*self.tiers, pg_tsquery(self.parsed), *params, limit, offset],
            )
            return cursor.fetchall()

    def newest(self, tsquery: str, limit: int, offset: int) -> list[int]:
        where, params = self._where(tsquery)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT e.id FROM {ENTRY_TABLE} e WHERE {where} ORDER BY e.id DESC LIMIT %s OFFSET %s",  # noqa: S608
                [*params, limit, offset],
            )
            return [row[0] for row in cursor.fetchall()]

    def facet_rows(self, cap: int, length: int) -> list[tuple]:
        """(kind, year, area at ``length``) of at most ``cap`` matches."""
        matches, params = self._matches(self.matching(), f"e.kind, e.year, substr(e.area_path, 1, {int(length)})")
        with connection.cursor() as cursor:
            cursor.execute(f"{matches}SELECT * FROM m LIMIT %s", [*params, cap])  # noqa: S608
            return cursor.fetchall()


def filter_sql(request: SearchRequest) -> tuple[list[str], list]:
    """WHERE fragments (on alias ``e``) for the type, public, area and facet filters of ``request``."""
    where: list[str] = []
    params: list = []
    types = list(request.object_types)
    where.append(f"e.object_type IN ({', '.join(['%s'] * len(types))})" if types else "1 = 0")
    params += types
    if request.public_only:
        where.append("e.public")  # a literal: PostgreSQL then uses the partial index of public entries
    if request.area_paths is not None:
        if request.area_paths:
            where.append("(" + " OR ".join(["e.area_path LIKE %s"] * len(request.area_paths)) + ")")
            params += [f"{path}%" for path in request.area_paths]
        else:
            where.append("1 = 0")
    if request.kind:
        where.append("e.kind = %s")
        params.append(request.kind)
    if request.year:
        where.append("e.year = %s")
        params.append(int(request.year))
    if request.area_path:
        where.append("e.area_path LIKE %s")
        params.append(f"{request.area_path}%")
    return where, params


def like_sql(parsed: ParsedQuery) -> tuple[str, list]:
    """Every word and phrase as ``LIKE '%...%'`` on the folded title or body."""
    parts, params = [], []
    for needle in [*parsed.terms, *(" ".join(p) for p in parsed.phrases)]:
        parts.append("(e.title_folded LIKE %s OR e.body_folded LIKE %s)")
        params += [f"%{needle}%", f"%{needle}%"]
    return " AND ".join(parts), params
