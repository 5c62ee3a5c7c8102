"""Preview and apply a reorganisation; confirm review items; map old units onto today's.

Design (see README, "Administrative reorganisation"): village nodes are never moved. Each current village
of an old commune is re-created under the commune's (default) new commune from the effective date and the
old village ends the day before; the register (active subjects) moves to the new villages / communes,
while evaluations, decisions, targets and report snapshots keep the old units, so a past year's roll-up
in the structure of its time is unchanged. ``UnitLink`` rows record old -> new for mapped reports.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Length, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.calendar import day_label
from evaluations.models import AdministrativeUnit, AreaAssignment, Subject, UnitLevel, UnitSuccession
from evaluations.models.units import communes_by_path, outermost, provinces_by_path
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

OFFICIAL_DATE = datetime.date(2025, 7, 1)
CHUNK = 500


def official_reorganisation(effective_date: datetime.date = OFFICIAL_DATE) -> Reorganisation:
    """The official reorganisation of ``effective_date`` built from the loaded ``UnitSuccession`` rows."""
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
def manual_reorganisation(*, name, effective_date, old_units, new_units, default_unit, user=None) -> Reorganisation:
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
class Plan:
    reorganisation: Reorganisation
    #: old unit -> (default new unit, all new units)
    communes: dict[AdministrativeUnit, tuple[AdministrativeUnit, list[AdministrativeUnit]]] = field(
        default_factory=dict
    )
    units_to_end: list[AdministrativeUnit] = field(default_factory=list)
    #: (old village, new parent): villages to re-create under their new commune
    villages: list[tuple[AdministrativeUnit, AdministrativeUnit]] = field(default_factory=list)
    #: old village id -> the name of its copy when it differs (see ``_plan_copy_names``)
    copy_names: dict[int, str] = field(default_factory=dict)
    #: (subject, old area, new area or the old village whose new copy is the target)
    subjects: list[tuple[Subject, AdministrativeUnit, AdministrativeUnit]] = field(default_factory=list)
    #: (subject, divided old unit, proposed new unit)
    review: list[tuple[Subject, AdministrativeUnit, AdministrativeUnit]] = field(default_factory=list)
    #: (target, new area)
    targets: list[tuple[Target, AdministrativeUnit]] = field(default_factory=list)
    #: old province / district -> new province (official merger of provinces)
    parents: list[tuple[AdministrativeUnit, AdministrativeUnit, str]] = field(default_factory=list)
    new_links: list[tuple[AdministrativeUnit, AdministrativeUnit, str]] = field(default_factory=list)
    #: (user id, unit to assign, or the old village whose new copy it is)
    assignments: list[tuple[int, AdministrativeUnit]] = field(default_factory=list)

    @property
    def divided(self) -> list[tuple[AdministrativeUnit, AdministrativeUnit, list[AdministrativeUnit]]]:
        return [(old, default, news) for old, (default, news) in self.communes.items() if len(news) > 1]

    @property
    def counts(self) -> dict[str, int]:
        return {
            "old_units": len(self.communes),
            "new_units": len({u.pk for _d, news in self.communes.values() for u in news}),
            "units_ended": len(self.units_to_end),
            "villages_created": len(self.villages),
            "subjects_moved": len(self.subjects),
            "subjects_to_review": len(self.review),
            "targets_copied": len(self.targets),
            "links": len(self.new_links),
            "assignments_copied": len(self.assignments),
        }

    @property
    def is_empty(self) -> bool:
        counts = self.counts
        return not any(counts[k] for k in counts if k not in ("old_units", "new_units"))


def _day_before(reorg: Reorganisation) -> datetime.date:
    return reorg.effective_date - datetime.timedelta(days=1)


def build_plan(reorg: Reorganisation) -> Plan:
    """What applying ``reorg`` would change now (empty once it is applied)."""
    plan = Plan(reorganisation=reorg)
    end = _day_before(reorg)
    grouped: dict[int, list[ReorganisationStep]] = defaultdict(list)
    for step in reorg.steps.select_related("old_unit", "new_unit").order_by("old_unit__path", "new_unit__path"):
        grouped[step.old_unit_id].append(step)
    links = {link.old_unit_id: link for link in reorg.links.select_related("new_unit")}
    reviewed = set(reorg.review_items.values_list("subject_id", flat=True))
    # (unit, year, indicator) that already have a target: a merged commune takes the first old one's.
    new_ids = {s.new_unit_id for steps in grouped.values() for s in steps}
    targets_there = set(Target.objects.filter(area_id__in=new_ids).values_list("area_id", "year", "indicator"))

    for steps in grouped.values():
        old = steps[0].old_unit
        news = [s.new_unit for s in steps]
        default = next((s.new_unit for s in steps if s.is_default), news[0])
        divided = len(news) > 1
        plan.communes[old] = (default, news)
        if default.pk == old.pk:
            # The unit continues: nothing ends or moves; a split lists its subjects for review.
            if divided:
                for subject in Subject.objects.filter(is_active=True).filter(
                    Q(area=old) | Q(area__path__startswith=old.path, area__level=UnitLevel.VILLAGE)
                ):
                    if subject.pk not in reviewed:
                        plan.review.append((subject, old, default))
            continue
        if old.valid_to is None or old.valid_to > end:
            plan.units_to_end.append(old)
        if old.pk not in links:
            plan.new_links.append((old, default, LinkKind.COMMUNE))

        villages = list(old.get_children().filter(level=UnitLevel.VILLAGE))
        village_target: dict[int, AdministrativeUnit] = {}
        for village in villages:
            link = links.get(village.pk)
            if link is not None:
                village_target[village.pk] = link.new_unit
            elif village.valid_to is None or village.valid_to >= reorg.effective_date:
                plan.villages.append((village, default))
                village_target[village.pk] = village  # its new copy, made when applying
        from_units = {old.pk: old, **{v.pk: v for v in villages}}
        for subject in (
            Subject.objects.filter(is_active=True)
            .filter(Q(area=old) | Q(area_id__in=village_target))
            .only("id", "name", "kind", "area_id")
        ):
            destination = default if subject.area_id == old.pk else village_target[subject.area_id]
            plan.subjects.append((subject, from_units[subject.area_id], destination))
            if divided and subject.pk not in reviewed:
                plan.review.append((subject, old, default))

        for target in Target.objects.filter(area=old, year__gte=reorg.effective_date.year):
            if (default.pk, target.year, target.indicator) not in targets_there:
                targets_there.add((default.pk, target.year, target.indicator))
                plan.targets.append((target, default))

    _plan_parents(plan, links)
    _plan_assignments(plan)
    _plan_copy_names(plan)
    return plan


def _plan_copy_names(plan: Plan) -> None:
    """Names of the re-created villages. Communes that merge bring villages of the same name ("Khu phố 1"
    of each former ward): such copies are told apart by their former commune, "Khu phố 1 (Phủ Hà)", so
    that a list, a chooser or a report names one place. Officers rename them later to the official new
    names (Reference data)."""
    by_parent: dict[int, list[AdministrativeUnit]] = defaultdict(list)
    for village, parent in plan.villages:
        by_parent[parent.pk].append(village)
    for parent_id, villages in by_parent.items():
        there = Counter(
            AdministrativeUnit.objects.filter(
                path__startswith=AdministrativeUnit.objects.get(pk=parent_id).path, level=UnitLevel.VILLAGE
            )
            .current(on=plan.reorganisation.effective_date)
            .exclude(pk__in=[v.pk for v in villages])
            .values_list("name", flat=True)
        )
        there.update(v.name for v in villages)
        former = communes_by_path(v.path for v in villages)
        for village in villages:
            commune = former.get(village.path)
            if there[village.name] > 1 and commune is not None:
                plan.copy_names[village.pk] = f"{village.name} ({commune.short_name or commune.name})"


def _plan_assignments(plan: Plan) -> None:
    """Officers of a unit that ends keep their area: each is also assigned the units it went into (a
    merged commune's officer the new commune, a divided one's every part, a district's or province's
    officer the new communes of its old communes, a village's officer the village's new copy). Their
    old assignments stay, for the years before."""
    successors: dict[int, list[AdministrativeUnit]] = {}
    for old, (default, news) in plan.communes.items():
        if default.pk != old.pk:
            successors[old.pk] = news
    for unit, _new_root, _kind in plan.parents:
        below = {
            new.pk: new for old, (_d, news) in plan.communes.items() if old.path.startswith(unit.path) for new in news
        }
        successors[unit.pk] = sorted(below.values(), key=lambda u: u.path)
    existing_units = {unit.pk for units in successors.values() for unit in units}
    for village, _parent in plan.villages:
        successors[village.pk] = [village]  # stands for its new copy, made when applying: nobody has it yet
    if not successors:
        return
    done = set(AreaAssignment.objects.filter(area_id__in=existing_units).values_list("user_id", "area_id"))
    for user_id, area_id in (
        AreaAssignment.objects.filter(area_id__in=list(successors))
        .order_by("user_id")
        .values_list("user_id", "area_id")
    ):
        for unit in successors[area_id]:
            if (user_id, unit.pk) not in done:
                done.add((user_id, unit.pk))
                plan.assignments.append((user_id, unit))


def _plan_parents(plan: Plan, links: dict) -> None:
    """When every commune of an old province maps into one new province (the 2025 merger), the old province
    and its districts map onto it: their targets carry over and their own subjects go to review there.

    Provinces are found by level, never by path prefix: under a national root every unit shares the
    nation's path prefix."""
    reorg = plan.reorganisation
    provinces = provinces_by_path({u.path for old, (_d, news) in plan.communes.items() for u in (old, *news)})
    by_old_province: dict[AdministrativeUnit, set[AdministrativeUnit]] = defaultdict(set)
    planned_communes: dict[int, int] = defaultdict(int)
    for old, (_default, news) in plan.communes.items():
        old_province = provinces.get(old.path)
        if old_province is None:
            continue
        by_old_province[old_province].update(provinces[new.path] for new in news if new.path in provinces)
        planned_communes[old_province.pk] += old.level == UnitLevel.COMMUNE
    for old_root, new_roots in by_old_province.items():
        if len(new_roots) != 1 or old_root in new_roots:
            continue
        new_root = next(iter(new_roots))
        communes = AdministrativeUnit.objects.filter(path__startswith=old_root.path, level=UnitLevel.COMMUNE)
        if communes.count() != planned_communes[old_root.pk]:
            continue  # only part of the province is reorganised
        # An island district without communes maps onto its new commune itself (it is one of plan.communes).
        parents = [
            old_root,
            *AdministrativeUnit.objects.filter(path__startswith=old_root.path, level=UnitLevel.DISTRICT).exclude(
                pk__in=[u.pk for u in plan.communes if u.level == UnitLevel.DISTRICT]
            ),
        ]
        reviewed = set(reorg.review_items.values_list("subject_id", flat=True))
        existing = set(Target.objects.filter(area=new_root).values_list("year", "indicator"))
        for unit in parents:
            kind = LinkKind.PROVINCE if unit.level == UnitLevel.PROVINCE else LinkKind.DISTRICT
            plan.parents.append((unit, new_root, kind))
            if unit.pk not in links:
                plan.new_links.append((unit, new_root, kind))
            if unit.valid_to is None or unit.valid_to > _day_before(reorg):
                plan.units_to_end.append(unit)
            for subject in Subject.objects.filter(is_active=True, area=unit).only("id", "name", "kind", "area_id"):
                plan.subjects.append((subject, unit, new_root))
                if subject.pk not in reviewed:
                    plan.review.append((subject, unit, new_root))
        for target in Target.objects.filter(area=old_root, year__gte=reorg.effective_date.year):
            if (target.year, target.indicator) not in existing:
                plan.targets.append((target, new_root))


