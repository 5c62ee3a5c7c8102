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
    """The scanned decision, for users who may see decisions and reach it (see ``decisions_for_user``);
    anyone else gets a 404 that does not confirm the decision exists."""
    from ..access import decisions_for_user
    from ..models import RecognitionDecision

    if not request.user.has_perm("evaluations.view_recognitiondecision"):
        raise PermissionDenied
    decision = get_object_or_404(decisions_for_user(RecognitionDecision.objects.all(), request.user), pk=pk)
    if not decision.file:
        raise Http404
    response = FileResponse(decision.file.open("rb"), as_attachment=True, filename=decision.file_name or "quyet-dinh")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
