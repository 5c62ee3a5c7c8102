"""The subject listings (families, clans, communities, units, citizens), one viewset per kind in one menu."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy

from wagtail.admin.panels import ObjectList
from wagtail.admin.widgets import HeaderButton
from wagtail.snippets.views.snippets import (
    EditView,
    InspectView,
    SnippetViewSet,
    SnippetViewSetGroup,
)

from ..admin_access import (
    AreaRestrictedViewSetMixin,
)
from ..filters import subject_filterset_for
from ..forms import SubjectForm
from ..models import (
    NAME_ORDER,
    LearningCitizen,
    LearningClan,
    LearningCommunity,
    LearningFamily,
    LearningUnit,
)
from .listing import LISTING_RESULTS_TEMPLATE, PersonalDataIndexView


def evaluate_this_year_url(subject) -> str:
    """The evaluation form for ``subject``, its year and criteria set filled in (``EvaluationCreateView``)."""
    return reverse("wagtailsnippets_evaluations_evaluation:add") + "?" + urlencode({"subject": subject.pk})


def self_assessment_slip_url(subject, *, back: str) -> str:
    """The slip of ``subject`` alone: the listing's bulk action "In phiếu tự đánh giá" (``field.bulk_actions``,
    whose confirmation page says whether it can have one) on this one subject."""
    opts = subject._meta
    query = urlencode({"id": subject.pk, "next": back})
    return (
        reverse("wagtail_bulk_action", args=[opts.app_label, opts.model_name, "self_assessment_slips"]) + "?" + query
    )


class EvaluateThisYearMixin:
    """A subject's pages offer to start this year's evaluation of it, for whoever may add evaluations: from
    the subject, one click to the form instead of nine from the evaluation list; and to print its
    self-assessment slip."""

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.request.user.has_perm("evaluations.add_evaluation") and getattr(self, "object", None) is not None:
            buttons.append(
                HeaderButton(
                    gettext_lazy("Evaluate this year"), url=evaluate_this_year_url(self.object), icon_name="tasks"
                )
            )
            buttons.append(
                HeaderButton(
                    gettext_lazy("Self-assessment slip"),
                    url=self_assessment_slip_url(self.object, back=self.request.get_full_path()),
                    icon_name="doc-full",
                )
            )
        return buttons


class SubjectEditView(EvaluateThisYearMixin, EditView):
    pass


class SubjectInspectView(EvaluateThisYearMixin, InspectView):
    pass


class SubjectIndexView(PersonalDataIndexView):
    folded_name_field = "name_folded"
    code_field = "code"


class SubjectViewSet(AreaRestrictedViewSetMixin, SnippetViewSet):
    """Base for the five kinds: same listing, filters, search and export; each kind has its own form."""

    icon = "group"
    inspect_view_enabled = True
    search_backend_name = None
    search_fields = ["name"]  # the search box is on; SubjectIndexView matches folded names and codes
    list_per_page = 50
    copy_view_enabled = False
    list_display = ["listing_name", "area", "code", "publish_consent", "updated_at"]
    # No ``list_export``: the listing's export button starts the reports app's export of every filtered row.
    ordering = [*NAME_ORDER, "pk"]

    index_view_class = SubjectIndexView
    edit_view_class = SubjectEditView
    inspect_view_class = SubjectInspectView
    index_results_template_name = LISTING_RESULTS_TEMPLATE

    @property
    def filterset_class(self):
        return subject_filterset_for(self.model)

    def get_queryset(self, request):
        # ``kind`` repeats what the kind's own table says, so that a page of a rare kind (clans, units) walks
        # ``subject_kind_name_idx`` in name order instead of every subject's name.
        return self.model.objects.filter(kind=self.model.kind_value).select_related("area").for_user(request.user)

    def get_edit_handler(self):
        return ObjectList(self.model.panels, base_form_class=SubjectForm).bind_to_model(self.model)


class LearningFamilyViewSet(SubjectViewSet):
    model = LearningFamily
    icon = "home"
    list_display = ["listing_name", "member_count", "area", "code", "publish_consent", "updated_at"]


class LearningClanViewSet(SubjectViewSet):
    model = LearningClan
    list_display = ["listing_name", "representative", "area", "code", "updated_at"]


class LearningCommunityViewSet(SubjectViewSet):
    model = LearningCommunity
    icon = "site"
    list_display = ["listing_name", "area", "code", "updated_at"]


class LearningUnitViewSet(SubjectViewSet):
    model = LearningUnit
    icon = "cogs"
    list_display = ["listing_name", "unit_type", "managing_level", "area", "updated_at"]


class LearningCitizenViewSet(SubjectViewSet):
    model = LearningCitizen
    icon = "user"
    list_display = ["listing_name", "birth_year", "population_group", "area", "updated_at"]


class SubjectViewSetGroup(SnippetViewSetGroup):
    items = (
        LearningFamilyViewSet,
        LearningClanViewSet,
        LearningCommunityViewSet,
        LearningUnitViewSet,
        LearningCitizenViewSet,
    )
    menu_label = gettext_lazy("Learning models")
    menu_icon = "group"
    menu_order = 200


subject_viewset_group = SubjectViewSetGroup()
