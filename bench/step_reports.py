"""The roll-up of the province beside its honest floor (every query it runs, hand-written in SQL, checked
equal), and the official workbook."""

from __future__ import annotations

from collections import defaultdict

from django.db import connection

from bench.harness import YEAR, Context, Row, goal_row, median_ms
from bench.places import bench_province
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
)
from evaluations.models.units import ancestor_paths
from reorganisation.models import Reorganisation, SubjectMove
from reports import excel
from reports.models import BudgetLine, Denominator, Indicator, Target
from reports.rollup import rollup
from reports.services import targets_seed_national

#: The issue's goal: the roll-up within twice the SQL its answer needs.
ROLLUP_GOAL = 2


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def on_register_sql(alias: str) -> str:
    """``subjects.on_register_q`` in SQL, for a date given as two parameters."""
    return (
        f"({alias}.registered_on IS NULL OR {alias}.registered_on <= %s) "
        f"AND ({alias}.ended_on IS NULL OR {alias}.ended_on > %s)"
    )


def rollup_floor(root, years: list[int]) -> dict[str, list[tuple]]:
    """The floor of ``rollup(root=root, years=years)``: the queries its answer needs, written in SQL, each
    fetched whole. The same GROUP BYs over the same covering indexes (rows picked by the subtree's unit
    ids): the evaluations per area, year, kind, grade and level; the staff citizens; each year's register
    (a conditional count per year) and the staff of units; the subjects a later reorganisation moved,
    grouped by where they were at each year's end; the denominators, budget lines and targets. What the
    floor leaves out is the roll-up's own work: the tree in Python and the figures on each node."""
    years = sorted(years)
    marks = ", ".join(["%s"] * len(years))
    in_tree = f"IN (SELECT id FROM {table(AdministrativeUnit)} WHERE path LIKE %s)"
    prefix = root.path + "%"
    recognised = f"SUM(CASE WHEN e.status = '{EvaluationStatus.RECOGNISED}' THEN 1 ELSE 0 END)"
    registers = ", ".join(f"SUM(CASE WHEN {on_register_sql('s')} THEN 1 ELSE 0 END)" for _ in years)
    staff_registers = ", ".join(f"SUM(CASE WHEN {on_register_sql('s')} THEN u.staff_count END)" for _ in years)
    dates = [d for year in years for d in (evaluation_date(year),) * 2]
    unit_pk, citizen_pk = LearningUnit._meta.pk.column, LearningCitizen._meta.pk.column
    above = ancestor_paths(root.path, include_self=False)  # targets are inherited from above the root
    above_sql = f" OR a.path IN ({', '.join(['%s'] * len(above))})" if above else ""
    queries = {
        "units": (
            f"SELECT id, path, name, code, level, depth FROM {table(AdministrativeUnit)} "  # noqa: S608
            "WHERE path LIKE %s ORDER BY path",
            [prefix],
        ),
        "evaluations": (
            f"SELECT e.year, e.area_id, e.kind, e.grade, e.level, COUNT(*), {recognised} "  # noqa: S608
            f"FROM {table(Evaluation)} e WHERE e.area_id {in_tree} AND e.year IN ({marks}) "
            f"AND e.status <> '{EvaluationStatus.DRAFT}' GROUP BY e.year, e.area_id, e.kind, e.grade, e.level",
            [prefix, *years],
        ),
        "staff citizens": (
            f"SELECT e.year, e.area_id, COUNT(*), {recognised} FROM {table(Evaluation)} e "  # noqa: S608
            f"JOIN {table(LearningCitizen)} c ON c.{citizen_pk} = e.subject_id "
            f"WHERE e.area_id {in_tree} AND e.year IN ({marks}) AND e.kind = '{SubjectKind.CITIZEN}' "
            f"AND c.population_group = '{PopulationGroup.OFFICIALS}' AND e.status <> '{EvaluationStatus.DRAFT}' "
            "GROUP BY e.year, e.area_id",
            [prefix, *years],
        ),
        "register": (
            f"SELECT s.area_id, s.kind, {registers} FROM {table(Subject)} s "  # noqa: S608
            f"WHERE s.area_id {in_tree} GROUP BY s.area_id, s.kind",
            [*dates, prefix],
        ),
        "staff of units": (
            f"SELECT s.area_id, {staff_registers} FROM {table(Subject)} s "  # noqa: S608
            f"JOIN {table(LearningUnit)} u ON u.{unit_pk} = s.id "
            f"WHERE s.area_id {in_tree} AND s.kind = '{SubjectKind.UNIT}' GROUP BY s.area_id",
            [*dates, prefix],
        ),
        "denominators": (
            f"SELECT area_id, year, indicator, value FROM {table(Denominator)} "  # noqa: S608
            f"WHERE area_id {in_tree} AND year IN ({marks})",
            [prefix, *years],
        ),
        "budget lines": (
            f"SELECT area_id, year, source, planned, spent FROM {table(BudgetLine)} "  # noqa: S608
            f"WHERE area_id {in_tree} AND year IN ({marks})",
            [prefix, *years],
        ),
        "targets": (
            f"SELECT a.path, t.year, t.indicator, t.percent FROM {table(Target)} t "  # noqa: S608
            f"JOIN {table(AdministrativeUnit)} a ON a.id = t.area_id WHERE t.year IN ({marks}) "
            f"AND (a.path LIKE %s{above_sql})",
            [*years, prefix, *above],
        ),
    }
    moves, reorganisations = table(SubjectMove), table(Reorganisation)
    for year in years:
        # Where each subject a later reorganisation moved was at the year's end: its first move's origin.
        # Each engine's faster form, as ``first_moves_after`` chooses it: PostgreSQL the anti-join ("no earlier
        # such move"; the floor's nine queries 764 -> 362-422 ms at full scale), SQLite the smallest id per
        # subject joined back.
        if connection.vendor == "postgresql":
            queries[f"moved after {year}"] = (
                f"SELECT m.from_area_id, s.area_id, s.kind, COUNT(*), SUM(COALESCE(u.staff_count, 0)) "  # noqa: S608
                f"FROM {moves} m JOIN {reorganisations} r ON r.id = m.reorganisation_id AND r.effective_date > %s "
                f"JOIN {table(Subject)} s ON s.id = m.subject_id "
                f"LEFT JOIN {table(LearningUnit)} u ON u.{unit_pk} = s.id WHERE {on_register_sql('s')} "
                f"AND NOT EXISTS (SELECT 1 FROM {moves} e JOIN {reorganisations} er ON er.id = e.reorganisation_id "
                "WHERE e.subject_id = m.subject_id AND e.id < m.id AND er.effective_date > %s) "
                "GROUP BY m.from_area_id, s.area_id, s.kind",
                [year_end(year), evaluation_date(year), evaluation_date(year), year_end(year)],
            )
            continue
        queries[f"moved after {year}"] = (
            f"SELECT m.from_area_id, s.area_id, s.kind, COUNT(*), SUM(COALESCE(u.staff_count, 0)) "  # noqa: S608
            f"FROM (SELECT subject_id, MIN(id) AS first_id FROM {moves} WHERE reorganisation_id IN "
            f"(SELECT id FROM {reorganisations} WHERE effective_date > %s) GROUP BY subject_id) f "
            f"JOIN {moves} m ON m.id = f.first_id JOIN {table(Subject)} s ON s.id = f.subject_id "
            f"LEFT JOIN {table(LearningUnit)} u ON u.{unit_pk} = s.id WHERE {on_register_sql('s')} "
            "GROUP BY m.from_area_id, s.area_id, s.kind",
            [year_end(year), evaluation_date(year), evaluation_date(year)],
        )
    results = {}
    with connection.cursor() as cursor:
        for name, (sql, params) in queries.items():
            cursor.execute(sql, params)
            results[name] = cursor.fetchall()
    return results


