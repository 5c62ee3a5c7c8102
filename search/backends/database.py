"""The embedded backend: the ``SearchEntry`` table with SQLite FTS5 or PostgreSQL full-text search.

Text is folded in Python (``evaluations.text.fold_words``) before it is stored and before it is
queried, so diacritics (đ included), case and NFC/NFD behave the same on both databases.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.db.models import CharField, Value
from django.db.models.functions import Concat, Substr

from evaluations.models.units import PATH_STEP
from evaluations.text import fold_words

from ..models import SearchEntry
from ..query import Hit, SearchRequest, SearchResults, fts5_match, pg_tsquery
from ..text import ParsedQuery
from .base import IndexDoc, SearchBackend

ENTRY_TABLE = SearchEntry._meta.db_table
FTS_TABLE = "site_search_entry_fts"
#: The same expression as the GIN index of migration 0002 (PostgreSQL), so the index is used.
PG_VECTOR = (
    "(setweight(to_tsvector('simple'::regconfig, e.title_folded), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, e.body_folded), 'B'))"
)
#: Longest folded body kept: a PostgreSQL tsvector holds at most 1 MB, and long files add little.
MAX_BODY = 200_000
BATCH = 2_000


def entry_from_doc(doc: IndexDoc) -> SearchEntry:
    return SearchEntry(
        object_type=doc.object_type,
        object_id=doc.object_id,
        title=doc.title[:255],
        summary=doc.summary[:300],
        title_folded=fold_words(doc.title),
        body_folded=fold_words(doc.body)[:MAX_BODY],
        kind=doc.kind or "",
        year=doc.year,
        area_path=doc.area_path or "",
        public=doc.public,
    )


class DatabaseBackend(SearchBackend):
    name = "database"

    # --- writing ------------------------------------------------------------------------------

    def index(self, docs: Iterable[IndexDoc]) -> int:
        entries = [entry_from_doc(doc) for doc in docs]
        if not entries:
            return 0
        with transaction.atomic():
            by_type: dict[str, list[int]] = {}
            for entry in entries:
                by_type.setdefault(entry.object_type, []).append(entry.object_id)
            for object_type, ids in by_type.items():
                for start in range(0, len(ids), 900):
                    SearchEntry.objects.filter(
                        object_type=object_type, object_id__in=ids[start : start + 900]
                    ).delete()
            SearchEntry.objects.bulk_create(entries, batch_size=BATCH)
        return len(entries)

    def delete(self, object_type: str, object_ids: Iterable[int]) -> None:
        ids = list(object_ids)
        for start in range(0, len(ids), 900):
            SearchEntry.objects.filter(object_type=object_type, object_id__in=ids[start : start + 900]).delete()

    def move_area(self, old_path: str, new_path: str) -> None:
        """Rewrite the paths in place, as treebeard does for the units (the folded text does not change)."""
        SearchEntry.objects.filter(area_path__startswith=old_path).update(
            area_path=Concat(Value(new_path), Substr("area_path", len(old_path) + 1), output_field=CharField())
        )

    def rebuild(self, batches, progress: Callable[[str], None]) -> int:
        """Empty and refill the table in one transaction: readers see the old index until it commits."""
        done = 0
        with transaction.atomic():
            SearchEntry.objects.all().delete()
            for object_type, docs in batches:
                SearchEntry.objects.bulk_create([entry_from_doc(doc) for doc in docs], batch_size=BATCH)
                done += len(docs)
                progress(f"{object_type}: {done:,} entries")
        return done

    # --- reading ------------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResults:
        parsed = request.parsed
        if not parsed:
            return SearchResults()
        vendor = connection.vendor
        if vendor == "sqlite":
            # CROSS JOIN keeps the full-text match as the outer loop (SQLite does not reorder it);
            # otherwise the planner may walk the entries and run the MATCH once per row.
            source = f"{FTS_TABLE} CROSS JOIN {ENTRY_TABLE} e ON e.id = {FTS_TABLE}.rowid"
            source_params: list = []
            match, match_params = f"{FTS_TABLE} MATCH %s", [fts5_match(parsed)]
            rank, order = f"bm25({FTS_TABLE}, 10.0, 1.0)", "rank ASC, e.id"
        elif vendor == "postgresql":
            # unaccent here too: a query that reaches the database unfolded still matches.
            source = f"{ENTRY_TABLE} e, to_tsquery('simple'::regconfig, unaccent(%s)) q"
            source_params = [pg_tsquery(parsed)]
            match, match_params = f"{PG_VECTOR} @@ q", []
            rank, order = f"ts_rank_cd({PG_VECTOR}, q)", "rank DESC, e.id"
        else:
            return self.scan(request)
        where, params = filter_sql(request)
        where_sql = " AND ".join([match, *where])
        all_params = [*source_params, *match_params, *params]
        return self._run(request, source, where_sql, all_params, rank, order)

    def scan(self, request: SearchRequest) -> SearchResults:
        """The same search as a plain ``LIKE '%...%'`` scan of the folded columns (no ranking)."""
        parsed = request.parsed
        if not parsed:
            return SearchResults()
        where, params = filter_sql(request)
        like, like_params = like_sql(parsed)
        return self._run(
            request, f"{ENTRY_TABLE} e", " AND ".join([like, *where]), [*like_params, *params], "0", "e.id"
        )

    def _run(self, request, source, where_sql, params, rank, order) -> SearchResults:
        results = SearchResults()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT e.object_type, e.object_id, e.title, e.summary, e.kind, e.year, e.area_path, {rank} AS rank "  # noqa: S608
                f"FROM {source} WHERE {where_sql} ORDER BY {order} LIMIT %s OFFSET %s",
                [*params, request.limit, request.offset],
            )
            results.hits = [
                Hit(
                    object_type=row[0],
                    object_id=row[1],
                    title=row[2],
                    summary=row[3],
                    kind=row[4],
                    year=row[5],
                    area_path=row[6],
                    score=float(row[7] or 0),
                )
                for row in cursor.fetchall()
            ]
            if request.facets:
                # Total and every facet from one pass over the matches (a CTE used several times is
                # computed once, on SQLite and PostgreSQL alike).
                length = PATH_STEP * request.area_depth
                cursor.execute(
                    f"WITH m AS (SELECT e.kind AS kind, e.year AS year, substr(e.area_path, 1, {int(length)}) AS area "  # noqa: S608
                    f"FROM {source} WHERE {where_sql}) "
                    "SELECT 'total', CAST(NULL AS varchar(255)), CAST(NULL AS integer), count(*) FROM m "
                    "UNION ALL SELECT 'kind', kind, NULL, count(*) FROM m WHERE kind <> '' GROUP BY kind "
                    "UNION ALL SELECT 'year', NULL, year, count(*) FROM m WHERE year IS NOT NULL GROUP BY year "
                    "UNION ALL SELECT 'area', area, NULL, count(*) FROM m WHERE area <> '' GROUP BY area",
                    params,
                )
                facets: dict[str, list] = {"kind": [], "year": [], "area": []}
                for name, text_value, number_value, count in cursor.fetchall():
                    if name == "total":
                        results.total = count
                    else:
                        facets[name].append((text_value if number_value is None else number_value, count))
                results.facets = {name: sorted(rows, key=lambda r: (-r[1], r[0])) for name, rows in facets.items()}
            elif request.offset == 0 and len(results.hits) < request.limit:
                results.total = len(results.hits)
            else:
                cursor.execute(f"SELECT count(*) FROM {source} WHERE {where_sql}", params)  # noqa: S608
                results.total = cursor.fetchone()[0]
        return results


def filter_sql(request: SearchRequest) -> tuple[list[str], list]:
    """WHERE fragments (on alias ``e``) for the type, public, area and facet filters of ``request``."""
    where: list[str] = []
    params: list = []
    types = list(request.object_types)
    where.append(f"e.object_type IN ({', '.join(['%s'] * len(types))})" if types else "1 = 0")
    params += types
    if request.public_only:
        where.append("e.public = %s")
        params.append(True)
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
