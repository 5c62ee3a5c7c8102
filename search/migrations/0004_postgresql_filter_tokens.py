"""PostgreSQL: the filter tokens inside the stored ``search_vector``, as SQLite's FTS5 tables hold them (0003).

A search of a common word among evidence texts or in one district was answered by walking the btree of the
type or the area and reading (de-TOASTing) every candidate's vector: ~1 s for one district at a million
evaluations. With ``t<type> k<kind> y<year> a<path>...`` tokens in the vector (weight D, which ranking never
asks for), the GIN index alone answers the words and the filters together (``search.query.pg_filters``).

The column is generated again from the row: every entry is re-indexed here (2 min 20 s for 186,745 entries
with 20,000 evidence texts of ~5,000 characters); SQLite is unchanged. A filter token could also be a word of
a text ("y2025" written in a document): such a text then passes that filter (SQLite keeps them in a column of
their own).
"""

from django.db import migrations

ENTRY_TABLE = "site_search_searchentry"
#: treebeard's step and the deepest unit that gets area tags (``search.query.TAG_DEPTH``).
PATH_STEP = 4
TAG_DEPTH = 16


def tags_sql() -> str:
    """The filter tokens of a row, as PostgreSQL's expression (must stay in step with
    ``search.query.filter_tokens`` and with ``tags_sql`` of 0003, the SQLite triggers)."""
    ancestors = " || ".join(
        f"CASE WHEN length(area_path) >= {PATH_STEP * depth} "
        f"THEN ' a' || substr(area_path, 1, {PATH_STEP * depth}) ELSE '' END"
        for depth in range(1, TAG_DEPTH + 1)
    )
    return f"'t' || object_type || ' k' || kind || ' y' || coalesce(year::text, '') || {ancestors}"


WORDS = (
    "setweight(to_tsvector('simple'::regconfig, title_folded), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, body_folded), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, marks), 'C') || "
    "setweight(to_tsvector('simple'::regconfig, pairs), 'D')"
)
WITH_TAGS = f"{WORDS} || setweight(to_tsvector('simple'::regconfig, {tags_sql()}), 'D')"


def replace_vector(expression: str) -> list[str]:
    return [
        # Dropping the column drops its two GIN indexes.
        f"ALTER TABLE {ENTRY_TABLE} DROP COLUMN IF EXISTS search_vector",
        f"ALTER TABLE {ENTRY_TABLE} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({expression}) STORED",
        f"CREATE INDEX site_search_entry_vector ON {ENTRY_TABLE} USING gin (search_vector)",
        f"CREATE INDEX site_search_public_vector ON {ENTRY_TABLE} USING gin (search_vector) WHERE public",
        f"ANALYZE {ENTRY_TABLE}",
    ]


#: The public entries newest first (a common word's page): the key's index walked backwards stepped over every
#: newer non-public row (20,000 evidence texts: 12 ms) before finding twenty public ones.
PUBLIC_ORDER = [f"CREATE INDEX IF NOT EXISTS site_search_public_id ON {ENTRY_TABLE} (id) WHERE public"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("site_search", "0003_public_index_marks")]

    operations = [
        migrations.RunPython(_run(replace_vector(WITH_TAGS)), _run(replace_vector(WORDS))),
        migrations.RunPython(_run(PUBLIC_ORDER), _run(["DROP INDEX IF EXISTS site_search_public_id"])),
    ]
