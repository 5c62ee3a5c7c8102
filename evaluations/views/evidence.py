from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from ..models import Evidence
from ..selectors import evaluation_visible_to


@login_required
def evidence_download(request, pk: int):
    """Serve one evidence file to a user allowed to see its evaluation; never from a public URL."""
    evidence = get_object_or_404(Evidence.objects.select_related("evaluation__area"), pk=pk)
    if not evaluation_visible_to(user=request.user, evaluation=evidence.evaluation):
        raise PermissionDenied
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=evidence.original_name)
    response["Content-Type"] = evidence.content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def decision_file_download(request, pk: int):
    """The scanned decision, for users who may see decisions of its area."""
    from ..access import user_reaches_unit
    from ..models import RecognitionDecision

    decision = get_object_or_404(RecognitionDecision.objects.select_related("area"), pk=pk)
    if not request.user.has_perm("evaluations.view_recognitiondecision") or not user_reaches_unit(
        request.user, decision.area
    ):
        raise PermissionDenied
    if not decision.file:
        raise Http404
    response = FileResponse(decision.file.open("rb"), as_attachment=True, filename=decision.file_name or "quyet-dinh")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
