"""The edit lock: one officer at a time edits an evaluation's scores."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from ..models import Evaluation


def evaluation_edit_lock_holder(*, evaluation: Evaluation, user):
    """The other user holding a fresh edit lock on ``evaluation``, or None when ``user`` may edit."""
    if not evaluation.locked or evaluation.locked_by_id in (None, user.pk):
        return None
    expiry = timedelta(minutes=settings.EVALUATION_EDIT_LOCK_MINUTES)
    if evaluation.locked_at and timezone.now() - evaluation.locked_at > expiry:
        return None
    return evaluation.locked_by


def evaluation_take_edit_lock(*, evaluation: Evaluation, user):
    """Lock ``evaluation`` for ``user`` while they edit; returns the other holder when it is taken."""
    holder = evaluation_edit_lock_holder(evaluation=evaluation, user=user)
    if holder is not None:
        return holder
    Evaluation.objects.filter(pk=evaluation.pk).update(locked=True, locked_by=user, locked_at=timezone.now())
    evaluation.locked, evaluation.locked_by, evaluation.locked_at = True, user, timezone.now()
    return None


def evaluation_release_edit_lock(*, evaluation: Evaluation, user) -> None:
    """End ``user``'s edit lock on ``evaluation`` (another user's lock stays)."""
    Evaluation.objects.filter(pk=evaluation.pk, locked_by=user).update(locked=False, locked_by=None, locked_at=None)
