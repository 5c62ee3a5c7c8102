"""What goes into the search index, and keeping it in step with the objects.

``*_docs`` functions turn objects into ``IndexDoc`` rows (the only place that decides what is
searchable and who may find it); ``index_*`` and ``unindex`` write them to the configured backend;
``rebuild_batches`` walks everything for ``manage.py rebuild_search_index``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator

from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.html import strip_tags

from wagtail.models import Page
from wagtail.search import index

from content.models import ModelStoryPage, public_pages
from evaluations.models import AdministrativeUnit, Evaluation, Evidence, Subject, SubjectKind
from evaluations.models.units import ancestor_paths, in_subtree

from .backends import get_backend
from .backends.base import IndexDoc
from .models import ObjectType, SearchEntry

logger = logging.getLogger(__name__)
BATCH = 2_000


def unit_names(paths: Iterable[str] | None = None) -> dict[str, str]:
    """Tree path -> unit name for the units on ``paths`` and their ancestors (every unit when ``None``)."""
    units = AdministrativeUnit.objects.all()
    if paths is not None:
        units = units.filter(path__in={ancestor for path in paths for ancestor in ancestor_paths(path)})
    return dict(units.values_list("path", "name"))


def _area_words(path: str, names: dict[str, str]) -> str:
    return " ".join(names.get(p, "") for p in ancestor_paths(path))


# --- evidence ------------------------------------------------------------------------------------

#: What an evidence document is made of, read as plain rows (no model objects: a rebuild reads them all).
EVIDENCE_FIELDS = (
    "pk",
    "original_name",
    "description",
    "evaluation__subject__name",
    "evaluation__area__path",
    "evaluation__kind",
    "evaluation__year",
    "search_text__text",
)


def evidence_docs(rows: Iterable[dict], names: dict[str, str] | None = None) -> list[IndexDoc]:
    """Evidence is never public; its area and year are the evaluation's. ``rows``: ``evidence_queryset()``."""
    rows = list(rows)
    if names is None:
        names = unit_names(row["evaluation__area__path"] for row in rows)
    docs = []
    for row in rows:
        path = row["evaluation__area__path"]
        docs.append(
            IndexDoc(
                object_type=ObjectType.EVIDENCE,
                object_id=row["pk"],
                title=row["original_name"],
                summary=row["description"],
                body="\n".join(
                    [
                        row["description"],
                        row["evaluation__subject__name"],
                        _area_words(path, names),
                        row["search_text__text"] or "",
                    ]
                ),
                kind=row["evaluation__kind"],
                year=row["evaluation__year"],
                area_path=path,
                public=False,
            )
        )
    return docs


def evidence_queryset():
    return Evidence.objects.order_by("pk").values(*EVIDENCE_FIELDS)


# --- subjects (recognised learning models) -------------------------------------------------------

SUBJECT_FIELDS = ("pk", "name", "kind", "area__path", "area__name")


def subject_queryset():
    return Subject.objects.order_by("pk").values(*SUBJECT_FIELDS)


