"""Access by area: an officer reaches the subtrees of the administrative units assigned to them.

Every listing, object view, export, chooser, download and API of evaluation data goes through these
functions, so the rule lives in one place. A superuser reaches everything.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import AdministrativeUnit
from .models.units import outermost

_CACHE_ATTR = "_khuyenhoc_area_paths"


def user_area_paths(user) -> list[str] | None:
    """Tree paths of the units ``user`` reaches: those assigned to them and the units that went into
    those (see ``reorganisation.services.predecessor_paths``); ``None`` means no restriction (superuser)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return None
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        from reorganisation.services import predecessor_paths

        assigned = list(AdministrativeUnit.objects.filter(assignments__user=user).values_list("path", flat=True))
        # Officers of today's units also reach the units that went into them: the records of an ended
        # unit (past evaluations awaiting a decision, decisions, targets) are its successor's to handle.
        # Units inside another unit of the list are dropped: the outer subtree already covers them.
        cached = outermost([*assigned, *(predecessor_paths(assigned) if assigned else ())])
        setattr(user, _CACHE_ATTR, cached)
    return cached


def unit_reach_paths(unit: AdministrativeUnit) -> list[str]:
    """Paths whose subtrees belong to ``unit``: its own and those of the units that went into it."""
    from reorganisation.services import predecessor_paths

    return outermost([unit.path, *predecessor_paths([unit.path])])


def forget_area_paths(user) -> None:
    """Drop the per-request cache after assignments change."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def area_q(paths: list[str], field: str | None = "area") -> Q:
    """``Q`` matching rows whose ``field`` (a unit; ``None`` for units themselves) lies in ``paths``' subtrees."""
    lookup = f"{field}__path__startswith" if field else "path__startswith"
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(**{lookup: path})
    return query


def restrict_to_user_area(queryset: QuerySet, user, field: str | None = "area") -> QuerySet:
    """``queryset`` narrowed to what ``user`` reaches through ``field``."""
    paths = user_area_paths(user)
    if paths is None:
        return queryset
    return queryset.filter(area_q(paths, field))


def decisions_for_user(queryset: QuerySet, user) -> QuerySet:
    """Decisions ``user`` reaches: issued by a unit of their area, or deciding (or revoking) an evaluation
    there. A decision may be recorded by another unit (the province, or a successor commune) and must
    still open for everyone who reaches one of its evaluations."""
    paths = user_area_paths(user)
    if paths is None:
        return queryset
    from .models import Evaluation

    in_area = Evaluation.objects.filter(area_q(paths)).order_by()
    return queryset.filter(
        area_q(paths)
        | Q(pk__in=in_area.filter(decision__isnull=False).values("decision"))
        | Q(pk__in=in_area.filter(revocation__isnull=False).values("revocation"))
    )


def user_reaches_unit(user, unit: AdministrativeUnit | None) -> bool:
    """Whether ``unit`` lies in one of the user's subtrees."""
    paths = user_area_paths(user)
    if paths is None:
        return True
    return unit is not None and any(unit.path.startswith(path) for path in paths)


def log_entries_for_user(queryset: QuerySet, user) -> QuerySet:
    """Wagtail log entries (``ModelLogEntry``) ``user`` may read: those of area-bound records only when
    the record is in their area (a deleted record's entries, whose area is unknown, only for a
    superuser); entries of other models as Wagtail allows them."""
    if user.is_superuser:
        return queryset
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import CharField
    from django.db.models.functions import Cast

    from .models.area import is_area_bound, scoped

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
