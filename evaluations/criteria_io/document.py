"""The exchange document: its format, its fields, how points and dates are written, and what an import
answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..models import CriteriaSet

FORMAT = "khuyenhoc.criteria-set"
FORMAT_VERSION = 1

CREATED = "created"
UNCHANGED = "unchanged"

#: Fields compared to decide whether a stored version holds the same content as a file.
_NOT_CONTENT = ("version", "status")

_HALF = Decimal("0.5")
_TENTH = Decimal("0.1")
#: ``POINTS_FIELD`` is 6 digits with 1 decimal place.
_POINTS_LIMIT = Decimal("100000")

_SET_FIELDS = (
    "kind",
    "code",
    "version",
    "name",
    "scoring_mode",
    "document_number",
    "document_date",
    "issuer",
    "effective_from",
    "effective_to",
    "status",
    "source_status",
    "source_note",
    "has_self_assessment",
    "validity_years",
    "pass_total",
    "indicator_minimum",
    "grade_bands",
    "criteria",
)
_BAND_FIELDS = ("label", "min_total", "recognised")
_CRITERION_FIELDS = ("number", "title", "description", "min_points", "indicators")
_INDICATOR_FIELDS = ("code", "text", "max_points", "level", "evidence_guidance")


class CriteriaSetImportError(Exception):
    """The file cannot be imported; ``errors`` lists every problem found, in Vietnamese."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass
class ImportOutcome:
    criteria_set: CriteriaSet
    #: ``"created"`` or ``"unchanged"``.
    action: str
    #: The version number written in the file (the stored one differs when that version was taken).
    file_version: int

    @property
    def renumbered(self) -> bool:
        return self.action == CREATED and self.criteria_set.version != self.file_version


# --- Export ---------------------------------------------------------------------------------------


def _points_str(value: Decimal | None) -> str | None:
    """Points as a plain string: ``"10"``, ``"7.5"`` (never ``"10.0"`` or ``"1E+1"``)."""
    if value is None:
        return None
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.quantize(_TENTH), "f")


def _date_str(value: date | None) -> str | None:
    return value.isoformat() if value else None
