"""Self-assessment by code (issue 19): the commune prints a slip per subject and year; with its code the family
or unit opens its own self-assessment on a public form, without an account, and the officer sees it beside the
verified score (the evaluation's self values).

The rules here: which subjects may have a slip and against which criteria set, handing out (and keeping) the
codes, finding a typed code, and storing a submission through the evaluation services."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from documents.codes import CODE_LENGTH, new_code, normalised_code
from evaluations.models import CriteriaSet, Evaluation, EvaluationStatus, Subject, SubjectKind
from evaluations.selectors import self_assessment_set_in_force
from evaluations.services import WorkflowError, evaluation_create, evaluation_record_scores, evidence_add

from .models import SelfAssessmentCode

#: Subjects one printing may take (a village's families fit; a commune's thousands are printed village by village).
SLIP_LIMIT = 300
#: Photos one submission may carry, and their total size; and the photos one code may send in all.
PHOTOS_PER_SUBMISSION = 5
PHOTOS_TOTAL_BYTES = 30 * 1024 * 1024
PHOTOS_PER_CODE = 10
#: What the history says of a submission, and of an evaluation a submission started.
LOG_ACTION = "evaluations.self_assessment"
LOG_ACTION_CREATE = "evaluations.self_assessment_create"


def photo_description(kind: str) -> str:
    """The description of a photo sent with the form, in the site's language (it is stored)."""
    if kind == SubjectKind.FAMILY:
        return _("Photo sent by the family with its self-assessment")
    return _("Photo sent by the unit with its self-assessment")


def expiry_after(moment: datetime.datetime) -> datetime.datetime:
    """When a code printed at ``moment`` stops opening the form: the start of the day after its last day,
    ``SELF_ASSESSMENT_CODE_DAYS`` days on (so the printed "until dd/mm/yyyy" holds all that day)."""
    last_day = timezone.localdate(moment) + datetime.timedelta(days=settings.SELF_ASSESSMENT_CODE_DAYS)
    return timezone.make_aware(datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time.min))


# --- issuing -------------------------------------------------------------------------------------------------


@dataclass
class SlipPlan:
    """What printing the slips of some subjects for a year would do: the subjects that get one (with the set
    their self-assessment is made against) and those refused, with the reason."""

    ready: list[tuple[Subject, CriteriaSet]]
    refused: list[tuple[Subject, str]]


def slip_plan(subjects, year: int) -> SlipPlan:
    """Which of ``subjects`` may have a slip for ``year``: on the register, their evaluation of the year (if
    started) still a draft of a set that takes a self-assessment, or else a set in force for their kind that
    takes one."""
    subjects = list(subjects)
    evaluations = {
        e.subject_id: e
        for e in Evaluation.objects.filter(subject_id__in=[s.pk for s in subjects], year=year).select_related(
            "criteria_set"
        )
    }
    sets: dict[str, CriteriaSet | None] = {}
    ready, refused = [], []
    for subject in subjects:
        words = {"subject": subject.name, "year": year}
        evaluation = evaluations.get(subject.pk)
        if not subject.is_active:
            refused.append((subject, _("%(subject)s: no longer on the list.") % words))
        elif evaluation is not None and evaluation.status != EvaluationStatus.DRAFT:
            refused.append(
                (
                    subject,
                    _("%(subject)s: the %(year)s evaluation is already “%(status)s”; its self-assessment is closed.")
                    % {**words, "status": evaluation.get_status_display()},
                )
            )
        elif evaluation is not None and not evaluation.criteria_set.has_self_assessment:
            refused.append(
                (
                    subject,
                    _("%(subject)s: the %(year)s evaluation uses “%(set)s”, which has no self-assessment.")
                    % {**words, "set": evaluation.criteria_set.name},
                )
            )
        elif evaluation is not None:
            ready.append((subject, evaluation.criteria_set))
        else:
            if subject.kind not in sets:
                sets[subject.kind] = self_assessment_set_in_force(subject.kind, year)
            criteria_set = sets[subject.kind]
            if criteria_set is None:
                refused.append(
                    (
                        subject,
                        _("%(subject)s: no criteria set in force in %(year)s for %(kind)s takes a self-assessment.")
                        % {**words, "kind": str(SubjectKind(subject.kind).label).lower()},
                    )
                )
            else:
                ready.append((subject, criteria_set))
    return SlipPlan(ready=ready, refused=refused)


