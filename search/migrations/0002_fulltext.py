"""Full-text structures for the database backend, one per database.

SQLite: an external-content FTS5 table over the folded columns, kept in step by triggers (so bulk
inserts need no extra call). ``remove_diacritics 2`` is a second safety net: the text is folded in
Python first, which is what also turns đ into d (unicode61 does not).

PostgreSQL: the ``unaccent`` extension (used on the query side) and a GIN index on the weighted
``tsvector`` of the folded columns (title A, body B) that the query uses.
"""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

FTS_TABLE = "site_search_entry_fts"
ENTRY_TABLE = "site_search_searchentry"

SQLITE_FORWARD = [
    f"""CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(
        title_folded, body_folded, content='{ENTRY_TABLE}', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER {FTS_TABLE}_ai AFTER INSERT ON {ENTRY_TABLE} BEGIN
        INSERT INTO {FTS_TABLE}(rowid, title_folded, body_folded)
        VALUES (new.id, new.title_folded, new.body_folded);
    END""",
    f"""CREATE TRIGGER {FTS_TABLE}_ad AFTER DELETE ON {ENTRY_TABLE} BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title_folded, body_folded)
        VALUES ('delete', old.id, old.title_folded, old.body_folded);
    END""",
    f"""CREATE TRIGGER {FTS_TABLE}_au AFTER UPDATE OF title_folded, body_folded ON {ENTRY_TABLE} BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title_folded, body_folded)
        VALUES ('delete', old.id, old.title_folded, old.body_folded);
        INSERT INTO {FTS_TABLE}(rowid, title_folded, body_folded)
        VALUES (new.id, new.title_folded, new.body_folded);
    END""",
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_au",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ad",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ai",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]

#: Must stay identical to ``search.backends.database.PG_VECTOR`` so the planner uses the index.
PG_VECTOR = (
    "(setweight(to_tsvector('simple'::regconfig, title_folded), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, body_folded), 'B'))"
)
PG_FORWARD = [f"CREATE INDEX site_search_entry_tsv ON {ENTRY_TABLE} USING gin ({PG_VECTOR})"]
PG_BACKWARD = ["DROP INDEX IF EXISTS site_search_entry_tsv"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("site_search", "0001_initial")]

    operations = [
        # A no-op on databases other than PostgreSQL.
        UnaccentExtension(),
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": PG_BACKWARD}),
        ),
    ]
