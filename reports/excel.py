"""Excel and CSV writers: the official workbook of a roll-up, and listing exports in constant memory.

Cells are written with explicit ``write_string`` / ``write_number``, and the workbook is opened with
``strings_to_formulas`` off, so a name such as ``=HYPERLINK(...)`` stays text (no formula injection).
CSV cells starting with ``= + - @`` (or a tab or carriage return) get a leading apostrophe.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from documents.formats import association_name, document_language, motto, national_name, place_and_date
from evaluations import calendar
from evaluations.export_columns import EVALUATION_COLUMNS, SUBJECT_COLUMNS
from evaluations.models import (
    SUBJECT_MODELS,
    AdministrativeUnit,
    EvaluationResult,
    EvaluationStatus,
    SubjectKind,
    UnitLevel,
)
from evaluations.models.subjects import subject_own_fields
from evaluations.models.units import communes_by_path, provinces_by_path
from evaluations.spreadsheets import HEADING_STYLE, workbook_open

from .models import BudgetSource, Indicator
from .rollup import INDICATORS, Rollup

RISKY_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(RISKY_PREFIXES) else text


# --- the official workbook ---------------------------------------------------------------------------

SHEET_NAMES = {
    "family": "GĐHT",
    "clan": "DHHT",
    "community": "CĐHT",
    "unit": "ĐVHT",
    "citizen": "CDHT",
    "citizen_staff": "CDHT-ĐVHT",
}

#: Rows of every sheet (0-based): the administrative header (issuing association and number on the left; the
#: national emblem line, the motto and the place and date on the right), then the title and the area, then
#: the table from ``TABLE_ROW``.
TITLE_ROW = 4
TABLE_ROW = 7
#: Room left empty to sign under each signature heading.
SIGNING_ROWS = 4
#: The light fill of a subtotal row (a district's or a commune's figures above its communes or villages).
SUBTOTAL_FILL = "#F2F2F2"


@dataclass
class _Page:
    """Where a sheet's two header and signature halves go: the left from column 0 to ``left_end``, the right
    from ``right_start`` to ``last``."""

    left_end: int
    right_start: int
    last: int


def official_workbook(result: Rollup, year: int, output) -> None:
    """Write the official-style report of ``result`` for ``year`` to ``output`` (a path or a file object).

    A summary sheet (every indicator, then the finance lines) and one sheet per indicator with a row per
    area at every level below the root in tree order (a district or commune, bold on a light fill, before the
    areas it totals, indented under it, what is recorded at it itself on a row of its own), and the root's
    totals. Each sheet opens with the administrative
    header of a report (the root's association, the national emblem line and motto, place and today's date)
    and ends with the signatures, prints on A4 landscape one page wide with its table's heading rows repeated.
    Written in the site's language whatever the request's (:func:`documents.formats.document_language`).
    Not in constant-memory mode: the workbook holds a few thousand cells and its merged headers are written
    out of order.
    """
    with document_language():
        unit = AdministrativeUnit.objects.filter(pk=result.root.id).first()
        _official_workbook(result, year, output, unit, calendar.today())


def _official_workbook(result: Rollup, year: int, output, unit: AdministrativeUnit | None, today) -> None:
    root = result.root
    book = workbook_open(output=output, in_memory=False)
    book.set_properties({"title": _("Report on learning models %(year)s") % {"year": year}, "author": root.name})
    f = _formats(book)

    summary = book.add_worksheet(pgettext("report", "Summary"))
    page = _Page(left_end=1, right_start=3, last=6)
    _official_header(summary, f, page, unit, today)
    title = _("REPORT ON BUILDING LEARNING MODELS IN %(year)s") % {"year": year}
    summary.merge_range(TITLE_ROW, 0, TITLE_ROW, page.last, title, f["title"])
    summary.merge_range(
        TITLE_ROW + 1, 0, TITLE_ROW + 1, page.last, _("Area: %(area)s") % {"area": root.name}, f["subtitle"]
    )
    headings = [
        _("No."),
        pgettext("report", "Indicator"),
        pgettext("report", "Registered"),
        _("Evaluated"),
        _("Recognised"),
        _("Share recognised"),
        _("Target"),
    ]
    summary.merge_range(TABLE_ROW, 0, TABLE_ROW, page.last, _("A. Learning models against targets"), f["section"])
    head_row = TABLE_ROW + 1
    for col, heading in enumerate(headings):
        summary.write_string(head_row, col, heading, f["head"])
    row = head_row + 1
    for number, indicator in enumerate(INDICATORS, start=1):
        figures = root.figures[year][indicator]
        summary.write_number(row, 0, number, f["int"])
        summary.write_string(row, 1, str(Indicator(indicator).label), f["text"])
        summary.write_number(row, 2, figures.registered, f["int"])
        summary.write_number(row, 3, figures.evaluated, f["int"])
        summary.write_number(row, 4, figures.recognised, f["int"])
        _write_ratio(summary, row, 5, figures.percent, f)
        _write_ratio(summary, row, 6, figures.target, f)
        row += 1
    row += 1
    summary.merge_range(row, 0, row, page.last, _("B. Funding (VND)"), f["section"])
    row += 1
    for col, heading in enumerate([_("No."), _("Source"), _("Planned"), _("Spent"), _("Share spent")]):
        summary.write_string(row, col, heading, f["head"])
    row += 1
    for number, source in enumerate(BudgetSource, start=1):
        budget = root.budget[year][source.value]
        summary.write_number(row, 0, number, f["int"])
        summary.write_string(row, 1, str(source.label), f["text"])
        summary.write_number(row, 2, budget.planned, f["money"])
        summary.write_number(row, 3, budget.spent, f["money"])
        _write_ratio(summary, row, 4, budget.spent * 100 / budget.planned if budget.planned else None, f)
        row += 1
    planned = sum(root.budget[year][s].planned for s in root.budget[year])
    spent = sum(root.budget[year][s].spent for s in root.budget[year])
    summary.merge_range(row, 0, row, 1, pgettext("report", "Total"), f["total_text"])
    summary.write_number(row, 2, planned, f["total_money"])
    summary.write_number(row, 3, spent, f["total_money"])
    _write_ratio(summary, row, 4, spent * 100 / planned if planned else None, f, style="total_")
    end = _signatures(summary, f, page, row + 2)
    summary.set_column(0, 0, 6)
    summary.set_column(1, 1, 58)
    summary.set_column(2, 6, 14)
    summary.freeze_panes(head_row + 1, 0)
    _page_setup(summary, heading_rows=(head_row, head_row), last_row=end, last_col=page.last)

    for indicator in INDICATORS:
        _indicator_sheet(book, f, result, year, indicator, unit, today)
    book.close()


def _indicator_sheet(book, f, result: Rollup, year: int, indicator: str, unit, today) -> None:
    root = result.root
    nodes = list(result.walk())
    grades = sorted({g for n in nodes for g in n.figures[year][indicator].by_grade})
    levels = sorted({lv for n in nodes for lv in n.figures[year][indicator].by_level})
    sheet = book.add_worksheet(SHEET_NAMES[indicator])
    recognised_cols = 1 + len(grades) + len(levels)
    last = 4 + recognised_cols + 3
    page = _Page(left_end=2, right_start=max(3, last - 4), last=last)
    _official_header(sheet, f, page, unit, today)
    label = str(Indicator(indicator).label)
    title = _("%(indicator)s in %(year)s") % {"indicator": label.upper(), "year": year}
    sheet.merge_range(TITLE_ROW, 0, TITLE_ROW, last, title, f["title"])
    sheet.merge_range(TITLE_ROW + 1, 0, TITLE_ROW + 1, last, _("Area: %(area)s") % {"area": root.name}, f["subtitle"])

    # Two header rows: single columns merged vertically, "Recognised" spanning its breakdown.
    top, bottom = TABLE_ROW, TABLE_ROW + 1
    fixed = [
        _("No."),
        pgettext("report", "Unit"),
        pgettext("administrative unit", "Level"),
        pgettext("report", "Registered"),
        _("Evaluated"),
    ]
    for col, heading in enumerate(fixed):
        sheet.merge_range(top, col, bottom, col, heading, f["head"])
    col = len(fixed)
    if recognised_cols > 1:
        sheet.merge_range(top, col, top, col + recognised_cols - 1, _("Recognised"), f["head"])
    else:
        sheet.write_string(top, col, _("Recognised"), f["head"])
    sheet.write_string(bottom, col, _("Number"), f["head"])
    for offset, grade in enumerate(grades, start=1):
        sheet.write_string(bottom, col + offset, grade, f["head"])
    for offset, level in enumerate(levels, start=1 + len(grades)):
        sheet.write_string(bottom, col + offset, _("Level %(level)s") % {"level": level}, f["head"])
    col += recognised_cols
    for offset, heading in enumerate([_("Share recognised"), _("Target"), _("Target met")]):
        sheet.merge_range(top, col + offset, bottom, col + offset, heading, f["head"])

    # Tree order (``Rollup.walk``: parents first): a district's or commune's row holds the totals of the
    # areas listed under it, so it reads as a subtotal (bold, light fill) and they are indented below it. What
    # is attached to such an area itself (a commune's clans, a district's units) has a row of its own first,
    # "Ghi nhận trực tiếp tại ...", so that the rows under a subtotal add up to it.
    row = bottom + 1
    level_labels = dict(UnitLevel.choices)
    number = 0
    for node in nodes:
        indent = min(node.depth - root.depth - 1, 3)
        if node is not root:
            number += 1
            style = "sub_" if node.children or node.level != UnitLevel.VILLAGE else ""
            sheet.write_number(row, 0, number, f[f"{style}int"])
            sheet.write_string(row, 1, node.name, f[f"{style}area{max(indent, 0)}"])
            sheet.write_string(row, 2, str(level_labels.get(node.level, node.level)), f[f"{style}text"])
            _figure_cells(sheet, row, node.figures[year][indicator], grades, levels, f, style)
            row += 1
        own = _attached_itself(node, year, indicator)
        if own is not None:
            sheet.write_blank(row, 0, None, f["int"])
            sheet.write_string(
                row, 1, _("Recorded at %(area)s itself") % {"area": node.name}, f[f"area{min(indent + 1, 3)}"]
            )
            sheet.write_blank(row, 2, None, f["text"])
            _figure_cells(sheet, row, own, grades, levels, f)
            row += 1
    sheet.merge_range(row, 0, row, 2, pgettext("report", "Total"), f["total_text"])
    _figure_cells(sheet, row, root.figures[year][indicator], grades, levels, f, "total_")
    end = _signatures(sheet, f, page, row + 2)

    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 34)
    sheet.set_column(2, 2, 15)  # "Thôn/tổ dân phố" whole
    sheet.set_column(3, last, 11)
    sheet.freeze_panes(bottom + 1, 2)
    _page_setup(sheet, heading_rows=(top, bottom), last_row=end, last_col=last)


def _attached_itself(node, year: int, indicator: str):
    """The figures attached to ``node`` itself rather than to an area under it, when it has areas under it
    and something is attached to it; else ``None``."""
    if not (node.children and node.touched):
        return None
    own = node.own[year][indicator]
    return own if own.evaluated or own.registered_counted or own.recognised else None


def _official_header(sheet, f, page: _Page, unit: AdministrativeUnit | None, today) -> None:
    """The top of an administrative report (Decree 30/2020): the reporting association in capitals and the
    number to fill in on the left; the national emblem line, the motto and the place and date on the right."""
    left, right = (0, page.left_end), (page.right_start, page.last)
    sheet.merge_range(0, left[0], 0, left[1], association_name(unit).upper(), f["issuer"])
    sheet.merge_range(1, left[0], 1, left[1], pgettext("report number", "No.: …/BC-KH"), f["number"])
    sheet.merge_range(0, right[0], 0, right[1], national_name(), f["nation"])
    sheet.merge_range(1, right[0], 1, right[1], motto(), f["motto"])
    sheet.merge_range(2, right[0], 2, right[1], place_and_date(unit, today), f["place_date"])
    for row in range(3):
        sheet.set_row(row, 18)
    sheet.set_row(TITLE_ROW, 21)


def _signatures(sheet, f, page: _Page, row: int) -> int:
    """The signatures below a table from ``row``: the preparer on the left, the chair on behalf of the
    standing committee on the right, each with room to sign. Returns the block's last row."""
    left, right = (0, page.left_end), (page.right_start, page.last)
    sign = pgettext("report signature", "(Signature and full name)")
    sheet.merge_range(
        row, right[0], row, right[1], pgettext("report signature", "On behalf of the standing committee"), f["signer"]
    )
    row += 1
    sheet.merge_range(row, left[0], row, left[1], pgettext("report signature", "Prepared by"), f["signer"])
    sheet.merge_range(row, right[0], row, right[1], pgettext("report signature", "Chair"), f["signer"])
    row += 1
    sheet.merge_range(row, left[0], row, left[1], sign, f["sign_note"])
    sheet.merge_range(row, right[0], row, right[1], sign, f["sign_note"])
    return row + SIGNING_ROWS


