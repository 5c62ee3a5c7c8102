"""FilterSets shared by the admin listings, their exports and (later) the API."""

from django import forms
from django.conf import settings
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from wagtail.admin.active_filters import ActiveFilter, BaseFilterAdapter, register_filter_adapter_class
from wagtail.admin.filters import WagtailFilterSet

import django_filters

from .models import (
    AdministrativeUnit,
    CriteriaSet,
    CriteriaSetStatus,
    Evaluation,
    EvaluationResult,
    EvaluationStatus,
    ScoringMode,
    SourceStatus,
    Subject,
    SubjectKind,
    UnitLevel,
)
from .models.evaluations import returned_q
from .models.units import in_subtree
from .selectors import evaluation_years
from .widgets import PlainSelect


class AreaChoiceField(forms.ModelChoiceField):
    widget = PlainSelect

    def label_from_instance(self, obj: AdministrativeUnit) -> str:
        # Indent by depth so the select reads as a tree; an ended unit says when it ended.
        return "\u00a0\u00a0" * (obj.depth - 1) + obj.dated_name


def area_select_max() -> int:
    """Above this many units (``AREA_SELECT_MAX``, 150) the area filter is Wagtail's unit chooser, searched
    and paged in a modal, instead of a select: a commune officer picks from a handful, a province has
    hundreds (its former districts and communes included) and the nation over fourteen thousand, which a
    select would render on every page."""
    return getattr(settings, "AREA_SELECT_MAX", 150)


def area_units(request):
    """The units the requesting user reaches (all of them without a request)."""
    units = AdministrativeUnit.objects.all()
    user = getattr(request, "user", None)
    return units.for_user(user) if user is not None else units


def reachable_areas(request):
    """The units above village level that the requesting user reaches, in the select's order: today's tree
    first, then the units that ended (for past years), latest end first."""
    return area_units(request).exclude(level=UnitLevel.VILLAGE).order_by(F("valid_to").desc(nulls_first=True), "path")


class AreaFilter(django_filters.ModelChoiceFilter):
    """An administrative unit; matches everything in its subtree (``path`` prefix).

    A select of the units above village level for a small area; past ``area_select_max()`` units, the unit
    chooser, where any unit of the area (a village too) can be found by name."""

    field_class = AreaChoiceField

    def __init__(self, *args, area_field: str = "area", **kwargs):
        self.area_field = area_field
        kwargs.setdefault("label", _("Area"))
        kwargs.setdefault("queryset", reachable_areas)
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        if not hasattr(self, "_field") and "widget" not in self.extra:
            request = self.get_request()
            if request is not None and reachable_areas(request).count() > area_select_max():
                from .admin.choosers import unit_chooser_viewset  # the admin imports these filters

                self.extra["widget"] = unit_chooser_viewset.widget_class()
                self.queryset = area_units
        return super().field

    def filter(self, qs: QuerySet, value: AdministrativeUnit | None) -> QuerySet:
        if not value:
            return qs
        # The subtree's unit ids rather than a join on each row's path: an index holding the area column
        # (the listing's, the roll-up's) checks each row without touching the units table.
        subtree = AdministrativeUnit.objects.filter(in_subtree(value, field=None)).order_by().values("pk")
        return qs.filter(**{f"{self.area_field}__in": subtree})


def year_choices():
    """Every year from the latest evaluated to the first, newest first: the two ends are two index look-ups
    (``evaluation_years``), where a DISTINCT would read the whole table on every listing page."""
    return [(year, str(year)) for year in evaluation_years()]


class ListingFilterSet(WagtailFilterSet):
    """A listing's filters, their plain selects written without per-option templates (``PlainSelect``)."""

    def get_form_class(self):
        form_class = super().get_form_class()
        for field in form_class.base_fields.values():
            if type(field.widget) is forms.Select:
                field.widget.__class__ = PlainSelect  # same state, its own render()
        return form_class


class EvaluationFilterSet(ListingFilterSet):
    area = AreaFilter()
    year = django_filters.TypedChoiceFilter(label=_("Year"), choices=year_choices, coerce=int)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=SubjectKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=EvaluationStatus.choices)
    result = django_filters.ChoiceFilter(label=_("Result"), choices=EvaluationResult.choices)
    criteria_set = django_filters.ModelChoiceFilter(label=_("Criteria set"), queryset=CriteriaSet.objects.all())
    returned = django_filters.BooleanFilter(label=_("Returned for correction"), method="filter_returned")

    class Meta:
        model = Evaluation
        fields = ["area", "year", "kind", "status", "result", "criteria_set"]

    def filter_returned(self, queryset, name, value):
        """Drafts sent back by a reviewer (``returned_q``), or every other evaluation."""
        if value is None:
            return queryset
        return queryset.filter(returned_q()) if value else queryset.exclude(returned_q())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read once per listing: a callable is asked again by the form's validation, its select and the
        # active filters' labels (two queries each time).
        self.filters["year"].extra["choices"] = year_choices()


class SubjectFilterSet(ListingFilterSet):
    area = AreaFilter()
    publish_consent = django_filters.BooleanFilter(label=_("May be published"))
    is_active = django_filters.BooleanFilter(label=_("Active"))
    evaluated_year = django_filters.NumberFilter(
        label=_("Evaluated in year"), field_name="evaluations__year", distinct=True
    )

    class Meta:
        model = Subject
        fields = ["area", "publish_consent", "is_active"]


class CriteriaSetFilterSet(ListingFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=SubjectKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CriteriaSetStatus.choices)
    scoring_mode = django_filters.ChoiceFilter(label=_("Scoring mode"), choices=ScoringMode.choices)
    source_status = django_filters.ChoiceFilter(label=_("Source status"), choices=SourceStatus.choices)
    in_use = django_filters.BooleanFilter(label=_("Used by evaluations"), method="filter_in_use")

    class Meta:
        model = CriteriaSet
        fields = ["kind", "status", "scoring_mode", "source_status"]

    def filter_in_use(self, queryset, name, value):
        """Sets some evaluation was scored against (what "Việc cần làm" counts), or the others."""
        if value is None:
            return queryset
        used = Exists(Evaluation.objects.filter(criteria_set=OuterRef("pk")))
        return queryset.filter(used) if value else queryset.exclude(used)


def subject_filterset_for(model) -> type[SubjectFilterSet]:
    """The subject FilterSet bound to one kind's model (each kind has its own listing)."""
    meta = type("Meta", (SubjectFilterSet.Meta,), {"model": model})
    return type(f"{model.__name__}FilterSet", (SubjectFilterSet,), {"Meta": meta})


class BooleanFilterAdapter(BaseFilterAdapter):
    """A yes/no filter in force reads "Có"/"Không" above the listing, as its values do everywhere (Wagtail
    showed "True")."""

    def get_active_filters(self):
        from .admin.display import shown_value

        yield ActiveFilter(
            self.bound_field.auto_id,
            self.filter.label,
            shown_value(self.value),
            self.get_url_without_filter_param(self.name),
        )


register_filter_adapter_class(django_filters.BooleanFilter, BooleanFilterAdapter)
