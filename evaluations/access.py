"""Access by area: an officer reaches the subtrees of the administrative units assigned to them.

Every listing, object view, export, chooser, download and API of evaluation data goes through these
functions, so the rule lives in one place. A superuser reaches everything.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from reorganisation.selectors import predecessor_paths

from .models import AdministrativeUnit, Evaluation
from .models.area import is_area_bound, scoped
from .models.units import in_subtrees, outermost, path_within

_CACHE_ATTR = "_khuyenhoc_area_paths"


def user_area_paths(user) -> list[str] | None:
    """Tree paths of the units ``user`` reaches: those assigned to them and the units that went into
    those (see ``reorganisation.selectors.predecessor_paths``); ``None`` means no restriction (superuser)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return None
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        assigned = list(AdministrativeUnit.objects.filter(assignments__user=user).values_list("path", flat=True))
        # Officers of today's units also reach the units that went into them: the records of an ended
        # unit (past evaluations awaiting a decision, decisions, targets) are its successor's to handle.
        # Units inside another unit of the list are dropped: the outer subtree already covers them.
        cached = outermost([*assigned, *(predecessor_paths(assigned) if assigned else ())])
        setattr(user, _CACHE_ATTR, cached)
    return cached


def unit_reach_paths(unit: AdministrativeUnit) -> list[str]:
    """Paths whose subtrees belong to ``unit``: its own and those of the units that went into it."""
    return outermost([unit.path, *predecessor_paths([unit.path])])


def restrict_to_user_area(queryset: QuerySet, user, field: str | None = "area") -> QuerySet:
    """``queryset`` narrowed to what ``user`` reaches through ``field``."""
    paths = user_area_paths(user)
    if paths is None:
        return queryset
    return queryset.filter(in_subtrees(paths, field=field))


def decisions_for_user(queryset: QuerySet, user) -> QuerySet:
    """Decisions ``user`` reaches: issued by a unit of their area, or deciding (or revoking) an evaluation
    there. A decision may be recorded by another unit (the province, or a successor commune) and must
    still open for everyone who reaches one of its evaluations."""
    paths = user_area_paths(user)
    if paths is None:
        return queryset
    in_area = Evaluation.objects.filter(in_subtrees(paths)).order_by()
    return queryset.filter(
        in_subtrees(paths)
        | Q(pk__in=in_area.filter(decision__isnull=False).values("decision"))
        | Q(pk__in=in_area.filter(revocation__isnull=False).values("revocation"))
    )


def user_reaches_unit(user, unit: AdministrativeUnit | None) -> bool:
    """Whether ``unit`` lies in one of the user's subtrees."""
    if unit is None:
        return user_area_paths(user) is None  # only a superuser reaches what has no unit
    return user_reaches_path(user, unit.path)


def user_reaches_path(user, path: str) -> bool:
    """Whether the unit at tree path ``path`` lies in one of the user's subtrees (rows read as values)."""
    paths = user_area_paths(user)
    return paths is None or path_within(path, paths)


def log_entries_for_user(queryset: QuerySet, user) -> QuerySet:
    """Wagtail log entries (``ModelLogEntry``) ``user`` may read: those of area-bound records only when
    the record is in their area (a deleted record's entries, whose area is unknown, only for a
    superuser); entries of other models as Wagtail allows them."""
    if user.is_superuser:
        return queryset
    bound = [model for model in apps.get_models() if is_area_bound(model)]
    content_types = ContentType.objects.get_for_models(*bound, for_concrete_models=False)
    allowed = ~Q(content_type__in=list(content_types.values()))
    for model, content_type in content_types.items():
        # object_id is text: compare with the ids as text, in one subquery per model.
        ids = scoped(model, user).order_by().annotate(id_text=Cast("pk", CharField())).values("id_text")
        allowed |= Q(content_type=content_type, object_id__in=ids)
    return queryset.filter(allowed)


def user_may_read_evaluations(user) -> bool:
    """Whether ``user`` may read evaluations, their scores, evidence and reports (officers, reviewers and
    auditors; not communications staff). Which ones: ``Evaluation.objects.for_user(user)``."""
    return user.is_active and (
        user.has_perm("evaluations.view_evaluation") or user.has_perm("evaluations.change_evaluation")
    )
