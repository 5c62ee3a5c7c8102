"""Elasticsearch 8 documents: one per indexed type, with an analyzer that folds Vietnamese.

Each document class is read and written through an alias (``<prefix>-evidence`` and so on); a rebuild
writes a new concrete index ``<alias>-<timestamp>`` and then moves the alias in one atomic call.
"""

from __future__ import annotations

from django.conf import settings

from elasticsearch_dsl import Boolean, Document, Index, Integer, Keyword, Text, analyzer, char_filter, token_filter

from .models import ObjectType

#: đ/Đ is a letter of its own (no decomposition), so neither NFD nor asciifolding turns it into d.
vi_d = char_filter("vi_d", type="mapping", mappings=["đ => d", "Đ => D"])
#: Text typed or stored in NFD carries combining marks as separate code points: drop them.
vi_marks = char_filter("vi_marks", type="pattern_replace", pattern="[\\u0300-\\u036f]", replacement="")
#: Keep the accented form beside the folded one, so an exact accented match scores higher.
vi_ascii = token_filter("vi_ascii", type="asciifolding", preserve_original=True)
vi_fold = analyzer("vi_fold", tokenizer="standard", char_filter=[vi_d, vi_marks], filter=["lowercase", vi_ascii])

INDEX_SETTINGS = {"number_of_shards": 1, "number_of_replicas": 0}


def alias_name(object_type: str) -> str:
    prefix = getattr(settings, "ELASTICSEARCH_INDEX_PREFIX", "khuyenhoc")
    return f"{prefix}-{object_type}"


class SearchDocument(Document):
    """Fields every indexed type shares (the same as ``search.backends.base.IndexDoc``)."""

    object_type = Keyword()
    object_id = Integer()
    title = Text(analyzer=vi_fold)
    body = Text(analyzer=vi_fold)
    summary = Keyword(index=False)
    kind = Keyword()
    year = Integer()
    area_path = Keyword()
    #: Every ancestor path of the unit: a subtree filter or an area facet is one exact term.
    area_ancestors = Keyword()
    public = Boolean()

    object_type_value = ""

    @classmethod
    def alias(cls) -> str:
        return alias_name(cls.object_type_value)

    @classmethod
    def index_template(cls, name: str):
        """An ``elasticsearch_dsl.Index`` called ``name`` with this document's mapping and analyzers."""
        index = Index(name)
        index.settings(**INDEX_SETTINGS)
        index.document(cls)
        return index


class EvidenceDocument(SearchDocument):
    object_type_value = ObjectType.EVIDENCE

    class Index:
        name = "khuyenhoc-evidence"  # replaced by alias() at run time (prefix from settings)


class SubjectDocument(SearchDocument):
    object_type_value = ObjectType.SUBJECT

    class Index:
        name = "khuyenhoc-subject"


class PageDocument(SearchDocument):
    object_type_value = ObjectType.PAGE

    class Index:
        name = "khuyenhoc-page"


DOCUMENTS: dict[str, type[SearchDocument]] = {
    ObjectType.EVIDENCE: EvidenceDocument,
    ObjectType.SUBJECT: SubjectDocument,
    ObjectType.PAGE: PageDocument,
}
