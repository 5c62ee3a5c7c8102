"""Access by area in the admin: a permission policy and a viewset guard used by every area-bound screen.

Wagtail narrows a listing through the viewset's ``get_queryset``, but its other views (edit, delete,
inspect, history, revisions, compare, lock, usage...) fetch the object by primary key. So every URL of
an area-bound viewset that names an object is wrapped: an object outside the user's area answers 404,
whatever the view. The permission policy adds the same check to Wagtail's own instance checks (bulk
delete, choosers) and to ``instances_user_has_permission_for``.
"""

from __future__ import annotations

from functools import wraps
from operator import attrgetter

from django.contrib.admin.utils import unquote
from django.http import Http404
from django.urls import URLPattern

from wagtail.permission_policies import ModelPermissionPolicy

from .access import decisions_for_user, restrict_to_user_area, user_reaches_unit


class AreaPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, and for one object also the area: ``area_field`` must lie in the user's area."""

    def __init__(self, model, area_field: str = "area"):
        super().__init__(model)
        self.area_field = area_field

    def area_of(self, instance):
        return attrgetter(self.area_field.replace("__", "."))(instance)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and user_reaches_unit(user, self.area_of(instance))

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions) and user_reaches_unit(user, self.area_of(instance))

    def instances_user_has_any_permission_for(self, user, actions):
        instances = super().instances_user_has_any_permission_for(user, actions)
        return restrict_to_user_area(instances, user, self.area_field)


class AreaRestrictedViewSetMixin:
    """For a SnippetViewSet: listing narrowed to the user's area, and every object URL guarded."""

    #: The path from the model to its administrative unit (``area``, ``evaluation__area``...).
    area_field = "area"

    def scoped(self, queryset, user):
        """``queryset`` narrowed to what ``user`` reaches (the listing and every object URL use it)."""
        return restrict_to_user_area(queryset, user, self.area_field)

    def get_queryset(self, request):
        """The listing's rows; a subclass that defines its own must restrict it too (``scoped``)."""
        queryset = super().get_queryset(request)
        if queryset is None:
            queryset = self.model._default_manager.all()
        return self.scoped(queryset, request.user)

    def reachable(self, user, pk) -> bool:
        """Whether the object ``pk`` exists and lies in ``user``'s area."""
        return self.scoped(self.model._default_manager.filter(pk=unquote(str(pk))), user).exists()

    def guard(self, view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            pk = kwargs.get("pk")
            if pk is not None and not self.reachable(request.user, pk):
                raise Http404
            return view(request, *args, **kwargs)

        return guarded

    def get_extra_urlpatterns(self) -> list:
        """The viewset's own extra views; guarded like Wagtail's."""
        return []

    def get_urlpatterns(self):
        patterns = []
        for pattern in [*super().get_urlpatterns(), *self.get_extra_urlpatterns()]:
            # regex.groupindex covers path() converters and re_path() groups alike.
            if isinstance(pattern, URLPattern) and "pk" in pattern.pattern.regex.groupindex:
                pattern.callback = self.guard(pattern.callback)
            patterns.append(pattern)
        return patterns


class DecisionPermissionPolicy(AreaPermissionPolicy):
    """A decision is reached through its issuing unit or through any evaluation it decides."""

    def _reaches(self, user, instance) -> bool:
        return decisions_for_user(self.model.objects.filter(pk=instance.pk), user).exists()

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and self._reaches(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions) and self._reaches(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        instances = ModelPermissionPolicy.instances_user_has_any_permission_for(self, user, actions)
        return decisions_for_user(instances, user)


class EvaluationPermissionPolicy(AreaPermissionPolicy):
    """As for any area-bound record, and: only a draft evaluation may be changed or deleted.

    A submitted one is returned first; a recognised one changes only by revocation.
    """

    def user_has_permission_for_instance(self, user, action, instance):
        if action in ("change", "delete") and instance.status != "draft":
            return False
        return super().user_has_permission_for_instance(user, action, instance)
