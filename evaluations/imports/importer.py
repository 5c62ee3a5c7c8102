"""Importing a list: read the file, validate every row and plan what to create and update (``plan_import``),
then write it in one transaction (``apply_plan``).

The steps live in their own modules: ``readers`` opens the file, ``cells`` parses each cell, ``planning``
matches rows to stored subjects (``results`` for evaluation results), ``writing`` writes through the bulk
subject service. This module is the pipeline the callers use (the import screens and jobs, the
``import_workbook`` command, the bench).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ..bulk_insert import larger_sqlite_cache, planner_statistics_refresh
from ..calendar import today
from ..models import SUBJECT_MODELS, AdministrativeUnit, Evaluation, ImportKind, Subject
from . import columns as cols
from .footer import FooterWatch
from .planning import Plan, Planner
from .readers import FileRefused, Sheet, has_data, read_sheets
from .results import ResultPlanner, write_results
from .writing import (
    WriteRefused,
    commune_path,
    lock_versions,
    paused_gc,
    refuse_units_not_in_force,
    take_locks,
    write_batch,
)

BATCH = 20_000
AREAS_PER_QUERY = 50
#: How many rejected rows the job keeps for the preview; the error workbook lists them all.
KEPT_ERRORS = 200


def choose_sheet(sheets: list[Sheet], kind: str | None) -> tuple[Sheet, cols.Header]:
    for sheet in sheets:
        header = cols.find_header(sheet.head, kind)
        if header is not None:
            return sheet, header
    expected = ", ".join(
        f"“{c.heading}”" for c in cols.KINDS[kind or ImportKind.FAMILY] if c.required or c.field == "commune"
    )
    raise FileRefused(
        _(
            "No header row was recognised in the first %(rows)d rows of any sheet. The header must name the "
            "columns, for example %(expected)s; download the template to see them."
        )
        % {"rows": cols.HEADER_SCAN_ROWS, "expected": expected}
    )


def plan_import(
    data: bytes,
    filename: str,
    *,
    kind: str | None = None,
    commune: AdministrativeUnit | None = None,
    user=None,
    progress: Callable[[int, int], None] | None = None,
) -> Plan:
    """Read and validate the file and compare it with what is stored; writes nothing.

    Raises ``FileRefused`` when the file as a whole cannot be imported.
    """
    versions = lock_versions()
    with paused_gc():
        plan = _plan_import(data, filename, kind=kind, commune=commune, user=user, progress=progress)
    plan.options = {"kind": kind, "commune": commune, "user": user}
    plan.lock_versions = versions
    return plan


def _plan_import(data: bytes, filename: str, *, kind, commune, user, progress) -> Plan:
    sheet, header = choose_sheet(read_sheets(data, filename), kind)
    if header.kind == ImportKind.RESULT:
        planner = ResultPlanner(header.kind, header, commune=commune, user=user)
    else:
        planner = Planner(header.kind, header, commune=commune, user=user)
    # The plan keeps no sheet: the reader's own copy of the cells is freed once the rows are read.
    plan = Plan(kind=header.kind, sheet=None, header=header, data=data, filename=filename)
    estimate = max(0, sheet.height - header.row_index - 1)
    done = 0
    # A signature or date block below the list is held back, and left out if nothing follows it (``footer``).
    footer = FooterWatch(header, cols.KINDS[header.kind])
    for index, cells in sheet.rows_after(header.row_index):
        if not has_data(cells) or footer.hold(index + 1, cells):
            continue
        if footer.pending:  # a row of data after them: they were rows of the table
            for row, held in footer.release():
                planner.add(row, held)
                done += 1
        planner.add(index + 1, cells)
        done += 1
        if progress and done % 5000 == 0:
            progress(done, max(estimate, done))
    plan.total = done
    plan.ignored_rows = footer.held_rows
    del sheet
    if progress:
        progress(done, done)
    return planner.finish(plan)


def source_rows(plan: Plan, wanted: set[int]) -> tuple[dict[int, list], cols.Header]:
    """Row number -> cells as they were in the file, for the ``wanted`` rows (the plan keeps none)."""
    sheet, header = choose_sheet(read_sheets(plan.data, plan.filename), plan.kind)
    found: dict[int, list] = {}
    last = max(wanted, default=0)
    for index, cells in sheet.rows_after(-1):
        if index + 1 > last:  # the rest of the sheet holds none of them
            break
        if index + 1 in wanted:
            found[index + 1] = cells
    return found, header


def plan_paths(plan: Plan) -> set[str]:
    # Each unit once: a province's list has 164,000 rows in a few hundred villages.
    areas = {record.area.id: record.area for record in (*plan.to_create, *plan.to_update)}
    return {commune_path(area) for area in areas.values()}


def lock_and_recheck(plan: Plan) -> None:
    """Take the plan's locks; when another import wrote to these communes since the plan was made, plan again
    (here, inside the transaction, after the lock: what the other import wrote is visible now) and replace the
    plan's contents. A plan that wrote nothing takes no lock."""
    paths = plan_paths(plan)
    if not paths:
        return
    versions = take_locks(plan.kind, paths)
    if all(versions.get(p) == plan.lock_versions.get((plan.kind, p), 0) + 1 for p in paths) or not plan.data:
        return
    before = len(plan.to_create) + len(plan.to_update)
    fresh = _plan_import(plan.data, plan.filename, **plan.options, progress=None)
    fresh.options, fresh.lock_versions = plan.options, plan.lock_versions
    plan.__dict__.update(fresh.__dict__)
    plan.already_imported = before > 0 and not plan.to_create and not plan.to_update
    new_paths = plan_paths(plan) - paths
    if new_paths:
        take_locks(plan.kind, new_paths)


def apply_plan(plan: Plan, *, user=None, progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Write the plan's new and changed rows in one transaction: all of them or, on any error, none.

    The plan is checked again first, after the commune's import lock is taken: another import of the same
    list may have written since it was made (``lock_and_recheck``)."""
    try:
        with paused_gc(), transaction.atomic(), larger_sqlite_cache():
            lock_and_recheck(plan)
            _write_plan(plan, user=user, progress=progress)
    except IntegrityError as exc:
        # Another record took one of these codes since the check (typed in by hand meanwhile).
        raise WriteRefused(
            _(
                "Another record with one of this file's codes was saved while the import ran. Nothing was "
                "written: check the file again."
            )
        ) from exc
    counts = plan.counts()
    # The tables the import wrote: a list of results writes evaluations, a register its kind's subjects.
    written = [Subject, Evaluation] if plan.kind == ImportKind.RESULT else [Subject, *SUBJECT_MODELS.values()]
    planner_statistics_refresh(*written, rows=counts["created"] + counts["updated"])
    return counts


def _write_plan(plan: Plan, *, user, progress) -> None:
    total = len(plan.to_create) + len(plan.to_update)
    done = 0
    if plan.kind != ImportKind.RESULT:  # results are checked by ``write_results``, each on its year
        on = plan.on or today()
        refuse_units_not_in_force([(record.row, record.area, on) for record in plan.first_create_per_area])
    for start in range(0, max(len(plan.to_create), len(plan.to_update)), BATCH):
        creates = plan.to_create[start : start + BATCH]
        updates = plan.to_update[start : start + BATCH]
        if plan.kind == ImportKind.RESULT:
            write_results(creates, updates, user=user)
        else:
            write_batch(
                plan.kind,
                creates,
                updates,
                user=user,
                present=set(plan.header.positions),
                reviews=bool(plan.notices),
            )
        done += len(creates) + len(updates)
        if progress:
            progress(done, total)
