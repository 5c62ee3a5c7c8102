"""What follows a write of the evaluations' data, wherever it was made: the cached counts of the public lists
(``selectors.public_lists_changed``). Connected in ``EvaluationsConfig.ready``."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import AdministrativeUnit, Evaluation, RecognitionDecision, Subject
from .selectors import public_lists_changed
from .signals import evaluations_bulk_changed, subjects_bulk_changed, units_moved

#: The evaluation fields a public list filters or counts on (a score saved on a draft changes none of them).
PUBLIC_EVALUATION_FIELDS = {"status", "decision", "revocation", "grade", "level", "year", "kind", "area", "subject"}


@receiver(post_save)
@receiver(post_delete)
def public_data_saved(sender, instance, update_fields=None, **kwargs):
    # Subjects are saved as their kind's model (``LearningFamily``...), which is the sender.
    if isinstance(instance, Evaluation):
        if update_fields is not None and not PUBLIC_EVALUATION_FIELDS & set(update_fields):
            return
    elif not isinstance(instance, (Subject, RecognitionDecision, AdministrativeUnit)):
        return
    public_lists_changed()


@receiver(evaluations_bulk_changed)
@receiver(subjects_bulk_changed)
@receiver(units_moved)
def public_data_changed_in_bulk(sender, **kwargs):
    public_lists_changed()
