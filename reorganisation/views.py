"""Admin screens: reorganisations with their preview and confirmed apply (with its progress), merges and
splits entered by hand, and the review list of subjects of divided units (by area)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from evaluations.access import user_reaches_unit
from evaluations.admin_screen import AdminScreenMixin

from . import runs
from .forms import ApplyConfirmForm, ManualReorganisationForm, ReviewChoiceForm
from .models import RUN_IN_PROGRESS, ApplyPhase, Reorganisation, ReorganisationRun, ReviewItem, RunStatus
from .planning import count_lines, divided_lines, plan_lines, reorganisation_plan
from .review import review_item_choices, review_item_confirm
from .services import reorganisation_create_manual, reorganisation_create_official


def can_reorganise(user) -> bool:
    return user.is_active and user.has_perm("reorganisation.change_reorganisation")


def can_review(user) -> bool:
    return user.is_active and (user.has_perm("evaluations.change_evaluation") or can_reorganise(user))


def _reaches_all(user, reorg: Reorganisation) -> bool:
    return all(user_reaches_unit(user, step.old_unit) for step in reorg.steps.select_related("old_unit"))


class ReorganiseMixin:
    def dispatch(self, request, *args, **kwargs):
        if not can_reorganise(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class IndexView(ReorganiseMixin, AdminScreenMixin, TemplateView):
    template_name = "reorganisation/index.html"
    page_title = gettext_lazy("Administrative reorganisation")
    header_icon = "site"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reorganisations = list(Reorganisation.objects.select_related("applied_by"))
        in_progress = {}
        for run in ReorganisationRun.objects.filter(status__in=RUN_IN_PROGRESS):
            run = runs.run_refresh_status(run)
            if run.is_in_progress:
                in_progress[run.reorganisation_id] = run
        for reorg in reorganisations:
            reorg.run_in_progress = in_progress.get(reorg.pk)
        context["reorganisations"] = reorganisations
        return context


class OfficialView(ReorganiseMixin, View):
    """Build (or find) the official 1/7/2025 reorganisation and show its preview."""

    def get(self, request):
        try:
            reorg = reorganisation_create_official()
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("reorganisation:index")
        return redirect("reorganisation:preview", reorg.pk)


class ReorganisationMixin(ReorganiseMixin):
    """The reorganisation of the URL, for users who reach every one of its old units."""

    def get_reorg(self) -> Reorganisation:
        if not hasattr(self, "_reorg"):
            reorg = get_object_or_404(Reorganisation, pk=self.kwargs["pk"])
            if not _reaches_all(self.request.user, reorg):
                raise PermissionDenied
            self._reorg = reorg
        return self._reorg

    def reorganisation_breadcrumbs(self) -> list[dict]:
        """Home › Administrative reorganisation › this reorganisation (its preview)."""
        reorg = self.get_reorg()
        return [
            *AdminScreenMixin.breadcrumbs_items,
            {"url": reverse("reorganisation:index"), "label": _("Administrative reorganisation")},
            {"url": reverse("reorganisation:preview", args=[reorg.pk]), "label": reorg.name},
        ]


class PreviewView(ReorganisationMixin, AdminScreenMixin, TemplateView):
    """What moves where and what needs review, and the confirmation that applies it (POST only)."""

    template_name = "reorganisation/preview.html"
    page_title = gettext_lazy("Reorganisation preview")
    header_icon = "site"

    def get_breadcrumbs_items(self):
        return self.reorganisation_breadcrumbs()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reorg = self.get_reorg()
        plan = reorganisation_plan(reorganisation=reorg)
        context.update(
            reorganisation=reorg,
            lines=plan_lines(plan),
            divided=divided_lines(plan),
            review=plan.review[:200],
            subjects=plan.subjects[:200],
            is_empty=plan.is_empty,
            form=kwargs.get("form") or ApplyConfirmForm(),
            run_in_progress=runs.run_in_progress(reorg),
            last_run=reorg.runs.select_related("requested_by").first(),
            in_background=runs.reorganisation_size(reorg) > runs.inline_max_subjects(),
        )
        return context

    def post(self, request, pk):
        reorg = self.get_reorg()
        form = ApplyConfirmForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors["confirm"]))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        run, started = runs.run_start(reorg, user=request.user)
        if not started:
            messages.warning(
                request,
                _("%(name)s is already being applied: nothing new was started. Its progress is below.")
                % {"name": reorg.name},
            )
        elif run.is_in_progress:
            messages.info(
                request,
                _(
                    "%(name)s was queued to be applied in the background: this page shows its progress, "
                    "then the outcome."
                )
                % {"name": reorg.name},
            )
        elif run.status == RunStatus.FAILED:
            messages.error(request, run.message)
        elif run.changed:
            messages.success(
                request,
                _("%(name)s was applied: %(subjects)s subjects moved, %(review)s to review.")
                % {
                    "name": reorg.name,
                    "subjects": run.counts["subjects_moved"],
                    "review": run.counts["subjects_to_review"],
                },
            )
        else:
            messages.info(request, _("%(name)s was already applied: nothing changed.") % {"name": reorg.name})
        return redirect("reorganisation:run", reorg.pk, run.pk)


class RunView(ReorganisationMixin, AdminScreenMixin, TemplateView):
    """One apply of a reorganisation: its progress while it runs (the page refreshes itself), then what
    changed, the error, or that it was interrupted with the way to start again."""

    template_name = "reorganisation/run.html"
    page_title = gettext_lazy("Applying a reorganisation")
    header_icon = "site"

    def get_breadcrumbs_items(self):
        return [*self.reorganisation_breadcrumbs(), {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reorg = self.get_reorg()
        run = get_object_or_404(reorg.runs.select_related("requested_by"), pk=self.kwargs["run_pk"])
        run = runs.run_refresh_status(run)
        context.update(
            reorganisation=reorg,
            run=run,
            progress=runs.run_progress(run),
            phases=ApplyPhase.choices,
            lines=count_lines(run.counts) if run.status == RunStatus.DONE else [],
            refresh=run.is_in_progress,
        )
        return context


class ManualView(ReorganiseMixin, AdminScreenMixin, TemplateView):
    template_name = "reorganisation/manual.html"
    page_title = gettext_lazy("Enter a merge or split")
    header_icon = "site"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ManualReorganisationForm(user=self.request.user))
        return context

    def post(self, request):
        form = ManualReorganisationForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            units = [*data["old_units"], *data["new_units"]]
            outside = [u for u in units if not user_reaches_unit(request.user, u)]
            if outside:
                form.add_error(None, _("“%(area)s” is outside your area.") % {"area": outside[0]})
            else:
                try:
                    reorg = reorganisation_create_manual(
                        name=data["name"],
                        effective_date=data["effective_date"],
                        old_units=data["old_units"],
                        new_units=data["new_units"],
                        default_unit=data["default_unit"],
                        user=request.user,
                    )
                except ValidationError as error:
                    for message in error.messages:
                        form.add_error(None, message)
                else:
                    return redirect("reorganisation:preview", reorg.pk)
        return self.render_to_response(self.get_context_data(form=form))


class ReviewListView(AdminScreenMixin, TemplateView):
    """Subjects of divided units, on the official default: officers confirm it or choose the other unit."""

    template_name = "reorganisation/review.html"
    page_title = gettext_lazy("Subjects to review after the reorganisation")
    header_icon = "tasks"

    def dispatch(self, request, *args, **kwargs):
        if not can_review(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def items(self):
        items = ReviewItem.objects.select_related(
            "subject__area", "old_unit", "proposed_unit", "chosen_unit", "confirmed_by"
        )
        return items.for_user(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        forms = kwargs.get("forms", {})
        rows = []
        for item in self.items()[:500]:
            choices = review_item_choices(item=item)
            form = forms.get(item.pk) or ReviewChoiceForm(
                choices=choices, initial={"unit": item.chosen_unit or item.proposed_unit}, prefix=f"item{item.pk}"
            )
            rows.append({"item": item, "form": form})
        context.update(rows=rows, pending=self.items().filter(confirmed_at__isnull=True).count())
        return context

    def post(self, request):
        item_id = request.POST.get("item", "")
        if not item_id.isdigit():
            raise Http404
        item = get_object_or_404(self.items(), pk=item_id)
        form = ReviewChoiceForm(request.POST, choices=review_item_choices(item=item), prefix=f"item{item.pk}")
        if form.is_valid():
            try:
                review_item_confirm(item=item, unit=form.cleaned_data["unit"], user=request.user)
            except ValidationError as error:
                form.add_error("unit", error.messages[0])
            else:
                messages.success(
                    request,
                    _("%(subject)s: %(unit)s confirmed.")
                    % {"subject": item.subject, "unit": form.cleaned_data["unit"]},
                )
                return redirect("reorganisation:review")
        messages.error(request, _("Nothing was changed: %(errors)s") % {"errors": " ".join(form.errors["unit"])})
        return TemplateResponse(request, self.template_name, self.get_context_data(forms={item.pk: form}), status=400)
