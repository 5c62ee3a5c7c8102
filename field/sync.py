"""Applying the field app's outbox: entries in order, each in its own transaction, each at most once.

An entry is ``{"id": "<client uuid>", "kind": ..., ...}``:

- ``create_evaluation``: ``{"subject", "year", "criteria_set", "client_ref"}`` -> ``evaluation_create``;
- ``record_scores``: ``{"evaluation": id or client_ref, "based_on_version", "values", "notes", "self_values"}``
  (``self_values``: the subject's self-assessment, for a set that takes one) ->
  ``evaluation_record_scores`` with ``expected_version``: a save made meanwhile is a ``conflict`` answered
  with the server's state, never overwritten.

A photo of evidence travels on its own (a multipart POST, ``upload_evidence``), under the same rules: its
``id`` is an entry's id, its ``evaluation`` an id or a client reference, and its answer is stored likewise.

Every answer is stored (``SyncEntry``) under the user and the entry's id before the transaction commits, so
an entry sent again answers the same without being applied twice. A refusal names only what the user reaches.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from evaluations import scoring
from evaluations.evidence import validate_evidence_file
from evaluations.models import CriteriaSet, Evaluation, Evidence, Indicator, Score, Subject
from evaluations.models.area import parse_pk
from evaluations.points import PointsError, points_parse
from evaluations.services import (
    StaleEdit,
    WorkflowError,
    evaluation_create,
    evaluation_record_scores,
    evidence_add,
)
from evaluations.services.locks import evaluation_edit_lock_holder
from evaluations.services.workflow import evaluation_may_change

from .models import SyncEntry
from .serialise import evaluation_json, evidence_json

CREATE_EVALUATION = "create_evaluation"
RECORD_SCORES = "record_scores"
KINDS = (CREATE_EVALUATION, RECORD_SCORES)
#: The kind stored for an evidence upload (``upload_evidence``), which comes by its own endpoint.
UPLOAD_EVIDENCE = "upload_evidence"

APPLIED = "applied"
CONFLICT = "conflict"
REJECTED = "rejected"

MAX_ID_LENGTH = 64
MAX_NOTE_LENGTH = 500  # Score.note
MAX_DESCRIPTION_LENGTH = 500  # Evidence.description


class Refused(Exception):
    """The entry cannot be applied; ``errors`` maps a field (or an indicator's code) to the message."""

    def __init__(self, errors: dict, evaluation: dict | None = None):
        super().__init__(errors)
        self.errors = errors
        self.evaluation = evaluation


class Conflict(Exception):
    def __init__(self, evaluation: Evaluation):
        super().__init__(evaluation.pk)
        self.evaluation = evaluation


def _not_found() -> Refused:
    # The same words whether the record does not exist or lies outside the user's area.
    return Refused({"evaluation": _("This evaluation does not exist or is outside your area.")})


def _whole_number(entry: dict, name: str) -> int:
    value = entry.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise Refused({name: _("“%(name)s” must be a whole number.") % {"name": name}})
    return value


def _valid_id(client_id) -> bool:
    return isinstance(client_id, str) and bool(client_id.strip()) and len(client_id) <= MAX_ID_LENGTH


def _id_refusal() -> dict:
    return {"id": _("Each entry needs an id of at most %(max)s characters.") % {"max": MAX_ID_LENGTH}}


def apply_entries(entries: list, user) -> list[dict]:
    """The answer to each entry of ``entries``, in order."""
    return [apply_entry(entry, user) for entry in entries]


def apply_entry(entry, user) -> dict:
    client_id = entry.get("id") if isinstance(entry, dict) else None
    if not _valid_id(client_id):
        return _answer(client_id if isinstance(client_id, str) else None, REJECTED, errors=_id_refusal())
    kind = entry.get("kind")
    return apply_once(user, client_id, kind if kind in KINDS else "", lambda: _apply_new(entry, client_id, kind, user))


def apply_once(user, client_id: str, kind: str, apply, *, rolled_back=None) -> dict:
    """The answer to the entry ``client_id`` of ``user``: the stored one when it was applied (or refused)
    before, else ``apply()``'s (``(answer, client_ref)``), stored with it in one transaction. ``rolled_back``
    is called when that transaction is undone because the same entry was stored meanwhile (to remove what
    was written outside the database, such as a file)."""
    stored = SyncEntry.objects.filter(user=user, client_id=client_id).first()
    if stored is not None:
        return stored.result
    try:
        with transaction.atomic():
            answer, client_ref = apply()
            SyncEntry.objects.create(user=user, client_id=client_id, kind=kind, client_ref=client_ref, result=answer)
    except IntegrityError:
        # The same entry, sent again while the first sending was being applied: that one's answer stands
        # (this transaction, and whatever it wrote, was rolled back).
        stored = SyncEntry.objects.filter(user=user, client_id=client_id).first()
        if stored is None:
            raise
        if rolled_back is not None:
            rolled_back()
        return stored.result
    return answer


def _apply_new(entry: dict, client_id: str, kind, user) -> tuple[dict, str]:
    """Apply one entry not seen before; returns its answer and the client reference it defines."""
    client_ref = ""
    try:
        # A savepoint of its own: a refused entry leaves nothing behind, while its answer is still stored.
        with transaction.atomic():
            if kind == CREATE_EVALUATION:
                client_ref = _client_ref(entry, user)
                evaluation = _create_evaluation(entry, user)
            elif kind == RECORD_SCORES:
                evaluation = _record_scores(entry, user)
            else:
                raise Refused(
                    {"kind": _("Unknown kind of entry; use one of: %(kinds)s.") % {"kinds": ", ".join(KINDS)}}
                )
    except Refused as refusal:
        return _answer(client_id, REJECTED, evaluation=refusal.evaluation, errors=refusal.errors), ""
    except Conflict as conflict:
        errors = {
            "evaluation": _(
                "This evaluation was saved by someone else after your copy was downloaded; nothing was overwritten."
            )
        }
        return _answer(client_id, CONFLICT, evaluation=evaluation_json(conflict.evaluation), errors=errors), ""
    answer = _answer(client_id, APPLIED, evaluation=evaluation_json(evaluation))
    if client_ref:
        answer["client_ref"] = client_ref
    return answer, client_ref


def _answer(client_id, status: str, *, evaluation: dict | None = None, errors: dict | None = None) -> dict:
    return {"id": client_id, "status": status, "evaluation": evaluation, "errors": errors or {}}


def _client_ref(entry: dict, user) -> str:
    ref = entry.get("client_ref")
    if ref is None or ref == "":
        return ""
    if not isinstance(ref, str) or len(ref) > MAX_ID_LENGTH:
        raise Refused({"client_ref": _("At most %(max)s characters.") % {"max": MAX_ID_LENGTH}})
    if ref.isdigit():
        # "evaluation": "12" names the evaluation with id 12; a reference must read differently.
        raise Refused({"client_ref": _("A reference cannot be a number alone (for example “tmp-1”).")})
    if SyncEntry.objects.filter(user=user, client_ref=ref).exists():
        raise Refused({"client_ref": _("This reference is already used by another new evaluation.")})
    return ref


def _create_evaluation(entry: dict, user) -> Evaluation:
    if not user.has_perm("evaluations.add_evaluation"):
        raise Refused({"evaluation": _("You may not start evaluations.")})
    errors = {}
    subject = criteria_set = None
    subject_pk = parse_pk(Subject, entry.get("subject")) if not isinstance(entry.get("subject"), bool) else None
    if subject_pk is not None:
        subject = Subject.objects.for_user(user).filter(pk=subject_pk).first()
    if subject is None:
        errors["subject"] = _("This subject does not exist or is outside your area.")
    set_pk = (
        parse_pk(CriteriaSet, entry.get("criteria_set")) if not isinstance(entry.get("criteria_set"), bool) else None
    )
    if set_pk is not None:
        criteria_set = CriteriaSet.objects.filter(pk=set_pk).first()
    if criteria_set is None:
        errors["criteria_set"] = _("This criteria set does not exist.")
    try:
        year = _whole_number(entry, "year")
    except Refused as refusal:
        errors.update(refusal.errors)
    if errors:
        raise Refused(errors)
    try:
        return evaluation_create(subject=subject, year=year, criteria_set=criteria_set, user=user)
    except ValidationError as error:
        raise Refused(
            {field: " ".join(messages) for field, messages in error.message_dict.items()}
            if hasattr(error, "error_dict")
            else {"evaluation": " ".join(error.messages)}
        ) from None


def _evaluation_of(entry: dict, user) -> Evaluation:
    """The evaluation an entry names: by id, or by the client reference of an earlier applied entry."""
    named = entry.get("evaluation")
    if isinstance(named, str) and named and not named.isdigit():
        created = SyncEntry.objects.filter(user=user, kind=CREATE_EVALUATION, client_ref=named).order_by("-pk").first()
        if created is None or created.result.get("status") != APPLIED:
            raise Refused({"evaluation": _("This entry depends on an entry that was not applied.")})
        named = created.result["evaluation"]["id"]
    pk = parse_pk(Evaluation, named) if not isinstance(named, bool) else None
    evaluation = Evaluation.objects.for_user(user).select_related("criteria_set").filter(pk=pk).first()
    if pk is None or evaluation is None:
        raise _not_found()
    return evaluation


def _parse_points(raw_values, by_id: dict, errors: dict, prefix: str = "") -> dict:
    """Points or met/not met by indicator id, parsed by the one rule (``points_parse``); a mistake goes to
    ``errors`` under ``prefix`` + the indicator's code."""
    values = {}
    for key, typed in raw_values.items():
        indicator = by_id.get(str(key))
        if indicator is None:
            errors[prefix + str(key)[:20]] = _("This indicator is not in the evaluation's criteria set.")
            continue
        if indicator.max_points is None:
            if typed is not None and not isinstance(typed, bool):
                errors[prefix + indicator.code] = _("Answer met or not met.")
                continue
            values[indicator.id] = typed
            continue
        if isinstance(typed, (dict, list)):
            errors[prefix + indicator.code] = _("“%(value)s” is not a number.") % {"value": "…"}
            continue
        try:
            values[indicator.id] = points_parse(typed=typed, maximum=indicator.max_points)
        except PointsError as error:
            errors[prefix + indicator.code] = str(error)
    return values


#: Where a mistake in the self-assessment is reported: ``self.1.1`` beside ``1.1`` for the verified score.
SELF_PREFIX = "self."


def _parse_values(entry: dict, spec: scoring.CriteriaSpec) -> tuple[dict, dict, dict]:
    """``values``, ``notes`` and ``self_values`` of a ``record_scores`` entry, by indicator id; ``Refused`` with
    a message by indicator code (or by field) for everything wrong, so the officer sees every mistake at once."""
    by_id = {str(ind.id): ind for ind in spec.indicators}
    raw_values, raw_notes = entry.get("values", {}), entry.get("notes") or {}
    raw_self = entry.get("self_values") or {}
    errors: dict = {}
    for name, raw in (("values", raw_values), ("notes", raw_notes), ("self_values", raw_self)):
        if not isinstance(raw, dict):
            raise Refused({name: _("“%(name)s” must be an object of indicator ids.") % {"name": name}})
    values = _parse_points(raw_values, by_id, errors)
    self_values = _parse_points(raw_self, by_id, errors, prefix=SELF_PREFIX)
    notes = {}
    for key, text in raw_notes.items():
        indicator = by_id.get(str(key))
        if indicator is None:
            errors.setdefault(str(key)[:20], _("This indicator is not in the evaluation's criteria set."))
        elif not isinstance(text, str):
            errors[indicator.code] = _("A note must be text.")
        elif len(text) > MAX_NOTE_LENGTH:
            errors[indicator.code] = _("A note has at most %(max)s characters.") % {"max": MAX_NOTE_LENGTH}
        else:
            notes[indicator.id] = text.strip()
    if errors:
        raise Refused(errors)
    return values, notes, self_values


def _record_scores(entry: dict, user) -> Evaluation:
    evaluation = _evaluation_of(entry, user)
    version = _whole_number(entry, "based_on_version")
    if not evaluation_may_change(evaluation=evaluation):
        raise Refused(
            {
                "evaluation": _("Only a draft evaluation can be scored; this one is “%(status)s”.")
                % {"status": evaluation.get_status_display()}
            },
            evaluation=evaluation_json(evaluation),
        )
    holder = evaluation_edit_lock_holder(evaluation=evaluation, user=user)
    if holder is not None:
        raise Refused(
            {"evaluation": _("Someone else is editing this evaluation now; send it again later.")},
            evaluation=evaluation_json(evaluation),
        )
    spec = scoring.spec_from_criteria_set(evaluation.criteria_set)
    values, notes, self_values = _parse_values(entry, spec)
    if self_values and not evaluation.criteria_set.has_self_assessment:
        raise Refused({"self_values": _("This criteria set takes no self-assessment.")})
    # A note is written with its indicator's score: a note alone keeps the score stored (or none).
    noted_only = set(notes) - set(values)
    if noted_only:
        kinds = {ind.id: ind.max_points is not None for ind in spec.indicators}
        stored = {s.indicator_id: s for s in Score.objects.filter(evaluation=evaluation, indicator_id__in=noted_only)}
        for ind_id in noted_only:
            row = stored.get(ind_id)
            values[ind_id] = None if row is None else (row.points if kinds[ind_id] else row.met)
    try:
        evaluation_record_scores(
            evaluation=evaluation,
            values=values,
            notes=notes,
            self_values=self_values,
            spec=spec,
            user=user,
            expected_version=version,
        )
    except StaleEdit as stale:
        raise Conflict(stale.evaluation) from None
    except WorkflowError as error:
        raise Refused({"evaluation": str(error)}, evaluation=evaluation_json(evaluation)) from None
    except scoring.ScoreError:
        raise Refused({"values": _("These scores cannot be recorded.")}) from None
    evaluation.refresh_from_db()
    return evaluation


# Evidence ----------------------------------------------------------------------------------------------------


def _evidence_answer(client_id, status: str, *, evidence: Evidence | None = None, errors: dict | None = None) -> dict:
    return {
        "id": client_id,
        "status": status,
        "evidence": None if evidence is None else evidence_json(evidence),
        "errors": errors or {},
    }


def upload_evidence(fields, upload, user) -> dict:
    """Add the file ``upload`` (None when none came) to an evaluation, as the form ``fields`` (``id``,
    ``evaluation``: an id or a client reference, optional ``indicator`` and ``description``) asks; the answer
    ``{"id", "status", "evidence", "errors"}``, stored under ``id`` so that sending it again adds nothing."""
    client_id = fields.get("id")
    if not _valid_id(client_id):
        return _evidence_answer(client_id if isinstance(client_id, str) else None, REJECTED, errors=_id_refusal())
    written: list[Evidence] = []

    def rolled_back():
        for evidence in written:
            evidence.file.delete(save=False)

    return apply_once(
        user,
        client_id,
        UPLOAD_EVIDENCE,
        lambda: (_upload_new(fields, upload, client_id, user, written), ""),
        rolled_back=rolled_back,
    )


def _upload_new(fields, upload, client_id: str, user, written: list) -> dict:
    try:
        evaluation = _evaluation_of({"evaluation": fields.get("evaluation")}, user)
        if not evaluation_may_change(evaluation=evaluation):
            raise Refused(
                {
                    "evaluation": _("Evidence is added only to a draft evaluation; this one is “%(status)s”.")
                    % {"status": evaluation.get_status_display()}
                }
            )
        errors = {}
        indicator = None
        raw_indicator = fields.get("indicator")
        if raw_indicator not in (None, ""):
            pk = parse_pk(Indicator, raw_indicator)
            if pk is not None:
                indicator = (
                    Indicator.objects.select_related("criterion")
                    .filter(pk=pk, criterion__criteria_set_id=evaluation.criteria_set_id)
                    .first()
                )
            if indicator is None:
                errors["indicator"] = _("This indicator is not in the evaluation's criteria set.")
        description = (fields.get("description") or "").strip()
        if len(description) > MAX_DESCRIPTION_LENGTH:
            errors["description"] = _("A description has at most %(max)s characters.") % {
                "max": MAX_DESCRIPTION_LENGTH
            }
        if upload is None:
            errors["file"] = _("Choose a photo or a file to send.")
        else:
            try:
                validate_evidence_file(upload)
            except ValidationError as error:
                errors["file"] = " ".join(error.messages)
        if errors:
            raise Refused(errors)
        with transaction.atomic():
            evidence = evidence_add(
                evaluation=evaluation, upload=upload, indicator=indicator, description=description, user=user
            )
            written.append(evidence)
    except Refused as refusal:
        return _evidence_answer(client_id, REJECTED, errors=refusal.errors)
    except ValidationError as error:  # what evidence_add checks again
        return _evidence_answer(client_id, REJECTED, errors={"file": " ".join(error.messages)})
    return _evidence_answer(client_id, APPLIED, evidence=evidence)