@dataclass
class ApplyResult:
    reorganisation: Reorganisation
    changed: bool
    counts: dict[str, int]


#: ``progress(phase, done, total)``: called at each phase and after each chunk of subjects moved.
Progress = Callable[[str, int, int], None]


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


def apply_reorganisation(reorg: Reorganisation, user=None, progress: Progress | None = None) -> ApplyResult:
    """Apply in one transaction; a second run finds nothing to do and changes nothing.

    ``progress`` (optional) is told the phase (an ``ApplyPhase``) and the counts done so far; it is called
    once per phase and per chunk of subjects, never per row."""
    progress = progress or _no_progress
    with transaction.atomic():
        reorg = Reorganisation.objects.select_for_update().get(pk=reorg.pk)
        progress(ApplyPhase.PLAN, 0, 0)
        plan = build_plan(reorg)
        counts = plan.counts
        if plan.is_empty and reorg.status == ReorganisationStatus.APPLIED:
            return ApplyResult(reorg, False, counts)
        end = _day_before(reorg)
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
    from evaluations.models.subjects import code_kept_apart

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
    from evaluations.models import LearningCommunity

    for community in LearningCommunity.objects.filter(area__in=list(villages)).select_related("area"):
        community.save(update_fields=["name", "name_folded", "updated_at"])


