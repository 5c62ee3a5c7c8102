"""The field app's JSON API (issue 19): the session (who is signed in, the CSRF token), the villages an officer
reaches, their work to take offline, the outbox's sync and evidence photos. Same-origin, signed in by the
Django session; the sync and the uploads are POSTs under CSRF protection (the app sends the ``X-CSRFToken``
header with the token the session endpoint gives: the cookie is HttpOnly). Every record comes from
``for_user``: a refusal never names what the user may not see."""

from __future__ import annotations

import functools
import json
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db.models import Q
from django.http import JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.http.request import RawPostDataException
from django.middleware.csrf import get_token
from django.template.defaultfilters import filesizeformat
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe

from evaluations.access import user_may_read_evaluations
from evaluations.calendar import current_evaluation_year, evaluation_date, year_end
from evaluations.models import (
    AdministrativeUnit,
    CriteriaSet,
    Evaluation,
    EvaluationStatus,
    Score,
    Subject,
    UnitLevel,
)
from evaluations.models.area import MAX_PK
from evaluations.models.subjects import on_register_q
from evaluations.models.units import communes_by_path
from evaluations.params import Param, ParameterError
from evaluations.selectors import criteria_sets_in_force

from . import sync
from .serialise import criteria_set_json, evaluation_json, evidence_rows, subject_json

#: Villages one download may take (a commune has a few dozen).
MAX_VILLAGES = 100
#: Entries one sync may carry, and the largest body (a scored evaluation is well under 2 kB).
MAX_ENTRIES = 500
MAX_BODY_BYTES = 2_000_000
#: What an evidence upload's body may hold beside the file itself (the multipart framing, the other fields).
UPLOAD_OVERHEAD_BYTES = 64 * 1024

VILLAGE = Param("village", "integer", "A village's id; repeat for several villages.", minimum=1, maximum=MAX_PK)
YEAR = Param("year", "integer", "Evaluation year; the current one when omitted.", minimum=2000, maximum=2100)


