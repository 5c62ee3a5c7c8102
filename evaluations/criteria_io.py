"""Criteria sets as files: export one set to JSON, import a file as a new set or a new version.

The province hands a revision to every commune as one file. Import never overwrites a stored
version (a version may already be frozen by evaluations): a file whose ``code`` and ``version`` are
already stored with the same content changes nothing ("unchanged"); with different content it is
stored as the next free version of that code ("created").

"Same content" means every field of the document except ``version`` and ``status``: the status is
the local life cycle of a set (an officer retiring an old version must not make the next seed or
re-import create a copy of it).

Every error in a file is collected before anything is written, so that one import reports all of
them, each saying where it is (criterion, indicator, grade band, field).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from .criteria_rules import Breach, CriterionDraft, IndicatorDraft, SetDraft, criteria_set_mode_breaches
from .models import CriteriaSet, CriteriaSetStatus, Criterion, GradeBand, Indicator, ScoringMode, SourceStatus
from .models.subjects import SubjectKind

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


# --- Validation -----------------------------------------------------------------------------------

_LABELS = {
    "kind": "loại mô hình",
    "code": "mã bộ tiêu chí",
    "version": "phiên bản",
    "name": "tên bộ tiêu chí",
    "scoring_mode": "cách chấm",
    "document_number": "số văn bản",
    "document_date": "ngày văn bản",
    "issuer": "cơ quan ban hành",
    "effective_from": "hiệu lực từ ngày",
    "effective_to": "hiệu lực đến ngày",
    "status": "trạng thái",
    "source_status": "tình trạng nguồn",
    "source_note": "ghi chú nguồn",
    "has_self_assessment": "có tự đánh giá",
    "validity_years": "số năm hiệu lực của công nhận",
    "pass_total": "tổng điểm đạt",
    "indicator_minimum": "điểm tối thiểu của mỗi chỉ số",
    "grade_bands": "các mức xếp loại",
    "criteria": "các tiêu chí",
    "label": "tên mức xếp loại",
    "min_total": "tổng điểm tối thiểu",
    "recognised": "được công nhận",
    "number": "số tiêu chí",
    "title": "tên tiêu chí",
    "description": "mô tả",
    "min_points": "điểm tối thiểu của tiêu chí",
    "indicators": "các chỉ số",
    "text": "nội dung chỉ số",
    "max_points": "điểm tối đa",
    "level": "mức",
    "evidence_guidance": "hướng dẫn minh chứng",
}

_MAX_LENGTHS = {
    "code": 60,
    "name": 255,
    "document_number": 80,
    "issuer": 200,
    "label": 40,
    "number": 10,
    "title": 255,
    "indicator_code": 12,
}


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, Decimal):
        return f"'{value}'"
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def _choices_text(choices) -> str:
    return ", ".join(choices.values)


class _Checker:
    """Collects errors while reading one document into the canonical shape ``_set_body`` produces."""

    def __init__(self):
        self.errors: list[str] = []

    def error(self, where: str, message: str, value: Any = None, *, show_value: bool = True) -> None:
        if show_value:
            message = _("%(message)s (giá trị: %(value)s)") % {"message": message, "value": _show(value)}
        self.errors.append(f"{where}: {message}")

    def missing(self, where: str, key: str) -> None:
        self.errors.append(
            _("%(where)s: thiếu trường bắt buộc '%(key)s' (%(label)s)")
            % {"where": where, "key": key, "label": _LABELS.get(key, key)}
        )

    def unknown_keys(self, where: str, obj: dict, allowed: tuple[str, ...]) -> None:
        for key in obj:
            if key not in allowed:
                self.errors.append(
                    _("%(where)s: trường '%(key)s' không thuộc định dạng; các trường được dùng: %(allowed)s")
                    % {"where": where, "key": key, "allowed": ", ".join(allowed)}
                )

    def text(self, obj: dict, key: str, where: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = obj.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.missing(where, key)
            return ""
        if not isinstance(value, str):
            self.error(where, _("%(label)s phải là chuỗi văn bản") % {"label": _LABELS[key]}, value)
            return ""
        value = value.strip()
        if max_length is not None and len(value) > max_length:
            self.error(
                where,
                _("%(label)s dài quá %(max)s ký tự (hiện có %(length)s)")
                % {"label": _LABELS[key], "max": max_length, "length": len(value)},
                show_value=False,
            )
        return value

    def choice(self, obj: dict, key: str, where: str, choices, *, default: str | None = None) -> str | None:
        value = obj.get(key)
        if value is None:
            if default is None:
                self.missing(where, key)
            return default
        if value not in choices.values:
            self.error(
                where,
                _("%(label)s không hợp lệ, chọn một trong: %(choices)s")
                % {"label": _LABELS[key], "choices": _choices_text(choices)},
                value,
            )
            return None
        return value

    def integer(
        self, obj: dict, key: str, where: str, *, low: int, high: int, default: int | None = None, required=False
    ) -> int | None:
        value = obj.get(key)
        if value is None:
            if required:
                self.missing(where, key)
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.error(
                where,
                _("%(label)s phải là số nguyên từ %(low)s đến %(high)s")
                % {"label": _LABELS[key], "low": low, "high": high},
                value,
            )
            return None
        return value

    def boolean(self, obj: dict, key: str, where: str, *, default: bool) -> bool:
        value = obj.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(where, _("%(label)s phải là true hoặc false") % {"label": _LABELS[key]}, value)
            return default
        return value

    def day(self, obj: dict, key: str, where: str) -> date | None:
        value = obj.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.error(
            where, _("%(label)s phải là ngày dạng NNNN-TT-NN, ví dụ 2022-07-28") % {"label": _LABELS[key]}, value
        )
        return None

    def points(self, obj: dict, key: str, where: str, *, positive: bool = False, required: bool = False):
        """A points value (string, or number) as a ``Decimal`` with at most one decimal place."""
        value = obj.get(key)
        if value is None or value == "":
            if required:
                self.missing(where, key)
            return None
        number = None
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            number = Decimal(value)
        elif isinstance(value, float):
            number = Decimal(str(value))
        elif isinstance(value, str):
            try:
                # Vietnamese writes a decimal comma ("7,5").
                number = Decimal(value.strip().replace(",", "."))
            except InvalidOperation:
                number = None
        label = _LABELS[key]
        if number is None or not number.is_finite() or (number <= 0 if positive else number < 0):
            message = _("%(label)s phải là số dương") if positive else _("%(label)s phải là số không âm")
            self.error(where, message % {"label": label}, value)
            return None
        if number >= _POINTS_LIMIT:
            self.error(where, _("%(label)s quá lớn") % {"label": label}, value)
            return None
        if number != number.quantize(_TENTH):
            self.error(where, _("%(label)s chỉ được có một chữ số thập phân") % {"label": label}, value)
            return None
        return number


def _criterion_where(position: int, number: Any) -> str:
    if isinstance(number, str) and number.strip():
        return _("Tiêu chí %(number)s") % {"number": number.strip()}
    return _("Tiêu chí thứ %(position)s") % {"position": position}


def _indicator_where(criterion_where: str, position: int, code: Any) -> str:
    if isinstance(code, str) and code.strip():
        return _("%(criterion)s, chỉ số %(code)s") % {"criterion": criterion_where, "code": code.strip()}
    return _("%(criterion)s, chỉ số thứ %(position)s") % {"criterion": criterion_where, "position": position}


def _load(data: bytes | str | dict) -> dict:
    """The parsed document; raises ``CriteriaSetImportError`` when it is not a JSON object."""
    if isinstance(data, dict):
        return data
    if isinstance(data, (bytes, bytearray)):
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CriteriaSetImportError(
                [_("Tệp không phải văn bản UTF-8 (byte lỗi ở vị trí %(position)s)") % {"position": exc.start}]
            ) from exc
    if not isinstance(data, str):
        raise CriteriaSetImportError([_("Dữ liệu nhập phải là tệp JSON")])
    try:
        document = json.loads(data, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise CriteriaSetImportError(
            [
                _("Tệp không phải JSON hợp lệ: dòng %(line)s, cột %(column)s: %(message)s")
                % {"line": exc.lineno, "column": exc.colno, "message": exc.msg}
            ]
        ) from exc
    if not isinstance(document, dict):
        raise CriteriaSetImportError([_("Tệp JSON phải là một đối tượng {...} chứa trường 'format'")])
    return document


def _validate(document: dict) -> dict[str, Any]:
    """The set of ``document`` in the canonical export shape (with Decimals and dates), or an error."""
    if document.get("format") != FORMAT:
        raise CriteriaSetImportError(
            [
                _("Tệp không phải bộ tiêu chí: trường 'format' phải là '%(expected)s' (giá trị: %(value)s)")
                % {"expected": FORMAT, "value": _show(document.get("format"))}
            ]
        )
    if document.get("format_version") != FORMAT_VERSION or isinstance(document.get("format_version"), bool):
        raise CriteriaSetImportError(
            [
                _("Phiên bản định dạng không được hỗ trợ (giá trị: %(value)s); phiên bản này đọc được: %(supported)s")
                % {"value": _show(document.get("format_version")), "supported": FORMAT_VERSION}
            ]
        )
    body = document.get("criteria_set")
    if not isinstance(body, dict):
        raise CriteriaSetImportError([_("Tệp thiếu đối tượng 'criteria_set' chứa bộ tiêu chí")])

    check = _Checker()
    here = _("Bộ tiêu chí")
    check.unknown_keys(here, body, _SET_FIELDS)
    out: dict[str, Any] = {}
    out["kind"] = check.choice(body, "kind", here, SubjectKind)
    out["code"] = check.text(body, "code", here, required=True, max_length=_MAX_LENGTHS["code"])
    if out["code"] and not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in out["code"]):
        check.error(here, _("mã bộ tiêu chí chỉ gồm chữ không dấu, số, '-' và '_'"), out["code"])
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
            _("hiệu lực đến ngày %(to)s sớm hơn hiệu lực từ ngày %(from)s")
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
        check.error(here, _("'grade_bands' phải là một danh sách"), bands)
        return []
    out, labels, minima = [], set(), set()
    for position, band in enumerate(bands, start=1):
        where = _("Mức xếp loại thứ %(position)s") % {"position": position}
        if not isinstance(band, dict):
            check.error(where, _("phải là một đối tượng {label, min_total, recognised}"), band)
            continue
        check.unknown_keys(where, band, _BAND_FIELDS)
        label = check.text(band, "label", where, required=True, max_length=_MAX_LENGTHS["label"])
        minimum = check.points(band, "min_total", where, required=True)
        if label and label in labels:
            check.error(where, _("tên mức xếp loại bị trùng"), label)
        if minimum is not None and minimum in minima:
            check.error(where, _("tổng điểm tối thiểu trùng với một mức khác"), _points_str(minimum))
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
        check.errors.append(_("%(where)s: cần ít nhất một tiêu chí trong 'criteria'") % {"where": here})
        return []
    if not isinstance(criteria, list):
        check.error(here, _("'criteria' phải là một danh sách"), criteria)
        return []
    out, numbers, codes = [], set(), set()
    for position, crit in enumerate(criteria, start=1):
        if not isinstance(crit, dict):
            check.error(_criterion_where(position, None), _("phải là một đối tượng {number, title, ...}"), crit)
            continue
        where = _criterion_where(position, crit.get("number"))
        check.unknown_keys(where, crit, _CRITERION_FIELDS)
        number = check.text(crit, "number", where, required=True, max_length=_MAX_LENGTHS["number"])
        if number and number in numbers:
            check.error(where, _("số tiêu chí bị trùng với một tiêu chí khác"), number)
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
            check.errors.append(_("%(where)s: cần ít nhất một chỉ số trong 'indicators'") % {"where": where})
            indicators = []
        elif not isinstance(indicators, list):
            check.error(where, _("'indicators' phải là một danh sách"), indicators)
            indicators = []
        for ind_position, ind in enumerate(indicators, start=1):
            if not isinstance(ind, dict):
                check.error(
                    _indicator_where(where, ind_position, None), _("phải là một đối tượng {code, text, ...}"), ind
                )
                continue
            ind_where = _indicator_where(where, ind_position, ind.get("code"))
            check.unknown_keys(ind_where, ind, _INDICATOR_FIELDS)
            code = check.text(ind, "code", ind_where, required=True, max_length=_MAX_LENGTHS["indicator_code"])
            if code and code in codes:
                check.error(ind_where, _("mã chỉ số bị trùng (mỗi mã chỉ dùng một lần trong cả bộ tiêu chí)"), code)
            codes.add(code)
            max_points = check.points(ind, "max_points", ind_where, positive=True)
            if max_points is not None and max_points % _HALF:
                check.error(ind_where, _("điểm tối đa phải là bội số của 0,5"), ind.get("max_points"))
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
                "%(where)s: cách chấm đạt/không đạt theo mức (pass_fail_levels) không dùng điểm; "
                "bỏ trường 'max_points' của chỉ số này"
            )
        case "no_level_one":
            message = _("%(where)s: cần ít nhất một chỉ số mức 1 (chỉ số mức 2 không đủ để đạt mức nào)")
        case "min_points_unused":
            message = _("%(where)s: cách chấm đạt/không đạt không dùng 'min_points'")
        case "max_points_needed":
            message = _("%(where)s: thiếu điểm tối đa ('max_points'), bắt buộc với cách chấm theo điểm (%(mode)s)")
        case "bands_needed":
            message = _("%(where)s: cách chấm theo mức xếp loại (grade_bands) cần ít nhất một mức trong 'grade_bands'")
        case "bands_unused":
            message = _("%(where)s: 'grade_bands' chỉ dùng với cách chấm grade_bands (cách chấm của tệp: %(mode)s)")
        case "pass_total_needed":
            message = _("%(where)s: cách chấm theo tổng điểm (total_threshold) cần tổng điểm đạt ('pass_total')")
        case "threshold_unused":
            message = _("%(where)s: '%(key)s' chỉ dùng với cách chấm total_threshold (cách chấm của tệp: %(mode)s)")
        case "pass_total_unreachable":
            message = _("%(where)s: tổng điểm đạt %(value)s lớn hơn tổng điểm tối đa của các chỉ số (%(max)s)")
        case "band_unreachable":
            params["position"] = breach.where[1] + 1
            message = _(
                "Mức xếp loại thứ %(position)s: tổng điểm tối thiểu %(value)s lớn hơn tổng điểm tối đa (%(max)s)"
            )
        case "criterion_unreachable":
            message = _("%(where)s: điểm tối thiểu %(value)s lớn hơn điểm tối đa của tiêu chí (%(max)s)")
        case "indicator_below_minimum":
            message = _("%(where)s: điểm tối đa %(max)s nhỏ hơn điểm tối thiểu của mỗi chỉ số (%(min)s)")
        case _:
            raise ValueError(breach.code)
    return message % params


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


# --- Import ---------------------------------------------------------------------------------------


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
                    _("Bộ tiêu chí: mã '%(code)s' đã dùng cho loại mô hình %(kinds)s, không phải '%(kind)s'")
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
