"""Access by area: an officer reaches the subtrees of the administrative units assigned to them.

Every listing, object view, export, chooser, download and API of evaluation data goes through these
functions, so the rule lives in one place. A superuser reaches everything.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import AdministrativeUnit

_CACHE_ATTR = "_khuyenhoc_area_paths"


def user_area_paths(user) -> list[str] | None:
    """Tree paths of the units ``user`` is assigned to; ``None`` means no restriction (superuser)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return None
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        paths = sorted(AdministrativeUnit.objects.filter(assignments__user=user).values_list("path", flat=True))
        # Drop units inside another assigned unit: the outer subtree already covers them.
        cached = [p for i, p in enumerate(paths) if not any(p.startswith(q) for q in paths[:i])]
        setattr(user, _CACHE_ATTR, cached)
    return cached


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


def user_reaches_unit(user, unit: AdministrativeUnit | None) -> bool:
    """Whether ``unit`` lies in one of the user's subtrees."""
    paths = user_area_paths(user)
    if paths is None:
        return True
    return unit is not None and any(unit.path.startswith(path) for path in paths)
