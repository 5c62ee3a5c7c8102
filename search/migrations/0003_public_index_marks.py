"""A public-only index, marks that rank exact spellings first, and filters inside the full-text index.

SQLite: the external-content FTS5 table of 0002 is replaced by two *contentless* FTS5 tables kept in step
by triggers: ``site_search_entry_fts`` (every entry) and ``site_search_public_fts`` (public entries only).
Each indexes the folded title and body, the ``marks`` and ``pairs`` columns, and ``tags``: filter tokens computed by the
triggers from the row (``t<type> k<kind> y<year>`` and ``a<path>`` for the unit and each unit above it),
so type, area, kind and year filters are answered by the index itself and stay right whatever writes the
row (an in-place update of ``public``, ``year`` or ``area_path`` re-indexes it). Contentless: the text is
already in the entries table; a deletion gives the old values, which the triggers have.

PostgreSQL: a stored generated ``search_vector`` (title A, body B, marks C, pairs D) replaces the expression index
of 0002 (ranking reads the stored vector instead of parsing the text again), with a GIN index over every
entry and a partial one over public entries. The column is not a model field: Django never writes it.

The long columns (``marks``, ``body_folded``) move to the end of the row. Existing rows get the marks of
their titles here; ``manage.py rebuild_search_index`` adds the bodies'.
"""

from django.db import migrations, models

ENTRY_TABLE = "site_search_searchentry"
OLD_FTS = "site_search_entry_fts"
ENTRY_FTS = "site_search_entry_fts"
PUBLIC_FTS = "site_search_public_fts"
#: treebeard's step (``evaluations.models.units.PATH_STEP``) and the deepest unit that gets area tags.
PATH_STEP = 4
TAG_DEPTH = 16


def tags_sql(row: str) -> str:
    """The filter tokens of ``row`` (``new``, ``old`` or a table alias) as an SQL expression.

    Must stay in step with ``search.query.fts5_filters`` (the query side)."""
    ancestors = " || ".join(
        f"CASE WHEN length({row}.area_path) >= {PATH_STEP * depth} "
        f"THEN ' a' || substr({row}.area_path, 1, {PATH_STEP * depth}) ELSE '' END"
        for depth in range(1, TAG_DEPTH + 1)
    )
    return f"'t' || {row}.object_type || ' k' || {row}.kind || ' y' || coalesce({row}.year, '') || {ancestors}"


def values_sql(row: str) -> str:
    return f"{row}.id, {row}.title_folded, {row}.body_folded, {row}.marks, {row}.pairs, {tags_sql(row)}"


def indexed_changed(old: str = "old", new: str = "new") -> str:
    return " OR ".join(
        f"{old}.{column} IS NOT {new}.{column}"
        for column in ("title_folded", "body_folded", "marks", "pairs", "object_type", "kind", "year", "area_path")
    )


COLUMNS = "rowid, title_folded, body_folded, marks, pairs, tags"
FTS_OPTIONS = "content='', tokenize='unicode61 remove_diacritics 2'"
CHANGED = indexed_changed()

