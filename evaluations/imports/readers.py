"""Open a spreadsheet safely and return its rows as plain Python values.

Refuses what should never be read (macro workbooks, encrypted files, files over the size limit, zip
bombs) with a message that says why; reads xlsx, xls and ods with python-calamine and CSV in the
encodings Excel writes (UTF-8 with or without BOM, UTF-16 from "Unicode text", Windows-1258).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

import python_calamine

from .columns import column_letter

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
SPREADSHEET_SUFFIXES = {".xlsx", ".xls", ".ods", ".csv", ".txt"}
MACRO_SUFFIXES = {".xlsm", ".xltm", ".xlam", ".xlsb"}
#: Parts smaller than this unpacked are not held to the ratio limit (tiny parts pack very well).
RATIO_FLOOR = 1024 * 1024
#: Sheet data inside a workbook: the parts whose unpacked size is held to the per-sheet limit.
SHEET_PART = re.compile(r"^(xl/worksheets/[^/]+\.xml|content\.xml)$", re.IGNORECASE)
#: Rows kept in memory to find the header in; the rest of a sheet is streamed.
HEAD_ROWS = 25


class FileRefused(Exception):
    """The file cannot be imported; the message (Vietnamese) says why and what to do."""


@dataclass
class Sheet:
    """One sheet: its first rows in memory, the rest streamed (a 164,000-row list of cells is most of an
    import's memory), and its merged ranges. Cells are str, float, int, bool, date, datetime or None."""

    name: str
    head: list[list]
    rest: Iterator[list] = field(default_factory=lambda: iter(()))
    #: ((first row, first column), (last row, last column)), 0-based, inclusive.
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    height: int = 0

    def __post_init__(self):
        if self.merged:
            fill_merged(self.head, self.merged)

    def rows_after(self, index: int) -> Iterator[tuple[int, list]]:
        """(0-based index, cells) of the rows after ``index``, merged ranges filled; read once."""
        for i in range(index + 1, len(self.head)):
            yield i, self.head[i]
        i = len(self.head)
        pending = [m for m in self.merged if m[1][0] >= i]
        values = {(r1, c1): self.head[r1][c1] for (r1, c1), _ in pending if r1 < i and c1 < len(self.head[r1])}
        for row in self.rest:
            if pending:
                fill_merged_row(row, i, pending, values)
            yield i, row
            i += 1


def check_size(size: int) -> None:
    limit = settings.IMPORT_MAX_UPLOAD_SIZE
    if size > limit:
        raise FileRefused(
            _("The file is %(size).1f MB; files up to %(limit).0f MB are accepted. Split it into smaller files.")
            % {"size": size / 1024 / 1024, "limit": limit / 1024 / 1024}
        )


def check_container(data: bytes, filename: str) -> str:
    """The format to read (``xlsx``, ``xls``, ``ods``, ``csv``) after the safety checks; raises ``FileRefused``."""
    suffix = Path(filename).suffix.lower()
    check_size(len(data))
    if suffix in MACRO_SUFFIXES:
        raise FileRefused(
            _("Workbooks with macros (%(suffix)s) are not accepted. Save the file as .xlsx (Excel Workbook) first.")
            % {"suffix": suffix}
        )
    head = data[:8]
    if head == OLE2_MAGIC:
        # An encrypted xlsx is an OLE2 container (EncryptionInfo + EncryptedPackage), whatever its name.
        if "EncryptionInfo".encode("utf-16-le") in data or suffix in (".xlsx", ".ods"):
            raise FileRefused(
                _("The file is protected with a password (encrypted). Remove the password and upload it again.")
            )
        if "_VBA_PROJECT".encode("utf-16-le") in data:
            raise FileRefused(
                _("Workbooks with macros are not accepted. Save the file as .xlsx (Excel Workbook) first.")
            )
        return "xls"
    if head.startswith(ZIP_MAGIC):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            members = archive.infolist()
        except zipfile.BadZipFile as exc:
            raise FileRefused(_("The file is damaged and cannot be opened.")) from exc
        names = {m.filename for m in members}
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            raise FileRefused(
                _("Workbooks with macros are not accepted. Save the file as .xlsx (Excel Workbook) first.")
            )
        check_unpacked(members)
        if "content.xml" in names and "mimetype" in names:
            return "ods"
        if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
            if "xl/workbook.bin" in names:
                raise FileRefused(_("Binary workbooks (.xlsb) are not accepted. Save the file as .xlsx first."))
            return "xlsx"
        raise FileRefused(_("This archive is not a spreadsheet. Upload an .xlsx, .xls, .ods or .csv file."))
    if suffix in (".csv", ".txt"):
        return "csv"
    raise FileRefused(
        _("The file %(name)s is not a spreadsheet this system reads. Upload an .xlsx, .xls, .ods or .csv file.")
        % {"name": filename}
    )


def check_unpacked(members: list[zipfile.ZipInfo]) -> None:
    """Refuse a zip bomb from the zip's directory alone, before any part is unpacked: the total unpacked
    size, one sheet's unpacked size, and how many times a part grows when unpacked."""
    mb = 1024 * 1024
    unpacked = sum(m.file_size for m in members)
    if unpacked > settings.IMPORT_MAX_UNPACKED_SIZE:
        raise FileRefused(
            _(
                "The file unpacks to %(size).0f MB, more than the %(limit).0f MB allowed; it is not an ordinary "
                "spreadsheet. Split it or save it again from Excel."
            )
            % {"size": unpacked / mb, "limit": settings.IMPORT_MAX_UNPACKED_SIZE / mb}
        )
    for member in members:
        if SHEET_PART.match(member.filename) and member.file_size > settings.IMPORT_MAX_SHEET_UNPACKED_SIZE:
            raise FileRefused(
                _(
                    "The sheet %(part)s unpacks to %(size).0f MB, more than the %(limit).0f MB allowed for one "
                    "sheet. Split it into smaller files."
                )
                % {
                    "part": member.filename,
                    "size": member.file_size / mb,
                    "limit": settings.IMPORT_MAX_SHEET_UNPACKED_SIZE / mb,
                }
            )
        if member.file_size > RATIO_FLOOR and member.file_size > settings.IMPORT_MAX_UNPACK_RATIO * max(
            member.compress_size, 1
        ):
            raise FileRefused(
                _(
                    "The part %(part)s of the file unpacks to %(ratio).0f times its size (%(size).0f MB); an "
                    "ordinary spreadsheet does not exceed %(limit).0f times. Save it again from Excel."
                )
                % {
                    "part": member.filename,
                    "ratio": member.file_size / max(member.compress_size, 1),
                    "size": member.file_size / mb,
                    "limit": settings.IMPORT_MAX_UNPACK_RATIO,
                }
            )


def unpacked_size(data: bytes) -> int:
    """What the file takes once unpacked (its size when it is not a zip, or a damaged one): how much work a
    check of it is, read from the zip's directory."""
    if not data.startswith(ZIP_MAGIC):
        return len(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(m.file_size for m in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return len(data)


#: Control characters no list cell means to hold: NUL (PostgreSQL refuses it in text), the rest of C0 but tab,
#: newline and carriage return (``clean_text`` turns those into spaces), DEL and C1.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_cells(row: list, index: int, sheet: str, limits: tuple[int, int] | None = None) -> list:
    """The one check and cleaning of a read row, for every reader: control characters stripped, and the
    row refused (``FileRefused`` naming the row and column) when wider or a cell longer than the limits.
    ``index`` is 0-based; the row is changed in place and returned. ``limits``: (columns, characters per
    cell) as ``row_limits`` reads them, for a caller that checks many rows."""
    max_columns, limit = limits or row_limits()
    if len(row) > max_columns:
        raise FileRefused(
            _("Sheet “%(sheet)s”, row %(row)d has %(count)d columns; at most %(limit)d are accepted.")
            % {"sheet": sheet, "row": index + 1, "count": len(row), "limit": max_columns}
        )
    texts = [value for value in row if type(value) is str]
    if not texts:
        return row
    # Nearly every row is short and clean: one length check and one search for the whole row's text (no cell
    # can be longer than all of them together); a row that fails them is checked cell by cell.
    joined = "".join(texts)
    if len(joined) <= limit and not _CONTROL.search(joined):
        return row
    for c, value in enumerate(row):
        if type(value) is str:
            if len(value) > limit:
                raise FileRefused(cell_too_long(sheet, index, c))
            if _CONTROL.search(value):
                row[c] = _CONTROL.sub("", value)
    return row


def row_limits() -> tuple[int, int]:
    """(most columns in a row, most characters in a cell): read once per sheet, not per row (each read of
    a setting goes through Django's lazy settings object)."""
    return settings.IMPORT_MAX_COLUMNS, settings.IMPORT_MAX_CELL_CHARS


def cell_too_long(sheet: str, index: int, column: int | None) -> str:
    values = {"sheet": sheet, "row": index + 1, "limit": settings.IMPORT_MAX_CELL_CHARS}
    if column is None:  # the csv module does not say which cell
        return (
            _(
                "Sheet “%(sheet)s”, row %(row)d: a cell holds more than %(limit)d characters. A list cell is "
                "never that long; check the file."
            )
            % values
        )
    return _(
        "Sheet “%(sheet)s”, row %(row)d, column %(column)s: the cell holds more than %(limit)d characters. "
        "A list cell is never that long; check the file."
    ) % {**values, "column": column_letter(column)}


def check_rows(count: int, sheet: str) -> None:
    if count > settings.IMPORT_MAX_ROWS:
        raise FileRefused(
            _("Sheet “%(sheet)s” has more than %(limit)d rows. Split it into smaller files.")
            % {"sheet": sheet, "limit": settings.IMPORT_MAX_ROWS}
        )


def guarded(rows: Iterator[list], sheet: str, start: int) -> Iterator[list]:
    """The rows of a workbook sheet from 0-based index ``start``, cleaned and checked; a reader error while
    streaming becomes ``FileRefused`` naming the row."""
    index = start
    limits, max_rows = row_limits(), settings.IMPORT_MAX_ROWS
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # the reader's own error types for damaged data
            raise FileRefused(damaged_message(sheet, index, exc)) from exc
        if index >= max_rows:
            check_rows(index + 1, sheet)
        yield clean_cells(row, index, sheet, limits)
        index += 1


def damaged_message(sheet: str, index: int | None, exc: Exception) -> str:
    values = {"sheet": sheet, "row": (index or 0) + 1, "error": str(exc)[:200]}
    if index is None:
        return (
            _("Sheet “%(sheet)s” is damaged and cannot be read (%(error)s). Open it in Excel and save it again.")
            % values
        )
    return (
        _(
            "Sheet “%(sheet)s” is damaged near row %(row)d and cannot be read (%(error)s). Open it in Excel and "
            "save it again."
        )
        % values
    )


def decode_text(data: bytes) -> str:
    """Text of a CSV file: BOM first (UTF-8, UTF-16 LE/BE), then UTF-16 without BOM, UTF-8, Windows-1258."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding)
    sample = data[:4000]
    if sample and sample.count(b"\x00") > len(sample) // 4:
        # UTF-16 without a BOM: ASCII letters leave a zero byte beside them.
        return data.decode("utf-16-le" if sample[1:2] == b"\x00" else "utf-16-be")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1258", errors="replace")


def read_csv(data: bytes) -> Sheet:
    try:
        text = decode_text(data)
    except UnicodeDecodeError as exc:
        raise FileRefused(
            _("The CSV file is not valid text (%(error)s). Save it again from Excel as CSV UTF-8.")
            % {"error": str(exc)[:200]}
        ) from exc
    sample = text[:8000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    limits = row_limits()
    try:
        for row in reader:
            check_rows(len(rows) + 1, "CSV")
            rows.append(clean_cells(row, len(rows), "CSV", limits))
    except csv.Error as exc:
        # The csv module stops at a cell over its field limit (131,072 characters) or a stray NUL; the line
        # it reached names where.
        if "field larger" in str(exc):
            raise FileRefused(cell_too_long("CSV", reader.line_num - 1, None)) from exc
        raise FileRefused(damaged_message("CSV", reader.line_num - 1, exc)) from exc
    return Sheet(name="CSV", head=rows, height=len(rows))


def read_workbook(data: bytes) -> list[Sheet]:
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(book.sheet_names)
    except Exception as exc:  # calamine raises its own error types for damaged or protected files
        raise FileRefused(
            _("The workbook cannot be read (%(error)s). Open it in Excel and save it again as .xlsx.")
            % {"error": str(exc)[:200]}
        ) from exc
    sheets = []
    for index, name in enumerate(names):
        try:
            # calamine parses the whole sheet here: a sheet XML cut in half fails now.
            sheet = book.get_sheet_by_index(index)
            height, width = sheet.height, sheet.width
            rows = sheet.iter_rows()
        except Exception as exc:
            raise FileRefused(damaged_message(name, None, exc)) from exc
        check_rows(height, name)
        if width > settings.IMPORT_MAX_COLUMNS:
            raise FileRefused(
                _("Sheet “%(sheet)s” has %(count)d columns; at most %(limit)d are accepted.")
                % {"sheet": name, "count": width, "limit": settings.IMPORT_MAX_COLUMNS}
            )
        stream = guarded(rows, name, 0)
        head = [row for _, row in zip(range(HEAD_ROWS), stream, strict=False)]
        merged = [((r1, c1), (r2, c2)) for (r1, c1), (r2, c2) in (getattr(sheet, "merged_cell_ranges", None) or [])]
        sheets.append(Sheet(name=name, head=head, rest=stream, merged=merged, height=height))
    return sheets


def read_sheets(data: bytes, filename: str) -> list[Sheet]:
    """Every sheet of the file, after the safety checks (``FileRefused`` otherwise)."""
    kind = check_container(data, filename)
    if kind == "csv":
        return [read_csv(data)]
    return read_workbook(data)


_UNTIDY = re.compile(r"^\s|\s$|\s\s|[^\S ]")


def clean_text(value) -> str:
    """A cell as tidy text: NFC (files typed on some phones hold decomposed letters), single spaces."""
    if value is None:
        return ""
    if type(value) is str:
        text = value
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    # Most cells are tidy already: keep the same string object (164,000 rows, memory and time).
    return " ".join(text.split()) if _UNTIDY.search(text) else text


def has_data(row: list) -> bool:
    """Whether any cell holds something other than blanks (stops at the first cell that does)."""
    for cell in row:
        if cell is None or cell == "":
            continue
        if type(cell) is str and not cell.strip():
            continue
        return True
    return False


def fill_merged(rows: list[list], merged: list) -> None:
    """Copy the value of each merged range's first cell into the range (readers leave the rest empty)."""
    for (r1, c1), (r2, c2) in merged:
        if r1 >= len(rows):
            continue
        value = rows[r1][c1] if c1 < len(rows[r1]) else None
        for r in range(r1, min(r2, len(rows) - 1) + 1):
            _fill(rows[r], c1, c2, value)


def fill_merged_row(row: list, index: int, merged: list, values: dict) -> None:
    """Fill one streamed row: ranges starting on it take their value from it, the others from ``values``."""
    for (r1, c1), (r2, c2) in merged:
        if r1 <= index <= r2:
            if r1 == index:
                values[(r1, c1)] = row[c1] if c1 < len(row) else None
            _fill(row, c1, c2, values.get((r1, c1)))


def _fill(row: list, c1: int, c2: int, value) -> None:
    if len(row) <= c2:
        row.extend([""] * (c2 + 1 - len(row)))
    for c in range(c1, c2 + 1):
        if row[c] is None or row[c] == "":
            row[c] = value
