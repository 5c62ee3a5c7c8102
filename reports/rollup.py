"""The roll-up: per area, year and indicator, registered, evaluated and recognised subjects against targets.

Everything is counted in a few grouped queries over the subtree of one root area (one GROUP BY per
source table, whatever the depth), then summed bottom-up over the unit tree in Python: the grouped rows
number in the thousands even for a province of 165,000 households. The root is a parameter, so a later
mapping of past years onto today's structure only has to supply another root.

Rules
- *evaluated*: evaluations past the draft stage (submitted, reviewed, decided or revoked);
- *recognised*: evaluations whose status is recognised (a decision recorded it and it is not revoked);
- *registered*: subjects of the kind in the area on the register as of the year
  (``evaluations.models.subjects.on_register_q`` on ``calendar.evaluation_date(year)``: registered by then
  and not yet left), so later registrations and removals never change a closed year; a denominator
  entered for the area and year replaces the counted figure of that area (its subtree included);
- *target*: the area's own target for the year and indicator, else its nearest ancestor's;
- a parent's counted figures are the sum of its children's plus what is attached to the parent itself.
"""

from __future__ import annotations

import functools
import gc
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from evaluations.calendar import evaluation_date, year_end
from evaluations.models import (
    AdministrativeUnit,
    Evaluation,
    EvaluationStatus,
    LearningCitizen,
    LearningUnit,
    PopulationGroup,
    Subject,
    SubjectKind,
    UnitLevel,
)
from evaluations.models.subjects import on_register_q
from evaluations.models.units import ancestor_paths, in_subtree, parent_path
from reorganisation.selectors import current_unit_map, first_moves_after, years_by_later_reorganisations

from .models import BudgetLine, BudgetSource, Denominator, Indicator, Target

#: Indicators in report order.
INDICATORS: list[str] = [choice.value for choice in Indicator]
#: Read once: an enum member's ``value`` is a descriptor call, and the tree asks for it per node.
BUDGET_SOURCES: list[str] = [choice.value for choice in BudgetSource]
NOT_EVALUATED = [EvaluationStatus.DRAFT]


@dataclass(slots=True)
class Figures:
    registered_counted: int = 0
    evaluated: int = 0
    recognised: int = 0
    by_grade: dict[str, int] = field(default_factory=dict)
    by_level: dict[int, int] = field(default_factory=dict)
    #: Entered denominator of this very area (replaces the counted one), if any.
    entered: int | None = None
    #: The effective number of subjects (entered, or counted and summed from the children).
    registered: int = 0
    target: Decimal | None = None

    def add(self, other: Figures) -> None:
        if not (other.evaluated or other.registered_counted):
            return  # nothing counted (recognised and grades imply evaluated): most areas of a national root
        self.registered_counted += other.registered_counted
        self.evaluated += other.evaluated
        self.recognised += other.recognised
        for grade, n in other.by_grade.items():
            self.by_grade[grade] = self.by_grade.get(grade, 0) + n
        for level, n in other.by_level.items():
            self.by_level[level] = self.by_level.get(level, 0) + n

    @property
    def percent(self) -> Decimal | None:
        """% recognised of the registered (or entered) number, two decimals; ``None`` without a base."""
        if not self.registered:
            return None
        return (Decimal(self.recognised) * 100 / Decimal(self.registered)).quantize(Decimal("0.01"))

    @property
    def met(self) -> bool | None:
        if self.target is None or self.percent is None:
            return None
        return self.percent >= self.target

    def as_dict(self) -> dict:
        return {
            "registered": self.registered,
            "registered_counted": self.registered_counted,
            "entered": self.entered,
            "evaluated": self.evaluated,
            "recognised": self.recognised,
            "by_grade": dict(sorted(self.by_grade.items())),
            "by_level": {str(k): v for k, v in sorted(self.by_level.items())},
            "percent": str(self.percent) if self.percent is not None else None,
            "target": str(self.target) if self.target is not None else None,
            "met": self.met,
        }


@dataclass(slots=True)
class Budget:
    planned: Decimal = Decimal(0)
    spent: Decimal = Decimal(0)


