"""The rows a preview shows: the first rows of the file the import creates or updates, as they will be stored.

A list can hold 164,000 rows: the preview keeps ``PREVIEW_ROWS`` of them (the lowest row numbers), chosen in
one pass without sorting the plan, and says how many more there are. Each row's name is the one the import
stores, made by the kind's own display-name rule (``subject_names_of_rows``).
"""

from __future__ import annotations

import datetime
import heapq
import itertools
import operator

from django.utils.translation import gettext as _

from .. import scoring
from ..models import ImportKind, Subject
from ..models.subjects import subject_names_of_rows
from ..points import points_text
from . import columns as cols
from .planning import NAME_FIELD, Plan, Record
from .writing import child_rows

#: How many rows to create or update a preview lists.
PREVIEW_ROWS = 50
CREATE, UPDATE = "create", "update"
#: Columns the preview shows in their own cells, not among a row's details.
OWN_CELLS = {"commune", "district", "village", "code", "note", *NAME_FIELD.values()}


def preview_rows(plan: Plan, limit: int = PREVIEW_ROWS) -> list[dict]:
    """The first ``limit`` rows to create or update, in file order: row, action, name, place, code, details
    and, for an update, what changes."""
    first = heapq.nsmallest(limit, itertools.chain(plan.to_create, plan.to_update), key=operator.attrgetter("row"))
    if not first:
        return []
    if plan.kind == ImportKind.RESULT:
        return result_rows(first)
    return register_rows(plan, first)


def register_rows(plan: Plan, records: list[Record]) -> list[dict]:
    kind = plan.kind
    present = set(plan.header.positions)
    creates = [r for r in records if r.pk is None]
    updates = [r for r in records if r.pk is not None]
    # New rows hold only the file's columns (the defaults are filled in as the write does); updates hold all.
    own = {
        id(r): values
        for group, known in ((creates, present), (updates, None))
        for r, values in zip(group, child_rows(kind, group, known), strict=True)
    }
    names = subject_names_of_rows(kind=kind, rows=[(r.area, own[id(r)]) for r in records])
    shown = [c for c in cols.KINDS[kind] if c.field in present and c.field not in OWN_CELLS]
    headings = {c.field: c.heading for c in cols.KINDS[kind]}
    return [
        {
            "row": record.row,
            "action": UPDATE if record.pk is not None else CREATE,
            "name": name,
            "place": record.area.label_with_parent,
            "code": record.get("code", ""),
            "details": " · ".join(
                f"{c.heading}: {shown_value(record.get(c.field), c)}" for c in shown if record.get(c.field) is not None
            ),
            "changes": ", ".join(headings.get(f, f) for f in getattr(record, "changed", ())),
        }
        for record, (name, _folded) in zip(records, names, strict=True)
    ]


def result_rows(records: list) -> list[dict]:
    subjects = {
        pk: (name, code)
        for pk, name, code in Subject.objects.filter(pk__in=[r.subject_id for r in records]).values_list(
            "pk", "name", "code"
        )
    }
    rows = []
    for record in records:
        details = [_("Year %(year)d") % {"year": record.year}, record.criteria_set.code]
        if record.evaluation is None:
            result = scoring.score(record.spec, record.values)
            if result.total is not None:
                details.append(_("total %(total)s") % {"total": points_text(result.total)})
            if result.grade:
                details.append(result.grade)
        name, code = subjects.get(record.subject_id, ("", ""))
        rows.append(
            {
                "row": record.row,
                "action": UPDATE if record.evaluation is not None else CREATE,
                "name": name,
                "place": record.area.label_with_parent if record.area is not None else "",
                "code": code,
                "details": " · ".join(details),
                "changes": (
                    _("%(count)d indicator scores") % {"count": len(record.values)}
                    if record.evaluation is not None
                    else ""
                ),
            }
        )
    return rows


def shown_value(value, column: cols.Column) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.date):
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    if column.type == cols.CHOICE and column.choices.get(value):
        return column.choices[value][0]
    return str(value)