def _figure_cells(sheet, row, figures, grades, levels, f, style: str = "") -> None:
    """The figures of one row from column 3; ``style`` is ``""``, ``"sub_"`` (a subtotal) or ``"total_"``."""
    num = f[f"{style}int"]
    values = [figures.registered, figures.evaluated, figures.recognised]
    values += [figures.by_grade.get(g, 0) for g in grades]
    values += [figures.by_level.get(lv, 0) for lv in levels]
    col = 3
    for value in values:
        sheet.write_number(row, col, value, num)
        col += 1
    _write_ratio(sheet, row, col, figures.percent, f, style=style)
    _write_ratio(sheet, row, col + 1, figures.target, f, style=style)
    met = figures.met
    text = "" if met is None else (_("Met") if met else _("Not met"))
    sheet.write_string(row, col + 2, text, f[f"{style}text"])


def _write_ratio(sheet, row, col, percent, f, style: str = "") -> None:
    """A percentage stored as a fraction (87.5 % -> 0.875) with a percent number format (``style`` as in
    :func:`_figure_cells`)."""
    fmt = f[f"{style}pct"]
    if percent is None:
        sheet.write_blank(row, col, None, fmt)
    else:
        sheet.write_number(row, col, Decimal(percent) / 100, fmt)


def _page_setup(sheet, *, heading_rows: tuple[int, int], last_row: int, last_col: int) -> None:
    """Print on A4 landscape, one page wide (as many pages tall as needed), centred, the table's heading rows
    repeated on every page and the page number in the footer; the print area runs from the administrative
    header to the room left to sign."""
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.6, right=0.4, top=0.6, bottom=0.7)
    sheet.center_horizontally()
    sheet.repeat_rows(*heading_rows)
    sheet.print_area(0, 0, last_row, last_col)
    sheet.set_footer("&C&P / &N", {"margin": 0.3})