@dataclass(slots=True)
class Node:
    """One area of the roll-up. Its figures and budget are created when first read: a national root has
    14,000 areas, most without any data, and an area nothing was counted on has empty figures (and the
    target it inherits, ``targets``)."""

    id: int
    path: str
    name: str
    code: str | None
    level: str
    depth: int
    children: list[Node] = field(default_factory=list)
    #: The years its figures and budget have.
    years: list[int] = field(default_factory=list, repr=False)
    #: (year, indicator) -> the target that applies here (own or inherited), given to figures when created.
    targets: dict[tuple[int, str], Decimal] | None = field(default=None, repr=False)
    _figures: dict[int, dict[str, Figures]] | None = field(default=None, repr=False)
    _own: dict[int, dict[str, Figures]] | None = field(default=None, repr=False)
    _budget: dict[int, dict[str, Budget]] | None = field(default=None, repr=False)

    @property
    def figures(self) -> dict[int, dict[str, Figures]]:
        """year -> indicator -> figures of the whole subtree"""
        if self._figures is None:
            self._figures = self._empty()
        return self._figures

    @figures.setter
    def figures(self, value: dict[int, dict[str, Figures]]) -> None:
        self._figures = value

    @property
    def own(self) -> dict[int, dict[str, Figures]]:
        """year -> indicator -> figures attached to this unit itself (not to a child)"""
        if self._own is None:
            self._own = self._empty()
        return self._own

    @own.setter
    def own(self, value: dict[int, dict[str, Figures]]) -> None:
        self._own = value

    @property
    def budget(self) -> dict[int, dict[str, Budget]]:
        """year -> source -> budget"""
        if self._budget is None:
            self._budget = {year: {source: Budget() for source in BUDGET_SOURCES} for year in self.years}
        return self._budget

    @budget.setter
    def budget(self, value: dict[int, dict[str, Budget]]) -> None:
        self._budget = value

    @property
    def touched(self) -> bool:
        """Whether anything was counted, entered or summed on it (else all its figures are empty)."""
        return self._figures is not None or self._own is not None or self._budget is not None

    def _empty(self) -> dict[int, dict[str, Figures]]:
        figures = {year: {ind: Figures() for ind in INDICATORS} for year in self.years}
        for (year, indicator), target in (self.targets or {}).items():
            figures[year][indicator].target = target
        return figures

    def has_own(self, year: int) -> bool:
        return any(f.evaluated or f.registered_counted or f.recognised for f in self.own[year].values())


@dataclass
class Rollup:
    root: Node
    years: list[int]
    nodes: dict[str, Node]

    def node(self, path: str) -> Node:
        return self.nodes[path]

    def walk(self, node: Node | None = None, max_depth: int | None = None):
        """The subtree in tree order (parents before children)."""
        node = node or self.root
        yield node
        if max_depth is None or node.depth < max_depth:
            for child in node.children:
                yield from self.walk(child, max_depth)


