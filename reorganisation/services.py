"""Write a reorganisation: make it (official or by hand) and apply it (``reorganisation_apply``).

What applying changes is planned by ``planning.reorganisation_plan``; the review of divided units' subjects is
``review``; what old units became is read through ``succession`` and ``selectors``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.models import (
    AdministrativeUnit,
    AreaAssignment,
    LearningCommunity,
    Subject,
    UnitLevel,
    UnitSuccession,
)
from evaluations.models.subjects import code_kept_apart
from evaluations.signals import subjects_bulk_changed
from reports.models import Target

from .models import (
    ApplyPhase,
    LinkKind,
    Reorganisation,
    ReorganisationSource,
    ReorganisationStatus,
    ReorganisationStep,
    ReviewItem,
    SubjectMove,
    UnitLink,
)
from .planning import day_before, reorganisation_plan

OFFICIAL_DATE = datetime.date(2025, 7, 1)
CHUNK = 500


def reorganisation_create_official(*, effective_date: datetime.date = OFFICIAL_DATE) -> Reorganisation:
    """The official reorganisation of ``effective_date`` built from the loaded ``UnitSuccession`` rows (made
    once; steps loaded since are added)."""
    successions = list(UnitSuccession.objects.filter(effective_date=effective_date).select_related("old_unit"))
    if not successions:
        raise ValidationError(
            _("No official mapping is loaded for %(date)s: run “manage.py load_admin_units” first.")
            % {"date": effective_date.strftime("%d/%m/%Y")}
        )
    reorg, _created = Reorganisation.objects.get_or_create(
        source=ReorganisationSource.OFFICIAL,
        effective_date=effective_date,
        defaults={"name": _("Official reorganisation of %(date)s") % {"date": effective_date.strftime("%d/%m/%Y")}},
    )
    existing = set(reorg.steps.values_list("old_unit_id", "new_unit_id"))
    ReorganisationStep.objects.bulk_create(
        ReorganisationStep(
            reorganisation=reorg, old_unit_id=s.old_unit_id, new_unit_id=s.new_unit_id, is_default=s.is_default
        )
        for s in successions
        if (s.old_unit_id, s.new_unit_id) not in existing
    )
    return reorg


@transaction.atomic
def reorganisation_create_manual(
    *, name, effective_date, old_units, new_units, default_unit, user=None
) -> Reorganisation:
    """A merge (several old -> one new) or split (one old -> several new) entered by hand, as a draft."""
    old_units, new_units = list(old_units), list(new_units)
    errors = []
    if not old_units or not new_units:
        errors.append(_("Choose at least one old unit and one new unit."))
    if len(old_units) > 1 and len(new_units) > 1:
        errors.append(_("Enter a merge (several old units into one) or a split (one into several), not both."))
    if default_unit not in new_units:
        errors.append(_("The default new unit must be one of the new units."))
    for unit in old_units + new_units:
        if unit.level != UnitLevel.COMMUNE:
            errors.append(_("“%(unit)s” is not a commune: only communes are merged or split here.") % {"unit": unit})
    for unit in new_units:
        if unit.valid_to is not None and unit.valid_to < effective_date:
            errors.append(_("“%(unit)s” ends before the effective date.") % {"unit": unit})
    if errors:
        raise ValidationError(errors)
    reorg = Reorganisation.objects.create(
        name=name, effective_date=effective_date, source=ReorganisationSource.MANUAL, created_by=user
    )
    for old in old_units:
        for new in new_units:
            # A unit that is both old and new continues (a merge into it, or a split of part of it).
            ReorganisationStep.objects.create(
                reorganisation=reorg, old_unit=old, new_unit=new, is_default=(new == default_unit)
            )
    return reorg


@dataclass
class ApplyResult:
    reorganisation: Reorganisation
    changed: bool
    counts: dict[str, int]


#: ``progress(phase, done, total)``: called at each phase and after each chunk of subjects moved.
Progress = Callable[[str, int, int], None]


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


def reorganisation_apply(
    *, reorganisation: Reorganisation, user=None, progress: Progress | None = None, index: bool = True
) -> ApplyResult:
    """Apply in one transaction; a second run finds nothing to do and changes nothing.

    ``progress`` (optional) is told the phase (an ``ApplyPhase``) and the counts done so far; it is called
    once per phase and per chunk of subjects, never per row. The search index learns where the moved
    subjects went, unless ``index`` is false: for a caller that rebuilds the whole index afterwards (the
    demo data set, written in bulk)."""
    reorg = reorganisation
    progress = progress or _no_progress
    with transaction.atomic():
        reorg = Reorganisation.objects.select_for_update().get(pk=reorg.pk)
        progress(ApplyPhase.PLAN, 0, 0)
        plan = reorganisation_plan(reorganisation=reorg)
        counts = plan.counts
        if plan.is_empty and reorg.status == ReorganisationStatus.APPLIED:
            return ApplyResult(reorg, False, counts)
        end = day_before(reorg)
        now = timezone.now()

        for unit in plan.units_to_end:
            AdministrativeUnit.objects.filter(pk=unit.pk).update(valid_to=end)
        for old, new, kind in plan.new_links:
            UnitLink.objects.create(reorganisation=reorg, old_unit=old, new_unit=new, kind=kind)

        progress(ApplyPhase.UNITS, 0, len(plan.villages))
        parents: dict[int, AdministrativeUnit] = {}  # fresh instances: treebeard counts children in memory
        copies: dict[int, AdministrativeUnit] = {}
        for done, (village, parent) in enumerate(plan.villages, start=1):
            parent = parents.setdefault(parent.pk, AdministrativeUnit.objects.get(pk=parent.pk))
            copies[village.pk] = parent.add_child(
                name=plan.copy_names.get(village.pk, village.name),
                short_name=village.short_name,
                level=village.level,
                unit_type=village.unit_type,
                code=None,
                valid_from=reorg.effective_date,
                valid_to=None,
            )
            AdministrativeUnit.objects.filter(pk=village.pk).update(valid_to=end)
            UnitLink.objects.create(
                reorganisation=reorg, old_unit=village, new_unit=copies[village.pk], kind=LinkKind.VILLAGE
            )
            if done % 50 == 0 or done == len(plan.villages):
                progress(ApplyPhase.UNITS, done, len(plan.villages))

        # A province holds some 165,000 households: update by (from, to) group in chunks, log in bulk.
        groups: dict[tuple[int, int], list[int]] = defaultdict(list)
        for subject, from_area, destination in plan.subjects:
            to_area = (
                copies.get(destination.pk, destination) if destination.level == UnitLevel.VILLAGE else destination
            )
            if to_area.pk != from_area.pk:
                groups[(from_area.pk, to_area.pk)].append(subject.pk)
        counts["codes_kept_apart"] = _keep_codes_apart(groups)
        moving, moved = sum(len(ids) for ids in groups.values()), 0
        progress(ApplyPhase.SUBJECTS, 0, moving)
        for (from_id, to_id), ids in groups.items():
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                Subject.objects.filter(pk__in=chunk, area_id=from_id).update(area_id=to_id, updated_at=now)
                moved += len(chunk)
                progress(ApplyPhase.SUBJECTS, moved, moving)
            SubjectMove.objects.bulk_create(
                (
                    SubjectMove(
                        reorganisation=reorg, subject_id=pk, from_area_id=from_id, to_area_id=to_id, moved_by=user
                    )
                    for pk in ids
                ),
                batch_size=CHUNK,
            )
        _rename_communities(copies[pk] for pk in plan.copy_names)
        # The moves were raw updates: the search index learns the subjects' new units here.
        if index:
            subjects_bulk_changed.send(sender=Subject, subject_ids=[pk for ids in groups.values() for pk in ids])
        progress(ApplyPhase.RECORDS, 0, 0)
        ReviewItem.objects.bulk_create(
            (
                ReviewItem(reorganisation=reorg, subject=subject, old_unit=old, proposed_unit=proposed)
                for subject, old, proposed in plan.review
            ),
            batch_size=CHUNK,
        )
        Target.objects.bulk_create(
            Target(area=new, year=t.year, indicator=t.indicator, percent=t.percent) for t, new in plan.targets
        )
        AreaAssignment.objects.bulk_create(
            (AreaAssignment(user_id=user_id, area=copies.get(unit.pk, unit)) for user_id, unit in plan.assignments),
            ignore_conflicts=True,  # assigned by hand meanwhile
        )

        reorg.status = ReorganisationStatus.APPLIED
        reorg.applied_at = now
        reorg.applied_by = user
        reorg.counts = counts
        reorg.save(update_fields=["status", "applied_at", "applied_by", "counts"])
    return ApplyResult(reorg, True, counts)


def _keep_codes_apart(groups: dict[tuple[int, int], list[int]]) -> int:
    """Codes are unique per kind within a unit (imports match on them): where subjects moving into a unit
    bring a code that one already there (or another one moving in) holds, the newcomer's code is kept apart
    (``code_kept_apart``). Returns how many were."""
    arriving: dict[int, list[int]] = defaultdict(list)
    for (_from_id, to_id), ids in groups.items():
        arriving[to_id].extend(ids)
    changed = []
    for to_id, ids in arriving.items():
        moving = set(ids)
        taken = {
            (kind, code)
            for pk, kind, code in Subject.objects.filter(area_id=to_id)
            .exclude(code="")
            .values_list("pk", "kind", "code")
            if pk not in moving
        }
        for start in range(0, len(ids), CHUNK):
            rows = Subject.objects.filter(pk__in=ids[start : start + CHUNK]).exclude(code="")
            for pk, kind, code, note in rows.order_by("pk").values_list("pk", "kind", "code", "note"):
                if (kind, code) in taken:
                    changed.append((pk, *code_kept_apart(code, pk, note)))
                else:
                    taken.add((kind, code))
    for pk, code, note in changed:
        Subject.objects.filter(pk=pk).update(code=code, note=note)
    return len(changed)


def _rename_communities(villages) -> None:
    """A learning community is named after its village (``LearningCommunity.build_display_name``): those
    moved onto a renamed copy take its name."""
    for community in LearningCommunity.objects.filter(area__in=list(villages)).select_related("area"):
        community.save(update_fields=["name", "name_folded", "updated_at"])
