"""Index upkeep: the index follows saves, publishing and deletes.

Signals are used here (and only for this) because upkeep must follow every write path: the admin
forms, the services, imports and Wagtail's own page actions. The database backend writes in the same
transaction as the change (it rolls back with it); an external backend (Elasticsearch) is written
after the commit, so it never shows what was rolled back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished

from evaluations.models import Evaluation, Evidence, Subject
from evaluations.signals import evaluations_bulk_changed, subjects_bulk_changed, units_moved

from . import indexing
from .backends import get_backend
from .models import EvidenceText, ObjectType
from .tasks import extract_evidence_text, id_runs, index_subjects_task

#: Subjects per background indexing task (its arguments are stored as JSON, ~7 bytes an id): one task for a
#: commune's list, a few for a province's; each enqueue is a write of its own.
BACKGROUND_CHUNK = 50_000


def _upkeep(fn, *args) -> None:
    if get_backend().name == "database":
        fn(*args)
    else:
        transaction.on_commit(lambda: fn(*args))


@receiver(post_save, sender=Evidence)
def evidence_saved(sender, instance: Evidence, created: bool, raw: bool = False, **kwargs):
    if raw:
        return
    if created:
        EvidenceText.objects.get_or_create(evidence=instance)
        # After the commit: a worker in another process must find the row and the file.
        transaction.on_commit(lambda: extract_evidence_text.enqueue(instance.pk))
    # Searchable by description and file name at once; the file's text follows the extraction.
    _upkeep(indexing.index_evidence, [instance.pk])


@receiver(post_delete, sender=Evidence)
def evidence_deleted(sender, instance: Evidence, **kwargs):
    _upkeep(indexing.unindex, ObjectType.EVIDENCE, [instance.pk])


@receiver(post_save)
def subject_saved(sender, instance, raw: bool = False, **kwargs):
    # Each kind is its own model (multi-table inheritance): accept them all.
    if raw or not isinstance(instance, Subject):
        return
    _upkeep(indexing.index_subjects, [instance.pk])
    _upkeep(indexing.index_subject_evidence, [instance.pk])  # its name may have changed


@receiver(post_delete)
def subject_deleted(sender, instance, **kwargs):
    if isinstance(instance, Subject):
        _upkeep(indexing.unindex, ObjectType.SUBJECT, [instance.pk])


@receiver(post_save, sender=Evaluation)
def evaluation_saved(sender, instance: Evaluation, created: bool, raw: bool = False, **kwargs):
    if raw:
        return
    # Its status decides whether the subject is public; its year and area are its evidence's.
    _upkeep(indexing.index_subjects, [instance.subject_id])
    if not created:
        evidence_ids = list(instance.evidence.values_list("pk", flat=True))
        if evidence_ids:
            _upkeep(indexing.index_evidence, evidence_ids)


@receiver(post_delete, sender=Evaluation)
def evaluation_deleted(sender, instance: Evaluation, **kwargs):
    _upkeep(indexing.index_subjects, [instance.subject_id])


@receiver(evaluations_bulk_changed)
def evaluations_changed(sender, subject_ids, **kwargs):
    # Only their status changed (a decision): whether the subjects are public, and the year shown with them.
    _upkeep(indexing.subjects_public_refresh, sorted(set(subject_ids)))


@receiver(subjects_bulk_changed)
def subjects_changed(sender, subject_ids, names_changed: bool = False, **kwargs):
    ids = sorted(set(subject_ids))
    if len(ids) > settings.SEARCH_INLINE_MAX_SUBJECTS:
        transaction.on_commit(lambda: _index_subjects_later(ids, names_changed))
        return
    _upkeep(indexing.index_subjects, ids)
    if names_changed:
        _upkeep(indexing.index_subject_evidence, ids)


def _index_subjects_later(ids: list[int], names_changed: bool) -> None:
    for start in range(0, len(ids), BACKGROUND_CHUNK):
        index_subjects_task.enqueue(id_runs(ids[start : start + BACKGROUND_CHUNK]), names_changed)


@receiver(units_moved)
def units_moved_under(sender, old_path: str, new_path: str, **kwargs):
    _upkeep(indexing.area_moved, old_path, new_path)


@receiver(page_published)
@receiver(page_unpublished)
def page_changed(sender, instance: Page, **kwargs):
    _upkeep(indexing.index_pages, [instance])


@receiver(post_delete)
def page_deleted(sender, instance, **kwargs):
    if isinstance(instance, Page):
        _upkeep(indexing.unindex, ObjectType.PAGE, [instance.pk])


@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
def page_restriction_changed(sender, instance: PageViewRestriction, **kwargs):
    # A restriction hides the page and everything below it.
    try:
        path = instance.page.path
    except Page.DoesNotExist:  # the page itself is being deleted
        return
    pages = Page.objects.filter(path__startswith=path, depth__gt=1)
    _upkeep(indexing.index_pages, list(pages))
