"""The dashboard's "Việc cần làm" (``reports.todo``) for a provincial officer (the whole province) and a commune
officer: its evaluation queues against the floor of the same counts (one bounded COUNT each in raw SQL, on
the same indexes, checked equal), and the whole panel (queues, reports due, criteria sets) as served."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import translation

from bench.harness import YEAR, Context, Row, goal_row, load_average, median_ms
from bench.places import bench_province, busiest_area
from evaluations import roles
from evaluations.models import AdministrativeUnit, AreaAssignment, Evaluation, Subject, UnitLevel
from reports.todo import COUNT_BOUND, RETURNED_SHOWN, evaluation_queue_items, todo_items

REPEATS = 7


def officer(username: str, role: str, area: AdministrativeUnit):
    user, _created = get_user_model().objects.get_or_create(username=username, defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name=role))
    AreaAssignment.objects.get_or_create(user=user, area=area)
    return get_user_model().objects.get(pk=user.pk)  # permissions read afresh


def floor_counts(area: AdministrativeUnit, queues: list[tuple[str, str]]) -> tuple[list[int], list[str]]:
    """The queues' counts, each one ``SELECT COUNT(*)`` over a LIMIT in raw SQL (``queues`` are (label, extra
    WHERE clause on the evaluation ``e``)), and the latest returned evaluations' names."""
    table, units = Evaluation._meta.db_table, AdministrativeUnit._meta.db_table
    counts = []
    with connection.cursor() as cursor:
        for _label, where in queues:
            cursor.execute(
                f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} e JOIN {units} u ON u.id = e.area_id "  # noqa: S608
                f"WHERE u.path LIKE %s AND {where} LIMIT {COUNT_BOUND + 1}) AS q",
                [area.path + "%"],
            )
            counts.append(cursor.fetchone()[0])
        # The panel names the latest returned evaluations with their reasons.
        subjects = Subject._meta.db_table
        cursor.execute(
            f"SELECT e.id, s.name, e.year, e.status_reason FROM {table} e JOIN {units} u ON u.id = e.area_id "  # noqa: S608
            f"JOIN {subjects} s ON s.id = e.subject_id WHERE u.path LIKE %s AND e.status = 'draft' "
            f"AND e.status_reason <> '' ORDER BY e.year DESC, e.sort_name_folded, e.sort_name, e.id "
            f"LIMIT {RETURNED_SHOWN}",
            [area.path + "%"],
        )
        latest = [f"{name} – {year}" for _pk, name, year, _reason in cursor.fetchall()]
    return counts, latest


#: The officer's queues as the panel counts them (no nearer officer exists in the bench data), as SQL.
QUEUES = [
    ("Returned for correction", "e.status = 'draft' AND e.status_reason <> ''"),
    (
        "Fully scored drafts to submit for review",
        "e.status = 'draft' AND e.result <> 'incomplete' AND e.status_reason = ''",
    ),
    ("Drafts not fully scored", "e.status = 'draft' AND e.result = 'incomplete' AND e.status_reason = ''"),
    ("Awaiting your review", "e.status = 'submitted'"),
    ("Reviewed, awaiting a recognition decision", "e.status = 'reviewed' AND e.result = 'meets'"),
]


def open_round(year: int) -> list[tuple[int, str, str]]:
    """Put a twentieth of ``year``'s evaluations in each waiting state (returned, draft, submitted, reviewed)
    as a running round has them; returns what to put back."""
    table = Evaluation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, status, status_reason FROM {table} WHERE year = %s AND id %% 20 < 4", [year])  # noqa: S608
        before = cursor.fetchall()
        for remainder, status, reason in (
            (0, "draft", "Thiếu biên bản"),
            (1, "draft", ""),
            (2, "submitted", ""),
            (3, "reviewed", ""),
        ):
            cursor.execute(
                f"UPDATE {table} SET status = %s, status_reason = %s WHERE year = %s AND id %% 20 = %s",  # noqa: S608
                [status, reason, year, remainder],
            )
    return before


def restore(before: list[tuple[int, str, str]]) -> None:
    table = Evaluation._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET status = %s, status_reason = %s WHERE id = %s", [(s, r, i) for i, s, r in before]
        )  # noqa: S608


def step_todo(ctx: Context) -> list[Row]:
    before = open_round(YEAR)
    try:
        return measure()
    finally:
        restore(before)


def measure() -> list[Row]:
    province = bench_province()
    commune = busiest_area().get_children().filter(level=UnitLevel.COMMUNE).first()
    rows = [Row("machine load (1 / 5 / 15 min)", load_average())]
    # The province first: once the commune's officer exists, the province's panel leaves that commune's
    # drafts to them (the nearer-officer rule), which the floor below does not model.
    for label, username, role, area in (
        ("provincial officer", "bench-tinh", roles.PROVINCIAL_OFFICER, province),
        ("commune officer", "bench-xa", roles.COMMUNE_OFFICER, commune),
    ):
        user = officer(username, role, area)
        queues = [(name, where) for name, where in QUEUES if user.has_perm(queue_permission(name))]
        with translation.override("en"):  # the labels as QUEUES names them
            items = evaluation_queue_items(user)
        ours = {str(item.label): item.count for item in items}
        floor, latest = floor_counts(area, queues)
        expected = {name: count for (name, _where), count in zip(queues, floor, strict=True) if count}
        assert ours == expected, f"{label}: the panel's counts {ours} differ from the floor's {expected}"
        named = next((item.rows for item in items if item.rows), [])
        assert [name for name, _reason, _url in named] == latest, f"{label}: the returned ones named differ"
        orm_ms = median_ms(lambda user=user: evaluation_queue_items(user), REPEATS)
        floor_ms = median_ms(lambda area=area, queues=queues: floor_counts(area, queues), REPEATS)
        panel_ms = median_ms(lambda user=user: todo_items(user), REPEATS)
        shown = ", ".join(f"{count:,}" for count in floor)
        rows += [
            Row(f"to-do queues, {label} ({area.name}): ORM", f"{orm_ms:.1f} ms", f"counts {shown}"),
            Row("  the same bounded COUNTs and named rows in raw SQL (floor)", f"{floor_ms:.1f} ms", "same answer"),
            # A commune's queues are a few rows: the panel's fixed cost (permissions, the area, the nearer
            # officers: ~6 ms) is most of it, so the ratio is judged on the province's, printed for both.
            goal_row("  ORM / floor", orm_ms / floor_ms, unit="x", at_most=3, digits=2)
            if area == province
            else Row("  ORM / floor", f"{orm_ms / floor_ms:.2f} x", "fixed cost of a few ms over small counts"),
            goal_row("  whole panel (queues, reports due, criteria sets)", panel_ms, unit="ms", at_most=150),
        ]
    rows.append(Row("machine load after", load_average()))
    return rows


def queue_permission(label: str) -> str:
    from reports.todo import RECOGNISE, REVIEW, SUBMIT

    if label.startswith("Awaiting"):
        return REVIEW
    if label.startswith("Reviewed"):
        return RECOGNISE
    return SUBMIT
