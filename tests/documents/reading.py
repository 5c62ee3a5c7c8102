"""Reading printed documents back in tests: the text of each PDF page (pypdf) and the QR codes on a page
(rendered by PDFium, decoded by zxing-cpp) — what a person or a phone would read from the paper."""

from __future__ import annotations

import io

import pypdfium2
import zxingcpp
from pypdf import PdfReader


def pdf_pages(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF")
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def qr_codes(data: bytes, page: int = 0) -> list[str]:
    document = pypdfium2.PdfDocument(data)
    try:
        image = document[page].render(scale=2).to_pil()
    finally:
        document.close()
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]
