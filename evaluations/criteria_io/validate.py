"""Validation: the whole document read into the canonical shape, every error collected before anything is
written; the scoring-mode rules are ``criteria_rules``'."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from ..criteria_rules import Breach, CriterionDraft, IndicatorDraft, SetDraft, criteria_set_mode_breaches
from ..models import CriteriaSetStatus, ScoringMode, SourceStatus
from ..models.subjects import SubjectKind
from .checker import _MAX_LENGTHS, _Checker, _criterion_where, _indicator_where, _show
from .document import (
    _BAND_FIELDS,
    _CRITERION_FIELDS,
    _HALF,
    _INDICATOR_FIELDS,
    _SET_FIELDS,
    FORMAT,
    FORMAT_VERSION,
    CriteriaSetImportError,
    _points_str,
)


def _load(data: bytes | str | dict) -> dict:
    """The parsed document; raises ``CriteriaSetImportError`` when it is not a JSON object."""
    if isinstance(data, dict):
        return data
    if isinstance(data, (bytes, bytearray)):
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CriteriaSetImportError(
                [_("The file is not UTF-8 text (bad byte at position %(position)s)") % {"position": exc.start}]
            ) from exc
    if not isinstance(data, str):
        raise CriteriaSetImportError([_("The imported data must be a JSON file")])
    try:
        document = json.loads(data, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise CriteriaSetImportError(
            [
                _("The file is not valid JSON: line %(line)s, column %(column)s: %(message)s")
                % {"line": exc.lineno, "column": exc.colno, "message": exc.msg}
            ]
        ) from exc
    if not isinstance(document, dict):
        raise CriteriaSetImportError([_("The JSON file must be an object {...} with a 'format' field")])
    return document


def _validate(document: dict) -> dict[str, Any]:
    """The set of ``document`` in the canonical export shape (with Decimals and dates), or an error."""
    if document.get("format") != FORMAT:
        raise CriteriaSetImportError(
            [
                _("The file is not a criteria set: the 'format' field must be '%(expected)s' (value: %(value)s)")
                % {"expected": FORMAT, "value": _show(document.get("format"))}
            ]
        )
    if document.get("format_version") != FORMAT_VERSION or isinstance(document.get("format_version"), bool):
        raise CriteriaSetImportError(
            [
                _("Unsupported format version (value: %(value)s); this version reads: %(supported)s")
                % {"value": _show(document.get("format_version")), "supported": FORMAT_VERSION}
            ]
        )
    body = document.get("criteria_set")
    if not isinstance(body, dict):
        raise CriteriaSetImportError([_("The file has no 'criteria_set' object holding the criteria set")])

    check = _Checker()
    here = _("Criteria set")
    check.unknown_keys(here, body, _SET_FIELDS)
    out: dict[str, Any] = {}
    out["kind"] = check.choice(body, "kind", here, SubjectKind)
    out["code"] = check.text(body, "code", here, required=True, max_length=_MAX_LENGTHS["code"])
    if out["code"] and not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in out["code"]):
        check.error(here, _("the criteria-set code has only unaccented letters, digits, '-' and '_'"), out["code"])
    out["version"] = check.integer(body, "version", here, low=1, high=32767, required=True)
    out["name"] = check.text(body, "name", here, required=True, max_length=_MAX_LENGTHS["name"])
    mode = out["scoring_mode"] = check.choice(body, "scoring_mode", here, ScoringMode)
    out["document_number"] = check.text(body, "document_number", here, max_length=_MAX_LENGTHS["document_number"])
    out["document_date"] = check.day(body, "document_date", here)
    out["issuer"] = check.text(body, "issuer", here, max_length=_MAX_LENGTHS["issuer"])
    out["effective_from"] = check.day(body, "effective_from", here)
    out["effective_to"] = check.day(body, "effective_to", here)
    if out["effective_from"] and out["effective_to"] and out["effective_to"] < out["effective_from"]:
        check.error(
            here,
            _("valid until %(to)s is earlier than valid from %(from)s")
            % {"to": out["effective_to"].isoformat(), "from": out["effective_from"].isoformat()},
            show_value=False,
        )
    out["status"] = check.choice(body, "status", here, CriteriaSetStatus, default=CriteriaSetStatus.DRAFT)
    out["source_status"] = check.choice(body, "source_status", here, SourceStatus, default=SourceStatus.PARTIAL)
    out["source_note"] = check.text(body, "source_note", here)
    out["has_self_assessment"] = check.boolean(body, "has_self_assessment", here, default=False)
    out["validity_years"] = check.integer(body, "validity_years", here, low=1, high=10, default=1)
    out["pass_total"] = check.points(body, "pass_total", here, positive=True)
    out["_pass_total_given"] = body.get("pass_total") not in (None, "")
    out["indicator_minimum"] = check.points(body, "indicator_minimum", here)

    out["grade_bands"] = _validate_bands(check, body.get("grade_bands"), here)
    out["criteria"] = _validate_criteria(check, body.get("criteria"), here, mode)
    _validate_mode(check, out, mode, here)
    if check.errors:
        raise CriteriaSetImportError(check.errors)
    return out


def _validate_bands(check: _Checker, bands: Any, here: str) -> list[dict]:
    if bands is None:
        return []
    if not isinstance(bands, list):
        check.error(here, _("'grade_bands' must be a list"), bands)
        return []
    out, labels, minima = [], set(), set()
    for position, band in enumerate(bands, start=1):
        where = _("Grade band no. %(position)s") % {"position": position}
        if not isinstance(band, dict):
            check.error(where, _("must be an object {label, min_total, recognised}"), band)
            continue
        check.unknown_keys(where, band, _BAND_FIELDS)
        label = check.text(band, "label", where, required=True, max_length=_MAX_LENGTHS["label"])
        minimum = check.points(band, "min_total", where, required=True)
        if label and label in labels:
            check.error(where, _("the band name is used twice"), label)
        if minimum is not None and minimum in minima:
            check.error(where, _("the minimum total is the same as another band's"), _points_str(minimum))
        labels.add(label)
        minima.add(minimum)
        out.append(
            {
                "label": label,
                "min_total": minimum,
                "recognised": check.boolean(band, "recognised", where, default=True),
            }
        )
    return out


def _validate_criteria(check: _Checker, criteria: Any, here: str, mode: str | None) -> list[dict]:
    if criteria is None or criteria == []:
        check.errors.append(_("%(where)s: at least one criterion is needed in 'criteria'") % {"where": here})
        return []
    if not isinstance(criteria, list):
        check.error(here, _("'criteria' must be a list"), criteria)
        return []
    out, numbers, codes = [], set(), set()
    for position, crit in enumerate(criteria, start=1):
        if not isinstance(crit, dict):
            check.error(_criterion_where(position, None), _("must be an object {number, title, ...}"), crit)
            continue
        where = _criterion_where(position, crit.get("number"))
        check.unknown_keys(where, crit, _CRITERION_FIELDS)
        number = check.text(crit, "number", where, required=True, max_length=_MAX_LENGTHS["number"])
        if number and number in numbers:
            check.error(where, _("the criterion number is the same as another criterion's"), number)
        numbers.add(number)
        item = {
            "number": number,
            "title": check.text(crit, "title", where, required=True, max_length=_MAX_LENGTHS["title"]),
            "description": check.text(crit, "description", where),
            "min_points": check.points(crit, "min_points", where),
            "indicators": [],
            "_where": where,
        }
        indicators = crit.get("indicators")
        if not indicators:
            check.errors.append(_("%(where)s: at least one indicator is needed in 'indicators'") % {"where": where})
            indicators = []
        elif not isinstance(indicators, list):
            check.error(where, _("'indicators' must be a list"), indicators)
            indicators = []
        for ind_position, ind in enumerate(indicators, start=1):
            if not isinstance(ind, dict):
                check.error(_indicator_where(where, ind_position, None), _("must be an object {code, text, ...}"), ind)
                continue
            ind_where = _indicator_where(where, ind_position, ind.get("code"))
            check.unknown_keys(ind_where, ind, _INDICATOR_FIELDS)
            code = check.text(ind, "code", ind_where, required=True, max_length=_MAX_LENGTHS["indicator_code"])
            if code and code in codes:
                check.error(
                    ind_where,
                    _("the indicator code is used twice (each code is used once in the whole criteria set)"),
                    code,
                )
            codes.add(code)
            max_points = check.points(ind, "max_points", ind_where, positive=True)
            if max_points is not None and max_points % _HALF:
                check.error(ind_where, _("the maximum points must be a multiple of 0.5"), ind.get("max_points"))
            item["indicators"].append(
                {
                    "code": code,
                    "text": check.text(ind, "text", ind_where, required=True),
                    "max_points": max_points,
                    "level": check.integer(ind, "level", ind_where, low=1, high=2),
                    "evidence_guidance": check.text(ind, "evidence_guidance", ind_where),
                    "_where": ind_where,
                    "_has_max_points": ind.get("max_points") not in (None, ""),
                }
            )
        out.append(item)
    return out


def _validate_mode(check: _Checker, out: dict, mode: str | None, here: str) -> None:
    """Rules that depend on the scoring mode (``criteria_rules``), each said with where it is in the file."""
    draft = SetDraft(
        mode=mode,
        pass_total=out["pass_total"],
        pass_total_given=out["_pass_total_given"],
        indicator_minimum=out["indicator_minimum"],
        band_minimums=[band["min_total"] for band in out["grade_bands"]],
        criteria=[
            CriterionDraft(
                min_points=crit["min_points"],
                indicators=[
                    IndicatorDraft(
                        max_points=ind["max_points"], level=ind["level"], has_max_points=ind["_has_max_points"]
                    )
                    for ind in crit["indicators"]
                ],
            )
            for crit in out["criteria"]
        ],
    )
    for breach in criteria_set_mode_breaches(draft=draft):
        check.errors.append(_mode_message(breach, out, mode, here))


def _mode_message(breach: Breach, out: dict, mode: str | None, here: str) -> str:
    """A mode rule's breach in the file's terms: its keys, and where it is."""
    where = here
    if breach.where[:1] == ("criterion",):
        where = out["criteria"][breach.where[1]]["_where"]
    elif breach.where[:1] == ("indicator",):
        where = out["criteria"][breach.where[1]]["indicators"][breach.where[2]]["_where"]
    values = {key: _points_str(value) if isinstance(value, Decimal) else value for key, value in breach.values.items()}
    params = {"where": where, "mode": mode, **values}
    match breach.code:
        case "points_unused":
            message = _(
                "%(where)s: the pass/fail-by-level mode (pass_fail_levels) uses no points; "
                "remove this indicator's 'max_points'"
            )
        case "no_level_one":
            message = _(
                "%(where)s: at least one level-1 indicator is needed (level-2 indicators alone reach no level)"
            )
        case "min_points_unused":
            message = _("%(where)s: the pass/fail mode does not use 'min_points'")
        case "max_points_needed":
            message = _(
                "%(where)s: the maximum points ('max_points') are missing; a points mode (%(mode)s) needs them"
            )
        case "bands_needed":
            message = _("%(where)s: the grade-bands mode (grade_bands) needs at least one band in 'grade_bands'")
        case "bands_unused":
            message = _("%(where)s: 'grade_bands' is used only with the grade_bands mode (the file's mode: %(mode)s)")
        case "pass_total_needed":
            message = _("%(where)s: the total-threshold mode (total_threshold) needs the total needed ('pass_total')")
        case "threshold_unused":
            message = _("%(where)s: '%(key)s' is used only with the total_threshold mode (the file's mode: %(mode)s)")
        case "pass_total_unreachable":
            message = _("%(where)s: the total needed %(value)s is above the indicators' maximum total (%(max)s)")
        case "band_unreachable":
            params["position"] = breach.where[1] + 1
            message = _(
                "Grade band no. %(position)s: the minimum total %(value)s is above the maximum total (%(max)s)"
            )
        case "criterion_unreachable":
            message = _("%(where)s: the minimum %(value)s is above the criterion's maximum (%(max)s)")
        case "indicator_below_minimum":
            message = _("%(where)s: the maximum %(max)s is below every indicator's minimum (%(min)s)")
        case _:
            raise ValueError(breach.code)
    return message % params
