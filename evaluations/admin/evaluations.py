"""Evaluations: listing, inspect with the workflow actions the user may take, edit only as a draft, history;
score entry and the workflow views hang under the viewset's URLs."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.views.generic.mixins import RevisionsRevertMixin
from wagtail.snippets.views.snippets import (
    CreateView,
    DeleteView,
    EditView,
    HistoryView,
    InspectView,
    RevisionsCompareView,
    SnippetViewSet,
    SnippetViewSetGroup,
)
from wagtail.utils.timestamps import render_timestamp

from .. import services
from ..admin_access import (
    AreaRestrictedViewSetMixin,
)
from ..calendar import today
from ..filters import EvaluationFilterSet
from ..forms import EvaluationForm, criteria_sets_to_start
from ..models import (
    EVALUATION_LIST_ORDER,
    CommendationProposal,
    Evaluation,
    Subject,
)
from ..models.area import parse_pk
from ..views.scores import ScoreEntryView
from ..views.workflow import CommendView, RevokeView, evaluation_action_view
from .decisions import commendation_viewset, decision_viewset
from .listing import LISTING_RESULTS_TEMPLATE, PersonalDataIndexView, PlainColumn, StatusColumn


class EvaluationInspectView(InspectView):
    template_name = "evaluations/admin/evaluation_inspect.html"

    def workflow_actions(self, evaluation) -> list[dict]:
        """The actions this user may take now, each with where it posts or leads."""
        user = self.request.user
        actions = []
        url = evaluation_viewset.get_url_name
        for action, label in (("submit", _("Submit for review")), ("review", _("Mark as reviewed"))):
            if services.evaluation_transition_refusal(evaluation=evaluation, action=action, user=user) is None:
                actions.append({"label": label, "post": reverse(url("action"), args=[evaluation.pk, action])})
        if services.evaluation_transition_refusal(evaluation=evaluation, action="return", user=user) is None:
            actions.append(
                {
                    "label": _("Return to draft"),
                    "post": reverse(url("action"), args=[evaluation.pk, "return"]),
                    "reason": True,
                }
            )
        next_url = reverse(url("inspect"), args=[evaluation.pk])
        for action, label in (
            ("recognise", _("Recognise (record the decision)")),
            ("not_recognise", _("Not recognised")),
        ):
            if services.evaluation_transition_refusal(evaluation=evaluation, action=action, user=user) is None:
                bulk = reverse("wagtail_bulk_action", args=["evaluations", "evaluation", action])
                actions.append({"label": label, "link": f"{bulk}?id={evaluation.pk}&next={next_url}"})
        if services.evaluation_transition_refusal(evaluation=evaluation, action="revoke", user=user) is None:
            actions.append(
                {"label": _("Revoke the recognition"), "link": reverse(url("revoke"), args=[evaluation.pk])}
            )
        if services.commendation_refusal(evaluation=evaluation, user=user) is None:
            actions.append(
                {"label": _("Propose for commendation"), "link": reverse(url("commend"), args=[evaluation.pk])}
            )
        return actions

    def get_context_data(self, **kwargs):
        from documents.certificates import is_certifiable

        context = super().get_context_data(**kwargs)
        evaluation = self.object
        scores = {s.indicator_id: s for s in evaluation.scores.all()}
        evidence = list(evaluation.evidence.select_related("indicator"))
        rows = []
        for criterion in evaluation.criteria_set.criteria.prefetch_related("indicators"):
            rows.append((criterion, [(ind, scores.get(ind.pk)) for ind in criterion.indicators.all()]))
        context.update(
            rows=rows,
            result=services.evaluation_result(evaluation),
            evidence=evidence,
            score_url=reverse(evaluation_viewset.get_url_name("score"), args=[evaluation.pk]),
            can_score=self.request.user.has_perm("evaluations.change_evaluation"),
            workflow_actions=self.workflow_actions(evaluation),
            self_result=services.evaluation_self_result(evaluation)
            if evaluation.criteria_set.has_self_assessment
            else None,
            commendation=CommendationProposal.objects.filter(evaluation=evaluation).first(),
            certifiable=is_certifiable(evaluation),
        )
        return context


class EvaluationHistoryView(HistoryView):
    """Reviewers and auditors read the history too: who changed what and when is their work."""

    any_permission_required = ["add", "change", "delete", "view"]


class EvaluationRevisionsCompareView(RevisionsCompareView):
    permission_required = "view"

    def user_has_permission(self, permission):
        return self.permission_policy.user_has_any_permission(self.request.user, ["view", "change"])


class DraftOnlyMixin:
    """Edit and delete only a draft: the history of a submitted or decided evaluation stays whole."""

    def dispatch(self, request, *args, **kwargs):
        evaluation = get_object_or_404(Evaluation.objects.for_user(request.user), pk=kwargs.get("pk"))
        if not services.evaluation_may_change(evaluation=evaluation):
            messages.error(
                request,
                _("“%(evaluation)s” is “%(status)s”: only a draft is edited or deleted.")
                % {"evaluation": evaluation, "status": evaluation.get_status_display()},
            )
            return redirect(evaluation_viewset.get_url_name("inspect"), evaluation.pk)
        return super().dispatch(request, *args, **kwargs)


class EvaluationEditView(DraftOnlyMixin, EditView):
    pass


class EvaluationDeleteView(DraftOnlyMixin, DeleteView):
    pass


class EvaluationCreateView(CreateView):
    """The year is this year; opened from a subject (``?subject=``, one the officer reaches), the subject is
    filled in and only the criteria sets of its kind are offered, the one in force chosen when there is one."""

    @cached_property
    def chosen_subject(self):
        pk = parse_pk(Subject, self.request.GET.get("subject"))
        return Subject.objects.for_user(self.request.user).filter(pk=pk).first() if pk is not None else None

    def get_initial(self):
        initial = {**super().get_initial(), "year": today().year}
        subject = self.chosen_subject
        if subject is not None:
            initial["subject"] = subject.pk
            sets = list(criteria_sets_to_start(kind=subject.kind)[:2])
            if len(sets) == 1:
                initial["criteria_set"] = sets[0].pk
        return initial

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        subject = self.chosen_subject
        if subject is not None and "criteria_set" in form.fields:
            form.fields["criteria_set"].queryset = criteria_sets_to_start(
                form.fields["criteria_set"].queryset, subject.kind
            )
            form.warn_unconfirmed_sets()
        return form

    def save_instance(self):
        services.evaluation_prepare(self.form.instance, user=self.request.user)
        return super().save_instance()

    def get_success_url(self):
        return reverse(evaluation_viewset.get_url_name("score"), args=[self.object.pk])


#: What the evaluation listing's columns read (``str()`` of the subject, the area and the criteria set
#: included): half of a page's time went on reading and converting the rest of four tables' columns.
EVALUATION_LISTING_FIELDS = (
    "subject__name",
    "year",
    "kind",
    "area__name",
    "area__valid_to",
    # The unit shown with its parent (``attach_parents``): its place in the tree.
    "area__path",
    "area__depth",
    "criteria_set__name",
    "criteria_set__version",
    "total",
    "grade",
    "result",
    "status",
    "status_reason",
)


class EvaluationIndexView(PersonalDataIndexView):
    listing_fields = EVALUATION_LISTING_FIELDS
    #: The subject's folded name as copied onto the evaluation (its listing's own index), and its code.
    folded_name_field = "sort_name_folded"
    code_field = "subject__code"

    def _get_title_column(self, *args, **kwargs):
        # A name opens the evaluation's page (its status, the reason it was returned, its scores and
        # actions), not the form of its note that Wagtail's edit view is here.
        column = super()._get_title_column(*args, **kwargs)
        column._get_url_func = self.get_inspect_url
        return column


class SystemAuthorRevertMixin:
    """A revision saved by no one (the demo loader, an import, the worker) is said to be the system's:
    Wagtail's warning read "... do None tạo lúc ..."."""

    def get_warning_message(self):
        if self.revision.user is not None:
            return super().get_warning_message()
        message = _("You are viewing a previous version of this %(model_name)s from <b>%(created_at)s</b> by %(user)s")
        # As Wagtail builds it: the message is ours, the values escaped.
        return mark_safe(  # noqa: S308
            message
            % {
                "model_name": escape(capfirst(self.model._meta.verbose_name)),
                "created_at": render_timestamp(self.revision.created_at),
                "user": escape(_("the system")),
            }
        )