def review_choices(item: ReviewItem) -> list[AdministrativeUnit]:
    """The units an officer may choose for a review item: the new units of its divided old unit."""
    news = list(
        AdministrativeUnit.objects.filter(
            pk__in=ReorganisationStep.objects.filter(
                reorganisation=item.reorganisation, old_unit=item.old_unit
            ).values("new_unit")
        )
    )
    if item.proposed_unit not in news:
        news.insert(0, item.proposed_unit)
    if item.old_unit.level in (UnitLevel.PROVINCE, UnitLevel.DISTRICT):
        # An abolished district's subject may stay at the province or go to one of its communes.
        news += list(item.proposed_unit.get_children().filter(level=UnitLevel.COMMUNE).current())
    return news


@transaction.atomic
def confirm_review(item: ReviewItem, unit: AdministrativeUnit, user) -> ReviewItem:
    """Confirm the proposed unit or choose another; the subject moves when another unit is chosen."""
    item = ReviewItem.objects.select_for_update().select_related("subject__area", "reorganisation").get(pk=item.pk)
    if unit not in review_choices(item):
        raise ValidationError(
            _("“%(unit)s” is not one of the new units of %(old)s.") % {"unit": unit, "old": item.old_unit}
        )
    subject = item.subject
    area = subject.area
    if area.level == UnitLevel.VILLAGE:
        current_commune = area.get_parent()
        if current_commune.pk != unit.pk:
            if unit.level == UnitLevel.COMMUNE:
                # The part of the village that went to the other commune: the same village name there.
                target = unit.get_children().filter(name=area.name, level=UnitLevel.VILLAGE).first()
                if target is None:
                    target = AdministrativeUnit.objects.get(pk=unit.pk).add_child(
                        name=area.name,
                        short_name=area.short_name,
                        level=UnitLevel.VILLAGE,
                        unit_type=area.unit_type,
                        code=None,
                        valid_from=item.reorganisation.effective_date,
                    )
            else:
                target = unit
            _move(item, subject, area, target, user)
    elif area.pk != unit.pk:
        _move(item, subject, area, unit, user)
    item.chosen_unit = unit
    item.confirmed_by = user
    item.confirmed_at = timezone.now()
    item.save(update_fields=["chosen_unit", "confirmed_by", "confirmed_at"])
    return item