def _formats(book) -> dict:
    base = {"font_name": "Times New Roman", "font_size": 11, "valign": "vcenter"}
    cell = {**base, "border": 1}
    header = {**base, "font_size": 12, "align": "center"}

    def fmt(**extra):
        return book.add_format({**cell, **extra})

    def sub(**extra):
        return fmt(bold=True, bg_color=SUBTOTAL_FILL, **extra)

    return {
        "issuer": book.add_format({**header, "bold": True}),
        "number": book.add_format(header),
        "nation": book.add_format({**header, "bold": True}),
        "motto": book.add_format({**header, "bold": True, "underline": 1}),
        "place_date": book.add_format({**header, "italic": True}),
        "signer": book.add_format({**header, "bold": True}),
        "sign_note": book.add_format({**base, "italic": True, "align": "center"}),
        "title": book.add_format({**base, "bold": True, "font_size": 14, "align": "center"}),
        "subtitle": book.add_format({**base, "italic": True, "align": "center"}),
        "section": book.add_format({**base, "bold": True}),
        "head": fmt(**HEADING_STYLE, align="center"),
        "text": fmt(),
        **{f"area{indent}": fmt(indent=indent) for indent in range(4)},
        **{f"sub_area{indent}": sub(indent=indent) for indent in range(4)},
        "int": fmt(num_format="#,##0"),
        "money": fmt(num_format="#,##0"),
        "pct": fmt(num_format="0.00%"),
        "sub_text": sub(),
        "sub_int": sub(num_format="#,##0"),
        "sub_pct": sub(num_format="0.00%"),
        "total_text": fmt(bold=True, align="center"),
        "total_int": fmt(bold=True, num_format="#,##0"),
        "total_money": fmt(bold=True, num_format="#,##0"),
        "total_pct": fmt(bold=True, num_format="0.00%"),
    }


