"""The public self-assessment form a slip's code opens (/tu-danh-gia/<code>/), and the page to type a code.

Like the certificate check: every look-up and submission counts against the client address's limit
(``SELF_ASSESSMENT_RATE``: 429 with Retry-After); never stored by a cache (no-store) nor indexed. An unknown
code is a 404 saying nothing more; an expired one says only that it expired. A code opens its own subject's
self-assessment and nothing else: no verified score, no officer's note, no other subject."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from config.rate_limit import over_limit
from documents.codes import CODE_LENGTH, code_display, normalised_code
from evaluations.models import EvaluationResult, SubjectKind
from evaluations.models.units import communes_by_path
from evaluations.points import points_text
from evaluations.services import evaluation_self_result

from .forms import MET_ANSWERS, SelfAssessmentForm
from .self_assessment import (
    PHOTOS_PER_SUBMISSION,
    SubmissionRefused,
    closed_reason,
    code_evaluation,
    code_lookup,
    form_criteria_set,
    submit_self_assessment,
)

CODE_TEMPLATE = "field/self_assessment_code.html"
FORM_TEMPLATE = "field/self_assessment.html"


def _private(response):
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _code_page(request, *, error: str = "", typed: str = "", status: int = 200):
    context = {"error": error, "typed": typed[:40], "code_length": CODE_LENGTH}
    return _private(TemplateResponse(request, CODE_TEMPLATE, context, status=status))


@require_safe
def self_assessment_form(request):
    """Where the code is typed by hand; a typed code leads to its form (counted and checked there)."""
    wanted = normalised_code(request.GET.get("code", ""))[:40]
    if wanted:
        return redirect("self_assessment", code=wanted)
    return _code_page(request)


@require_http_methods(["GET", "HEAD", "POST"])
def self_assessment(request, code: str):
    limit, window = settings.SELF_ASSESSMENT_RATE
    if over_limit(request, scope="self-assessment", limit=limit, window=window):
        error = _("Too many attempts from your connection. Please wait %(minutes)s minutes and try again.") % {
            "minutes": max(1, window // 60)
        }
        response = _code_page(request, error=error, status=429)
        response["Retry-After"] = str(window)
        return response
    found = code_lookup(code)
    if found is None:
        return _code_page(
            request,
            error=_("No self-assessment slip has this code. Check the code printed on the slip."),
            typed=code,
            status=404,
        )
    if found.has_expired():
        return _code_page(
            request,
            error=_(
                "This code has expired. Please ask the commune's association (or your village officer) "
                "for a new self-assessment slip."
            ),
            status=410,
        )
    evaluation = code_evaluation(found)
    criteria_set = form_criteria_set(found, evaluation)
    closed = closed_reason(evaluation)
    status = 200
    if request.method == "POST":
        form = SelfAssessmentForm(request.POST, request.FILES, criteria_set=criteria_set, evaluation=evaluation)
        if closed:
            status = 409
        elif form.is_valid():
            try:
                submit_self_assessment(found, self_values=form.self_values(), photos=form.cleaned_data["photos"])
            except SubmissionRefused as refusal:
                form.add_error(None, str(refusal))
                status = 409
            else:
                return redirect(reverse("self_assessment", args=[found.code]) + "?sent=1")
        else:
            status = 400
    else:
        form = SelfAssessmentForm(criteria_set=criteria_set, evaluation=evaluation)
    subject = found.subject
    commune = communes_by_path([subject.area.path]).get(subject.area.path)
    context = {
        "code": found,
        "code_text": code_display(found.code),
        "subject": subject,
        "kind_label": SubjectKind(subject.kind).label,
        "place": subject.area.name
        if commune is None or commune.pk == subject.area_id
        else f"{subject.area.name}, {commune.name}",
        "year": found.year,
        "criteria_set": criteria_set,
        "form": form,
        "photos": form["photos"],
        "errors": form.error_list() if form.is_bound else [],
        "closed": closed,
        "sent": request.GET.get("sent") == "1" and found.submitted_at is not None,
        "summary": _summary(evaluation, criteria_set) if evaluation is not None else None,
        "photo_limit": PHOTOS_PER_SUBMISSION,
        "action": reverse("self_assessment", args=[found.code]),
    }
    return _private(TemplateResponse(request, FORM_TEMPLATE, context, status=status))


def _summary(evaluation, criteria_set) -> dict | None:
    """What the family recorded and the result it gives by the set's rules (the self columns only), or None
    before it sent anything."""
    stored = {s.indicator_id: s for s in evaluation.scores.all()}
    if not any(s.self_points is not None or s.self_met is not None for s in stored.values()):
        return None
    met_labels = dict(MET_ANSWERS)
    rows = []
    for criterion in criteria_set.criteria.all():
        for indicator in criterion.indicators.all():
            score = stored.get(indicator.pk)
            if indicator.is_pass_fail:
                value = "" if score is None or score.self_met is None else met_labels["1" if score.self_met else "0"]
            else:
                value = "" if score is None or score.self_points is None else points_text(score.self_points)
            rows.append({"indicator": indicator, "value": value})
    result = evaluation_self_result(evaluation)
    return {
        "rows": rows,
        "total": points_text(result.total) if result.total is not None else "",
        "maximum": points_text(criteria_set.max_total) if result.total is not None else "",
        "grade": result.grade,
        "result": EvaluationResult(result.result).label,
    }
