"""Every province under a national root: the units, a second province's data, the national roll-up."""

from __future__ import annotations

from django.db import connection

from bench.harness import YEAR, Context, Row, median_ms, median_seconds, timed
from bench.places import bench_province
from bench.step_reports import rollup_rows
from evaluations.admin_units import TreeWriter, ensure_national_root, load_admin_units
from evaluations.models import (
    SUBJECT_MODELS,
    AdministrativeUnit,
    Evaluation,
    Subject,
    SubjectKind,
    UnitLevel,
    UnitSuccession,
)
from evaluations.models.units import parent_path
from reports.rollup import rollup

#: Subjects copied onto the second province get this code prefix (and their source's id).
SECOND_PREFIX = "BENCH2-"


def step_national_units(ctx: Context) -> list[Row]:
    """Every province's units and the old -> new mapping loaded under a national root, then loaded again (about
    ten seconds: the quick run loads them all too)."""
    units_before = AdministrativeUnit.objects.count()
    seconds, report = timed(load_admin_units, all_provinces=True, national=True)
    reports = []
    again_s = median_seconds(lambda: reports.append(load_admin_units(all_provinces=True, national=True)))
    changes = sum(again.changed for again in reports)
    counts = report.counts
    scope = f"{counts['provinces']} provinces"
    return [
        Row(
            f"load units of {scope} under a national root",
            f"{seconds:.1f} s",
            f"one run (it changes the tree): {report.created:,} units created, {report.moved} provinces moved "
            "under the root",
        ),
        Row(
            "  provinces / former provinces",
            f"{counts['provinces']} / {counts['former provinces']}",
        ),
        Row(
            "  former districts / former communes",
            f"{counts['former districts']:,} / {counts['former communes']:,}",
            f"+{counts['former districts without communes']} island districts without communes",
        ),
        Row("  communes from 1/7/2025", f"{counts['communes']:,}"),
        Row("  successions (old -> new)", f"{counts['successions']:,}", f"{UnitSuccession.objects.count():,} stored"),
        Row("  units in the database", f"{AdministrativeUnit.objects.count():,}", f"{units_before:,} before"),
        Row("  load again (idempotent), median of 3", f"{again_s:.1f} s", f"{changes} changes in 3 loads"),
    ]


