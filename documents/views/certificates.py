"""Certificates in the admin: all of a decision's, one evaluation's, or the selected evaluations' (bulk
action, ``documents.bulk_actions``). Access by area as for the evaluations themselves; many certificates
are written by a background job the officer follows on "My exports"."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from evaluations.access import user_may_read_evaluations
from evaluations.models import Evaluation, RecognitionDecision
from reports import exports

from ..certificates import certifiable, print_certificates
from ..downloads import document_file_name, document_response, record_download
from ..formats import document_language

LISTING = "certificates"


def _readable_evaluations(user):
    if not user_may_read_evaluations(user):
        raise PermissionDenied
    return Evaluation.objects.for_user(user)


def public_base_url(request) -> str:
    """Where the QR codes lead: this site, as the officer reached it."""
    return request.build_absolute_uri("/")


def deliver_certificates(request, *, evaluations, filters: dict, title: str, about: str, back: str):
    """The certificates of ``evaluations`` (already within the user's area): the PDF at once, or, for many,
    a background job and its page. ``filters`` say what was printed (kept with the download record)."""
    count = certifiable(evaluations).count()
    if not count:
        messages.warning(request, _("No certificate to print: none of these evaluations is recognised."))
        return redirect(back)
    base_url = public_base_url(request)
    if count > settings.DOCUMENT_BACKGROUND_SUBJECTS:
        job = exports.document_job_start(
            user=request.user,
            listing=LISTING,
            file_format="pdf",
            filters={**filters, "base_url": base_url, "title": title, "about": about},
            total=count,
        )
        messages.info(
            request,
            ngettext(
                "%(count)s certificate: the file is being written in the background.",
                "%(count)s certificates: the file is being written in the background.",
                count,
            )
            % {"count": number_format(count, force_grouping=True)},
        )
        return redirect("reports:export_job", job.pk)
    data, printed = print_certificates(evaluations, base_url=base_url)
    record_download(user=request.user, document=LISTING, file_format="pdf", filters=filters, row_count=printed)
    with document_language():
        name = document_file_name(_("certificates"), about, file_format="pdf")
    return document_response(data, file_name=name, file_format="pdf")


def decision_certificates(request, pk: int):
    """Every certificate of a recognition decision that the user's area holds."""
    decision = get_object_or_404(RecognitionDecision.objects.for_user(request.user), pk=pk)
    evaluations = _readable_evaluations(request.user).filter(decision=decision)
    with document_language():
        title = _("Certificates – decision %(number)s") % {"number": decision.number}
    return deliver_certificates(
        request,
        evaluations=evaluations,
        filters={"decision": decision.pk},
        title=title,
        about=decision.number,
        back=_decision_page(decision),
    )


def evaluation_certificate(request, pk: int):
    """The certificate of one recognised evaluation."""
    evaluation = get_object_or_404(_readable_evaluations(request.user), pk=pk)
    return deliver_certificates(
        request,
        evaluations=Evaluation.objects.filter(pk=evaluation.pk),
        filters={"evaluations": [evaluation.pk]},
        title="",
        about=str(evaluation.pk),
        back=_evaluation_page(evaluation),
    )


def _decision_page(decision) -> str:
    return reverse("wagtailsnippets_evaluations_recognitiondecision:inspect", args=[decision.pk])


def _evaluation_page(evaluation) -> str:
    return reverse("wagtailsnippets_evaluations_evaluation:inspect", args=[evaluation.pk])


def write_certificates_job(job, progress):
    """The background side (``reports.exports.DOCUMENT_WRITERS``): the same certificates, the user's access
    read anew."""
    filters = job.filters
    evaluations = _readable_evaluations(job.user)
    if "decision" in filters:
        decision = RecognitionDecision.objects.for_user(job.user).filter(pk=filters["decision"]).first()
        if decision is None:
            raise PermissionDenied
        evaluations = evaluations.filter(decision=decision)
    else:
        evaluations = evaluations.filter(pk__in=filters.get("evaluations", []))
    data, count = print_certificates(evaluations, base_url=filters["base_url"], progress=progress)
    kept = {key: value for key, value in filters.items() if key in ("decision", "evaluations")}
    record_download(user=job.user, document=LISTING, file_format="pdf", filters=kept, row_count=count)
    with document_language():
        name = document_file_name(_("certificates"), filters.get("about", ""), job.pk, file_format="pdf")
    return data, name, count
