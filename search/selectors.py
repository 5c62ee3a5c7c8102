"""Reads: the public search (pages and recognised learning models) and the admin evidence search.

Views call these two functions only; both go through the configured backend (``search.backends``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from wagtail.models import Page

from content.models import RecognitionListPage, public_pages
from evaluations.access import user_area_paths, user_reaches_unit
from evaluations.models import AdministrativeUnit, Evaluation, Evidence, Subject, SubjectKind
from evaluations.models.units import PATH_STEP, in_subtree, in_subtrees
from evaluations.selectors import public_recognition_latest

from .backends import get_backend
from .models import ObjectType
from .query import SearchRequest, SearchResults

PUBLIC_TYPES = (ObjectType.PAGE, ObjectType.SUBJECT)
logger = logging.getLogger(__name__)


@dataclass
class ResultItem:
    object_type: str
    title: str
    summary: str = ""
    url: str = ""
    download_url: str = ""
    kind: str = ""
    year: int | None = None
    #: The page, subject or evidence itself.
    object: object = None


@dataclass
class ResultPage:
    query: str
    #: Exact when ``total_exact``; otherwise the cap, and there are more ("hơn 10.000").
    total: int = 0
    items: list[ResultItem] = field(default_factory=list)
    #: facet -> [(value, label, count)]; an area's value is the unit's id; the count is None above the cap
    #: (the buckets are then every value the filter offers, uncounted).
    facets: dict[str, list[tuple[object, str, int | None]]] = field(default_factory=dict)
    total_exact: bool = True


def public_search(*, text: str, offset: int = 0, limit: int = 20) -> ResultPage:
    """Live public pages and learning models the public may see named; never evidence. A model's ``url`` is the
    detail of its latest public recognition (``RecognitionListPage.detail_url``), while the list is published.

    What is public is decided when indexing, by the one public rule (``Subject.objects.public()``; a
    model story only while its subject is public), so the backend filters before it counts and pages:
    the total is the number of results a visitor can page through. The rows are checked again all the
    same (a page still live and public, a subject still public): an index entry gone stale (a write path
    that missed the index) is left out of this page and taken off the total, and logged so that the
    index can be rebuilt (``manage.py rebuild_search_index``).
    """
    results = get_backend().search(
        SearchRequest(text=text, object_types=PUBLIC_TYPES, public_only=True, offset=offset, limit=limit)
    )
    page_ids = [h.object_id for h in results.hits if h.object_type == ObjectType.PAGE]
    subject_ids = [h.object_id for h in results.hits if h.object_type == ObjectType.SUBJECT]
    pages = {p.pk: p for p in public_pages(Page.objects.filter(pk__in=page_ids)).specific()}
    public_subjects = set(Subject.objects.public().filter(pk__in=subject_ids).values_list("pk", flat=True))
    subjects = {
        s.pk: s for s in Subject.objects.filter(pk__in=public_subjects & set(subject_ids)).select_related("area")
    }
    kinds = dict(SubjectKind.choices)
    # A model links to the detail of its latest recognition on the public list, when the list is published.
    listing = public_pages(RecognitionListPage.objects.all()).first() if subjects else None
    recognitions = public_recognition_latest(subjects) if listing is not None else {}
    page = ResultPage(query=text, total=results.total, total_exact=results.total_exact)
    stale = []
    for hit in results.hits:
        if hit.object_type == ObjectType.PAGE and hit.object_id in pages:
            obj = pages[hit.object_id]
            page.items.append(ResultItem(hit.object_type, obj.title, hit.summary, obj.url or "", object=obj))
        elif hit.object_type == ObjectType.SUBJECT and hit.object_id in subjects:
            obj = subjects[hit.object_id]
            page.items.append(
                ResultItem(
                    hit.object_type,
                    obj.name,
                    obj.area.label_with_parent,
                    url=listing.detail_url(recognitions[obj.pk]) if obj.pk in recognitions else "",
                    kind=str(kinds.get(obj.kind, "")),
                    year=hit.year,
                    object=obj,
                )
            )
        else:
            stale.append((hit.object_type, hit.object_id))
    if stale:
        if page.total_exact:
            page.total = max(len(page.items), page.total - len(stale))
        logger.warning("public search: stale index entries left out: %s", stale)
    return page


def evidence_search(
    *,
    user,
    text: str,
    kind: str = "",
    year: int | None = None,
    area: AdministrativeUnit | None = None,
    offset: int = 0,
    limit: int = 20,
) -> ResultPage:
    """Evidence matching ``text`` within ``user``'s area (results and facet counts alike).

    Facets: kind, year and area; the area buckets are the units one level below ``area`` (or below the
    user's own units). An ``area`` outside the user's reach finds nothing.
    """
    paths = user_area_paths(user)
    if area is not None and not user_reaches_unit(user, area):
        return ResultPage(query=text)
    if area is not None:
        depth = area.depth + 1
    elif paths:
        depth = min(len(p) for p in paths) // PATH_STEP + 1
    else:
        depth = 2
    request = SearchRequest(
        text=text,
        object_types=(ObjectType.EVIDENCE,),
        area_paths=None if paths is None else tuple(paths),
        kind=kind,
        year=year,
        area_path=area.path if area is not None else "",
        offset=offset,
        limit=limit,
        facets=True,
        area_depth=depth,
    )
    results: SearchResults = get_backend().search(request)
    ids = [h.object_id for h in results.hits]
    evidences = Evidence.objects.filter(pk__in=ids).select_related(
        "evaluation__subject", "evaluation__area", "indicator", "search_text"
    )
    if paths is not None:
        # The index already filtered by area; the rows are checked again all the same.
        evidences = evidences.filter(in_subtrees(paths, field="evaluation__area"))
    by_id = {e.pk: e for e in evidences}
    page = ResultPage(query=text, total=results.total, total_exact=results.total_exact)
    for hit in results.hits:
        evidence = by_id.get(hit.object_id)
        if evidence is not None:
            page.items.append(
                ResultItem(
                    hit.object_type,
                    evidence.original_name,
                    evidence.description,
                    kind=hit.kind,
                    year=hit.year,
                    object=evidence,
                )
            )
    if not results.total_exact:
        page.facets = uncounted_facets(user, area, depth)
        return page
    kinds = dict(SubjectKind.choices)
    area_values = [value for value, _count in results.facets.get("area", [])]
    units = {
        path: (pk, name)
        for path, pk, name in AdministrativeUnit.objects.filter(path__in=area_values).values_list("path", "pk", "name")
    }
    page.facets = {
        "kind": [(v, str(kinds.get(v, v)), n) for v, n in results.facets.get("kind", [])],
        "year": sorted(((v, str(v), n) for v, n in results.facets.get("year", [])), reverse=True),
        # Area buckets are tree paths; the screen filters by unit id.
        "area": [(*units[v], n) for v, n in results.facets.get("area", []) if v in units],
    }
    return page


def uncounted_facets(user, area: AdministrativeUnit | None, depth: int) -> dict[str, list]:
    """Facet buckets without counts, for a search with more matches than the cap: every kind, every year
    evaluations have (two index look-ups), and the units of ``depth`` the user reaches (under ``area``)."""
    years = Evaluation.objects.order_by("year").values_list("year", flat=True)
    first, last = years.first(), years.last()
    units = AdministrativeUnit.objects.for_user(user).filter(depth=depth)
    if area is not None:
        units = units.filter(in_subtree(area, field=None))
    return {
        "kind": [(value, str(label), None) for value, label in SubjectKind.choices],
        "year": [(year, str(year), None) for year in range(last, first - 1, -1)] if first is not None else [],
        "area": [(pk, name, None) for pk, name in units.order_by("path").values_list("pk", "name")],
    }
