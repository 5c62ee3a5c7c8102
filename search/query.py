"""One place that builds search queries: the request, the results, and each backend's query text or body.

A ``SearchRequest`` says what is searched (words, types, filters, the user's area); each backend turns
it into its own query with the builders below, so matching rules are written once per backend and
unit-tested as plain strings and dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from evaluations.models.units import PATH_STEP

from .text import ParsedQuery, parse_query


@dataclass(frozen=True)
class SearchRequest:
    text: str
    #: Which object types to search (``search.models.ObjectType`` values).
    object_types: tuple[str, ...]
    #: Only what the public may find.
    public_only: bool = False
    #: Tree paths of the user's units; ``None`` means everywhere (superuser, public search).
    area_paths: tuple[str, ...] | None = None
    #: Facet filters.
    kind: str = ""
    year: int | None = None
    area_path: str = ""
    offset: int = 0
    limit: int = 20
    #: Whether to count facets (kind, year, area) over every match.
    facets: bool = False
    #: Tree depth the area facet groups by (its buckets are units of that depth).
    area_depth: int = 2

    @property
    def parsed(self) -> ParsedQuery:
        return parse_query(self.text)


@dataclass
class Hit:
    object_type: str
    object_id: int
    title: str
    summary: str = ""
    kind: str = ""
    year: int | None = None
    area_path: str = ""
    score: float = 0.0


@dataclass
class SearchResults:
    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    #: facet name (``kind``, ``year``, ``area``) -> [(value, count)], largest count first.
    facets: dict[str, list[tuple[object, int]]] = field(default_factory=dict)


# --- SQLite FTS5 -----------------------------------------------------------------------------------


def _fts_phrase(words: tuple[str, ...]) -> str:
    # Words are folded to letters and digits only, so quoting them cannot break the FTS5 syntax.
    return '"' + " ".join(words) + '"'


def fts5_match(parsed: ParsedQuery) -> str:
    """FTS5 MATCH text: every word and quoted phrase must match.

    Loose words typed together also count as a phrase, OR-ed in so that rows where they stand side by
    side (``học tập``) score higher under bm25 than rows where they are apart.
    """
    parts = [_fts_phrase((term,)) for term in parsed.terms] + [_fts_phrase(p) for p in parsed.phrases]
    required = " AND ".join(parts)
    if len(parsed.terms) > 1:
        return f"{_fts_phrase(parsed.terms)} OR ({required})"
    return required


# --- PostgreSQL tsquery ----------------------------------------------------------------------------


def pg_tsquery(parsed: ParsedQuery) -> str:
    """``to_tsquery('simple', ...)`` text with the same meaning as ``fts5_match``."""
    parts = list(parsed.terms) + [" <-> ".join(p) for p in parsed.phrases]
    required = " & ".join(f"({part})" if "<->" in part else part for part in parts)
    if len(parsed.terms) > 1:
        return f"({' <-> '.join(parsed.terms)}) | ({required})"
    return required


# --- Elasticsearch ---------------------------------------------------------------------------------


def es_search(search, request: SearchRequest):
    """``search`` (an ``elasticsearch_dsl.Search``) with the query, filters, facets and page of ``request``."""
    from elasticsearch_dsl import A, Q  # only Elasticsearch deployments load its client

    must, should = [], []
    loose = " ".join(request.parsed.terms)
    if loose:
        must.append(Q("multi_match", query=loose, fields=["title^3", "body"], operator="and", type="cross_fields"))
        if len(request.parsed.terms) > 1:
            should.append(Q("multi_match", query=loose, fields=["title^3", "body"], type="phrase", boost=2))
    for phrase in request.parsed.phrases:
        must.append(Q("multi_match", query=" ".join(phrase), fields=["title^3", "body"], type="phrase"))
    filters = es_filters(request)
    query = Q("bool", must=must or [Q("match_none")], should=should, filter=filters)
    search = search.query(query).extra(track_total_hits=True)
    search = search[request.offset : request.offset + request.limit]
    if request.facets:
        search.aggs.bucket("kind", A("terms", field="kind", size=10))
        search.aggs.bucket("year", A("terms", field="year", size=30))
        length = PATH_STEP * request.area_depth
        search.aggs.bucket("area", A("terms", field="area_ancestors", size=100, include=f".{{{length}}}"))
    return search


def es_filters(request: SearchRequest) -> list:
    from elasticsearch_dsl import Q  # only Elasticsearch deployments load its client

    filters = [Q("terms", object_type=list(request.object_types))]
    if request.public_only:
        filters.append(Q("term", public=True))
    if request.area_paths is not None:
        # Each document lists every ancestor path of its unit, so a subtree is one exact term.
        filters.append(Q("terms", area_ancestors=list(request.area_paths)))
    if request.kind:
        filters.append(Q("term", kind=request.kind))
    if request.year:
        filters.append(Q("term", year=request.year))
    if request.area_path:
        filters.append(Q("term", area_ancestors=request.area_path))
    return filters
