"""The error workbook: the rejected rows as they were in the file, plus the row number and what to fix.

Fix the cells and upload the workbook again: its header is the original one, so it imports as is
(the two extra columns are ignored), and rows already imported are not touched again.
"""

from __future__ import annotations

import datetime
import io
from typing import BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _

from ..spreadsheets import HEADING_STYLE, workbook_open
from . import columns as cols
from .importer import Plan, source_rows


def error_workbook(plan: Plan) -> bytes:
    out = io.BytesIO()
    write_error_workbook(plan, out)
    return out.getvalue()


def write_error_workbook(plan: Plan, out: BinaryIO) -> None:
    """Write the error workbook to ``out`` a row at a time (xlsxwriter's constant memory mode), listing at most
    ``IMPORT_MAX_REPORTED_ERRORS`` rejected rows and then a row saying how many more were not listed: a file
    of 300,000 bad rows would otherwise take minutes and gigabytes."""
    by_row: dict[int, list[str]] = {}
    for rejection in plan.rejections:
        where = f"{rejection.column}: " if rejection.column else ""
        by_row.setdefault(rejection.row, []).append(f"{where}{rejection.message}")
    listed = sorted(by_row)[: settings.IMPORT_MAX_REPORTED_ERRORS]
    book = workbook_open(output=out, constant_memory=True)
    sheet = book.add_worksheet("Dòng bị từ chối")
    bold = book.add_format(HEADING_STYLE)
    error_format = book.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE", "text_wrap": True})
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    rows, header = source_rows(plan, set(listed))
    labels = list(header.labels)
    width = len(labels)
    sheet.set_column(0, max(0, width - 1), 18)
    sheet.set_column(width, width, 10)
    sheet.set_column(width + 1, width + 1, 60)
    sheet.freeze_panes(1, 0)
    for c, label in enumerate([*labels, cols.ROW_HEADING, cols.ERROR_HEADING]):
        sheet.write_string(0, c, str(label), bold)
    out_row = 1
    for number in listed:
        cells = rows.get(number, [])
        for c in range(width):
            value = cells[c] if c < len(cells) else None
            if isinstance(value, datetime.datetime | datetime.date):
                sheet.write_datetime(out_row, c, value, date_format)
            elif isinstance(value, bool):
                sheet.write_boolean(out_row, c, value)
            elif isinstance(value, int | float):
                sheet.write_number(out_row, c, value)
            elif value not in (None, ""):
                sheet.write_string(out_row, c, str(value))
        sheet.write_number(out_row, width, number)
        sheet.write_string(out_row, width + 1, "\n".join(by_row[number]), error_format)
        out_row += 1
    if len(by_row) > len(listed):
        sheet.write_string(
            out_row,
            0,
            _(
                "… and %(count)d more rejected rows are not listed here. Fix these rows, upload the file again, "
                "and the next error workbook lists the rest."
            )
            % {"count": len(by_row) - len(listed)},
            error_format,
        )
    book.close()
