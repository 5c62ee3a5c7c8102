"""The end of the table: the signature, date and note block many lists carry below their rows.

A list printed for signing ends with something like::

                                        Ninh Phước, ngày 05 tháng 12 năm 2026
    Người lập biểu                      CHỦ TỊCH
    (Ký, ghi rõ họ tên)                 (Ký, ghi rõ họ tên, đóng dấu)

    Trần Thị Lập                        Nguyễn Văn Chủ

Those rows are not households with errors. ``FooterWatch`` holds back, while the rows stream, a block of rows
that look like this: each with text in a few cells only (``FOOTER_MAX_CELLS`` different texts), no number,
date or code, and no cell that reads as a value of its column (a count, a year, a choice); the block starts
with a row saying what it is (a date line, "ký", "người lập biểu", "chủ tịch", "nơi nhận", ...). When a row
of data follows, the block was inside the table after all: its rows are handed back to be checked (and
rejected) like any other. A block still held at the end of the sheet is the table's footer: the import
leaves it out and says so (``Plan.ignored_rows``).
"""

from __future__ import annotations

import re

from ..text import fold_words
from . import columns as cols
from .cells import PARSERS, RowError
from .readers import clean_text

#: A footer longer than this is not a footer: its rows are checked as rows of the list.
FOOTER_MAX_ROWS = 15
#: Different texts on one footer row: two or three signers side by side.
FOOTER_MAX_CELLS = 3

#: What the first row of a footer says, folded (``text.fold_words``: no diacritics, lower case, single spaces).
FOOTER_WORDS = re.compile(
    r"\bngay\b.*\bthang\b.*\bnam\b"  # "Ninh Phước, ngày 05 tháng 12 năm 2026"
    r"|\bky\b|\bnguoi lap\b|\blap bieu\b|\bghi ro ho ten\b|\bdong dau\b|\bxac nhan\b"
    r"|\bchu tich\b|\bgiam doc\b|\bthu truong\b|\bke toan\b|\bthu ky\b|\bbi thu\b|\btruong (?:ban|thon|khu)\b"
    r"|^(?:t m|tm|kt|q|tl)\b|^noi nhan\b|^ghi chu\b|^nguoi tong hop\b"
)

#: A code: one token with a digit ("H1", "HGD-001"); a date line merged across the code column is not one.
CODE_LIKE = re.compile(r"^\S*\d\S*$")


class FooterWatch:
    """Holds back the rows that may be the table's footer (``hold``) until a row of data shows they were not
    (``release``), or the sheet ends (``held_rows``)."""

    def __init__(self, header: cols.Header, columns: list[cols.Column]):
        by_field = {column.field: column for column in columns}
        #: column index -> the column, for the columns whose cells have a type (a count, a year, a choice)
        self.typed = {
            index: by_field[field]
            for field, index in header.positions.items()
            if field in by_field and by_field[field].type != cols.TEXT
        }
        self.code = header.positions.get("code")
        self.pending: list[tuple[int, list]] = []

    def hold(self, row: int, cells: list) -> bool:
        """Keep the row aside when it may start or continue a footer; False when it is a row of the table."""
        # Most rows hold more different values than a footer row (beside None and ""): told in one pass in C.
        if len(set(cells)) > FOOTER_MAX_CELLS + 2:
            return False
        texts = self.footer_texts(cells)
        if not texts:
            return False
        if not self.pending and not any(FOOTER_WORDS.search(fold_words(text)) for text in texts):
            return False
        if len(self.pending) >= FOOTER_MAX_ROWS:
            return False
        self.pending.append((row, cells))
        return True

    def release(self) -> list[tuple[int, list]]:
        """The rows held back, to be checked as rows of the table (a row of data came after them)."""
        released, self.pending = self.pending, []
        return released

    @property
    def held_rows(self) -> list[int]:
        """The row numbers still held: at the end of the sheet, the footer's."""
        return [row for row, _ in self.pending]

    def footer_texts(self, cells: list) -> set[str] | None:
        """The row's different texts when it looks like a footer row, else None (most rows: a number, a
        code, a value of a typed column, or more texts than a footer row holds)."""
        texts: set[str] = set()
        for index, cell in enumerate(cells):
            if cell is None or cell == "":
                continue
            if type(cell) is not str:  # a number, a date, a yes/no: data
                return None
            text = clean_text(cell)
            if not text:
                continue
            if index == self.code and CODE_LIKE.match(text):
                return None
            column = self.typed.get(index)
            if column is not None and reads_as(text, column):
                return None
            texts.add(text)
            if len(texts) > FOOTER_MAX_CELLS:
                return None
        return texts or None


def reads_as(text: str, column: cols.Column) -> bool:
    """Whether ``text`` is a value of the typed ``column`` (a count, a year, a date, a choice, yes or no)."""
    try:
        return PARSERS[column.type](text, column) is not None
    except RowError:
        return False
