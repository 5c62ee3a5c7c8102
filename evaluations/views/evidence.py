from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from ..access import user_may_read_evaluations
from ..models import Evidence


@login_required
def evidence_download(request, pk: int):
    """Serve one evidence file to a user allowed to see evaluations, of their area only (anything else,
    existing or not, is the same 404); never from a public URL."""
    user = request.user
    if not user_may_read_evaluations(user):
        raise PermissionDenied
    evidence = get_object_or_404(Evidence.objects.for_user(user), pk=pk)
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
    """The scanned decision, for users who may see decisions and reach it (``for_user``);
    anyone else gets a 404 that does not confirm the decision exists."""
    from ..models import RecognitionDecision

    if not request.user.has_perm("evaluations.view_recognitiondecision"):
        raise PermissionDenied
    decision = get_object_or_404(RecognitionDecision.objects.for_user(request.user), pk=pk)
    if not decision.file:
        raise Http404
    response = FileResponse(decision.file.open("rb"), as_attachment=True, filename=decision.file_name or "quyet-dinh")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
