"""The xlsx files the application hands out (listing exports, the roll-up workbook, import templates and
error workbooks) open in one way: text stays text, and column headings share one style."""

from __future__ import annotations

import xlsxwriter

#: Text stays text: a cell such as ``=HYPERLINK(...)`` never becomes a formula, a link or a number
#: (no formula injection from names typed by officers or read from an uploaded file).
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
#: A column heading: bold on light blue, bordered, wrapped.
HEADING_STYLE = {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}


def workbook_open(*, output, **options) -> xlsxwriter.Workbook:
    """A new workbook writing to ``output`` with the safety options; ``options`` add to them
    (``constant_memory``, ``in_memory``, ``tmpdir``)."""
    return xlsxwriter.Workbook(output, {**WORKBOOK_OPTIONS, **options})