def floor_figures(floor: dict[str, list[tuple]], years: list[int]) -> dict[tuple, tuple]:
    """(year, area id, indicator) -> (evaluated, recognised, registered, recognised by grade, by level):
    what the roll-up must attach to each unit itself, from the floor's rows."""
    figures: dict[tuple, list] = defaultdict(lambda: [0, 0, 0, defaultdict(int), defaultdict(int)])
    for year, area_id, kind, grade, level, n, recognised in floor["evaluations"]:
        own = figures[(year, area_id, kind)]
        own[0] += n
        own[1] += recognised
        if recognised and grade:
            own[3][grade] += recognised
        if recognised and level:
            own[4][level] += recognised
    for year, area_id, n, recognised in floor["staff citizens"]:
        own = figures[(year, area_id, Indicator.CITIZEN_STAFF)]
        own[0] += n
        own[1] += recognised
    for area_id, kind, *counts in floor["register"]:
        for year, n in zip(years, counts, strict=True):
            figures[(year, area_id, kind)][2] += n
    for area_id, *sums in floor["staff of units"]:
        for year, n in zip(years, sums, strict=True):
            figures[(year, area_id, Indicator.CITIZEN_STAFF)][2] += n or 0
    for year in years:
        for then_id, now_id, kind, n, staff in floor[f"moved after {year}"]:
            for area_id, sign in ((now_id, -1), (then_id, 1)):
                figures[(year, area_id, kind)][2] += sign * n
                if kind == SubjectKind.UNIT:
                    figures[(year, area_id, Indicator.CITIZEN_STAFF)][2] += sign * staff
    return {key: (e, r, reg, dict(g), dict(lv)) for key, (e, r, reg, g, lv) in figures.items()}