class EvaluationViewSet(AreaRestrictedViewSetMixin, SnippetViewSet):
    model = Evaluation
    index_view_class = EvaluationIndexView
    icon = "tasks"
    menu_label = gettext_lazy("Evaluations")
    inspect_view_enabled = True
    copy_view_enabled = False
    add_view_class = EvaluationCreateView
    edit_view_class = EvaluationEditView
    delete_view_class = EvaluationDeleteView
    inspect_view_class = EvaluationInspectView
    inspect_view_fields = [
        "subject",
        "year",
        "kind",
        "area",
        "criteria_set",
        "total",
        "grade",
        "result",
        "note",
        "created_by",
        "created_at",
        "updated_at",
    ]
    history_view_class = EvaluationHistoryView

    @property
    def revisions_revert_view_class(self):
        # Wagtail's own (its revert mixin over the edit view), with the system named as a revision's author.
        return type(
            "EvaluationRevisionsRevertView",
            (SystemAuthorRevertMixin, RevisionsRevertMixin, self.edit_view_class),
            {"view_name": "revisions_revert"},
        )

    revisions_compare_view_class = EvaluationRevisionsCompareView
    filterset_class = EvaluationFilterSet
    search_backend_name = None
    search_fields = ["subject__name"]
    list_per_page = 50
    list_display = [
        "subject",
        "year",
        "kind",
        "area",
        PlainColumn("criteria_set", label=gettext_lazy("Criteria set"), accessor="criteria_set"),
        "total",
        "grade",
        "result",
        StatusColumn("status", label=gettext_lazy("Status"), accessor="get_status_display"),
    ]
    # No ``list_export``: Wagtail's would build the whole file inside the request; the listing's export
    # button starts the reports app's export of every filtered row (``PersonalDataIndexView``).
    index_results_template_name = LISTING_RESULTS_TEMPLATE
    #: Walks ``evaluation_list_idx`` (or the kind's or status's index) in page order.
    ordering = EVALUATION_LIST_ORDER
    edit_handler = ObjectList(
        [FieldPanel("subject"), FieldPanel("year"), FieldPanel("criteria_set"), FieldPanel("note")],
        base_form_class=EvaluationForm,
    )

    def get_queryset(self, request):
        return Evaluation.objects.select_related("subject", "area", "criteria_set").for_user(request.user)

    def get_extra_urlpatterns(self):
        return [
            path("score/<int:pk>/", ScoreEntryView.as_view(), name="score"),
            path("action/<int:pk>/<str:action>/", evaluation_action_view, name="action"),
            path("revoke/<int:pk>/", RevokeView.as_view(), name="revoke"),
            path("commend/<int:pk>/", CommendView.as_view(), name="commend"),
        ]


evaluation_viewset = EvaluationViewSet()


class EvaluationViewSetGroup(SnippetViewSetGroup):
    items = (evaluation_viewset, decision_viewset, commendation_viewset)
    menu_label = gettext_lazy("Evaluation and recognition")
    menu_icon = "tasks"
    menu_order = 220


evaluation_viewset_group = EvaluationViewSetGroup()