SQLITE_FORWARD = [
    f"DROP TRIGGER IF EXISTS {OLD_FTS}_au",
    f"DROP TRIGGER IF EXISTS {OLD_FTS}_ad",
    f"DROP TRIGGER IF EXISTS {OLD_FTS}_ai",
    f"DROP TABLE IF EXISTS {OLD_FTS}",
]
SQLITE_CREATE = [
    f"CREATE VIRTUAL TABLE {ENTRY_FTS} USING fts5(title_folded, body_folded, marks, pairs, tags, {FTS_OPTIONS})",
    f"CREATE VIRTUAL TABLE {PUBLIC_FTS} USING fts5(title_folded, body_folded, marks, pairs, tags, {FTS_OPTIONS})",
    f"""CREATE TRIGGER site_search_entry_ai AFTER INSERT ON {ENTRY_TABLE} BEGIN
        INSERT INTO {ENTRY_FTS}({COLUMNS}) VALUES ({values_sql("new")});
        INSERT INTO {PUBLIC_FTS}({COLUMNS}) SELECT {values_sql("new")} WHERE new.public;
    END""",
    f"""CREATE TRIGGER site_search_entry_ad AFTER DELETE ON {ENTRY_TABLE} BEGIN
        INSERT INTO {ENTRY_FTS}({ENTRY_FTS}, {COLUMNS}) VALUES ('delete', {values_sql("old")});
        INSERT INTO {PUBLIC_FTS}({PUBLIC_FTS}, {COLUMNS}) SELECT 'delete', {values_sql("old")} WHERE old.public;
    END""",
    # Only when something indexed changed: a rebuild that rewrites a row unchanged, or an update of
    # ``updated_at`` alone, leaves the full-text tables alone.
    f"""CREATE TRIGGER site_search_entry_au AFTER UPDATE ON {ENTRY_TABLE}
    WHEN {CHANGED} OR old.public IS NOT new.public BEGIN
        INSERT INTO {ENTRY_FTS}({ENTRY_FTS}, {COLUMNS}) SELECT 'delete', {values_sql("old")} WHERE {CHANGED};
        INSERT INTO {ENTRY_FTS}({COLUMNS}) SELECT {values_sql("new")} WHERE {CHANGED};
        INSERT INTO {PUBLIC_FTS}({PUBLIC_FTS}, {COLUMNS}) SELECT 'delete', {values_sql("old")}
            WHERE old.public AND (NOT new.public OR {CHANGED});
        INSERT INTO {PUBLIC_FTS}({COLUMNS}) SELECT {values_sql("new")}
            WHERE new.public AND (NOT old.public OR {CHANGED});
    END""",
    # Facets read kind, year and area of every match by id: from this narrow index, not from rows that
    # hold a long body (``search.backends.database.SqliteQuery.facets`` names it).
    f"CREATE INDEX site_search_entry_facets ON {ENTRY_TABLE} (id, kind, year, area_path)",
    f"INSERT INTO {ENTRY_FTS}({COLUMNS}) SELECT {values_sql('e')} FROM {ENTRY_TABLE} e",
    f"INSERT INTO {PUBLIC_FTS}({COLUMNS}) SELECT {values_sql('e')} FROM {ENTRY_TABLE} e WHERE e.public",
]
SQLITE_BACKWARD = [
    "DROP INDEX IF EXISTS site_search_entry_facets",
    "DROP TRIGGER IF EXISTS site_search_entry_au",
    "DROP TRIGGER IF EXISTS site_search_entry_ad",
    "DROP TRIGGER IF EXISTS site_search_entry_ai",
    f"DROP TABLE IF EXISTS {PUBLIC_FTS}",
    f"DROP TABLE IF EXISTS {ENTRY_FTS}",
]
# 0002's structures, restored on the way back (its external-content table is filled again by 'rebuild').
SQLITE_RESTORE = [
    f"""CREATE VIRTUAL TABLE {OLD_FTS} USING fts5(
        title_folded, body_folded, content='{ENTRY_TABLE}', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER {OLD_FTS}_ai AFTER INSERT ON {ENTRY_TABLE} BEGIN
        INSERT INTO {OLD_FTS}(rowid, title_folded, body_folded) VALUES (new.id, new.title_folded, new.body_folded);
    END""",
    f"""CREATE TRIGGER {OLD_FTS}_ad AFTER DELETE ON {ENTRY_TABLE} BEGIN
        INSERT INTO {OLD_FTS}({OLD_FTS}, rowid, title_folded, body_folded)
        VALUES ('delete', old.id, old.title_folded, old.body_folded);
    END""",
    f"""CREATE TRIGGER {OLD_FTS}_au AFTER UPDATE OF title_folded, body_folded ON {ENTRY_TABLE} BEGIN
        INSERT INTO {OLD_FTS}({OLD_FTS}, rowid, title_folded, body_folded)
        VALUES ('delete', old.id, old.title_folded, old.body_folded);
        INSERT INTO {OLD_FTS}(rowid, title_folded, body_folded) VALUES (new.id, new.title_folded, new.body_folded);
    END""",
    f"INSERT INTO {OLD_FTS}({OLD_FTS}) VALUES ('rebuild')",
]

#: Must stay the expression of ``search_vector`` that ``search.backends.database`` queries.
PG_VECTOR = (
    "setweight(to_tsvector('simple'::regconfig, title_folded), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, body_folded), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, marks), 'C') || "
    "setweight(to_tsvector('simple'::regconfig, pairs), 'D')"
)
PG_FORWARD = [
    "DROP INDEX IF EXISTS site_search_entry_tsv",
    f"ALTER TABLE {ENTRY_TABLE} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({PG_VECTOR}) STORED",
    f"CREATE INDEX site_search_entry_vector ON {ENTRY_TABLE} USING gin (search_vector)",
    f"CREATE INDEX site_search_public_vector ON {ENTRY_TABLE} USING gin (search_vector) WHERE public",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS site_search_public_vector",
    "DROP INDEX IF EXISTS site_search_entry_vector",
    f"ALTER TABLE {ENTRY_TABLE} DROP COLUMN IF EXISTS search_vector",
    f"""CREATE INDEX site_search_entry_tsv ON {ENTRY_TABLE} USING gin ((
        setweight(to_tsvector('simple'::regconfig, title_folded), 'A') ||
        setweight(to_tsvector('simple'::regconfig, body_folded), 'B')))""",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def title_marks(apps, schema_editor):
    """The marks of existing entries' titles (their raw bodies are not stored: a rebuild adds those)."""
    from search.text import marked_words  # a pure function of the text

    SearchEntry = apps.get_model("site_search", "SearchEntry")
    last = 0
    while True:
        rows = list(SearchEntry.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "title")[:2000])
        if not rows:
            return
        marked = [SearchEntry(pk=pk, marks=marked_words(title)) for pk, title in rows]
        SearchEntry.objects.bulk_update([entry for entry in marked if entry.marks], ["marks"], batch_size=500)
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [("site_search", "0002_fulltext")]

    operations = [
        migrations.RunPython(_run({"sqlite": SQLITE_FORWARD}), _run({"sqlite": SQLITE_BACKWARD + SQLITE_RESTORE})),
        # The long columns move to the end of the row (SQLite reads a row's columns in order: the short
        # ones before a long body are then read without its overflow pages).
        migrations.RenameField(model_name="searchentry", old_name="body_folded", new_name="body_folded_before"),
        migrations.AddField(
            model_name="searchentry",
            name="marks",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="pairs",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="body_folded",
            field=models.TextField(blank=True, default="", editable=False),
            preserve_default=False,
        ),
        migrations.RunSQL(
            f"UPDATE {ENTRY_TABLE} SET body_folded = body_folded_before",
            f"UPDATE {ENTRY_TABLE} SET body_folded_before = body_folded",
        ),
        migrations.RemoveField(model_name="searchentry", name="body_folded_before"),
        migrations.RunPython(title_marks, migrations.RunPython.noop),
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": PG_FORWARD}), _run({"postgresql": PG_BACKWARD})
        ),
    ]
