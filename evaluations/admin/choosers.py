"""Choosers of subjects and units, searched by folded name without a search index, scoped to the
user's area."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy, pgettext_lazy

from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView, ChosenMultipleView, ChosenView
from wagtail.admin.viewsets.chooser import ChooserViewSet

from ..access import restrict_to_user_area, user_area_paths
from ..admin_access import (
    NoCreationView,
    may_see_model,
    scoped_chooser_view,
)
from ..models import (
    SUBJECT_MODELS,
    AdministrativeUnit,
    Subject,
    SubjectKind,
    UnitLevel,
)
from ..models.area import parse_pk, parse_pks
from ..text import fold_words


class NameFilterForm(BaseFilterForm):
    """Chooser search without a search index: the name contains the words typed, plus one choice filter.

    Subclasses set ``choice_field`` (the model field) and declare a ``ChoiceField`` of that name.
    """

    choice_field = ""
    q = forms.CharField(
        label=gettext_lazy("Search term"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Search")}),
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            self.is_searching = True
            self.search_query = query
            objects = self.match_name(objects, query)
        if self.cleaned_data.get(self.choice_field):
            objects = objects.filter(**{self.choice_field: self.cleaned_data[self.choice_field]})
        return objects

    def match_name(self, objects, query: str):
        return objects.filter(name__icontains=query)


class SubjectFilterForm(NameFilterForm):
    choice_field = "kind"
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), required=False, choices=[("", gettext_lazy("All kinds")), *SubjectKind.choices]
    )

    def match_name(self, objects, query: str):
        # With or without diacritics ("dang van" finds "Đàng Văn ..."), on the folded name's index; or the
        # subject's code, typed whole.
        return objects.filter(Q(name_folded__contains=fold_words(query)) | Q(code__iexact=" ".join(query.split())))


class UnitFilterForm(NameFilterForm):
    """Today's units by default; units that ended (labelled with their end date) only when asked for."""

    choice_field = "level"
    level = forms.ChoiceField(
        label=pgettext_lazy("administrative unit", "Level"),
        required=False,
        choices=[("", gettext_lazy("All levels")), *UnitLevel.choices],
    )
    include_ended = forms.BooleanField(label=gettext_lazy("Include units that have ended"), required=False)

    def filter(self, objects):
        return super().filter(objects if self.cleaned_data.get("include_ended") else objects.current())

    def match_name(self, objects, query: str):
        # Officers type names with or without diacritics ("tu thien" for "Thôn Từ Thiện"); units have no
        # folded column, and the units of one user's area are few enough to fold here.
        folded = fold_words(query)
        names = objects.order_by().values_list("pk", "name")
        return objects.filter(pk__in=[pk for pk, name in names if folded in fold_words(name)])


class FilteredChooserViewSet(ChooserViewSet):
    """A chooser searched and filtered by ``filter_form_class``, limited to the user's area."""

    filter_form_class: type[BaseFilterForm]
    per_page = 20

    def _view_class(self, base):
        attrs = {"filter_form_class": self.filter_form_class, "may_choose": self.may_choose}
        return scoped_chooser_view(base, **attrs)

    def may_choose(self, user) -> bool:
        return may_see_model(user, self.model)

    @property
    def choose_view_class(self):
        return self._view_class(ChooseView)

    @property
    def choose_results_view_class(self):
        return self._view_class(ChooseResultsView)

    @property
    def chosen_view_class(self):
        return self._view_class(ChosenView)

    @property
    def chosen_multiple_view_class(self):
        return self._view_class(ChosenMultipleView)

    create_view_class = NoCreationView


class SubjectChooseMixin:
    """Each subject with its village and commune: "Cộng đồng học tập Thôn Bình Thành" is the name of several."""

    def get_object_list(self):
        return super().get_object_list().select_related("area")

    @property
    def columns(self):
        return [
            *super().columns,
            Column("area", label=gettext_lazy("Area"), accessor=lambda subject: subject.area.label_with_parent),
        ]


