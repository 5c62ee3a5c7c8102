"""The roll-up of the province beside hand-written SQL, and the official workbook."""

from __future__ import annotations

from django.db import connection

from bench.harness import YEAR, Context, Row, median_ms
from bench.places import bench_province
from evaluations.models.units import PATH_STEP
from reports import excel
from reports.rollup import rollup
from reports.services import targets_seed_national


def sql_group_by(root, years: list[int]) -> list[tuple]:
    """The hand-written baseline: one GROUP BY over the same evaluations, per commune, kind and year."""
    commune_prefix = PATH_STEP * 3
    marks = ", ".join(["%s"] * len(years))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT e.year, substr(u.path, 1, {commune_prefix}) AS commune, e.kind, e.grade,
                   COUNT(*), SUM(CASE WHEN e.status = 'recognised' THEN 1 ELSE 0 END)
            FROM evaluations_evaluation e JOIN evaluations_administrativeunit u ON u.id = e.area_id
            WHERE e.year IN ({marks}) AND e.status <> 'draft' AND u.path LIKE %s
            GROUP BY e.year, commune, e.kind, e.grade
            """,
            [*years, root.path + "%"],
        )
        return cursor.fetchall()


def sql_group_by_ids(root, years: list[int]) -> list[tuple]:
    """A stricter baseline: the same GROUP BY picking the rows by the subtree's unit ids, which the
    roll-up's covering index serves without reading the table (the roll-up's own first query)."""
    marks = ", ".join(["%s"] * len(years))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT e.year, e.area_id, e.kind, e.grade, e.level,
                   COUNT(*), SUM(CASE WHEN e.status = 'recognised' THEN 1 ELSE 0 END)
            FROM evaluations_evaluation e
            WHERE e.area_id IN (SELECT id FROM evaluations_administrativeunit WHERE path LIKE %s)
              AND e.year IN ({marks}) AND e.status <> 'draft'
            GROUP BY e.area_id, e.year, e.kind, e.grade, e.level
            """,
            [root.path + "%", *years],
        )
        return cursor.fetchall()


def step_rollup(ctx: Context) -> list[Row]:
    """The full roll-up (every level) for one year and for five, beside one hand-written SQL GROUP BY."""
    root = bench_province()
    targets_seed_national(province=root, yearly_from=2021)
    years = list(ctx.data["sizes"].years)
    one_ms = median_ms(lambda: rollup(root=root, years=YEAR), repeats=7)
    sql_one_ms = median_ms(lambda: sql_group_by(root, [YEAR]), repeats=7)
    ids_one_ms = median_ms(lambda: sql_group_by_ids(root, [YEAR]), repeats=7)
    five_ms = median_ms(lambda: rollup(root=root, years=years), repeats=5)
    sql_five_ms = median_ms(lambda: sql_group_by(root, years), repeats=5)
    ids_five_ms = median_ms(lambda: sql_group_by_ids(root, years), repeats=5)
    result = rollup(root=root, years=YEAR)
    nodes = len(result.nodes)
    return [
        Row(f"roll-up, {YEAR}, every level", f"{one_ms:.0f} ms", f"{nodes} areas, {root.name}; goal < 1000 ms"),
        Row("  hand-written SQL GROUP BY, same rows", f"{sql_one_ms:.0f} ms"),
        Row("  roll-up / SQL ratio", f"{one_ms / sql_one_ms:.2f} x", "goal <= 2 x"),
        Row("  the same GROUP BY by unit ids (covering index)", f"{ids_one_ms:.0f} ms"),
        Row("  roll-up / by-ids ratio", f"{one_ms / ids_one_ms:.2f} x", "the roll-up also counts the register"),
        Row(f"roll-up, {len(years)} years", f"{five_ms:.0f} ms"),
        Row("  hand-written SQL GROUP BY, same rows", f"{sql_five_ms:.0f} ms"),
        Row("  roll-up / SQL ratio", f"{five_ms / sql_five_ms:.2f} x", "goal <= 2 x"),
        Row("  the same GROUP BY by unit ids (covering index)", f"{ids_five_ms:.0f} ms"),
        Row("  roll-up / by-ids ratio", f"{five_ms / ids_five_ms:.2f} x"),
    ]


def step_workbook(ctx: Context) -> list[Row]:
    root = bench_province()
    path = ctx.workdir / "official.xlsx"

    def build():
        excel.official_workbook(rollup(root=root, years=YEAR), YEAR, str(path))

    ms = median_ms(build, repeats=3)
    return [Row(f"official workbook, {root.name} {YEAR}", f"{ms:.0f} ms", f"{path.stat().st_size / 1024:.0f} KB")]