def issue_codes(ready: list[tuple[Subject, CriteriaSet]], *, year: int, user) -> dict[int, SelfAssessmentCode]:
    """The current code of each subject of ``ready`` for ``year``, by subject id: a valid one is kept (the slip
    printed again carries the same code); an expired one is superseded by a new random code."""
    sets = {subject.pk: criteria_set for subject, criteria_set in ready}
    found: dict[int, SelfAssessmentCode] = {}
    now = timezone.now()
    for _attempt in range(5):
        wanted = [pk for pk in sets if pk not in found]
        if not wanted:
            break
        current = SelfAssessmentCode.objects.filter(subject_id__in=wanted, year=year, superseded_at__isnull=True)
        expired = []
        for code in current:
            if code.has_expired(now):
                expired.append(code.pk)
            else:
                found[code.subject_id] = code
        missing = [pk for pk in wanted if pk not in found]
        if not missing:
            break
        try:
            with transaction.atomic():
                SelfAssessmentCode.objects.filter(pk__in=expired, superseded_at__isnull=True).update(superseded_at=now)
                SelfAssessmentCode.objects.bulk_create(
                    [
                        SelfAssessmentCode(
                            code=new_code(),
                            subject_id=pk,
                            year=year,
                            criteria_set=sets[pk],
                            issued_by=user if getattr(user, "is_authenticated", False) else None,
                            issued_at=now,
                            expires_at=expiry_after(now),
                        )
                        for pk in missing
                    ]
                )
        except IntegrityError:
            pass  # another printing made some meanwhile, or (hardly ever) a code was drawn twice: read and retry
    if len(found) < len(sets):
        raise RuntimeError("self-assessment codes could not be made")
    return found


# --- the public form -----------------------------------------------------------------------------------------


def code_lookup(typed: str | None) -> SelfAssessmentCode | None:
    """The code typed (case, spaces and dashes forgiven) or read from the QR, or None."""
    wanted = normalised_code(typed)
    if len(wanted) != CODE_LENGTH:
        return None
    return SelfAssessmentCode.objects.select_related("subject__area", "criteria_set").filter(code=wanted).first()


def code_evaluation(code: SelfAssessmentCode) -> Evaluation | None:
    """The subject's evaluation of the code's year, if one was started."""
    return Evaluation.objects.select_related("criteria_set").filter(subject_id=code.subject_id, year=code.year).first()


def form_criteria_set(code: SelfAssessmentCode, evaluation: Evaluation | None) -> CriteriaSet:
    """The set the form asks about: the evaluation's once started, else the one chosen when the code was issued."""
    return evaluation.criteria_set if evaluation is not None else code.criteria_set


def closed_message() -> str:
    return _("The dossier has been sent for review; the self-assessment can no longer be changed.")


def closed_reason(evaluation: Evaluation | None) -> str:
    """Why the self-assessment can no longer change ("" while it can)."""
    if evaluation is None:
        return ""
    if evaluation.status != EvaluationStatus.DRAFT:
        return closed_message()
    if not evaluation.criteria_set.has_self_assessment:
        return _("This evaluation takes no self-assessment. Please contact the commune's association.")
    return ""


class SubmissionRefused(Exception):
    """The self-assessment cannot be stored; ``str(error)`` says why, for the family."""


def submit_self_assessment(code: SelfAssessmentCode, *, self_values: dict, photos: list) -> Evaluation:
    """Store ``self_values`` (indicator id -> points or met) as the self-assessment of the code's subject and
    year, and ``photos`` (already checked) as its evidence; the year's evaluation is started as a draft when
    there is none. The history names the code's submission as the author: no account, so no user (the officer
    who printed the slip did not write it)."""
    with transaction.atomic():
        code = SelfAssessmentCode.objects.select_for_update().get(pk=code.pk)
        if code.photo_count + len(photos) > PHOTOS_PER_CODE:
            raise SubmissionRefused(
                _("At most %(limit)s photos can be sent with one code; %(count)s were sent already.")
                % {"limit": PHOTOS_PER_CODE, "count": code.photo_count}
            )
        evaluation = code_evaluation(code)
        if evaluation is None:
            evaluation = _start_evaluation(code)
        reason = closed_reason(evaluation)
        if reason:
            raise SubmissionRefused(reason)
        try:
            evaluation_record_scores(evaluation=evaluation, values={}, self_values=self_values, log_action=LOG_ACTION)
        except WorkflowError:  # submitted meanwhile
            raise SubmissionRefused(closed_message()) from None
        description = photo_description(code.subject.kind)
        for photo in photos:
            evidence_add(evaluation=evaluation, upload=photo, description=description)
        code.submitted_at = timezone.now()
        code.photo_count += len(photos)
        code.save(update_fields=["submitted_at", "photo_count"])
    return evaluation


def _start_evaluation(code: SelfAssessmentCode) -> Evaluation:
    """The draft evaluation of the code's subject and year, against the code's set, started by the family's
    submission (logged so, with no user); one made meanwhile by an officer is used instead."""
    try:
        with transaction.atomic():
            evaluation = evaluation_create(subject=code.subject, year=code.year, criteria_set=code.criteria_set)
    except (IntegrityError, ValidationError):
        # Made meanwhile (the unique subject and year), or refused (the subject's area not in force that year).
        evaluation = code_evaluation(code)
        if evaluation is None:
            raise SubmissionRefused(
                _("The self-assessment cannot be recorded now. Please contact the commune's association.")
            ) from None
        return evaluation
    log(instance=evaluation, action=LOG_ACTION_CREATE, user=None, data={"self_assessment_code": code.pk})
    return evaluation
