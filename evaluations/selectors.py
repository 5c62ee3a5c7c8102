"""Reads: listings and visibility (which always go through access by area)."""

from django.db.models import QuerySet

from .models import AdministrativeUnit, Evaluation


def evaluation_visible_to(*, user, evaluation: Evaluation) -> bool:
    """Whether ``user`` may see ``evaluation`` (and so its scores and evidence)."""
    from .access import user_reaches_unit

    if not user.is_authenticated or not user.is_active:
        return False
    allowed = user.has_perm("evaluations.view_evaluation") or user.has_perm("evaluations.change_evaluation")
    return allowed and user_reaches_unit(user, evaluation.area)


def evaluation_list(*, area: AdministrativeUnit | None = None, year: int | None = None) -> QuerySet[Evaluation]:
    """Evaluations in ``area``'s subtree for ``year``, with what the listing shows in one query."""
    qs = Evaluation.objects.select_related("subject", "area", "criteria_set")
    if area is not None:
        qs = qs.filter(area__path__startswith=area.path)
    if year is not None:
        qs = qs.filter(year=year)
    return qs
