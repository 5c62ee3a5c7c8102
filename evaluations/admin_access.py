"""Access by area in the admin: the doors Wagtail opens onto area-bound objects, each narrowed by the
model's ``for_user`` queryset (``models.area``).

- Viewsets: the listing comes from ``for_user``, and every URL naming an object is guarded: an object
  outside the user's area, a nonexistent one and a malformed id all answer the same 404, whatever the
  view (edit, delete, inspect, history, revisions, compare, lock, usage...).
- Choosers (Wagtail's snippet choosers and ours): the list, the search results, ``chosen/<pk>/`` and
  ``chosen-multiple/`` read from ``for_user``; only users who may see the model open them.
- Bulk actions: the selection is read from ``for_user``, so items outside the area are never listed.
- The permission policy adds the area to Wagtail's own instance checks.
"""

from __future__ import annotations

from functools import wraps
from operator import attrgetter

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import URLPattern
from django.utils.translation import gettext_lazy

from wagtail.admin.views.generic.chooser import CreateView
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetChosenMultipleView,
    SnippetChosenView,
    SnippetCreateView,
)

from .access import user_reaches_unit
from .models.area import area_field_of, parse_pk, parse_pks, scoped
from .services import evaluation_may_change


def scoped_get(model, user, raw_pk):
    """The object ``raw_pk`` of ``model`` if ``user`` reaches it; otherwise 404, the same answer for
    "does not exist", "not yours" and "not an id"."""
    pk = parse_pk(model, raw_pk)
    found = scoped(model, user).filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise Http404
    return found


def may_see_model(user, model) -> bool:
    """Whether ``user`` holds any permission on ``model`` (a chooser lists its objects only to them)."""
    opts = model._meta
    return any(user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}") for action in ("view", "change", "add"))


class AreaPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, and for one object also the area: its unit (``model.area_field``) must lie in
    the user's area; a set of objects is narrowed by ``for_user``."""

    def __init__(self, model, area_field: str | None = None):
        super().__init__(model)
        self.area_field = area_field or area_field_of(model)

    def area_of(self, instance):
        return attrgetter(self.area_field.replace("__", "."))(instance)

    def reaches(self, user, instance) -> bool:
        return user_reaches_unit(user, self.area_of(instance))

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and self.reaches(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions) and self.reaches(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        return super().instances_user_has_any_permission_for(user, actions).for_user(user)


class ScopedChooserMixin:
    """For a chooser view: objects come from ``for_user``; ids that name nothing the user reaches are
    ignored (or 404 for one), and the chooser opens only for users who may see the model."""

    def may_choose(self, user) -> bool:
        return may_see_model(user, self.model_class)

    def dispatch(self, request, *args, **kwargs):
        if not self.may_choose(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_object_list(self):
        objects = super().get_object_list()
        return objects.for_user(self.request.user) if hasattr(objects, "for_user") else objects

    @property
    def title_column(self):
        # Wagtail heads the column "Title" (a page's word); these choosers list people, places and sets by name.
        column = super().title_column
        column.label = gettext_lazy("Name")
        return column

    def get_object(self, pk):
        return scoped_get(self.model_class, self.request.user, pk)

    def get_objects(self, pks):
        return scoped(self.model_class, self.request.user).filter(pk__in=parse_pks(self.model_class, pks))


class NoCreationView(CreateView):
    """Nothing is created from a chooser here (records are made on their own forms, with their area)."""

    def dispatch(self, request, *args, **kwargs):
        raise Http404


def scoped_chooser_view(base, **attrs):
    return type(base.__name__, (ScopedChooserMixin, base), attrs)


class ScopedSnippetChooserViewSet(SnippetChooserViewSet):
    """Wagtail's snippet chooser (registered beside every snippet viewset), narrowed by ``for_user``."""

    choose_view_class = scoped_chooser_view(ChooseView)
    choose_results_view_class = scoped_chooser_view(ChooseResultsView)
    chosen_view_class = scoped_chooser_view(SnippetChosenView)
    chosen_multiple_view_class = scoped_chooser_view(SnippetChosenMultipleView)
    create_view_class = type("SnippetNoCreationView", (NoCreationView, SnippetCreateView), {})


class ScopedViewSetMixin:
    """For any SnippetViewSet of the project: a malformed id is a 404, never a server error, and the
    model's chooser is the scoped one."""

    chooser_viewset_class = ScopedSnippetChooserViewSet
    #: False: records of this model are made elsewhere (with what their form here cannot give them);
    #: there is then no add view and no "Add" button.
    add_view_enabled = True

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        if not self.add_view_enabled:
            view_kwargs["add_url_name"] = None
        return view_kwargs

    def scoped(self, queryset, user):
        """``queryset`` narrowed to what ``user`` reaches (the listing and every object URL use it)."""
        return queryset.for_user(user) if hasattr(queryset, "for_user") else queryset

    def reachable(self, user, pk) -> bool:
        """Whether the object ``pk`` exists and lies in ``user``'s area."""
        value = parse_pk(self.model, pk)
        return value is not None and self.scoped(self.model._default_manager.filter(pk=value), user).exists()

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
            if not self.add_view_enabled and getattr(pattern, "name", None) == "add":
                continue
            # regex.groupindex covers path() converters and re_path() groups alike.
            if isinstance(pattern, URLPattern) and "pk" in pattern.pattern.regex.groupindex:
                pattern.callback = self.guard(pattern.callback)
            patterns.append(pattern)
        return patterns


class AreaRestrictedViewSetMixin(ScopedViewSetMixin):
    """For a SnippetViewSet of an area-bound model: listing narrowed to the user's area (``for_user``),
    every object URL guarded."""

    def get_queryset(self, request):
        """The listing's rows; a subclass that defines its own must restrict it too (``scoped``)."""
        queryset = super().get_queryset(request)
        if queryset is None:
            queryset = self.model._default_manager.all()
        return self.scoped(queryset, request.user)


class LimitedSelectionMixin:
    """For a bulk action that prints: a selection of more than ``selection_limit`` items is refused before any
    of it is read (the confirmation page says how many were selected, through the action's ``refusal()``)."""

    selection_limit: int
    #: How many were selected when that is more than ``selection_limit`` (nothing is read then).
    too_many = 0

    def get_actionable_objects(self):
        if not hasattr(self, "_selection"):
            count = self.selected_queryset().count()
            if count > self.selection_limit:
                self.too_many = count
                self._selection = ([], {"items_with_no_access": []})
            else:
                self._selection = super().get_actionable_objects()
        return self._selection


class ScopedBulkActionMixin:
    """For a bulk action: the selection is read from ``for_user``, so an item outside the user's area
    (or an id that names nothing) is neither listed nor acted on; none at all is a 404.

    "Select all" (``id=all``) is exactly the listing the user saw: the listing's own rows (its area, its
    filters, its search, sent along in the address), never every row of the area; the confirmation page
    shows those filters (``selection_filters``)."""

    #: The listing's active filters when "select all" was used: (label, value) pairs.
    selection_filters: list = []

    def select(self, objects):
        """Hook: ``objects`` with what the confirmation page and the action read (``select_related``)."""
        return objects

    def listing_rows(self):
        """The rows of the model's listing for this request's filters and search (``None`` without one)."""
        viewset = getattr(self.model, "snippet_viewset", None)
        if viewset is None:
            return None
        listing = viewset.construct_view(viewset.index_view_class, **viewset.get_index_view_kwargs())
        view = listing.view_class(**listing.view_initkwargs)
        view.setup(self.request)
        rows = view.get_queryset()
        if view.filters is not None and not view.filters.is_valid():
            return rows.none()  # the listing would show an error, not these rows: select nothing
        self.selection_filters = [(str(f.field_label), str(f.value)) for f in view.active_filters]
        if view.is_searching:
            self.selection_filters.append((str(view.search_form.fields[view.search_kwarg].label), view.search_query))
        return rows

    def selected_queryset(self):
        """The selection as a queryset, not yet read: the ids given (or the listing's rows for "all") that the
        user reaches."""
        raw = self.request.GET.getlist("id")
        objects = scoped(self.model, self.request.user)
        if "all" in raw:
            rows = self.listing_rows()
            return objects.filter(pk__in=rows.order_by().values("pk")) if rows is not None else objects
        return objects.filter(pk__in=parse_pks(self.model, raw))

    def get_actionable_objects(self):
        found = list(self.select(self.selected_queryset()))
        if not found:
            raise Http404
        allowed = [obj for obj in found if self.check_perm(obj)]
        return allowed, {"items_with_no_access": [obj for obj in found if not self.check_perm(obj)]}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["selection_filters"] = self.selection_filters
        return context


class ScopedDeleteBulkAction(ScopedBulkActionMixin, DeleteBulkAction):
    """Wagtail's snippet bulk delete, reading its selection from ``for_user``."""


class DecisionPermissionPolicy(AreaPermissionPolicy):
    """A decision is reached through its issuing unit or through any evaluation it decides."""

    def reaches(self, user, instance) -> bool:
        return self.model.objects.for_user(user).filter(pk=instance.pk).exists()


class EvaluationPermissionPolicy(AreaPermissionPolicy):
    """As for any area-bound record, and: only a draft evaluation may be changed or deleted.

    A submitted one is returned first; a recognised one changes only by revocation.
    """

    def user_has_permission_for_instance(self, user, action, instance):
        if action in ("change", "delete") and not evaluation_may_change(evaluation=instance):
            return False
        return super().user_has_permission_for_instance(user, action, instance)
