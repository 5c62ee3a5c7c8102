"""The areas the benches measure (the benchmark province and its busiest commune), and the index walk that
the listings' floors share."""

from __future__ import annotations

from django.db.models import Count

from bench.harness import YEAR
from evaluations.models import AdministrativeUnit, Evaluation, Subject, UnitLevel
from evaluations.models.units import in_subtree


def bench_province():
    return AdministrativeUnit.objects.filter(code="58", level=UnitLevel.PROVINCE).first()


def busiest_area():
    """The old district with most evaluations: the listing a district officer opens most."""
    districts = list(AdministrativeUnit.objects.filter(level=UnitLevel.DISTRICT))
    counts = {d: Evaluation.objects.filter(in_subtree(d), year=YEAR).aggregate(n=Count("pk"))["n"] for d in districts}
    return max(counts, key=counts.get)


def walk_list_index(cursor, where: list[str], args: list, size: int, shown: str, joins: str = "") -> list[int]:
    """The floor of one list page in SQL: the ids of ``size`` evaluations matching ``where`` walked from an
    index in list order (year, then Vietnamese name), then the ``shown`` columns of those ids alone (``e``
    the evaluation, ``s`` its subject, ``u`` its area, plus ``joins``)."""
    table, subjects, units = Evaluation._meta.db_table, Subject._meta.db_table, AdministrativeUnit._meta.db_table
    cursor.execute(
        f"SELECT id FROM {table} WHERE {' AND '.join(where) or '1 = 1'} "  # noqa: S608 (model table names)
        f"ORDER BY year DESC, sort_name_folded, sort_name, id LIMIT {int(size)}",
        args,
    )
    ids = [row[0] for row in cursor.fetchall()]
    if ids:
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(
            f"SELECT {shown} FROM {table} e JOIN {subjects} s ON s.id = e.subject_id "  # noqa: S608
            f"JOIN {units} u ON u.id = e.area_id {joins} WHERE e.id IN ({marks})",
            ids,
        )
        cursor.fetchall()
    return ids
