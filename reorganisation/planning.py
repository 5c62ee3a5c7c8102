"""Preview a reorganisation: what applying it would change now (``reorganisation_plan``), as labelled lines.

Design (see README, "Administrative reorganisation"): village nodes are never moved. Each current village
of an old commune is re-created under the commune's (default) new commune from the effective date and the
old village ends the day before; the register (active subjects) moves to the new villages / communes,
while evaluations, decisions, targets and report snapshots keep the old units, so a past year's roll-up
in the structure of its time is unchanged. ``UnitLink`` rows record old -> new for mapped reports.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from evaluations.models import AdministrativeUnit, AreaAssignment, Subject, UnitLevel
from evaluations.models.units import communes_by_path, in_subtree, path_within, provinces_by_path
from reports.models import Target

from .models import LinkKind, Reorganisation, ReorganisationStep


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


def day_before(reorg: Reorganisation) -> datetime.date:
    """The last day of the units that end: the day before the effective date."""
    return reorg.effective_date - datetime.timedelta(days=1)


def reorganisation_plan(*, reorganisation: Reorganisation) -> Plan:
    """What applying ``reorganisation`` would change now (empty once it is applied)."""
    reorg = reorganisation
    plan = Plan(reorganisation=reorg)
    end = day_before(reorg)
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
                    Q(area=old) | (in_subtree(old) & Q(area__level=UnitLevel.VILLAGE))
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
            AdministrativeUnit.objects.in_area(AdministrativeUnit.objects.get(pk=parent_id))
            .filter(level=UnitLevel.VILLAGE)
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
            new.pk: new
            for old, (_d, news) in plan.communes.items()
            if path_within(old.path, [unit.path])
            for new in news
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
        communes = AdministrativeUnit.objects.in_area(old_root).filter(level=UnitLevel.COMMUNE)
        if communes.count() != planned_communes[old_root.pk]:
            continue  # only part of the province is reorganised
        # An island district without communes maps onto its new commune itself (it is one of plan.communes).
        parents = [
            old_root,
            *AdministrativeUnit.objects.in_area(old_root)
            .filter(level=UnitLevel.DISTRICT)
            .exclude(pk__in=[u.pk for u in plan.communes if u.level == UnitLevel.DISTRICT]),
        ]
        reviewed = set(reorg.review_items.values_list("subject_id", flat=True))
        existing = set(Target.objects.filter(area=new_root).values_list("year", "indicator"))
        for unit in parents:
            kind = LinkKind.PROVINCE if unit.level == UnitLevel.PROVINCE else LinkKind.DISTRICT
            plan.parents.append((unit, new_root, kind))
            if unit.pk not in links:
                plan.new_links.append((unit, new_root, kind))
            if unit.valid_to is None or unit.valid_to > day_before(reorg):
                plan.units_to_end.append(unit)
            for subject in Subject.objects.filter(is_active=True, area=unit).only("id", "name", "kind", "area_id"):
                plan.subjects.append((subject, unit, new_root))
                if subject.pk not in reviewed:
                    plan.review.append((subject, unit, new_root))
        for target in Target.objects.filter(area=old_root, year__gte=reorg.effective_date.year):
            if (target.year, target.indicator) not in existing:
                plan.targets.append((target, new_root))


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
    """The divided old units of a plan and their new units, one sentence each."""
    return [
        _("%(old)s is divided between %(news)s; default: %(default)s.")
        % {"old": old.label_with_parent, "news": ", ".join(n.name for n in news), "default": default.name}
        for old, default, news in plan.divided
    ]