def copy_province_data(source, target) -> dict[str, int]:
    """A second province of generated data: the register and evaluations of ``source`` (the former Ninh
    Thuận) copied onto ``target``'s units (the former Khánh Hòa): districts and communes spread evenly, each
    village re-created under its commune's image. Scores and clans' village links are not copied (the
    roll-up reads neither)."""

    def units(root, level):
        return list(AdministrativeUnit.objects.in_area(root).filter(level=level).order_by("path"))

    mapping = {source.pk: target.pk}
    for level in (UnitLevel.DISTRICT, UnitLevel.COMMUNE):
        src, dst = units(source, level), units(target, level)
        mapping.update((u.pk, dst[i * len(dst) // len(src)].pk) for i, u in enumerate(src))
    image = {u.path: u for u in AdministrativeUnit.objects.filter(pk__in=set(mapping.values()))}
    by_pk = {u.pk: u for u in image.values()}
    parents = {u.path: mapping[u.pk] for u in AdministrativeUnit.objects.filter(pk__in=list(mapping))}
    writer, copies = TreeWriter(), []
    for village in units(source, UnitLevel.VILLAGE):
        parent = by_pk[parents[parent_path(village.path)]]
        fields = {
            f: getattr(village, f) for f in ("name", "short_name", "unit_type", "level", "valid_from", "valid_to")
        }
        copies.append((village, writer.add(parent, **fields)))
    writer.flush()
    mapping.update((village.pk, copy.pk) for village, copy in copies)

    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_area_map")
        cursor.execute("CREATE TEMP TABLE bench_area_map (src integer PRIMARY KEY, dst integer NOT NULL)")
        cursor.executemany("INSERT INTO bench_area_map (src, dst) VALUES (%s, %s)", list(mapping.items()))

        def columns(model, replace: dict[str, str], alias: str) -> tuple[str, str]:
            # Every column but an own id (a child table's key is its parent link, which is copied).
            fields = [f for f in model._meta.local_concrete_fields if not (f.primary_key and not f.is_relation)]
            names = ", ".join(quote(f.column) for f in fields)
            values = ", ".join(replace.get(f.column, f"{alias}.{quote(f.column)}") for f in fields)
            return names, values

        subject_table = quote(Subject._meta.db_table)
        evaluation_table = quote(Evaluation._meta.db_table)
        # The register has moved onto today's units since (the demo applies the 2025 reorganisation): a
        # subject is copied where its evaluation of the benchmarked year was, on the former units.
        where_then = (
            f"JOIN {evaluation_table} te ON te.subject_id = s.id AND te.year = {int(YEAR)} "
            "JOIN bench_area_map m ON m.src = te.area_id"
        )
        names, values = columns(Subject, {"area_id": "m.dst", "code": f"'{SECOND_PREFIX}' || s.id"}, "s")
        cursor.execute(
            f"INSERT INTO {subject_table} ({names}) SELECT {values} FROM {subject_table} s {where_then}"  # noqa: S608
        )
        # The copy of a subject, found through the register index (area, kind, ...).
        twin = (
            f"{where_then} JOIN {subject_table} ns ON ns.area_id = m.dst "
            f"AND ns.kind = s.kind AND ns.code = '{SECOND_PREFIX}' || s.id"
        )
        for model in SUBJECT_MODELS.values():
            table = quote(model._meta.db_table)
            ptr = model._meta.pk.column
            names, values = columns(model, {ptr: "ns.id"}, "c")
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {values} FROM {table} c "  # noqa: S608
                f"JOIN {subject_table} s ON s.id = c.{quote(ptr)} {twin}"
            )
        names, values = columns(
            Evaluation,
            {"subject_id": "ns.id", "area_id": "ea.dst", "decision_id": "NULL", "revocation_id": "NULL"},
            "e",
        )
        cursor.execute(
            f"INSERT INTO {evaluation_table} ({names}) SELECT {values} FROM {evaluation_table} e "  # noqa: S608
            f"JOIN bench_area_map ea ON ea.src = e.area_id JOIN {subject_table} s ON s.id = e.subject_id {twin}"
        )
        cursor.execute("DROP TABLE bench_area_map")
        cursor.execute("ANALYZE")
    return {
        "villages": len(copies),
        "subjects": Subject.objects.filter(code__startswith=SECOND_PREFIX).count(),
        "evaluations": Evaluation.objects.filter(subject__code__startswith=SECOND_PREFIX).count(),
    }


def step_national_rollup(ctx: Context) -> list[Row]:
    """The roll-up at the national root over two provinces' generated data, beside its floor (every query
    it runs, in SQL, checked equal)."""
    first = bench_province()
    second = AdministrativeUnit.objects.get(code="56", level=UnitLevel.PROVINCE, valid_from__isnull=True)
    copied_s, copied = timed(copy_province_data, first, second)
    nation = ensure_national_root()

    result = rollup(root=nation, years=YEAR)
    with_data = [c for c in result.root.children if c.figures[YEAR][SubjectKind.FAMILY].evaluated]
    assert {c.name for c in with_data} == {first.name, second.name}, with_data

    repeats = 5 if ctx.quick else 7
    # The same tree for a year without data: what the areas themselves cost (14,000 with every province).
    empty_ms = median_ms(lambda: rollup(root=nation, years=YEAR + 10), repeats=repeats)
    evaluated = sum(c.figures[YEAR][k].evaluated for c in with_data for k in SubjectKind.values)
    return [
        Row(
            "copy the generated data onto a second province",
            f"{copied_s:.1f} s",
            f"set-up, one run: {copied['subjects']:,} subjects, {copied['evaluations']:,} evaluations, "
            f"{copied['villages']} villages",
        ),
        *rollup_rows(f"roll-up at the national root, {YEAR}", nation, [YEAR], repeats=repeats),
        Row("  provinces with data / evaluated", f"{len(with_data)} / {evaluated:,}"),
        Row(
            f"  the same roll-up for a year without data ({YEAR + 10})",
            f"{empty_ms:.0f} ms",
            f"median of {repeats}: the cost of the areas alone",
        ),
    ]
