"""Import: a validated document stored as a new set, a new version of its code, or found unchanged."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import CriteriaSet, Criterion, GradeBand, Indicator
from .document import (
    _INDICATOR_FIELDS,
    _NOT_CONTENT,
    _SET_FIELDS,
    CREATED,
    UNCHANGED,
    CriteriaSetImportError,
    ImportOutcome,
    _points_str,
)
from .export import _set_body
from .validate import _load, _validate


def _canonical(body: dict) -> dict:
    """``body`` (validated or exported) with decimals and dates as the export writes them, minus helpers."""

    def clean(value):
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if not k.startswith("_")}
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, Decimal):
            return _points_str(value)
        if isinstance(value, date):
            return value.isoformat()
        return value

    return clean(body)


def _content(body: dict) -> dict:
    canonical = _canonical(body)
    return {key: value for key, value in canonical.items() if key not in _NOT_CONTENT}


def _write(body: dict, version: int) -> CriteriaSet:
    fields = {key: body[key] for key in _SET_FIELDS if key not in ("grade_bands", "criteria")}
    fields["version"] = version
    criteria_set = CriteriaSet.objects.create(**fields)
    for order, band in enumerate(body["grade_bands"]):
        GradeBand.objects.create(criteria_set=criteria_set, sort_order=order, **band)
    for order, crit in enumerate(body["criteria"]):
        criterion = Criterion.objects.create(
            criteria_set=criteria_set,
            sort_order=order,
            number=crit["number"],
            title=crit["title"],
            description=crit["description"],
            min_points=crit["min_points"],
        )
        for ind_order, ind in enumerate(crit["indicators"]):
            Indicator.objects.create(
                criterion=criterion,
                sort_order=ind_order,
                **{key: ind[key] for key in _INDICATOR_FIELDS},
            )
    return criteria_set


def criteria_set_import(data: bytes | str | dict) -> ImportOutcome:
    """Import an exchange document; raises ``CriteriaSetImportError`` (nothing written) when invalid.

    The file's version is stored as it is when free; when taken, identical content is "unchanged"
    and different content becomes the next version of the code (stored versions are never changed).
    """
    body = _validate(_load(data))
    content = _content(body)
    with transaction.atomic():
        stored = list(
            CriteriaSet.objects.select_for_update()
            .filter(code=body["code"])
            .prefetch_related("grade_bands", "criteria__indicators")
            .order_by("version")
        )
        other_kinds = {cs.kind for cs in stored if cs.kind != body["kind"]}
        if other_kinds:
            raise CriteriaSetImportError(
                [
                    _("Criteria set: code '%(code)s' is used for the kind of learning model %(kinds)s, not '%(kind)s'")
                    % {"code": body["code"], "kinds": ", ".join(sorted(other_kinds)), "kind": body["kind"]}
                ]
            )
        same_version = next((cs for cs in stored if cs.version == body["version"]), None)
        if same_version is None:
            return ImportOutcome(_write(body, body["version"]), CREATED, body["version"])
        if _content(_set_body(same_version)) == content:
            return ImportOutcome(same_version, UNCHANGED, body["version"])
        # A file imported before under a new number (its version was taken) is found again here.
        twin = next((cs for cs in stored if _content(_set_body(cs)) == content), None)
        if twin is not None:
            return ImportOutcome(twin, UNCHANGED, body["version"])
        next_version = max(cs.version for cs in stored) + 1
        return ImportOutcome(_write(body, next_version), CREATED, body["version"])
