"""Text extraction from evidence files (real parsers on real small files)."""

import pytest

from search.extract import ExtractionError, extract_text

from .files import corrupt_pdf, docx_with_text, pdf_with_text, xlsx_with_cells


def test_pdf_text():
    assert "Bien ban hop thon Tu Thien" in extract_text(pdf_with_text("Bien ban hop thon Tu Thien"), "bb.pdf")


def test_docx_text_keeps_vietnamese():
    text = extract_text(docx_with_text("Biên bản họp dòng họ", "Khuyến học, khuyến tài"), "bb.docx")
    assert text.splitlines() == ["Biên bản họp dòng họ", "Khuyến học, khuyến tài"]


def test_xlsx_text():
    assert "Đường Nguyễn Huệ" in extract_text(xlsx_with_cells("Danh sách học sinh", "Đường Nguyễn Huệ"), "ds.xlsx")


def test_images_have_no_text_here():
    assert extract_text(b"\x89PNG....", "anh.png") == ""


def test_corrupt_pdf_raises_a_readable_error():
    with pytest.raises(ExtractionError, match="PDF"):
        extract_text(corrupt_pdf(), "hong.pdf")


def test_corrupt_docx_raises_a_readable_error():
    with pytest.raises(ExtractionError, match="DOCX"):
        extract_text(b"PK\x03\x04 not really a zip", "hong.docx")
