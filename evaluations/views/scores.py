"""Score entry: every criterion and indicator of the set on one form, with maxima, guidance and evidence.

Only a draft is edited, by one officer at a time (an edit lock taken when the form opens), and a form
opened before someone else saved is refused rather than saved over newer scores; the refused entries
are shown again so nothing typed is lost.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import View

from evaluations.admin_screen import AdminScreenMixin

from .. import services
from ..access import user_may_read_evaluations
from ..calendar import time_label
from ..evidence import evidence_held, held_discard, held_file
from ..forms import ScoreEntryForm
from ..models import Evaluation
from ..points import points_text


def _url(name: str, *args) -> str:
    return reverse(Evaluation.snippet_viewset.get_url_name(name), args=args)


class ScoreEntryView(AdminScreenMixin, View):
    template_name = "evaluations/admin/score_entry.html"
    header_icon = "form"

    def dispatch(self, request, pk: int):
        user = request.user
        if not user_may_read_evaluations(user):
            raise PermissionDenied
        self.evaluation = get_object_or_404(
            Evaluation.objects.for_user(user).select_related("subject", "criteria_set", "area", "locked_by"), pk=pk
        )
        self.can_edit = user.has_perm("evaluations.change_evaluation")
        return super().dispatch(request, pk)

    def get_page_title(self):
        return _("Scores")

    def get_page_subtitle(self):
        return str(self.evaluation)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": _url("list"), "label": Evaluation._meta.verbose_name_plural.capitalize()},
            {"url": _url("inspect", self.evaluation.pk), "label": str(self.evaluation)},
            {"url": "", "label": _("Scores")},
        ]

    def read_only_reason(self) -> str | None:
        """Why this user cannot change the scores now, or None."""
        if not self.can_edit:
            return _("You can read these scores but not change them.")
        if not services.evaluation_may_change(evaluation=self.evaluation):
            return _(
                "This evaluation is “%(status)s”: scores change only in a draft. "
                "A reviewer can return it to draft; a recognition changes only by revocation."
            ) % {"status": self.evaluation.get_status_display()}
        holder = services.evaluation_edit_lock_holder(evaluation=self.evaluation, user=self.request.user)
        if holder is not None:
            return _("%(user)s is editing these scores (since %(time)s). Try again when they have finished.") % {
                "user": holder.get_full_name() or holder.get_username(),
                "time": time_label(self.evaluation.locked_at),
            }
        return None

    def get(self, request, pk: int):
        reason = self.read_only_reason()
        if reason is None:
            services.evaluation_take_edit_lock(evaluation=self.evaluation, user=request.user)
        return self.render(ScoreEntryForm(evaluation=self.evaluation, read_only=reason is not None), reason)

    def post(self, request, pk: int):
        if request.POST.get("action") == "release":
            services.evaluation_release_edit_lock(evaluation=self.evaluation, user=request.user)
            messages.success(request, _("You have finished editing; others can edit these scores now."))
            return HttpResponseRedirect(_url("inspect", self.evaluation.pk))
        reason = self.read_only_reason()
        form = ScoreEntryForm(request.POST, request.FILES, evaluation=self.evaluation, held=self.held_files())
        if reason is not None:
            messages.error(request, _("The scores were not saved.") + " " + reason)
            return self.render(form, reason, status=409)
        if not form.is_valid():
            messages.error(request, _("The scores were not saved. Correct the fields marked below."))
            return self.render_again(form)
        values, self_values, notes = form.score_values()
        try:
            with transaction.atomic():
                result = services.evaluation_record_scores(
                    evaluation=self.evaluation,
                    values=values,
                    self_values=self_values,
                    notes=notes,
                    user=request.user,
                    expected_version=form.cleaned_data["version"],
                )
                services.evaluation_take_edit_lock(evaluation=self.evaluation, user=request.user)
                description = form.cleaned_data.get("evidence_description", "")
                indicators = {indicator.pk: indicator for indicator in form.indicators()}
                uploads = [
                    *form.uploads(),
                    *((indicators[held.indicator_id], held_file(held)) for held in form.held),
                ]
                for indicator, upload in uploads:
                    services.evidence_add(
                        evaluation=self.evaluation,
                        upload=upload,
                        indicator=indicator,
                        description=description,
                        user=request.user,
                    )
                transaction.on_commit(lambda: [held_discard(held) for held in form.held])
        except services.StaleEdit as stale:
            form.reopen_on(stale.evaluation.version)
            revision = stale.evaluation.latest_revision
            who = revision.user if revision else None
            messages.error(
                request,
                _(
                    "Nothing was saved: %(user)s saved these scores at %(time)s, after you opened the form. "
                    "Your entries are shown below; compare them with the saved scores and save again."
                )
                % {
                    "user": (who.get_full_name() or who.get_username()) if who else _("someone"),
                    "time": time_label(revision.created_at, with_day=True) if revision else "?",
                },
            )
            return self.render_again(form, status=409)
        except services.WorkflowError as exc:
            messages.error(request, str(exc))
            return self.render(form, str(exc), status=409)
        except ValidationError as exc:
            form.add_error(None, exc)
            messages.error(request, _("The scores were not saved. Correct the fields marked below."))
            return self.render_again(form)
        messages.success(
            request,
            _("Scores saved: total %(total)s, %(grade)s, %(result)s.")
            % {
                "total": points_text(result.total),
                "grade": result.grade,
                "result": self.evaluation.get_result_display(),
            },
        )
        return HttpResponseRedirect(request.path)

    def held_files(self):
        """The files held from an earlier attempt that the officer left ticked (``held`` tokens), of this
        evaluation, this user and this set's indicators."""
        indicator_ids = set(
            self.evaluation.criteria_set.criteria.values_list("indicators__pk", flat=True).exclude(indicators__pk=None)
        )
        found = []
        for token in self.request.POST.getlist("held")[:50]:
            held = evidence_held(token, evaluation_id=self.evaluation.pk, user_id=self.request.user.pk)
            if held is not None and held.indicator_id in indicator_ids and held not in found:
                found.append(held)
        return found

    def render_again(self, form, status: int = 400):
        """The form with its errors; the files sent with it are held, not lost."""
        form.hold_uploads(self.request.user)
        if form.held:
            messages.info(
                self.request,
                ngettext(
                    "%(count)s file you attached is kept and will be saved with the scores.",
                    "%(count)s files you attached are kept and will be saved with the scores.",
                    len(form.held),
                )
                % {"count": len(form.held)},
            )
        return self.render(form, status=status)

    def render(self, form, read_only_reason: str | None = None, status: int = 200):
        self.evaluation.refresh_from_db()
        result = services.evaluation_result(self.evaluation)
        self_result = services.evaluation_self_result(self.evaluation) if form.self_assessment else None
        context = self.get_context_data(
            form=form,
            evaluation=self.evaluation,
            result=result,
            self_result=self_result,
            read_only_reason=read_only_reason,
            criterion_results={c.number: c for c in result.criteria},
            evidence=self.evaluation.evidence.filter(indicator=None).select_related("uploaded_by"),
            evidence_by_indicator=self.evidence_by_indicator(),
            inspect_url=_url("inspect", self.evaluation.pk),
        )
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def evidence_by_indicator(self) -> dict[int, list]:
        """Stored evidence by indicator id: listed beside the indicator it supports."""
        found: dict[int, list] = {}
        for item in self.evaluation.evidence.exclude(indicator=None).order_by("uploaded_at", "pk"):
            found.setdefault(item.indicator_id, []).append(item)
        return found