# --- listing exports -----------------------------------------------------------------------------------


@dataclass
class Listing:
    """A listing export: its columns (heading, field of ``values_list``) and how to turn a row into cells."""

    name: str
    headings: list[str]
    fields: list[str]
    convert: Callable[[tuple], list]
    #: Where the row's commune and province go (after this many cells; ``None``: not shown), read from its
    #: area: "Thôn Bình Thành" alone names no place, several communes have one.
    places_after: int | None = None

    def rows(self, queryset: QuerySet, chunk: int = 5000) -> Iterator[list]:
        """The rows in the queryset's order. The ids are read first, then the rows a chunk at a time, each
        query finished before its rows are handed out: a background export writes its progress between
        chunks, and on SQLite a write from a connection still holding an open read (a streaming cursor)
        fails at once with "database is locked" as soon as another process (the worker's heartbeat, an
        officer) has written meanwhile. Each chunk's communes and provinces are read once for its areas."""
        convert, places = self.convert, self.places_after
        ids = list(queryset.values_list("pk", flat=True))
        fields = [*self.fields, "area__path"] if places is not None else self.fields
        rows = queryset.model._base_manager.values_list("pk", *fields)
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            by_pk = {row[0]: row[1:] for row in rows.filter(pk__in=part)}
            if places is None:
                for pk in part:
                    if pk in by_pk:  # not deleted meanwhile
                        yield convert(by_pk[pk])
                continue
            paths = {row[-1] for row in by_pk.values()}
            communes, provinces = communes_by_path(paths), provinces_by_path(paths)
            for pk in part:
                if pk in by_pk:
                    *values, path = by_pk[pk]
                    cells = convert(tuple(values))
                    commune, province = communes.get(path), provinces.get(path)
                    cells[places:places] = [commune.name if commune else "", province.name if province else ""]
                    yield cells