def _json(data, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def error_response(message: str, *, parameter: str | None = None, status: int = 400) -> JsonResponse:
    """``{"error": {"parameter", "message"}}``, as the open-data API answers a wrong parameter."""
    error = {"message": message}
    if parameter:
        error = {"parameter": parameter, **error}
    return _json({"error": error}, status=status)


def field_api(*, write: bool = False):
    """Signed in, allowed to read evaluations (and to change them for ``write``); JSON refusals otherwise."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return error_response(_("Sign in to use the field app."), status=403)
            allowed = user_may_read_evaluations(user) and (not write or user.has_perm("evaluations.change_evaluation"))
            if not allowed:
                return error_response(_("You may not use the field app."), status=403)
            return view(request, *args, **kwargs)

        return never_cache(wrapped)

    return decorator


#: Where the phone's work lies: villages, and communes themselves (their units, schools, commune-level
#: communities are recorded on the commune, not in a village).
PLACE_LEVELS = (UnitLevel.VILLAGE, UnitLevel.COMMUNE)


def reachable_villages(user):
    """Villages and communes in force today in the user's area."""
    return AdministrativeUnit.objects.for_user(user).current().filter(level__in=PLACE_LEVELS)


def _villages_json(villages) -> list[dict]:
    communes = communes_by_path(v.path for v in villages)
    return [
        {
            "id": v.pk,
            "name": v.name,
            "level": v.level,
            "commune": {"id": communes[v.path].pk, "name": communes[v.path].name} if v.path in communes else None,
        }
        for v in villages
    ]


@require_safe
@field_api()
def session(request):
    """Who is signed in and what they may do, and the CSRF token to send as ``X-CSRFToken`` with the POSTs
    (the cookie is HttpOnly, out of the app's reach)."""
    user = request.user
    return _json(
        {
            "user": {"id": user.pk, "name": user.get_full_name() or user.get_username()},
            "csrf_token": get_token(request),
            "may_score": user.has_perm("evaluations.change_evaluation"),
            "may_start": user.has_perm("evaluations.add_evaluation"),
            "year": current_evaluation_year(),
            "language": get_language(),
            "max_entries": MAX_ENTRIES,
            "max_upload_bytes": settings.EVIDENCE_MAX_UPLOAD_SIZE,
        }
    )


@require_safe
@field_api()
def villages(request):
    """``[{"id", "name", "level", "commune": {"id", "name"}}]``: the places the officer may take offline
    (villages, and communes themselves for their own units and communities)."""
    return _json(_villages_json(list(reachable_villages(request.user).order_by("path"))))


@require_safe
@field_api()
def work(request):
    """The work of the chosen villages for a year: subjects, open evaluations, and the criteria sets."""
    raws = request.GET.getlist("village")
    if not any(raws):
        return error_response(
            _("Parameter “%(name)s” is required: give one or more village ids.") % {"name": "village"},
            parameter="village",
        )
    if len(raws) > MAX_VILLAGES:
        return error_response(
            _("Parameter “%(name)s”: at most %(max)s villages at once.") % {"name": "village", "max": MAX_VILLAGES},
            parameter="village",
        )
    try:
        ids = {VILLAGE.parse(raw) for raw in raws if raw != ""}
        year = YEAR.parse(request.GET.get("year")) or current_evaluation_year()
    except ParameterError as error:
        return error_response(error.message, parameter=error.parameter)
    chosen = list(reachable_villages(request.user).filter(pk__in=ids).order_by("path"))
    if len(chosen) != len(ids):
        # Whether it does not exist, has ended or lies outside the area: the same answer, naming nothing.
        return error_response(_("Not found."), status=404)

    user = request.user
    on_register = Subject.objects.for_user(user).filter(
        on_register_q(evaluation_date(year)), area__in=chosen, is_active=True
    )
    subjects = list(on_register.order_by("name_folded", "pk"))
    # The evaluations by a subquery: a commune's thousands of ids as parameters cost more than the query.
    of_year = Evaluation.objects.for_user(user).filter(subject__in=on_register.values("pk"), year=year)
    evaluations = list(of_year.filter(status=EvaluationStatus.DRAFT).order_by("pk"))
    # A subject whose evaluation has gone on (submitted, reviewed, decided) is not to be started again offline;
    # only its status is read (most of a commune's subjects are in this case late in the year).
    closed = dict(of_year.exclude(status=EvaluationStatus.DRAFT).values_list("subject_id", "status"))
    scores = defaultdict(list)
    for score in Score.objects.filter(evaluation__in=evaluations).select_related("indicator").order_by("pk"):
        scores[score.evaluation_id].append(score)
    evidence = defaultdict(list)
    for row in evidence_rows(evaluations):
        evidence[row["evaluation_id"]].append(row)
    set_ids = {e.criteria_set_id for e in evaluations}
    kinds = {s.kind for s in subjects}
    criteria_sets = (
        CriteriaSet.objects.filter(Q(pk__in=set_ids) | Q(pk__in=criteria_sets_in_force(kinds, year).values("pk")))
        .prefetch_related("grade_bands", "criteria__indicators")
        .order_by("kind", "code", "-version")
    )
    return _json(
        {
            "year": year,
            "year_end": year_end(year).isoformat(),
            "villages": _villages_json(chosen),
            "subjects": [subject_json(s, closed.get(s.pk)) for s in subjects],
            "evaluations": [evaluation_json(e, scores[e.pk], evidence[e.pk]) for e in evaluations],
            "criteria_sets": [criteria_set_json(cs) for cs in criteria_sets],
        }
    )


@require_POST
@field_api(write=True)
def sync_view(request):
    """Apply ``{"entries": [...]}`` in order; ``{"results": [...]}`` answers each (see ``field.sync``)."""
    too_big = _("The request is too large; send at most %(max)s entries at once.") % {"max": MAX_ENTRIES}
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        return error_response(too_big)
    not_json = _("The request body must be JSON.")
    if request.content_type != "application/json":
        # A form's body has been read already (by the CSRF check), and is no outbox anyway.
        return error_response(not_json)
    try:
        body = request.body
    except RequestDataTooBig:
        return error_response(too_big)
    except RawPostDataException:
        return error_response(not_json)
    if len(body) > MAX_BODY_BYTES:
        return error_response(too_big)
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return error_response(not_json)
    entries = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return error_response(_("The request body must be an object with a list of “entries”."), parameter="entries")
    if len(entries) > MAX_ENTRIES:
        return error_response(too_big, parameter="entries")
    return _json({"results": sync.apply_entries(entries, request.user)})


@csrf_protect
def _evidence_upload(request):
    if not request.content_type.startswith("multipart/form-data"):
        return error_response(_("Send the file as a multipart form (multipart/form-data)."))
    return _json(sync.upload_evidence(request.POST, request.FILES.get("file"), request.user))


def _upload_too_big() -> str:
    return _("The file is too large; the largest file accepted is %(limit)s.") % {
        "limit": filesizeformat(settings.EVIDENCE_MAX_UPLOAD_SIZE)
    }


@csrf_exempt  # checked in _evidence_upload, once the body is known not to be too large to read
@require_POST
@field_api(write=True)
def evidence(request):
    """Add a photo of evidence (``file``, resized on the phone) to an evaluation: a multipart form of ``id`` (the
    entry's id), ``evaluation`` (an id or a client reference), optional ``indicator`` and ``description``.
    Answers ``{"id", "status", "evidence", "errors"}`` like a sync entry, and the same again for the same id."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.EVIDENCE_MAX_UPLOAD_SIZE + UPLOAD_OVERHEAD_BYTES:
        return error_response(_upload_too_big())
    try:
        request.POST  # noqa: B018 (read here, where a body too large to read is answered in JSON)
    except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
        return error_response(_upload_too_big())
    except (MultiPartParserError, UnreadablePostError):
        return error_response(_("Send the file as a multipart form (multipart/form-data)."))
    return _evidence_upload(request)