class SubjectChooserViewSet(FilteredChooserViewSet):
    model = Subject
    icon = "group"
    filter_form_class = SubjectFilterForm
    choose_one_text = gettext_lazy("Choose a subject")
    choose_another_text = gettext_lazy("Choose another subject")

    def may_choose(self, user) -> bool:
        # Subjects are permitted kind by kind; whoever sees one kind may open the chooser (which
        # lists only the subjects of their area).
        return any(may_see_model(user, model) for model in SUBJECT_MODELS.values())

    def _view_class(self, base):
        return super()._view_class(type(base.__name__, (SubjectChooseMixin, base), {}))


class UnitChooseMixin:
    """Units nearest the root first (today's communes before their villages, which share their words), each
    with its level and the unit it belongs to: "Khu phố 1" is found in several communes."""

    ordering = ("depth", "name", "pk")

    @property
    def columns(self):
        return [
            *super().columns,
            Column("level", label=pgettext_lazy("administrative unit", "Level"), accessor="get_level_display"),
            Column("parent", label=gettext_lazy("Parent unit"), accessor="parent_name"),
        ]


class AdministrativeUnitChooserViewSet(FilteredChooserViewSet):
    model = AdministrativeUnit
    icon = "site"
    filter_form_class = UnitFilterForm
    choose_one_text = gettext_lazy("Choose an administrative unit")
    choose_another_text = gettext_lazy("Choose another unit")

    def may_choose(self, user) -> bool:
        # The units are public (the public lists name them); the chooser lists those of the user's area.
        return user.is_authenticated

    def _view_class(self, base):
        return super()._view_class(type(base.__name__, (UnitChooseMixin, base), {}))


class PublicModelChooseMixin(SubjectChooseMixin):
    """The models the public may see named (``Subject.objects.public()``: recognised, consenting, active): a
    model story's subject. Communications staff have no area, so the area-bound subject chooser was empty for
    them. Only what the public lists show is shown (name, kind, place)."""

    ordering = ("name_folded", "name", "pk")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("wagtailadmin.access_admin"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_object_list(self):
        """An officer with an area gets that area's public models; staff without one (communications) get
        every public model, as the public recognition list and the open-data API show them."""
        objects = Subject.objects.public().select_related("area")
        return restrict_to_user_area(objects, self.request.user) if user_area_paths(self.request.user) else objects

    def get_object(self, pk):
        value = parse_pk(Subject, pk)
        found = self.get_object_list().filter(pk=value).first() if value is not None else None
        if found is None:
            raise Http404
        return found

    def get_objects(self, pks):
        return self.get_object_list().filter(pk__in=parse_pks(Subject, pks))

    @property
    def columns(self):
        return [*super().columns, Column("kind", label=gettext_lazy("Kind"), accessor="get_kind_display")]


class PublicModelChooserViewSet(FilteredChooserViewSet):
    model = Subject
    icon = "group"
    filter_form_class = SubjectFilterForm
    #: Not the widget of every subject field (that is the area-bound chooser): model stories ask for it.
    register_widget = False
    choose_one_text = gettext_lazy("Choose a recognised model")
    choose_another_text = gettext_lazy("Choose another model")

    def _view_class(self, base):
        # Its own narrowing (public models; an officer's area) instead of the area-bound one.
        return type(base.__name__, (PublicModelChooseMixin, base), {"filter_form_class": self.filter_form_class})


subject_chooser_viewset = SubjectChooserViewSet("subject_chooser", url_prefix="evaluations/choose-subject")
public_model_chooser_viewset = PublicModelChooserViewSet(
    "public_model_chooser", url_prefix="evaluations/choose-public-model"
)
unit_chooser_viewset = AdministrativeUnitChooserViewSet("unit_chooser", url_prefix="evaluations/choose-unit")
