"""The public page a certificate's QR code opens: is this certificate valid? Rate limited per address; says
the subject's name only when the subject may be published (the one public rule), otherwise only the kind,
year and commune."""

from __future__ import annotations

from django.conf import settings
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from config.rate_limit import over_limit
from evaluations.models import Evaluation, EvaluationStatus, SubjectKind
from evaluations.models.units import communes_by_path

from ..codes import CODE_LENGTH, code_display, normalised_code
from ..models import Certificate


def verify_certificate(request, code: str | None = None):
    typed = code if code is not None else request.GET.get("code", "")
    context = {"typed": typed.strip()[:40], "code_length": CODE_LENGTH}
    if not typed.strip():
        return TemplateResponse(request, "documents/verify.html", context)
    limit, window = settings.CERTIFICATE_VERIFY_RATE
    if over_limit(request, scope="verify", limit=limit, window=window):
        context["error"] = _(
            "Too many look-ups from your connection. Please wait %(minutes)s minutes and try again."
        ) % {"minutes": max(1, window // 60)}
        response = TemplateResponse(request, "documents/verify.html", context, status=429)
        response["Retry-After"] = str(window)
        return response
    wanted = normalised_code(typed)
    certificate = (
        Certificate.objects.select_related(
            "evaluation__subject", "evaluation__area", "evaluation__decision", "evaluation__revocation"
        )
        .filter(code=wanted)
        .first()
        if len(wanted) == CODE_LENGTH
        else None
    )
    if certificate is None:
        context["error"] = _("No certificate has the code “%(code)s”. Check the code printed under the QR code.") % {
            "code": context["typed"]
        }
        return TemplateResponse(request, "documents/verify.html", context, status=404)
    evaluation = certificate.evaluation
    commune = communes_by_path([evaluation.area.path]).get(evaluation.area.path)
    shows_name = Evaluation.objects.public().filter(pk=evaluation.pk).exists()
    context.update(
        certificate=certificate,
        code=code_display(certificate.code),
        evaluation=evaluation,
        kind_label=SubjectKind(evaluation.kind).label,
        commune=commune.name if commune else evaluation.area.name,
        valid=evaluation.status == EvaluationStatus.RECOGNISED and evaluation.decision_id is not None,
        revoked=evaluation.status == EvaluationStatus.REVOKED,
        name=str(evaluation.subject) if shows_name else "",
        village=evaluation.area.name if shows_name and commune and commune.pk != evaluation.area_id else "",
    )
    response = TemplateResponse(request, "documents/verify.html", context)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
