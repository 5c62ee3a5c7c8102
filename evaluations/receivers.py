"""What follows a write of the evaluations' data, wherever it was made: the public data version
(``public_version``), which every cached public count and page is keyed on. Connected in
``EvaluationsConfig.ready``."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_migrate, post_save, pre_migrate
from django.dispatch import receiver

from .admin_version import bump_admin_version
from .models import AdministrativeUnit, Evaluation, EvaluationStatus, GradeBand, RecognitionDecision, Subject
from .public_version import migration_ended, migration_started, public_data_changed
from .signals import evaluations_bulk_changed, subjects_bulk_changed, units_moved

#: What public pages see of an evaluation not yet decided: that it exists (how many were evaluated per year
#: and kind). Its scores, total and grade, saved many times a day while officers score, show nowhere.
UNDECIDED_PUBLIC_FIELDS = {"status", "decision", "revocation", "year", "subject"}
UNDECIDED = {EvaluationStatus.DRAFT, EvaluationStatus.SUBMITTED, EvaluationStatus.REVIEWED}

pre_migrate.connect(migration_started, dispatch_uid="public-version-pre-migrate")
post_migrate.connect(migration_ended, dispatch_uid="public-version-post-migrate")


@receiver(post_migrate, dispatch_uid="admin-version-post-migrate")
def admin_data_migrated(**kwargs):
    # A data migration's writes were not counted (``admin_version.migrating``): cached listings may be stale.
    bump_admin_version()


def evaluation_save_is_public(instance: Evaluation, created: bool, update_fields) -> bool:
    if created or update_fields is None or instance.status not in UNDECIDED:
        return True
    return bool(UNDECIDED_PUBLIC_FIELDS & set(update_fields))


@receiver(post_save)
def public_data_saved(sender, instance, created=False, update_fields=None, **kwargs):
    # Subjects are saved as their kind's model (``LearningFamily``...), which is the sender.
    if isinstance(instance, Evaluation):
        if evaluation_save_is_public(instance, created, update_fields):
            public_data_changed()
    elif isinstance(instance, (Subject, RecognitionDecision, AdministrativeUnit, GradeBand)):
        public_data_changed()


@receiver(post_delete)
def public_data_deleted(sender, instance, **kwargs):
    if isinstance(instance, (Evaluation, Subject, RecognitionDecision, AdministrativeUnit, GradeBand)):
        public_data_changed()


@receiver(evaluations_bulk_changed)
@receiver(subjects_bulk_changed)
@receiver(units_moved)
def public_data_changed_in_bulk(sender, **kwargs):
    public_data_changed()
