"""The one area rule at the data layer: every area-bound model's queryset has ``for_user(user)``.

Every screen, chooser, bulk action, history view, export and API takes its objects from ``for_user``,
so a new door cannot forget the rule. The rule itself (which subtrees a user reaches) lives in
``evaluations.access``.
"""

from __future__ import annotations

from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import models


class AreaBoundQuerySet(models.QuerySet):
    """Rows of a model bound to an administrative unit through ``model.area_field``."""

    def for_user(self, user):
        """The rows ``user`` reaches by area (everything for a superuser, nothing for a stranger)."""
        from ..access import restrict_to_user_area  # cycle: access imports the models

        return restrict_to_user_area(self, user, area_field_of(self.model))


def area_field_of(model) -> str:
    """The path from ``model`` to its unit (``area``, ``evaluation__area``...)."""
    return getattr(model, "area_field", "area")


def is_area_bound(model) -> bool:
    """Whether ``model``'s rows are reached by area (their default manager offers ``for_user``)."""
    return hasattr(model._default_manager, "for_user")


#: Largest value of a 64-bit primary key: a longer number in a URL is no object (and no server error).
MAX_PK = 2**63 - 1


def parse_pk(model, raw):
    """``raw`` (from a URL or a form) as ``model``'s primary key, or ``None`` when it cannot be one."""
    if raw is None:
        return None
    field = model._meta.pk
    try:
        value = field.to_python(unquote(str(raw)))
    except (ValidationError, ValueError, TypeError):
        return None
    if isinstance(value, int) and not 0 < value <= MAX_PK:
        return None
    return value


def parse_pks(model, raws) -> list:
    """The values of ``raws`` that can be ``model``'s primary keys (the others name nothing)."""
    return [value for value in (parse_pk(model, raw) for raw in raws) if value is not None]


def scope_choices(form, user) -> None:
    """Every choice of ``form`` that is an area-bound record (a unit, a subject...) comes from ``for_user``:
    one outside the user's area is "not a valid choice", like one that does not exist, and a chooser
    widget re-showing a posted id outside the area shows nothing rather than its name."""
    if user is None:
        return
    for field in form.fields.values():
        queryset = getattr(field, "queryset", None)
        if queryset is None or not hasattr(queryset, "for_user"):
            continue
        field.queryset = queryset.for_user(user)
        widget = field.widget
        if hasattr(widget, "get_instance") and hasattr(widget, "model_class"):
            widget.get_instance = _scoped_instance_getter(widget.get_instance, field.queryset)


def _scoped_instance_getter(original, queryset):
    def get_instance(value):
        if value is None or isinstance(value, queryset.model):
            return original(value)
        pk = parse_pk(queryset.model, value)
        return queryset.filter(pk=pk).first() if pk is not None else None

    return get_instance


def scoped(model, user):
    """``model``'s rows ``user`` may reach: by area for an area-bound model, all rows otherwise."""
    manager = model._default_manager
    return manager.for_user(user) if is_area_bound(model) else manager.all()
