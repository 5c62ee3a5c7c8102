"""Admin screens: reorganisations with their preview and apply, merges and splits entered by hand, and the
review list of subjects of divided units (by area)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from evaluations.access import restrict_to_user_area, user_reaches_unit

from .forms import ManualReorganisationForm, ReviewChoiceForm
from .models import Reorganisation, ReviewItem
from .services import (
    apply_reorganisation,
    build_plan,
    confirm_review,
    divided_lines,
    manual_reorganisation,
    official_reorganisation,
    plan_lines,
    review_choices,
)


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


class IndexView(ReorganiseMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "reorganisation/index.html"
    page_title = gettext_lazy("Administrative reorganisation")
    header_icon = "site"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reorganisations"] = Reorganisation.objects.select_related("applied_by")
        return context


class OfficialView(ReorganiseMixin, View):
    """Build (or find) the official 1/7/2025 reorganisation and show its preview."""

    def get(self, request):
        try:
            reorg = official_reorganisation()
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("reorganisation:index")
        return redirect("reorganisation:preview", reorg.pk)


class PreviewView(ReorganiseMixin, WagtailAdminTemplateMixin, TemplateView):
    """What moves where and what needs review; the apply button posts here."""

    template_name = "reorganisation/preview.html"
    page_title = gettext_lazy("Reorganisation preview")
    header_icon = "site"

    def get_reorg(self):
        reorg = get_object_or_404(Reorganisation, pk=self.kwargs["pk"])
        if not _reaches_all(self.request.user, reorg):
            raise PermissionDenied
        return reorg

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reorg = self.get_reorg()
        plan = build_plan(reorg)
        context.update(
            reorganisation=reorg,
            lines=plan_lines(plan),
            divided=divided_lines(plan),
            review=plan.review[:200],
            subjects=plan.subjects[:200],
            is_empty=plan.is_empty,
        )
        return context

    def post(self, request, pk):
        reorg = self.get_reorg()
        result = apply_reorganisation(reorg, user=request.user)
        if result.changed:
            messages.success(
                request,
                _("%(name)s was applied: %(subjects)s subjects moved, %(review)s to review.")
                % {
                    "name": reorg.name,
                    "subjects": result.counts["subjects_moved"],
                    "review": result.counts["subjects_to_review"],
                },
            )
        else:
            messages.info(request, _("%(name)s was already applied: nothing changed.") % {"name": reorg.name})
        return redirect("reorganisation:preview", reorg.pk)


class ManualView(ReorganiseMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "reorganisation/manual.html"
    page_title = gettext_lazy("Enter a merge or split")
    header_icon = "site"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ManualReorganisationForm())
        return context

    def post(self, request):
        form = ManualReorganisationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            units = [*data["old_units"], *data["new_units"]]
            outside = [u for u in units if not user_reaches_unit(request.user, u)]
            if outside:
                form.add_error(None, _("“%(area)s” is outside your area.") % {"area": outside[0]})
            else:
                try:
                    reorg = manual_reorganisation(
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


class ReviewListView(WagtailAdminTemplateMixin, TemplateView):
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
        return restrict_to_user_area(items, self.request.user, field="subject__area")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        forms = kwargs.get("forms", {})
        rows = []
        for item in self.items()[:500]:
            choices = review_choices(item)
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
        form = ReviewChoiceForm(request.POST, choices=review_choices(item), prefix=f"item{item.pk}")
        if form.is_valid():
            try:
                confirm_review(item, form.cleaned_data["unit"], request.user)
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
