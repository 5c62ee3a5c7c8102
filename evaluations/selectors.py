"""Reads: listings and visibility (which always go through access by area)."""

import hashlib
from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _

from .access import unit_reach_paths
from .calendar import evaluation_date, year_start
from .models import (
    EVALUATION_LIST_ORDER,
    PUBLIC_KINDS,
    AdministrativeUnit,
    CriteriaSet,
    CriteriaSetStatus,
    Evaluation,
    EvaluationStatus,
    GradeBand,
    Indicator,
    SubjectKind,
    UnitLevel,
)
from .models.units import commune_of_path, in_subtree, in_subtrees
from .public_version import public_data_version
from .text import fold_words


def criteria_sets_in_force(kinds, year: int):
    """The active criteria sets of ``kinds`` in force during ``year``: effective by the year's evaluation date
    and not ended before the year began (the field app's download and the self-assessment slips)."""
    return CriteriaSet.objects.filter(
        Q(effective_from__isnull=True) | Q(effective_from__lte=evaluation_date(year)),
        Q(effective_to__isnull=True) | Q(effective_to__gte=year_start(year)),
        status=CriteriaSetStatus.ACTIVE,
        kind__in=kinds,
    )


def self_assessment_set_in_force(kind: str, year: int):
    """The set a self-assessment of a ``kind`` subject for ``year`` is made against: the latest in force that
    takes one, or None."""
    return (
        criteria_sets_in_force([kind], year)
        .filter(has_self_assessment=True)
        .order_by(F("effective_from").desc(nulls_last=True), "-version", "-pk")
        .first()
    )


def decision_issuing_units(user):
    """Units whose committee may issue a decision recorded by ``user``: the communes (and former districts)
    of their area, today's first; ended ones follow, labelled, for decisions signed before their end."""
    units = AdministrativeUnit.objects.filter(level__in=[UnitLevel.COMMUNE, UnitLevel.DISTRICT]).order_by(
        F("valid_to").desc(nulls_first=True), "path"
    )
    return units.for_user(user)


def evaluation_list(*, area: AdministrativeUnit | None = None, year: int | None = None) -> QuerySet[Evaluation]:
    """Evaluations in ``area``'s subtree for ``year``, with what the listing shows in one query."""
    qs = Evaluation.objects.select_related("subject", "area", "criteria_set")
    if area is not None:
        qs = qs.filter(in_subtree(area))
    if year is not None:
        qs = qs.filter(year=year)
    return qs


# --- public recognition lists ----------------------------------------------------------------------
# What the public may see is one rule at the data layer: ``Evaluation.objects.public()`` and
# ``Subject.objects.public()`` (``evaluations/models``). Everything below starts from them.

#: Only these columns are read for the public pages, so no personal field can leak into a template.
PUBLIC_FIELDS = (
    "pk",
    "year",
    "kind",
    "grade",
    "level",
    "subject__name",
    "area__name",
    "area__level",
    "area__path",
    "decision__number",
    "decision__decision_date",
    "decision__issuing_body",
)


def filter_public_recognitions(
    qs: QuerySet[Evaluation],
    *,
    kind: str | None = None,
    area: AdministrativeUnit | None = None,
    year: int | None = None,
    grade: str | None = None,
    q: str | None = None,
) -> QuerySet[Evaluation]:
    """``qs`` (public recognitions) narrowed by the public list's filters, unordered: what to count.

    ``area`` takes its subtree and the units that went into it; ``grade`` is a grade label ("Tốt") or
    ``"level-1"`` / ``"level-2"``; ``q`` matches the display name with or without diacritics.
    """
    if kind:
        qs = qs.filter(kind=kind)
    if area is not None:
        # The subtree's ids rather than a LIKE on the joined path: with ``area_id IN (...)`` the index
        # narrows the rows before any join (SQLite cannot use an index for LIKE ... ESCAPE).
        # Today's unit includes the units that went into it: its past years' recognitions are its own.
        reach = in_subtrees(unit_reach_paths(area), field=None)
        subtree = AdministrativeUnit.objects.filter(reach).order_by().values("pk")
        qs = qs.filter(area_id__in=subtree)
    if year:
        qs = qs.filter(year=year)
    if grade:
        if grade.startswith("level-") and grade[6:].isdigit():
            qs = qs.filter(level=int(grade[6:]))
        else:
            qs = qs.filter(grade=grade)
    folded = fold_words(q or "")
    if folded:
        # The subject's folded name as copied onto the evaluation: read from the list's own index while it
        # walks in list order, so a common name fills a page after a few rows.
        qs = qs.filter(sort_name_folded__contains=folded)
    return qs


def public_recognitions_matching(**filters) -> QuerySet[Evaluation]:
    """Public recognitions (``Evaluation.objects.public()``) matching ``filters`` (see
    ``filter_public_recognitions``), unordered: what to count."""
    return filter_public_recognitions(Evaluation.objects.public(), **filters)


def public_recognition_rows(matching: QuerySet[Evaluation]) -> QuerySet[Evaluation]:
    """``matching`` in list order (``EVALUATION_LIST_ORDER``: newest year, then name), as dicts of
    ``PUBLIC_FIELDS`` plus ``commune_name``: one query per page (the commune of a village comes from a
    subquery)."""
    return (
        matching.order_by(*EVALUATION_LIST_ORDER)
        .values(*PUBLIC_FIELDS)
        .annotate(commune_name=commune_of_path("area__path"))
    )