def _move(item, subject, from_area, to_area, user) -> None:
    if to_area.level not in subject.specific.allowed_area_levels:
        raise ValidationError(
            _("A %(kind)s cannot be attached to “%(unit)s”.") % {"kind": subject.get_kind_display(), "unit": to_area}
        )
    Subject.objects.filter(pk=subject.pk).update(area=to_area, updated_at=timezone.now())
    SubjectMove.objects.create(
        reorganisation=item.reorganisation, subject=subject, from_area=from_area, to_area=to_area, moved_by=user
    )


class NoUnitOn(Exception):
    """No single unit in force on the date stands for the unit asked about; ``args[0]`` says why (in Vietnamese)
    and names the successors or the date to write instead."""


class SuccessionMap:
    """What old units became, loaded once (three queries) and answered from memory: the one place that maps
    old units onto later ones, for today (``current_unit_map``) or for any date (``unit_on``).

    - ``default``: old unit id -> the unit it maps onto: the link recorded by an applied reorganisation
      (villages -> their re-created copy, communes -> their (default) new commune, ...), else the official
      default successor (``UnitSuccession``);
    - ``successors``: old unit id -> every unit it went into (official successions and the steps of applied
      reorganisations); several for a divided unit;
    - ``predecessors``: the reverse of ``default``.
    """

    def __init__(self):
        self.default: dict[int, int] = {}
        #: old unit id -> the applied reorganisation that linked it (its review list takes divided units' rows)
        self.reorganisation_of: dict[int, int] = {}
        self.effective_date: dict[int, datetime.date] = {}
        for old_id, new_id, reorg_id, date in (
            UnitLink.objects.filter(reorganisation__status=ReorganisationStatus.APPLIED)
            .order_by("reorganisation__effective_date", "pk")
            .values_list("old_unit_id", "new_unit_id", "reorganisation_id", "reorganisation__effective_date")
        ):
            self.default[old_id] = new_id
            self.reorganisation_of[old_id] = reorg_id
            self.effective_date[old_id] = date
        self.successors: dict[int, list[int]] = defaultdict(list)
        self._marked_default: set[int] = set()
        official = UnitSuccession.objects.values_list("old_unit_id", "new_unit_id", "is_default", "effective_date")
        steps = (
            ReorganisationStep.objects.filter(reorganisation__status=ReorganisationStatus.APPLIED)
            .exclude(old_unit_id=models.F("new_unit_id"))  # a unit that continues has no successor
            .values_list("old_unit_id", "new_unit_id", "is_default", "reorganisation__effective_date")
        )
        for rows in (official, steps):
            for old_id, new_id, is_default, date in rows:
                if new_id not in self.successors[old_id]:
                    self.successors[old_id].append(new_id)
                if is_default:
                    self._marked_default.add(old_id)
                    self.default.setdefault(old_id, new_id)
                self.effective_date.setdefault(old_id, date)
        self.predecessors: dict[int, list[int]] = defaultdict(list)
        for old_id, new_id in self.default.items():
            self.predecessors[new_id].append(old_id)

    def successors_of(self, unit_id: int) -> list[int]:
        """Every unit ``unit_id`` went into (its link's unit for a re-created village)."""
        found = self.successors.get(unit_id)
        if found:
            return found
        return [self.default[unit_id]] if unit_id in self.default else []

    def is_divided(self, unit_id: int) -> bool:
        return len(self.successors_of(unit_id)) > 1

    def default_of(self, unit_id: int) -> int | None:
        """The unit ``unit_id`` maps onto; None when it went into several and none is the default."""
        if self.is_divided(unit_id) and unit_id not in self._marked_default:
            return None
        return self.default.get(unit_id)

    def follow(self, unit_id: int) -> int:
        """Where ``unit_id`` maps onto after every recorded reorganisation (itself when it has no successor)."""
        seen = {unit_id}
        while unit_id in self.default and self.default[unit_id] not in seen:  # later reorganisations move it again
            unit_id = self.default[unit_id]
            seen.add(unit_id)
        return unit_id

    def unit_on(self, unit: AdministrativeUnit, on: datetime.date, units) -> AdministrativeUnit:
        """``unit`` or, when it is not in force on ``on``, the unit in force then that stands for it: its
        successor (through later reorganisations) when it has ended, its only predecessor when it did not
        exist yet. ``units``: id -> unit, holding the units reached. Raises ``NoUnitOn`` (with a message
        naming the successors) when there is no single such unit."""
        seen = set()
        while not unit.is_current(on):
            seen.add(unit.pk)
            if unit.has_ended(on):
                successors = sorted((units[pk] for pk in self.successors_of(unit.pk) if pk in units), key=str)
                default = self.default_of(unit.pk)
                if not successors:
                    raise NoUnitOn(
                        _("%(unit)s ended on %(date)s and no unit is recorded as its successor.")
                        % {"unit": unit.name, "date": day_label(unit.valid_to)}
                    )
                if default is None or default not in units:
                    raise NoUnitOn(
                        _("%(unit)s was reorganised into %(successors)s from %(date)s; write the new commune or ward.")
                        % {
                            "unit": unit.name,
                            "successors": ", ".join(u.name for u in successors),
                            "date": day_label(unit.valid_to + datetime.timedelta(days=1)),
                        }
                    )
                unit = units[default]
            else:
                earlier = [units[pk] for pk in self.predecessors.get(unit.pk, ()) if pk in units]
                if len(earlier) != 1:
                    raise NoUnitOn(
                        _(
                            "%(unit)s did not exist on %(date)s (it exists from %(start)s); "
                            "write the unit of that time."
                        )
                        % {"unit": unit.name, "date": day_label(on), "start": day_label(unit.valid_from)}
                    )
                unit = earlier[0]
            if unit.pk in seen:
                raise NoUnitOn(_("The successions of %(unit)s go round in a circle.") % {"unit": unit.name})
        return unit