def check_rollup_equals_floor(result, floor: dict[str, list[tuple]], years: list[int]) -> int:
    """Assert that every unit's own figures in the roll-up are the floor's; the number of figures compared."""
    expected = floor_figures(floor, years)
    assert len(result.nodes) == len(floor["units"]), (len(result.nodes), len(floor["units"]))
    compared = 0
    for node in result.nodes.values():
        for year in years:
            for indicator, own in node.own[year].items():
                got = (own.evaluated, own.recognised, own.registered_counted, own.by_grade, own.by_level)
                assert got == expected.get((year, node.id, indicator), (0, 0, 0, {}, {})), (node.path, year, got)
                compared += 1
    return compared


def rollup_rows(label: str, root, years: list[int], repeats: int) -> list[Row]:
    """The roll-up of ``root`` for ``years`` beside its floor, checked equal first; medians of ``repeats``."""
    result = rollup(root=root, years=years)
    floor = rollup_floor(root, years)
    compared = check_rollup_equals_floor(result, floor, years)
    rollup_ms = median_ms(lambda: rollup(root=root, years=years), repeats=repeats)
    floor_ms = median_ms(lambda: rollup_floor(root, years), repeats=repeats)
    queries = len(floor)
    return [
        Row(f"{label} (median of {repeats})", f"{rollup_ms:.0f} ms", f"{len(result.nodes):,} areas, {root.name}"),
        Row(
            f"  floor: its {queries} queries in SQL, same rows (checked equal)",
            f"{floor_ms:.0f} ms",
            f"{compared:,} figures compared; grouped on the covering indexes by unit ids",
        ),
        goal_row(f"  {label}: roll-up / floor ratio", rollup_ms / floor_ms, unit="x", at_most=ROLLUP_GOAL, digits=2),
    ]


def step_rollup(ctx: Context) -> list[Row]:
    """The full roll-up (every level) for one year and for every year, beside its floor."""
    root = bench_province()
    targets_seed_national(province=root, yearly_from=2021)
    years = list(ctx.data["sizes"].years)
    one_ms = median_ms(lambda: rollup(root=root, years=YEAR), repeats=7)
    return [
        goal_row(f"roll-up, {YEAR}, every level", one_ms, unit="ms", at_most=1000, digits=0, note=root.name),
        *rollup_rows(f"roll-up, {YEAR}", root, [YEAR], repeats=7),
        *rollup_rows(f"roll-up, {len(years)} years", root, years, repeats=5),
    ]


def step_workbook(ctx: Context) -> list[Row]:
    root = bench_province()
    path = ctx.workdir / "official.xlsx"

    def build():
        excel.official_workbook(rollup(root=root, years=YEAR), YEAR, str(path))

    ms = median_ms(build, repeats=3)
    return [
        Row(
            f"official workbook, {root.name} {YEAR} (median of 3)",
            f"{ms:.0f} ms",
            f"{path.stat().st_size / 1024:.0f} KB",
        )
    ]
