"""Elasticsearch mappings, analyzers and query bodies, checked as JSON (no cluster needed)."""

from django.test import override_settings

from search.backends.base import IndexDoc
from search.backends.elasticsearch import doc_source
from search.documents import DOCUMENTS, EvidenceDocument, alias_name
from search.query import SearchRequest, es_search


def test_mapping_folds_vietnamese_in_title_and_body():
    index = EvidenceDocument.index_template("khuyenhoc-evidence-1").to_dict()
    analysis = index["settings"]["analysis"]
    assert analysis["char_filter"]["vi_d"] == {"type": "mapping", "mappings": ["đ => d", "Đ => D"]}
    assert analysis["char_filter"]["vi_marks"]["pattern"] == "[\\u0300-\\u036f]"
    assert analysis["filter"]["vi_ascii"] == {"type": "asciifolding", "preserve_original": True}
    assert analysis["analyzer"]["vi_fold"] == {
        "type": "custom",
        "tokenizer": "standard",
        "char_filter": ["vi_d", "vi_marks"],
        "filter": ["lowercase", "vi_ascii"],
    }
    properties = index["mappings"]["properties"]
    assert properties["title"] == {"type": "text", "analyzer": "vi_fold"}
    assert properties["body"] == {"type": "text", "analyzer": "vi_fold"}
    for facet in ("kind", "area_path", "area_ancestors", "object_type"):
        assert properties[facet] == {"type": "keyword"}
    assert properties["year"] == {"type": "integer"}
    assert properties["public"] == {"type": "boolean"}


@override_settings(ELASTICSEARCH_INDEX_PREFIX="tinh56")
def test_one_alias_per_type_from_the_prefix():
    assert {t: d.alias() for t, d in DOCUMENTS.items()} == {
        "evidence": "tinh56-evidence",
        "subject": "tinh56-subject",
        "page": "tinh56-page",
    }
    assert alias_name("page") == "tinh56-page"


def test_document_source_lists_every_ancestor_of_the_area():
    source = doc_source(IndexDoc("evidence", 7, "a.pdf", area_path="000100020003", year=2025, kind="family"))
    assert source["area_ancestors"] == ["0001", "00010002", "000100020003"]
    assert source["object_id"] == 7 and source["year"] == 2025


def test_officer_query_body_words_phrase_boost_area_and_facets():
    from elasticsearch_dsl import Search

    request = SearchRequest(
        text='hoc tap "bien ban"',
        object_types=("evidence",),
        area_paths=("00010001",),
        year=2025,
        facets=True,
        area_depth=3,
        limit=20,
    )
    body = es_search(Search(index="x"), request).to_dict()
    query = body["query"]["bool"]
    assert query["must"] == [
        {
            "multi_match": {
                "query": "hoc tap",
                "fields": ["title^3", "body"],
                "operator": "and",
                "type": "cross_fields",
            }
        },
        {"multi_match": {"query": "bien ban", "fields": ["title^3", "body"], "type": "phrase"}},
    ]
    assert query["should"] == [
        {"multi_match": {"query": "hoc tap", "fields": ["title^3", "body"], "type": "phrase", "boost": 2}}
    ]
    assert query["filter"] == [
        {"terms": {"object_type": ["evidence"]}},
        {"terms": {"area_ancestors": ["00010001"]}},
        {"term": {"year": 2025}},
    ]
    assert body["aggs"] == {
        "kind": {"terms": {"field": "kind", "size": 10}},
        "year": {"terms": {"field": "year", "size": 30}},
        "area": {"terms": {"field": "area_ancestors", "size": 100, "include": ".{12}"}},
    }
    assert body["from"] == 0 and body["size"] == 20
    assert body["track_total_hits"] is True


def test_public_query_body_keeps_to_public_pages_and_subjects():
    from elasticsearch_dsl import Search

    request = SearchRequest(text="Đường", object_types=("page", "subject"), public_only=True)
    body = es_search(Search(index="x"), request).to_dict()
    assert body["query"]["bool"]["filter"] == [
        {"terms": {"object_type": ["page", "subject"]}},
        {"term": {"public": True}},
    ]
    # The folded text is sent; the index analyzer folds stored text the same way.
    assert body["query"]["bool"]["must"][0]["multi_match"]["query"] == "duong"
    assert "aggs" not in body


def test_user_without_units_gets_a_filter_that_matches_nothing():
    from elasticsearch_dsl import Search

    body = es_search(Search(index="x"), SearchRequest(text="x", object_types=("evidence",), area_paths=())).to_dict()
    assert {"terms": {"area_ancestors": []}} in body["query"]["bool"]["filter"]