def structure_version() -> tuple:
    """A value that changes whenever units, official successions or applied reorganisations change (their
    rows only ever grow; applying records links and sets the status), read in one round trip: the key of
    what is derived from the structure and cached."""
    from django.db import connection

    tables = [model._meta.db_table for model in (AdministrativeUnit, UnitSuccession, UnitLink, ReorganisationStep)]
    parts = [f"(SELECT MAX(id) FROM {connection.ops.quote_name(t)})" for t in tables]  # noqa: S608 (our tables)
    applied = connection.ops.quote_name(Reorganisation._meta.db_table)
    parts.append(f"(SELECT COUNT(*) FROM {applied} WHERE status = %s)")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", [ReorganisationStatus.APPLIED])  # noqa: S608
        return tuple(cursor.fetchone())


def predecessor_paths(paths: list[str]) -> list[str]:
    """Paths of the old units that went into the subtrees of ``paths`` (directly or through later
    reorganisations; see :class:`SuccessionMap`): their records (past evaluations, decisions, targets)
    belong to today's units. Asked on every request of an officer: kept in the cache per structure version."""
    from django.core.cache import cache

    asked = ",".join(sorted(paths)) + ":" + ",".join(map(str, structure_version()))
    key = "predecessor-paths:" + hashlib.sha256(asked.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = _predecessor_paths(paths)
        cache.set(key, found, 3600)  # an edited succession (no new row) is picked up within the hour
    return found


def _predecessor_paths(paths: list[str]) -> list[str]:
    links = SuccessionMap().default
    if not links:
        return []
    unit_paths = dict(AdministrativeUnit.objects.filter(pk__in={*links, *links.values()}).values_list("pk", "path"))
    reached: set[int] = set()
    found: list[str] = []
    changed = True
    while changed:  # a unit that itself ended later passes its reach back to its own predecessors
        changed = False
        for old_id, new_id in links.items():
            if old_id in reached:
                continue
            new_path = unit_paths.get(new_id, "")
            if new_id in reached or any(new_path.startswith(p) for p in paths):
                reached.add(old_id)
                found.append(unit_paths[old_id])
                changed = True
    return _whole_parents(outermost(found))


def _whole_parents(paths: list[str]) -> list[str]:
    """``paths`` with every unit all of whose children are among them standing for them (a former district
    whose communes all went into one unit, then its province...): a few subtrees instead of hundreds,
    which keeps the filters built from them short (SQLite refuses an expression deeper than 1,000)."""
    step = AdministrativeUnit.steplen
    while True:
        parents = {path[:-step] for path in paths if len(path) > step}
        if not parents:
            return paths
        children: dict[str, set[str]] = defaultdict(set)
        for path in (
            AdministrativeUnit.objects.annotate(parent=Substr("path", 1, Length("path") - step))
            .filter(parent__in=parents)
            .values_list("path", flat=True)
        ):
            children[path[:-step]].add(path)
        have = set(paths)
        whole = {parent for parent, kids in children.items() if kids <= have}
        if not whole:
            return paths
        paths = outermost([*paths, *whole])


def current_unit_map(unit_ids) -> dict[int, int]:
    """For old units, the unit of today they map onto (links recorded by applied reorganisations, followed
    through later ones; an unlinked unit follows its nearest linked ancestor, else the official default)."""
    successions = SuccessionMap()
    links = successions.default
    units = dict(AdministrativeUnit.objects.filter(pk__in=list(unit_ids)).values_list("pk", "path"))
    by_path = dict(AdministrativeUnit.objects.filter(pk__in=links).values_list("path", "pk"))
    step = AdministrativeUnit.steplen
    result = {}
    for pk, path in units.items():
        mapped = links.get(pk)
        if mapped is None:
            for i in range(len(path) - step, 0, -step):
                ancestor = by_path.get(path[:i])
                if ancestor is not None:
                    mapped = links[ancestor]
                    break
        if mapped is not None:
            result[pk] = successions.follow(mapped)
    return result


def successor_of(unit: AdministrativeUnit) -> AdministrativeUnit | None:
    """The unit of today ``unit`` went into (see :func:`current_unit_map`), or ``None``."""
    found = current_unit_map([unit.pk]).get(unit.pk)
    return AdministrativeUnit.objects.filter(pk=found).first() if found else None


def moves_after(date: datetime.date):
    """Subjects moved by reorganisations effective after ``date``: subject id -> the area it was moved from
    first (where it was on ``date``). Inactive ones too: a subject that left the register later still
    counts in the years it was on it (the roll-up applies the register's dates)."""
    first: dict[int, int] = {}
    for subject_id, from_id in (
        SubjectMove.objects.filter(reorganisation__effective_date__gt=date)
        .order_by("pk")
        .values_list("subject_id", "from_area_id")
    ):
        first.setdefault(subject_id, from_id)
    return first


def plan_lines(plan: Plan) -> list[tuple[str, int]]:
    """The preview as labelled counts, for the admin screen and the command."""
    return count_lines(plan.counts)


def count_lines(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Counts of a plan (or of what an apply changed, as recorded) as labelled lines."""
    counts = defaultdict(int, counts)  # counts recorded before a count was added read as 0
    return [
        (_("Old units that end the day before"), counts["old_units"]),
        (_("New units they go into"), counts["new_units"]),
        (_("Units whose end date is set now"), counts["units_ended"]),
        (_("Villages re-created under their new commune"), counts["villages_created"]),
        (_("Subjects moved"), counts["subjects_moved"]),
        (_("Subjects to review"), counts["subjects_to_review"]),
        (
            _("Codes already held in their new unit, kept apart (the record's id added, the old code in its note)"),
            counts["codes_kept_apart"],
        ),
        (_("Targets carried over"), counts["targets_copied"]),
        (_("Officers' area assignments carried over to the new units"), counts["assignments_copied"]),
    ]


def divided_lines(plan: Plan) -> list[str]:
    return [
        _("%(old)s is divided between %(news)s; default: %(default)s.")
        % {"old": old.label_with_parent, "news": ", ".join(n.name for n in news), "default": default.name}
        for old, default, news in plan.divided
    ]
