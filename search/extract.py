"""Text of evidence files for search: PDF (pypdf), DOCX (its XML), XLSX and other sheets (calamine).

Images and other kinds have no text to read here; their description and file name are indexed
instead (``search.indexing.evidence_docs`` always adds those). ``extract_text`` raises
``ExtractionError`` with a reason an officer can act on; callers record it, never crash.
"""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree  # noqa: S405 - only parses office XML members, no external entities

from django.utils.translation import gettext as _

#: Stop reading after this many characters: enough for search, bounded for huge files.
MAX_CHARS = 500_000
#: Largest office XML member read (a zip bomb guard): 50 MB uncompressed.
MAX_MEMBER_BYTES = 50 * 1024 * 1024
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class ExtractionError(Exception):
    """The file's text could not be read; the message says why."""


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def extract_text(data: bytes, name: str) -> str:
    """The text of the file ``name`` whose content is ``data``; ``""`` for kinds without text here."""
    extension = extension_of(name)
    reader = READERS.get(extension)
    if reader is None:
        return ""
    try:
        text = reader(data)
    except ExtractionError:
        raise
    except Exception as exc:  # every parser has its own errors; a broken file must not crash the worker
        raise ExtractionError(
            _("The %(kind)s file could not be read (%(error)s). Check that it opens, or upload it again.")
            % {"kind": extension.upper(), "error": type(exc).__name__}
        ) from exc
    return text[:MAX_CHARS]


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader  # a parser only the extracting worker needs

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        raise ExtractionError(_("The PDF is password-protected; upload a copy without a password."))
    parts, size = [], 0
    for page in reader.pages:
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
        if size >= MAX_CHARS:
            break
    return "\n".join(parts)


def _read_member(archive: zipfile.ZipFile, member: str) -> bytes:
    info = archive.getinfo(member)
    if info.file_size > MAX_MEMBER_BYTES:
        raise ExtractionError(_("The document is too large to read for search."))
    return archive.read(member)


def docx_text(data: bytes) -> str:
    """Paragraph text of the body, headers and footers: the ``w:t`` runs, a line per ``w:p``."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = ["word/document.xml"] + sorted(
            name for name in archive.namelist() if name.startswith(("word/header", "word/footer"))
        )
        lines = []
        for member in members:
            root = ElementTree.fromstring(_read_member(archive, member))  # noqa: S314
            for paragraph in root.iter(f"{_W}p"):
                line = "".join(node.text or "" for node in paragraph.iter(f"{_W}t"))
                if line:
                    lines.append(line)
    return "\n".join(lines)


def sheet_text(data: bytes) -> str:
    """Every non-empty cell of every sheet, a line per row."""
    from python_calamine import CalamineWorkbook  # a parser only the extracting worker needs

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    lines, size = [], 0
    for name in workbook.sheet_names:
        for row in workbook.get_sheet_by_name(name).to_python():
            line = " ".join(str(cell) for cell in row if cell not in ("", None))
            if line:
                lines.append(line)
                size += len(line)
        if size >= MAX_CHARS:
            break
    return "\n".join(lines)


READERS = {"pdf": pdf_text, "docx": docx_text, "xlsx": sheet_text, "xls": sheet_text, "ods": sheet_text}
