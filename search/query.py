"""One place that builds search queries: the request, the results, and each backend's query text or body.

A ``SearchRequest`` says what is searched (words, types, filters, the user's area); each backend turns
it into its own query with the builders below, so matching rules are written once per backend and
unit-tested as plain strings and dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from evaluations.models.units import PATH_STEP

from .text import ParsedQuery, pair_token, parse_query


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


#: Counts are exact up to here; above it a search says "more than 10,000" (``total_exact`` False) and
#: counts no further, so a word found in most documents costs what its first 10,001 matches cost.
COUNT_CAP = 10_000


@dataclass
class SearchResults:
    #: Exact when ``total_exact``; otherwise ``COUNT_CAP`` and the matches are more than that.
    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    #: facet name (``kind``, ``year``, ``area``) -> [(value, count)], largest count first; counted only
    #: when the total is exact (empty above the cap: counting every match is what the cap avoids).
    facets: dict[str, list[tuple[object, int]]] = field(default_factory=dict)
    total_exact: bool = True


# --- SQLite FTS5 -----------------------------------------------------------------------------------


def _fts_phrase(words: tuple[str, ...]) -> str:
    # Words are folded to letters and digits only, so quoting them cannot break the FTS5 syntax.
    return '"' + " ".join(words) + '"'


def fts5_match(parsed: ParsedQuery, *, ranked: bool = True) -> str:
    """FTS5 MATCH text: every word and quoted phrase must match.

    Loose words typed together also count as a phrase, OR-ed in so that rows where they stand side by
    side (``học tập``) score higher under bm25 than rows where they are apart (``ranked``; the same rows
    match without it, which is what counting and paging in index order use).
    """
    parts = [_fts_phrase((term,)) for term in parsed.terms] + [_fts_phrase(p) for p in parsed.phrases]
    required = " AND ".join(parts)
    if ranked and len(parsed.terms) > 1:
        return f"{_fts_phrase(parsed.terms)} OR ({required})"
    return required


def phrase_pairs(parsed: ParsedQuery) -> list[str]:
    """The pair tokens every quoted phrase of ``parsed`` needs (``search.text.word_pairs``)."""
    pairs = (pair_token(a, b) for phrase in parsed.phrases for a, b in zip(phrase, phrase[1:], strict=False))
    return list(dict.fromkeys(pairs))


def fts5_text(parsed: ParsedQuery, *, ranked: bool = True) -> str:
    """``fts5_match`` restricted to the folded title and body (never the marks or the filter tokens).

    A quoted phrase also needs its word pairs: the phrase's positions are then compared only in texts
    holding its pairs (a phrase of common words otherwise reads the positions of every text)."""
    text = f"{{title_folded body_folded}} : ({fts5_match(parsed, ranked=ranked)})"
    pairs = phrase_pairs(parsed)
    if pairs:
        text = "{pairs} : (" + " AND ".join(_fts_phrase((token,)) for token in pairs) + f") AND ({text})"
    return text


def fts5_marks(tokens: tuple[str, ...]) -> str:
    """MATCH text for rows holding every marks token (a ranking tier, ``ParsedQuery.tiers``)."""
    return "{marks} : (" + " AND ".join(_fts_phrase((token,)) for token in tokens) + ")"


#: Filter tokens of the full-text indexes: ``t<type> k<kind> y<year>`` and ``a<path>`` for the unit and each
#: unit above it, down to this depth. Written by the triggers of migration 0003 (SQLite, ``tags_sql``) and
#: by the stored ``search_vector`` of migration 0004 (PostgreSQL).
TAG_DEPTH = 16


def filter_tokens(request: SearchRequest, table_types: frozenset[str]) -> list[list[str]] | None:
    """The type, area, kind and year filters of ``request`` as groups of filter tokens: a row matches when
    it holds one token of every group (``None``: nothing can match).

    ``table_types`` are the types the table holds: asking for all of them needs no type filter."""
    types = set(request.object_types) & table_types
    if not types:
        return None
    groups = [] if types == table_types else [[f"t{object_type}" for object_type in sorted(types)]]
    paths = [] if request.area_paths is None else list(request.area_paths)
    if request.area_paths is not None and not paths:
        return None
    if request.area_path:
        paths_filters = [paths, [request.area_path]] if paths else [[request.area_path]]
    else:
        paths_filters = [paths] if paths else []
    for group in paths_filters:
        if any(len(path) > PATH_STEP * TAG_DEPTH or len(path) % PATH_STEP for path in group):
            raise ValueError(f"area paths deeper than {TAG_DEPTH} units are not tagged in the index: {group}")
        groups.append([f"a{path}" for path in group])
    if request.kind:
        groups.append([f"k{request.kind}"])
    if request.year:
        groups.append([f"y{int(request.year)}"])
    return [[token.lower() for token in group] for group in groups]


def fts5_filters(request: SearchRequest, table_types: frozenset[str]) -> list[str] | None:
    """MATCH parts for the filters of ``request`` (``filter_tokens``) on the FTS5 tables' ``tags`` column."""
    groups = filter_tokens(request, table_types)
    if groups is None:
        return None
    return ["{tags} : (" + " OR ".join(_fts_phrase((token,)) for token in group) + ")" for group in groups]


# --- PostgreSQL tsquery ----------------------------------------------------------------------------


def pg_tsquery(parsed: ParsedQuery, *, ranked: bool = True) -> str:
    """``to_tsquery('simple', ...)`` text with the same meaning as ``fts5_match`` (a phrase's word pairs
    too, which the GIN index finds without reading the texts)."""
    parts = list(parsed.terms) + phrase_pairs(parsed) + [" <-> ".join(p) for p in parsed.phrases]
    required = " & ".join(f"({part})" if "<->" in part else part for part in parts)
    if ranked and len(parsed.terms) > 1:
        return f"({' <-> '.join(parsed.terms)}) | ({required})"
    return required


def pg_filters(request: SearchRequest, table_types: frozenset[str]) -> str | None:
    """tsquery text for the filters of ``request`` (``filter_tokens``), tokens of the stored ``search_vector``
    ("" when there are none, ``None`` when nothing can match)."""
    groups = filter_tokens(request, table_types)
    if groups is None:
        return None
    return " & ".join("(" + " | ".join(group) + ")" for group in groups)


def pg_marks(tokens: tuple[str, ...]) -> str:
    """tsquery text for rows holding every marks token (a ranking tier)."""
    return " & ".join(tokens)


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