def _without_cyclic_gc(fn):
    """Run ``fn`` with the cyclic garbage collector paused: a roll-up allocates a few objects per area, year
    and indicator (170,000 for a national root over every province), none in a reference cycle, and the
    collections that the allocations trigger cost more than the roll-up itself."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return wrapper


@_without_cyclic_gc
def rollup(*, root: AdministrativeUnit, years: list[int] | int, area_map: dict[int, int] | None = None) -> Rollup:
    """The roll-up of ``root``'s subtree for ``years``: a tree of :class:`Node` with figures per level.

    Each year counts the register as of that year (registration and end dates). Structure of its time
    (default): each subject is registered where it was at the end of the year (a reorganisation that moved
    it later does not change a past year). With ``area_map`` (old unit id -> unit id in the subtree, see
    :func:`rollup_mapped`) rows on old units, subjects included, are counted on today's units.
    """
    years = sorted({years} if isinstance(years, int) else set(years))
    nodes, by_id = _units_in_scope(root, years)
    # Only old units outside the tree that map into it; their rows are counted on the unit they map onto.
    area_map = {old: new for old, new in (area_map or {}).items() if new in by_id and old not in by_id}
    for old_id, new_id in area_map.items():
        by_id.setdefault(old_id, by_id[new_id])
    in_tree = _rows_in_scope(root, by_id, mapped=bool(area_map))
    _count_evaluations(in_tree, years, by_id)
    _count_register(in_tree, years, by_id, mapped=bool(area_map))
    _enter_denominators(in_tree, years, by_id, area_map)
    _add_budget_lines(in_tree, years, by_id)
    _sum_up_tree(root, years, nodes)
    _apply_targets(root, years, nodes)
    return Rollup(root=nodes[root.path], years=years, nodes=nodes)


def _units_in_scope(root: AdministrativeUnit, years: list[int]) -> tuple[dict[str, Node], dict[int, Node]]:
    """The units of ``root``'s subtree as empty :class:`Node` objects linked to their children: by path and
    by id."""
    nodes: dict[str, Node] = {}
    by_id: dict[int, Node] = {}
    for row in (
        AdministrativeUnit.objects.filter(in_subtree(root, field=None))
        .order_by("path")
        .values_list("id", "path", "name", "code", "level", "depth")
    ):
        node = Node(*row, years=years)
        nodes[node.path] = by_id[node.id] = node
        parent = nodes.get(parent_path(node.path))
        if parent is not None and node.depth > root.depth:
            parent.children.append(node)
    return nodes, by_id


def _rows_in_scope(root: AdministrativeUnit, by_id: dict[int, Node], *, mapped: bool) -> Q:
    """``Q`` for the rows to count: those attached to a unit of ``by_id`` (the subtree, and the old units
    mapped onto it when ``mapped``)."""
    # The large tables are filtered by their area column, the first of their covering indexes
    # (``evaluation_rollup_idx``, ``subject_register_idx``): the grouped counts never read the tables.
    if mapped:
        return Q(area_id__in=list(by_id))
    # A subquery rather than hundreds of parameters, which the ORM would process one by one.
    return Q(area_id__in=AdministrativeUnit.objects.filter(in_subtree(root, field=None)).values("id"))


def _count_evaluations(in_tree: Q, years: list[int], by_id: dict[int, Node]) -> None:
    """Adds to each unit's own figures its evaluated and recognised evaluations (by grade and level), and
    the learning citizens among the staff of units: one grouped query each, over every level."""
    evaluations = (
        Evaluation.objects.filter(in_tree, year__in=years)
        .exclude(status__in=NOT_EVALUATED)
        .values_list("year", "area_id", "kind", "grade", "level")
        .annotate(n=Count("id"), recognised=Count("id", filter=Q(status=EvaluationStatus.RECOGNISED)))
        .order_by()
    )
    for year, area_id, kind, grade, level, n, recognised in evaluations:
        figures = by_id[area_id].own[year][kind]
        figures.evaluated += n
        figures.recognised += recognised
        if recognised:
            if grade:
                figures.by_grade[grade] = figures.by_grade.get(grade, 0) + recognised
            if level:
                figures.by_level[level] = figures.by_level.get(level, 0) + recognised

    # Learning citizens among the staff of units (officials, public employees, armed forces).
    staff_citizens = (
        Evaluation.objects.filter(
            in_tree,
            year__in=years,
            kind=SubjectKind.CITIZEN,
            # A subquery on the citizens' table, not ``subject__learningcitizen__...``: that join goes through
            # the subjects' table and leads SQLite to scan every citizen instead of the roll-up index.
            subject_id__in=LearningCitizen.objects.filter(population_group=PopulationGroup.OFFICIALS).values("pk"),
        )
        .exclude(status__in=NOT_EVALUATED)
        .values_list("year", "area_id")
        .annotate(n=Count("id"), recognised=Count("id", filter=Q(status=EvaluationStatus.RECOGNISED)))
        .order_by()
    )
    for year, area_id, n, recognised in staff_citizens:
        figures = by_id[area_id].own[year][Indicator.CITIZEN_STAFF]
        figures.evaluated += n
        figures.recognised += recognised


def _count_register(in_tree: Q, years: list[int], by_id: dict[int, Node], *, mapped: bool) -> None:
    """Adds to each unit's own figures the subjects on its register as of each year (and the staff of its
    units); unless ``mapped``, subjects a later reorganisation moved count where they were then."""
    # Each year's register as of its evaluation date (registered by then and not yet left), counted for
    # every year in one pass over the covering index (a conditional count per year).
    on_register = {year: on_register_q(evaluation_date(year)) for year in years}
    registered = (
        Subject.objects.filter(in_tree)
        .values_list("area_id", "kind")
        .annotate(**{f"y{year}": Count("id", filter=on_register[year]) for year in years})
        .order_by()
    )
    staff = (
        # The kind is implied, but naming it lets the (area, kind, ...) index skip the households.
        LearningUnit.objects.filter(in_tree, kind=SubjectKind.UNIT)
        .values_list("area_id")
        .annotate(**{f"y{year}": Sum("staff_count", filter=on_register[year]) for year in years})
        .order_by()
    )
    for area_id, kind, *counts in registered:
        own = by_id[area_id].own
        for year, n in zip(years, counts, strict=True):
            own[year][kind].registered_counted += n
    for area_id, *sums in staff:
        own = by_id[area_id].own
        for year, n in zip(years, sums, strict=True):
            own[year][Indicator.CITIZEN_STAFF].registered_counted += n or 0
    if not mapped:
        _register_at_year_end(years, by_id)


def _enter_denominators(in_tree: Q, years: list[int], by_id: dict[int, Node], area_map: dict[int, int]) -> None:
    """Sets the entered denominators (the target figures' base) on their units; those of old communes and
    villages go to the unit they map onto unless it has its own."""
    # An old province's or district's entered figure would replace the whole new province's: not mapped.
    unmapped = (
        set(
            AdministrativeUnit.objects.filter(
                pk__in=list(area_map), level__in=[UnitLevel.PROVINCE, UnitLevel.DISTRICT]
            ).values_list("pk", flat=True)
        )
        if area_map
        else set()
    )
    mapped_entered: dict[tuple[int, int, str], int] = {}
    for area_id, year, indicator, value in (
        Denominator.objects.filter(in_tree, year__in=years)
        .order_by()
        .values_list("area_id", "year", "indicator", "value")
    ):
        if area_id in unmapped:
            continue
        if area_id in area_map:
            key = (area_map[area_id], year, indicator)
            mapped_entered[key] = mapped_entered.get(key, 0) + value
        else:
            by_id[area_id].figures[year][indicator].entered = value
    for (area_id, year, indicator), value in mapped_entered.items():
        figures = by_id[area_id].figures[year][indicator]
        if figures.entered is None:  # today's own entry wins
            figures.entered = value


def _add_budget_lines(in_tree: Q, years: list[int], by_id: dict[int, Node]) -> None:
    """Adds the budget lines (planned and spent, per source) to their units' own budget."""
    # Unordered: sums do not depend on the order, and the models' ordering would join the units for their paths.
    for area_id, year, source, planned, spent in (
        BudgetLine.objects.filter(in_tree, year__in=years)
        .order_by()
        .values_list("area_id", "year", "source", "planned", "spent")
    ):
        budget = by_id[area_id].budget[year][source]
        budget.planned += planned
        budget.spent += spent


def _sum_up_tree(root: AdministrativeUnit, years: list[int], nodes: dict[str, Node]) -> None:
    """Bottom-up (``nodes`` is in path order: reversed, each node comes after its subtree): each node's figures
    and budget become its own plus its children's, an entered denominator replacing the counted register of
    its subtree. Areas nothing was counted on, entered or summed into are left empty (they add nothing)."""
    for node in reversed(nodes.values()):
        if not node.touched:
            continue
        for year in years:
            for indicator, figures in node.figures[year].items():
                figures.add(node.own[year][indicator])
                figures.registered += node.own[year][indicator].registered_counted
                if figures.entered is not None:
                    figures.registered = figures.entered
            parent = nodes.get(parent_path(node.path)) if node.depth > root.depth else None
            if parent is not None:
                for indicator, figures in node.figures[year].items():
                    target = parent.figures[year][indicator]
                    target.add(figures)
                    target.registered += figures.registered
                for source, budget in node.budget[year].items():
                    parent.budget[year][source].planned += budget.planned
                    parent.budget[year][source].spent += budget.spent
        for year in years:
            for figures in node.own[year].values():
                figures.registered = figures.registered_counted


def _register_at_year_end(years: list[int], by_id: dict[int, Node]) -> None:
    """Count subjects moved by a later reorganisation where they were at the end of each year: one grouped
    query (where they were then, where they are now, kind) for the years the same reorganisations follow,
    with a conditional count per year over that year's register (most years share one: a single query)."""
    for group in years_by_later_reorganisations(years):
        counts = {}
        for year in group:
            on_register = on_register_q(evaluation_date(year), prefix="subject__")
            counts[f"n{year}"] = Count("id", filter=on_register)
            counts[f"staff{year}"] = Sum("subject__learningunit__staff_count", filter=on_register)
        moved = (
            first_moves_after(year_end(group[-1]))
            .values_list("from_area_id", "subject__area_id", "subject__kind")
            .annotate(**counts)
            .order_by()
        )
        for then_id, now_id, kind, *figures in moved:
            owns = [(by_id[unit_id].own, sign) for unit_id, sign in ((now_id, -1), (then_id, 1)) if unit_id in by_id]
            for year, n, staff in zip(group, figures[0::2], figures[1::2], strict=True):
                for own, sign in owns:
                    own[year][kind].registered_counted += sign * n
                    if kind == SubjectKind.UNIT:
                        own[year][Indicator.CITIZEN_STAFF].registered_counted += sign * (staff or 0)


def rollup_mapped(*, root: AdministrativeUnit, years: list[int] | int) -> Rollup:
    """A roll-up in today's structure: evaluations, budget lines and denominators of units that ended in a
    reorganisation are counted on the units of ``root``'s subtree they map onto (villages onto their new
    copies, communes onto their default new commune, old provinces and districts onto the new province).
    The register is the same as :func:`rollup`'s, as of each year, counted where each subject is today."""
    elsewhere = AdministrativeUnit.objects.exclude(in_subtree(root, field=None)).values_list("pk", flat=True)
    return rollup(root=root, years=years, area_map=current_unit_map(elsewhere))


def _apply_targets(root: AdministrativeUnit, years: list[int], nodes: dict[str, Node]) -> None:
    """Top-down: an area's own target, else the nearest ancestor's (the root looks above itself too). Each
    node gets the targets that apply to it; figures created later take them on."""
    ancestors = ancestor_paths(root.path, include_self=False)
    targets: dict[str, dict[tuple[int, str], Decimal]] = {}
    for path, year, indicator, percent in (
        Target.objects.filter(in_subtree(root) | Q(area__path__in=ancestors), year__in=years)
        .order_by()
        .values_list("area__path", "year", "indicator", "percent")
    ):
        targets.setdefault(path, {})[(year, indicator)] = percent
    above: dict[tuple[int, str], Decimal] = {}
    for path in ancestors:  # root first: the nearest ancestor's wins
        above.update(targets.get(path, {}))
    for node in nodes.values():  # path order: parents first
        parent = nodes.get(parent_path(node.path)) if node.depth > root.depth else None
        inherited = parent.targets if parent is not None else above
        own = targets.get(node.path)
        node.targets = {**inherited, **own} if own else inherited  # shared with the parent unless its own
        if node.touched:
            for (year, indicator), target in node.targets.items():
                node.figures[year][indicator].target = target
                node.own[year][indicator].target = target


def target_for(*, area: AdministrativeUnit, year: int, indicator: str) -> Decimal | None:
    """The target that applies to ``area``: its own, else its nearest ancestor's."""
    paths = ancestor_paths(area.path)
    found = dict(
        Target.objects.filter(area__path__in=paths, year=year, indicator=indicator).values_list(
            "area__path", "percent"
        )
    )
    return next((found[p] for p in reversed(paths) if p in found), None)


def snapshot(result: Rollup, year: int) -> dict:
    """The roll-up of one year as plain JSON: what a report submission freezes."""
    return {
        "root": result.root.path,
        "year": year,
        "areas": [
            {
                "path": node.path,
                "name": node.name,
                "code": node.code,
                "level": node.level,
                "depth": node.depth,
                "figures": {ind: figures.as_dict() for ind, figures in node.figures[year].items()},
                "budget": {
                    source: {"planned": str(b.planned), "spent": str(b.spent)}
                    for source, b in node.budget[year].items()
                },
            }
            for node in result.walk()
        ],
    }
