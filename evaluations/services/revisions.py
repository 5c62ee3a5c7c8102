"""Revisions and audit-log entries written in bulk, built from rows read as values.

A bulk decision saves one revision per evaluation, as ``RevisionMixin.save_revision`` would, but for
thousands of rows at once: building model instances with their scores and serialising each one cost more
than the rest of the decision. ``RevisionRows`` gives the content ``serializable_data()`` gives (the same
fields, values and child rows, as modelcluster writes them and ``DjangoJSONEncoder`` stores them), so the
history, the compare view and the inspect screen read a bulk-made revision like any other; the child rows'
JSON is written by the database where it can (SQLite, PostgreSQL), the same values without reading them into
Python. ``revisions_bulk_write`` inserts the revisions and their log entries in bulk (``bulk_insert``).
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone
from django.utils.encoding import is_protected_type

from modelcluster.models import get_all_child_m2m_relations, get_all_child_relations
from wagtail.log_actions import get_active_log_context
from wagtail.models import ModelLogEntry, Revision

from ..bulk_insert import insert_returning, insert_rows

#: Fields whose values, as read from the database, are already what the content stores (``int``, ``str``,
#: ``bool``, ``float`` or None: modelcluster keeps them, or ``value_to_string`` gives the same ``str``).
_AS_READ = (
    models.AutoField,
    models.BigAutoField,
    models.IntegerField,
    models.BooleanField,
    models.CharField,
    models.TextField,
    models.FloatField,
)
_ENCODER = DjangoJSONEncoder()


class _Attribute:
    """What ``Field.value_to_string`` reads (``value_from_object``: one attribute), for a value read as a row."""

    def __init__(self, attname: str, value):
        setattr(self, attname, value)


def _stored(field, value, now: datetime.datetime):
    """modelcluster's ``get_field_value`` for a value read from the database (the instance's state), as
    ``Revision.content`` stores it (``DjangoJSONEncoder``: decimals and times as text)."""
    if getattr(field, "auto_now", False):
        value = now  # ``pre_save`` of an existing row: the time of this save
    if isinstance(value, datetime.datetime) and settings.USE_TZ:
        if timezone.is_naive(value):
            value = timezone.make_aware(value, timezone.get_default_timezone())
        value = timezone.localtime(value, datetime.UTC)
    if not is_protected_type(value):
        value = field.value_to_string(_Attribute(field.attname, value))
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return _ENCODER.default(value)


class _ModelRows:
    """One model's serialised fields (``get_serializable_data_for_fields``) from rows read as
    ``values_list(*columns)``: the primary key, then each serialised field."""

    def __init__(self, model):
        opts = model._meta
        if opts.get_parent_list():
            raise NotImplementedError("revisions of multi-table models are not built from rows")
        fields = [opts.pk, *(f for f in opts.fields if f.serialize)]
        self.model = model
        self.fields = fields
        self.columns = [f.attname for f in fields]
        self.names = ["pk", *(f.name for f in fields[1:])]
        # The few fields whose values change on the way (decimals, times, the save's time); the rest as read.
        self.converted = [
            (field.name, index, field)
            for index, field in enumerate(fields)
            if field.remote_field is None and not isinstance(field, _AS_READ)
        ]

    def serialise(self, row, now) -> dict:
        data = dict(zip(self.names, row, strict=True))
        for name, index, field in self.converted:
            value = row[index]
            if type(value) is Decimal:
                data[name] = str(value)  # as ``DjangoJSONEncoder`` writes it (the common case, made short)
            elif value is not None or getattr(field, "auto_now", False):
                data[name] = _stored(field, value, now)
        return data


class RevisionRows:
    """The content ``model.serializable_data()`` gives a revision, as stored (after its JSON encoding), for
    rows of ``model`` read as ``values_list(*columns)``; their child relations (a ``ClusterableModel``'s inline
    rows, such as an evaluation's scores) are read here in one query per relation and batch."""

    def __init__(self, model):
        if get_all_child_m2m_relations(model):
            raise NotImplementedError("parental many-to-many relations are not built from rows")
        self.model = model
        self.own = _ModelRows(model)
        self.children = []
        for relation in get_all_child_relations(model):
            child = relation.related_model
            if hasattr(child, "serializable_data") and (
                get_all_child_relations(child) or get_all_child_m2m_relations(child)
            ):
                raise NotImplementedError("grandchild relations are not built from rows")
            child_rows = _ModelRows(child)
            parent_index = child_rows.columns.index(relation.field.attname)
            self.children.append(
                (relation.get_accessor_name(), relation.field.attname, parent_index, child, child_rows)
            )

    @property
    def columns(self) -> list[str]:
        """The columns each row must carry, in this order (the primary key first)."""
        return self.own.columns

    def contents(self, rows: list, *, now: datetime.datetime) -> list[dict]:
        """The content of each row's revision, in row order; ``now`` is the time of the save (``auto_now``)."""
        contents = [self.own.serialise(row, now) for row in rows]
        ids = [row[0] for row in rows]
        for accessor, parent_column, parent_index, child, child_rows in self.children:
            grouped = self._child_contents(parent_column, parent_index, child, child_rows, ids, now)
            for pk, content in zip(ids, contents, strict=True):
                content[accessor] = grouped.get(pk, [])
        return contents

    def contents_json(self, rows: list, *, now: datetime.datetime) -> list[str]:
        """``contents`` as JSON text, what ``Revision.content`` stores. The child rows' arrays are written by
        the database where it can (``_children_sql``: the same values, as the JSON encoder writes them),
        which spares reading thousands of rows into Python only to encode them again."""
        texts = [json.dumps(self.own.serialise(row, now), cls=DjangoJSONEncoder) for row in rows]
        ids = [row[0] for row in rows]
        for accessor, parent_column, parent_index, child, child_rows in self.children:
            if _children_sql(child_rows, parent_column, 1) is None:
                grouped = self._child_contents(parent_column, parent_index, child, child_rows, ids, now)
                arrays = {pk: json.dumps(values, cls=DjangoJSONEncoder) for pk, values in grouped.items()}
            else:
                arrays = {}
                with connection.cursor() as cursor:
                    for start in range(0, len(ids), CHILD_BATCH):
                        batch = ids[start : start + CHILD_BATCH]
                        cursor.execute(_children_sql(child_rows, parent_column, len(batch)), batch)
                        arrays.update(cursor.fetchall())
            key = json.dumps(accessor)
            texts = [f"{text[:-1]}, {key}: {arrays.get(pk, '[]')}}}" for pk, text in zip(ids, texts, strict=True)]
        return texts

    def _child_contents(self, parent_column, parent_index, child, child_rows, ids, now) -> dict:
        grouped: dict = defaultdict(list)
        # In the order the relation's manager gives them (the model's ordering, else as stored).
        order = [*(child._meta.ordering or ()), "pk"]
        for start in range(0, len(ids), CHILD_BATCH):
            found = (
                child._base_manager.filter(**{f"{parent_column}__in": ids[start : start + CHILD_BATCH]})
                .order_by(parent_column, *order)
                .values_list(*child_rows.columns)
            )
            for child_row in found:
                grouped[child_row[parent_index]].append(child_rows.serialise(child_row, now))
        return grouped


#: Parent rows per query of their child rows (SQLite takes 32,766 parameters a statement).
CHILD_BATCH = 5_000


def _json_value_sql(field, column: str) -> str | None:
    """SQL giving ``column`` of ``field`` as ``_ModelRows.serialise`` stores it in JSON (an integer, a string,
    true/false, a decimal as text with its places), or None when the database is not asked for this kind."""
    vendor = connection.vendor
    if isinstance(field, models.BooleanField):
        if vendor == "sqlite":  # stored as 0/1
            return f"CASE {column} WHEN 1 THEN json('true') WHEN 0 THEN json('false') END"
        return column
    if field.remote_field is not None or isinstance(field, _AS_READ):
        return None if isinstance(field, models.FloatField) else column
    if isinstance(field, models.DecimalField):
        if vendor == "sqlite":  # stored as a number, read by Django rounded to its places
            return f"CASE WHEN {column} IS NULL THEN NULL ELSE printf('%%.{int(field.decimal_places)}f', {column}) END"
        return f"CAST({column} AS text)"  # numeric(p, s) keeps its places
    return None


def _children_sql(child_rows: _ModelRows, parent_column: str, count: int) -> str | None:
    """One query giving (parent id, JSON array of its child rows in primary-key order) for ``count`` parent ids,
    on SQLite and PostgreSQL; None when a field or the model's ordering is not supported."""
    if connection.vendor not in ("sqlite", "postgresql") or child_rows.model._meta.ordering:
        return None
    quote = connection.ops.quote_name
    pairs = []
    for name, field in zip(child_rows.names, child_rows.fields, strict=True):
        value = _json_value_sql(field, quote(field.column))
        if value is None:
            return None
        pairs.append(f"'{name}', {value}")
    table, parent = (
        quote(child_rows.model._meta.db_table),
        quote(child_rows.model._meta.get_field(parent_column).column),
    )
    pk = quote(child_rows.model._meta.pk.column)
    ids = ", ".join(["%s"] * count)
    if connection.vendor == "sqlite":
        # Rows reach the aggregate in the order of the subquery (SQLite before 3.44 has no ORDER BY inside it).
        return (
            f"SELECT {parent}, json_group_array(json_object({', '.join(pairs)})) FROM "  # noqa: S608 (names from meta)
            f"(SELECT * FROM {table} WHERE {parent} IN ({ids}) ORDER BY {parent}, {pk}) GROUP BY {parent}"
        )
    return (
        f"SELECT {parent}, CAST(json_agg(json_build_object({', '.join(pairs)}) ORDER BY {pk}) AS text) "  # noqa: S608
        f"FROM {table} WHERE {parent} IN ({ids}) GROUP BY {parent}"
    )


def _prepared(model, name: str, value):
    return model._meta.get_field(name).get_db_prep_save(value, connection)


def _json_text(text: str):
    """JSON already encoded (``RevisionRows.contents_json``), as the database takes a JSON column's value."""
    if connection.vendor == "postgresql":
        from django.db.backends.postgresql.psycopg_any import Jsonb

        return Jsonb(text, dumps=lambda encoded: encoded)
    return text


def revisions_bulk_write(
    model,
    items: Iterable[tuple[int, str, str]],
    *,
    user,
    action: str,
    when: datetime.datetime,
    data: dict,
) -> list[int]:
    """One revision and one log entry (``action``, ``data``) per (pk, content as JSON text, label) of ``items``, as
    ``save_revision(log_action=action)`` writes them: the same content type, author, time and object name.
    Returns the new revisions' ids in ``items`` order."""
    items = list(items)
    if not items:
        return []
    # Not a multi-table model (``RevisionRows`` refuses them): its base content type is its own.
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    log_context = get_active_log_context()
    author_id = getattr(user, "pk", None)
    log_author_id = getattr(user or log_context.user, "pk", None)  # as ``wagtail.log_actions.log`` picks
    created_at = _prepared(Revision, "created_at", when)
    revision_ids = insert_returning(
        Revision,
        ["content_type", "base_content_type", "object_id", "user", "created_at", "content", "object_str"],
        [
            (
                content_type.pk,
                content_type.pk,
                str(pk),
                author_id,
                created_at,
                _json_text(content),
                label,
            )
            for pk, content, label in items
        ],
    )
    timestamp = _prepared(ModelLogEntry, "timestamp", when)
    log_data = _prepared(ModelLogEntry, "data", data)
    insert_rows(
        ModelLogEntry,
        [
            *("content_type", "object_id", "label", "action", "data", "timestamp", "uuid", "user", "revision"),
            *("content_changed", "deleted"),
        ],
        [
            (
                content_type.pk,
                str(pk),
                label,
                action,
                log_data,
                timestamp,
                None,  # no shared uuid: Wagtail's history shows one entry per uuid and action, whatever the object
                log_author_id,
                revision_id,
                True,
                False,
            )
            for (pk, _content, label), revision_id in zip(items, revision_ids, strict=True)
        ],
    )
    return revision_ids