def public_years(subject_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Subject id -> the latest year of its public recognitions, for the public ones among ``subject_ids``
    (every subject when ``None``): the one public rule, ``Evaluation.objects.public()``, grouped. For all
    subjects it is one pass over its covering partial index, 7x cheaper than joining each batch of
    subjects to all their evaluations."""
    if subject_ids is None:
        public = Evaluation.objects.public()
        return dict(public.values_list("subject_id").annotate(year=Max("year")).values_list("subject_id", "year"))
    ids = list(subject_ids)
    years: dict[int, int] = {}
    for start in range(0, len(ids), 900):
        chunk = Evaluation.objects.public_of_subjects(ids[start : start + 900])
        years.update(chunk.values_list("subject_id").annotate(year=Max("year")).values_list("subject_id", "year"))
    return years


def subject_docs(
    rows: Iterable[dict], names: dict[str, str] | None = None, years: dict[int, int] | None = None
) -> list[IndexDoc]:
    """Public exactly when the one public rule says so (``public_years``, or ``years`` read from it for
    every subject): the index then filters before it counts and pages, so the public search's totals
    and pages hold only what it may show. ``rows``: ``subject_queryset()``."""
    rows = list(rows)
    if names is None:
        names = unit_names(row["area__path"] for row in rows)
    if years is None:
        years = public_years(row["pk"] for row in rows)
    docs = []
    with translation.override("vi"):
        labels = {value: str(label) for value, label in SubjectKind.choices}
    for row in rows:
        year = years.get(row["pk"])
        path = row["area__path"]
        docs.append(
            IndexDoc(
                object_type=ObjectType.SUBJECT,
                object_id=row["pk"],
                title=row["name"],
                summary=row["area__name"],
                body=f"{labels.get(row['kind'], '')} {_area_words(path, names)}",
                kind=row["kind"],
                year=year,
                area_path=path,
                public=year is not None,
            )
        )
    return docs


# --- pages ---------------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def page_text(page) -> str:
    """The text of a page's own search fields (rich text without its markup)."""
    parts = []
    for search_field in getattr(page, "search_fields", []):
        if isinstance(search_field, index.SearchField) and search_field.field_name != "title":
            value = search_field.get_value(page)
            if value:
                parts.append(strip_tags(str(value)))
    return _SPACES.sub(" ", " ".join(parts)).strip()


def page_is_public(page) -> bool:
    """Whether the public may see ``page`` (``content.models.public_pages``)."""
    return public_pages(Page.objects.filter(pk=page.pk)).exists()


def page_docs(pages) -> list[IndexDoc]:
    docs = []
    for page in pages:
        page = page.specific
        docs.append(
            IndexDoc(
                object_type=ObjectType.PAGE,
                object_id=page.pk,
                title=page.title,
                summary=(page.search_description or "")[:300],
                body=" ".join([page.search_description or "", page_text(page)]),
                public=page_is_public(page),
            )
        )
    return docs


def page_queryset():
    return Page.objects.filter(depth__gt=1).order_by("pk")


# --- keeping the index in step -------------------------------------------------------------------


def _safely(action: str, fn, *args) -> None:
    """Index upkeep must never break the save that triggered it; a rebuild repairs what was missed."""
    try:
        fn(*args)
    except Exception:
        logger.exception("search index: %s failed", action)


def index_evidence(evidence_ids: Iterable[int]) -> None:
    docs = evidence_docs(evidence_queryset().filter(pk__in=list(evidence_ids)))
    _safely("index evidence", get_backend().index, docs)


def index_subject_evidence(subject_ids: Iterable[int]) -> None:
    """Index again the evidence of these subjects: each evidence document carries its subject's name."""
    ids = list(subject_ids)
    for start in range(0, len(ids), 900):
        evidence_ids = list(
            Evidence.objects.filter(evaluation__subject_id__in=ids[start : start + 900]).values_list("pk", flat=True)
        )
        if evidence_ids:
            index_evidence(evidence_ids)


def index_subjects(subject_ids: Iterable[int]) -> None:
    ids = list(subject_ids)
    for start in range(0, len(ids), 900):
        docs = subject_docs(subject_queryset().filter(pk__in=ids[start : start + 900]))
        _safely("index subjects", get_backend().index, docs)
        # A story about a subject is public only while the subject is: it follows the subject.
        _safely("index stories", _index_stories, ids[start : start + 900])


def subjects_public_refresh(subject_ids: Iterable[int]) -> None:
    """After these subjects' evaluations changed status (a decision): bring whether each subject is public,
    and the year shown with it, up to date in place, as ``subject_docs`` computes them (``public_years``);
    nothing else of a subject's document depends on its evaluations' status. The
    stories about them follow as in ``index_subjects``. The database backend rewrites the two columns with one
    ``UPDATE`` per batch, of the rows that change, instead of whole documents; other backends get the documents."""
    ids = sorted(set(subject_ids))
    if get_backend().name != "database":
        index_subjects(ids)
        return
    for start in range(0, len(ids), PUBLIC_REFRESH_BATCH):
        batch = ids[start : start + PUBLIC_REFRESH_BATCH]
        _safely("refresh subjects' public flag", _public_refresh, batch)
        _safely("index stories", _index_stories, batch)


#: Subjects per ``UPDATE`` of ``subjects_public_refresh`` (SQLite takes 32,766 parameters a statement).
PUBLIC_REFRESH_BATCH = 5_000


def _public_refresh(subject_ids: list[int]) -> None:
    # Each subject's public year by the public rule (``public_years``), written only where it changes: a row
    # rewritten is its whole folded text (the index's triggers follow), and most rows keep their values.
    # One UPDATE per distinct year (a decision's subjects share one or two), one for those no longer public.
    years = public_years(subject_ids)
    by_year: dict[int, list[int]] = {}
    for pk, year in years.items():
        by_year.setdefault(year, []).append(pk)
    now = timezone.now()
    subjects = SearchEntry.objects.filter(object_type=ObjectType.SUBJECT)
    # A savepoint: a failure here must leave the decision's transaction usable (PostgreSQL).
    with transaction.atomic():
        for year, ids in by_year.items():
            subjects.filter(object_id__in=ids).exclude(public=True, year=year).update(
                public=True, year=year, updated_at=now
            )
        hidden = [pk for pk in subject_ids if pk not in years]
        subjects.filter(object_id__in=hidden).exclude(public=False, year__isnull=True).update(
            public=False, year=None, updated_at=now
        )
    entries = subjects.filter(object_id__in=subject_ids)
    if entries.count() < len(subject_ids):
        # Subjects without an entry (an index being rebuilt, an upkeep that failed): whole documents.
        indexed = set(entries.values_list("object_id", flat=True))
        missing = [pk for pk in subject_ids if pk not in indexed]
        get_backend().index(subject_docs(subject_queryset().filter(pk__in=missing)))


def _index_stories(subject_ids: list[int]) -> None:
    """Index again the pages about these subjects (model stories)."""
    stories = list(ModelStoryPage.objects.filter(subject_id__in=subject_ids))
    if stories:
        get_backend().index(page_docs(stories))


def index_pages(pages) -> None:
    _safely("index pages", get_backend().index, page_docs(pages))


def reindex_area(path: str, backend=None) -> int:
    """Index again the subjects and evidence of the units under ``path``; returns how many documents."""
    backend = backend or get_backend()
    done = 0
    for rows in _chunks(subject_queryset().filter(in_subtree(path)), BATCH):
        done += backend.index(subject_docs(rows))
    for rows in _chunks(evidence_queryset().filter(in_subtree(path, field="evaluation__area")), BATCH):
        done += backend.index(evidence_docs(rows))
    return done


def area_moved(old_path: str, new_path: str) -> None:
    """Keep the index in step with a subtree of units whose paths were rewritten (see ``units_moved``)."""
    _safely("move area", get_backend().move_area, old_path, new_path)


def unindex(object_type: str, object_ids: Iterable[int]) -> None:
    _safely(f"remove {object_type}", get_backend().delete, object_type, list(object_ids))


def _chunks(queryset, size: int) -> Iterator[list]:
    """Rows of ``queryset`` (model objects or ``values()`` dicts) in lists of ``size``, walking by
    primary key (no big OFFSETs)."""
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last)[:size])
        if not rows:
            return
        yield rows
        last = rows[-1]["pk"] if isinstance(rows[-1], dict) else rows[-1].pk


def rebuild_batches(batch: int = BATCH) -> Iterator[tuple[str, list[IndexDoc]]]:
    """Every searchable object, as (object type, docs) batches."""
    names = unit_names()
    years = public_years()
    for rows in _chunks(subject_queryset(), batch):
        yield ObjectType.SUBJECT, subject_docs(rows, names, years)
    for rows in _chunks(evidence_queryset(), batch):
        yield ObjectType.EVIDENCE, evidence_docs(rows, names)
    for rows in _chunks(page_queryset(), batch):
        yield ObjectType.PAGE, page_docs(rows)


def counts() -> dict[str, int]:
    """How many objects a rebuild will index, per type (for progress)."""
    return {
        ObjectType.SUBJECT: Subject.objects.count(),
        ObjectType.EVIDENCE: Evidence.objects.count(),
        ObjectType.PAGE: Page.objects.filter(depth__gt=1).count(),
    }