def evaluation_listing() -> Listing:
    kinds = {k: str(v) for k, v in SubjectKind.choices}
    results = {k: str(v) for k, v in EvaluationResult.choices}
    statuses = {k: str(v) for k, v in EvaluationStatus.choices}

    def convert(row):
        name, year, kind, area, cs_name, cs_version, total, grade, level, result, status = row
        return [
            name,
            year,
            kinds.get(kind, kind),
            area,
            f"{cs_name} (v{cs_version})",
            total,
            grade,
            level,
            results.get(result, result),
            statuses.get(status, status),
        ]

    return Listing(
        name="evaluations",
        headings=with_places([str(column.heading) for column in EVALUATION_COLUMNS], EVALUATION_COLUMNS),
        fields=[field for column in EVALUATION_COLUMNS for field in column.fields],
        convert=convert,
        places_after=places_after(EVALUATION_COLUMNS),
    )


def subject_listing(kind: str | None = None) -> Listing:
    """Every kind's columns; with ``kind``, that kind's own fields after them (``subject_own_fields``: a
    household's head and members, a unit's type...), choices by their labels."""
    kinds = {k: str(v) for k, v in SubjectKind.choices}
    own = [SUBJECT_MODELS[kind]._meta.get_field(name) for name in subject_own_fields(kind)] if kind else []
    own_labels = [{key: str(label) for key, label in field.flatchoices} for field in own]
    prefix = f"{SUBJECT_MODELS[kind]._meta.model_name}__" if kind else ""

    def convert(row):
        name, kind, area, code, consent, active, *values = row
        cells = [name, kinds.get(kind, kind), area, code, consent, active]
        return cells + [labels.get(value, value) for labels, value in zip(own_labels, values, strict=True)]

    return Listing(
        name="subjects",
        headings=with_places([str(column.heading) for column in SUBJECT_COLUMNS], SUBJECT_COLUMNS)
        + [capfirst(str(field.verbose_name)) for field in own],
        fields=[field for column in SUBJECT_COLUMNS for field in column.fields] + [prefix + f.name for f in own],
        convert=convert,
        places_after=places_after(SUBJECT_COLUMNS),
    )


def places_after(columns) -> int:
    """The commune and province follow the area column (``Listing.places_after``)."""
    return [column.name for column in columns].index("area") + 1


def with_places(headings: list[str], columns) -> list[str]:
    at = places_after(columns)
    return [*headings[:at], str(_("Commune")), str(_("Province")), *headings[at:]]


def write_listing_xlsx(
    listing: Listing,
    rows: Iterable[list],
    output,
    progress: Callable[[int], None] | None = None,
    every: int = 5000,
    tmpdir: str | None = None,
) -> int:
    """Write ``rows`` to an xlsx file in constant memory (its temporary files in ``tmpdir``, by default the
    system's); returns the number of rows written."""
    book = workbook_open(output=output, constant_memory=True, tmpdir=tmpdir)
    sheet = book.add_worksheet(listing.name)
    head = book.add_format({"bold": True})
    for col, heading in enumerate(listing.headings):
        sheet.write_string(0, col, heading, head)
    sheet.freeze_panes(1, 0)
    write_string, write_number, write_blank = sheet.write_string, sheet.write_number, sheet.write_blank
    yes, no = _("Yes"), _("No")
    count = 0
    for count, cells in enumerate(rows, start=1):  # noqa: B007 (count is the result)
        for col, value in enumerate(cells):
            if value is None or value == "":
                continue
            if value is True or value is False:
                write_string(count, col, yes if value else no)
            elif isinstance(value, str):
                write_string(count, col, value)
            elif isinstance(value, int | float | Decimal):
                write_number(count, col, value)
            else:
                write_blank(count, col, None)
        if progress and count % every == 0:
            progress(count)
    sheet.set_column(0, 0, 40)
    book.close()
    return count


def stream_listing_csv(listing: Listing, rows: Iterable[list]) -> Iterator[str]:
    """CSV lines (UTF-8 with BOM for Excel), each cell made safe."""

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())
    yes, no = _("Yes"), _("No")
    yield "\ufeff" + writer.writerow([csv_safe(h) for h in listing.headings])
    for cells in rows:
        yield writer.writerow([(yes if v else no) if isinstance(v, bool) else csv_safe(v) for v in cells])
