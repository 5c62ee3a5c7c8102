"""Evidence upload rules: size limit and an allowlist checked on the file's content, not only its name."""

from __future__ import annotations

import contextlib
import datetime
import uuid
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

import filetype


@dataclass(frozen=True)
class AllowedType:
    content_type: str
    extensions: tuple[str, ...]
    #: For zip-based office formats: a member every genuine file of this type has.
    zip_member: str | None = None


#: Detected kind -> what it is allowed to be. Extensions a kind may carry are listed with it.
ALLOWED_TYPES: dict[str, AllowedType] = {
    "pdf": AllowedType("application/pdf", ("pdf",)),
    "jpg": AllowedType("image/jpeg", ("jpg", "jpeg")),
    "png": AllowedType("image/png", ("png",)),
    "webp": AllowedType("image/webp", ("webp",)),
    "heic": AllowedType("image/heic", ("heic", "heif")),
    "doc": AllowedType("application/msword", ("doc",)),
    "xls": AllowedType("application/vnd.ms-excel", ("xls",)),
    "ppt": AllowedType("application/vnd.ms-powerpoint", ("ppt",)),
    "docx": AllowedType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",), "word/document.xml"
    ),
    "xlsx": AllowedType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",), "xl/workbook.xml"
    ),
    "pptx": AllowedType(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation", ("pptx",), "ppt/presentation.xml"
    ),
    "odt": AllowedType("application/vnd.oasis.opendocument.text", ("odt",), "content.xml"),
    "ods": AllowedType("application/vnd.oasis.opendocument.spreadsheet", ("ods",), "content.xml"),
    "odp": AllowedType("application/vnd.oasis.opendocument.presentation", ("odp",), "content.xml"),
}
#: The OLE2 container is shared by .doc, .xls and .ppt; the extension tells which one was meant.
OLE_KINDS = ("doc", "xls", "ppt")
ZIP_KINDS = ("docx", "xlsx", "pptx", "odt", "ods", "odp")


def allowed_extensions() -> list[str]:
    return sorted({ext for allowed in ALLOWED_TYPES.values() for ext in allowed.extensions})


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _zip_kind(upload, extension: str) -> str | None:
    """For a zip container, the office kind its members prove; refuse macro-enabled documents."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return None
    finally:
        upload.seek(0)
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise ValidationError(_("The file contains macros, which are not accepted. Save it without macros."))
    candidates = [extension] if extension in ZIP_KINDS else list(ZIP_KINDS)
    for kind in candidates:
        if ALLOWED_TYPES[kind].zip_member in names:
            return kind
    return None


def validate_evidence_file(upload) -> AllowedType:
    """Check ``upload`` (a Django UploadedFile); return its allowed type or raise ValidationError saying why."""
    name = upload.name or ""
    extension = _extension(name)
    limit = settings.EVIDENCE_MAX_UPLOAD_SIZE
    if upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; the largest file accepted is %(limit)s.")
            % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})

    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    detected = filetype.guess(head)
    kind = detected.extension if detected else None
    if kind == "jpx":
        kind = None
    if kind in ("zip", *ZIP_KINDS):
        kind = _zip_kind(upload, extension)
    elif kind in OLE_KINDS:
        # filetype reports every OLE2 file as one kind; trust the extension among the OLE kinds only.
        kind = extension if extension in OLE_KINDS else kind

    allowed_list = ", ".join(allowed_extensions())
    if kind not in ALLOWED_TYPES:
        raise ValidationError(
            _("“%(name)s” is not an accepted kind of file (its content is not %(allowed)s).")
            % {"name": name, "allowed": allowed_list}
        )
    allowed = ALLOWED_TYPES[kind]
    if extension not in allowed.extensions:
        raise ValidationError(
            _(
                "“%(name)s” is named .%(extension)s but its content is a %(kind)s file. "
                "Rename it or choose the right file."
            )
            % {"name": name, "extension": extension or "?", "kind": kind.upper()}
        )
    return allowed


# --- files held while the rest of the score form is corrected ---------------------------------------------

#: Where a valid file waits when the form it came with had an error elsewhere, until the form is saved.
HELD_FOLDER = "held"
HELD_SALT = "evaluations.evidence.held"
#: A held file is offered again for a day; older ones are removed when another file is held.
HELD_MAX_AGE = 24 * 3600


@dataclass(frozen=True)
class HeldEvidence:
    """A checked evidence file kept in private storage, named to the form by a signed token."""

    token: str
    path: str
    name: str
    indicator_id: int
    size: int


def _storage():
    from django.core.files.storage import storages

    return storages["evidence"]


def evidence_hold(upload, *, evaluation_id: int, indicator_id: int, user_id: int) -> HeldEvidence:
    """Keep ``upload`` (checked: raises ValidationError as ``validate_evidence_file``) for the evaluation's
    score form of ``user``, so correcting another field does not mean choosing the file again."""
    validate_evidence_file(upload)
    _purge_held()
    name = (upload.name or "file")[:255]
    path = _storage().save(f"{HELD_FOLDER}/{uuid.uuid4().hex}.{_extension(name) or 'bin'}", upload)
    payload = {"p": path, "n": name, "i": indicator_id, "e": evaluation_id, "u": user_id, "s": upload.size}
    return HeldEvidence(signing.dumps(payload, salt=HELD_SALT), path, name, indicator_id, upload.size)


def evidence_held(token: str, *, evaluation_id: int, user_id: int) -> HeldEvidence | None:
    """The file ``token`` names, if it was held for this evaluation and user within ``HELD_MAX_AGE`` and is
    still there; None otherwise (a forged, foreign or expired token is ignored)."""
    try:
        data = signing.loads(token, salt=HELD_SALT, max_age=HELD_MAX_AGE)
    except signing.BadSignature:
        return None
    path = data.get("p", "")
    if data.get("e") != evaluation_id or data.get("u") != user_id or not path.startswith(f"{HELD_FOLDER}/"):
        return None
    if not _storage().exists(path):
        return None
    return HeldEvidence(token, path, data["n"], data["i"], data["s"])


def held_file(held: HeldEvidence) -> File:
    """The held file, opened, under the name it was uploaded with."""
    return File(_storage().open(held.path), name=held.name)


def held_discard(held: HeldEvidence) -> None:
    _storage().delete(held.path)


def _purge_held() -> None:
    storage = _storage()
    try:
        _folders, files = storage.listdir(HELD_FOLDER)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - datetime.timedelta(seconds=HELD_MAX_AGE)
    for name in files:
        path = f"{HELD_FOLDER}/{name}"
        with contextlib.suppress(FileNotFoundError):
            if storage.get_modified_time(path) < cutoff:
                storage.delete(path)