#: A cached public count lives at most this long, whatever changes (a process with its own memory cache
#: does not hear of another's changes).
PUBLIC_COUNT_SECONDS = 600


def public_count_key(matching: QuerySet[Evaluation]) -> str:
    """The one cache key of the count of ``matching`` (a public list's filtered queryset): its SQL, which
    holds every filter value, under the current public data version (``public_version``)."""
    digest = hashlib.sha256(str(matching.order_by().query).encode()).hexdigest()[:32]
    return f"public-recognitions:count:{public_data_version()}:{digest}"


class PublicRecognitionPage:
    """``matching`` for a paginator: counted once per filter (cached under ``public_count_key``), sliced in
    two steps (the ids of the slice in list order, walked on the index ``evaluation_status_list_idx``, then those few
    rows with their columns)."""

    def __init__(self, matching: QuerySet[Evaluation]):
        self.matching = matching

    def count(self) -> int:
        key = public_count_key(self.matching)
        count = cache.get(key)
        if count is None:
            count = self.matching.count()
            cache.set(key, count, PUBLIC_COUNT_SECONDS)
        return count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[dict]:
        ids = list(self.matching.order_by(*EVALUATION_LIST_ORDER).values_list("pk", flat=True)[index])
        rows = {row["pk"]: row for row in public_recognition_rows(Evaluation.objects.filter(pk__in=ids))}
        return [rows[pk] for pk in ids if pk in rows]


def public_recognitions(**filters) -> QuerySet[Evaluation]:
    """Rows of the public recognitions matching ``filters`` (see ``public_recognitions_matching``)."""
    return public_recognition_rows(public_recognitions_matching(**filters))


def public_recognition_get(*, pk: int) -> dict | None:
    """One public recognition by evaluation id, or ``None`` when it is not (or no longer) public."""
    return public_recognitions().filter(pk=pk).first()


def public_recognition_latest(subject_ids: Iterable[int]) -> dict[int, int]:
    """Subject id -> the id of its latest public recognition (``Evaluation.objects.public()``), for the subjects
    of ``subject_ids`` that have one: what a public mention of a subject links to (its recognition's detail)."""
    rows = (
        Evaluation.objects.public()
        .filter(subject_id__in=list(subject_ids))
        .order_by("subject_id", "-year", "-pk")
        .values_list("subject_id", "pk")
    )
    latest: dict[int, int] = {}
    for subject_id, pk in rows:
        latest.setdefault(subject_id, pk)
    return latest


def public_grade_choices() -> list[tuple[str, str]]:
    """Grades and levels a recognised model may hold, from the criteria sets' own bands."""
    labels = sorted(set(GradeBand.objects.filter(recognised=True).values_list("label", flat=True)))
    choices = [(label, label) for label in labels]
    levels = sorted(set(Indicator.objects.filter(level__isnull=False).values_list("level", flat=True).distinct()))
    choices += [(f"level-{level}", _("Level %(level)s") % {"level": level}) for level in levels]
    return choices


def evaluation_years() -> list[int]:
    """Every year from the latest evaluation's to the first's, newest first. The two ends are read apart, each
    from one end of the year index (``ORDER BY year LIMIT 1``): SQLite answers ``MIN`` and ``MAX`` in one
    query by reading the whole index."""
    years = Evaluation.objects.order_by().values_list("year", flat=True)
    last = years.order_by("-year").first()
    if last is None:
        return []
    first = years.order_by("year").first()
    return list(range(last, first - 1, -1))


def public_year_choices() -> list[int]:
    """The public list's years: those of ``evaluation_years``."""
    return evaluation_years()


def recognition_figures(*, year: int | None = None) -> dict:
    """Headline figures: per public kind, recognised and evaluated in ``year`` (the latest year with a
    recognition when omitted). Aggregates count every recognised subject, consenting or not: no name
    is shown, and the province's totals must match its reports."""
    if year is None:
        # Walks the year index from the newest end and stops at the first recognition.
        year = (
            Evaluation.objects.filter(status=EvaluationStatus.RECOGNISED, kind__in=PUBLIC_KINDS)
            .order_by("-year")
            .values_list("year", flat=True)
            .first()
        )
    if year is None:
        return {"year": None, "kinds": []}
    rows = (
        Evaluation.objects.filter(year=year, kind__in=PUBLIC_KINDS)
        .values("kind")
        .annotate(
            evaluated=Count("pk"),
            recognised=Count("pk", filter=Q(status=EvaluationStatus.RECOGNISED)),
        )
    )
    by_kind = {row["kind"]: row for row in rows}
    kinds = []
    for kind in PUBLIC_KINDS:
        row = by_kind.get(kind, {"evaluated": 0, "recognised": 0})
        rate = round(row["recognised"] * 100 / row["evaluated"]) if row["evaluated"] else 0
        kinds.append(
            {
                "kind": kind,
                "label": SubjectKind(kind).label,
                "recognised": row["recognised"],
                "evaluated": row["evaluated"],
                "rate": rate,
            }
        )
    return {"year": year, "kinds": kinds}
