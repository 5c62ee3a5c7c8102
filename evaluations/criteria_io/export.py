"""Export: a stored criteria set as the exchange document."""

from __future__ import annotations

import json
from typing import Any

from ..models import CriteriaSet
from .document import FORMAT, FORMAT_VERSION, _date_str, _points_str


def _ordered(manager):
    return sorted(manager.all(), key=lambda obj: (obj.sort_order if obj.sort_order is not None else 0, obj.pk or 0))


def _set_body(cs: CriteriaSet) -> dict[str, Any]:
    return {
        "kind": cs.kind,
        "code": cs.code,
        "version": cs.version,
        "name": cs.name,
        "scoring_mode": cs.scoring_mode,
        "document_number": cs.document_number,
        "document_date": _date_str(cs.document_date),
        "issuer": cs.issuer,
        "effective_from": _date_str(cs.effective_from),
        "effective_to": _date_str(cs.effective_to),
        "status": cs.status,
        "source_status": cs.source_status,
        "source_note": cs.source_note,
        "has_self_assessment": cs.has_self_assessment,
        "validity_years": cs.validity_years,
        "pass_total": _points_str(cs.pass_total),
        "indicator_minimum": _points_str(cs.indicator_minimum),
        "grade_bands": [
            {"label": band.label, "min_total": _points_str(band.min_total), "recognised": band.recognised}
            for band in _ordered(cs.grade_bands)
        ],
        "criteria": [
            {
                "number": crit.number,
                "title": crit.title,
                "description": crit.description,
                "min_points": _points_str(crit.min_points),
                "indicators": [
                    {
                        "code": ind.code,
                        "text": ind.text,
                        "max_points": _points_str(ind.max_points),
                        "level": ind.level,
                        "evidence_guidance": ind.evidence_guidance,
                    }
                    for ind in _ordered(crit.indicators)
                ],
            }
            for crit in _ordered(cs.criteria)
        ],
    }


def criteria_set_to_dict(cs: CriteriaSet) -> dict[str, Any]:
    """The whole exchange document of ``cs`` (format marker, format version and the set)."""
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "criteria_set": _set_body(cs)}


def criteria_set_export_json(cs: CriteriaSet) -> bytes:
    """The exchange document of ``cs`` as indented UTF-8 JSON (Vietnamese kept readable)."""
    return (json.dumps(criteria_set_to_dict(cs), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
