"""Handing a printed document to the user: the response, its file name, and the record of personal data that
left the system (``ExportRecord``, like the listing exports: Decree 13/2023)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone

from evaluations.models import ExportRecord
from evaluations.text import slug_of

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def document_file_name(what: str, *parts: object, file_format: str) -> str:
    """``giay-cong-nhan-123-qd-ubnd-20261205.pdf``: the document's kind and what it is of, in ASCII as page
    addresses are, then the day it was made."""
    words = [slug_of(what), *(slug_of(str(part).replace("/", " ")) for part in parts if part not in (None, ""))]
    words.append(f"{timezone.localtime():%Y%m%d}")
    return "-".join(word for word in words if word) + f".{file_format}"


def document_response(data: bytes, *, file_name: str, file_format: str, inline: bool = False) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES[file_format])
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{file_name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def record_download(*, user, document: str, file_format: str, filters: dict, row_count: int) -> ExportRecord:
    """A document naming people was downloaded: who, when, which document of what, how many subjects."""
    return ExportRecord.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        listing=f"documents.{document}",
        file_format=file_format,
        filters=filters,
        row_count=row_count,
    )
