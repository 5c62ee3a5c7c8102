"""The open-data API (read-only, no login): aggregated figures and the published recognition lists.

Plain Django views: each endpoint declares its parameters once (:class:`Param`), and the same
declarations parse requests (an unknown or wrong parameter is a 400 naming it, in Vietnamese) and
build the OpenAPI 3 document at ``/api/v1/openapi.json``. Nothing goes out beyond what the public
recognition lists show: recognised evaluations of active subjects who agreed to be published, and
counts by area.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
from dataclasses import dataclass, field

from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from evaluations.access import area_q, unit_reach_paths
from evaluations.models import (
    SUBJECT_NAME_ORDER,
    AdministrativeUnit,
    Evaluation,
    EvaluationStatus,
    SubjectKind,
    UnitLevel,
)
from evaluations.models.units import communes_by_path

from .rollup import INDICATORS, rollup
from .selectors import report_years

API_VERSION = "1.0.0"
MAX_PAGE_SIZE = 500


class ApiError(ValueError):
    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@dataclass
class Param:
    name: str
    type: str  # "string" or "integer"
    description: str
    enum: list[str] | None = None
    minimum: int | None = None
    maximum: int | None = None
    default: object = None

    def schema(self) -> dict:
        schema: dict = {"type": self.type}
        for key in ("enum", "minimum", "maximum", "default"):
            if getattr(self, key) is not None:
                schema[key] = getattr(self, key)
        return {"name": self.name, "in": "query", "required": False, "description": self.description, "schema": schema}

    def parse(self, raw: str | None):
        if raw is None or raw == "":
            return self.default
        if self.type == "integer":
            try:
                value = int(raw)
            except ValueError:
                raise ApiError(
                    self.name, _("Parameter “%(name)s” must be a whole number (got “%(value)s”).") % self._fmt(raw)
                ) from None
            if (self.minimum is not None and value < self.minimum) or (
                self.maximum is not None and value > self.maximum
            ):
                raise ApiError(
                    self.name,
                    _("Parameter “%(name)s” must be between %(min)s and %(max)s (got %(value)s).")
                    % {**self._fmt(raw), "min": self.minimum, "max": self.maximum},
                )
            return value
        if self.enum is not None and raw not in self.enum:
            raise ApiError(
                self.name,
                _("Parameter “%(name)s”: “%(value)s” is not allowed; use one of: %(choices)s.")
                % {**self._fmt(raw), "choices": ", ".join(self.enum)},
            )
        return raw

    def _fmt(self, raw):
        return {"name": self.name, "value": raw[:50]}


AREA = Param("area", "string", "GSO code of an administrative unit; its whole subtree is included.")
YEAR = Param("year", "integer", "Evaluation year.", minimum=2000, maximum=2100)
PAGE = Param("page", "integer", "Page number, from 1.", minimum=1, maximum=1_000_000, default=1)
PAGE_SIZE = Param("page_size", "integer", "Rows per page.", minimum=1, maximum=MAX_PAGE_SIZE, default=100)
FORMAT = Param("format", "string", "Response format.", enum=["json", "csv"], default="json")


@dataclass
class Endpoint:
    path: str
    name: str
    summary: str
    params: list[Param]
    row_schema: dict
    view: object = None
    extra: dict = field(default_factory=dict)

    def parse(self, request) -> dict:
        known = {p.name for p in self.params}
        for key in request.GET:
            if key not in known:
                raise ApiError(
                    key,
                    _("Parameter “%(name)s” is not recognised; allowed: %(allowed)s.")
                    % {"name": key[:50], "allowed": ", ".join(sorted(known))},
                )
        return {p.name: p.parse(request.GET.get(p.name)) for p in self.params}


def area_by_code(code: str, year: int | None) -> AdministrativeUnit:
    """The unit with GSO ``code``; since 1/7/2025 some codes were reused, so the one in force on the
    year's due date (or today) wins."""
    units = list(AdministrativeUnit.objects.filter(code=code).order_by("-valid_from"))
    if not units:
        raise ApiError(
            "area", _("Parameter “area”: no administrative unit has the code “%(code)s”.") % {"code": code[:20]}
        )
    on = datetime.date(year, 11, 30) if year else None
    current = [u for u in units if u.is_current(on)]
    return (current or units)[0]


def roots_for(params) -> list[AdministrativeUnit]:
    if params["area"]:
        return [area_by_code(params["area"], params["year"])]
    # Every province, by level: the same answer whether provinces are roots or sit under a national root.
    return list(AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE).order_by("path"))


def paginate(rows_or_qs, params) -> tuple[list, dict]:
    count = (
        rows_or_qs.count() if hasattr(rows_or_qs, "count") and not isinstance(rows_or_qs, list) else len(rows_or_qs)
    )
    size, page = params["page_size"], params["page"]
    pages = max(1, math.ceil(count / size))
    if page > pages:
        raise ApiError(
            "page",
            _("Parameter “page”: page %(page)s does not exist; there are %(pages)s.") % {"page": page, "pages": pages},
        )
    start = (page - 1) * size
    return list(rows_or_qs[start : start + size]), {"count": count, "page": page, "page_size": size, "pages": pages}


def respond(endpoint: Endpoint, request, rows: list[dict], meta: dict, params) -> HttpResponse:
    if params["format"] == "csv":
        columns = list(endpoint.row_schema["properties"])
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_cell(row.get(c)) for c in columns])
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["X-Total-Count"] = str(meta["count"])
    else:
        base = request.build_absolute_uri(request.path)
        query = request.GET.copy()

        def link(page):
            query["page"] = page
            return f"{base}?{query.urlencode()}"

        meta["next"] = link(meta["page"] + 1) if meta["page"] < meta["pages"] else None
        meta["previous"] = link(meta["page"] - 1) if meta["page"] > 1 else None
        response = JsonResponse({**meta, "results": rows}, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


def _csv_cell(value):
    from .excel import csv_safe

    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return csv_safe(value)


def api_view(endpoint: Endpoint):
    def decorator(fn):
        @require_GET
        def view(request):
            try:
                params = endpoint.parse(request)
                rows, meta = fn(request, params)
            except ApiError as exc:
                response = JsonResponse(
                    {"error": {"parameter": exc.parameter, "message": exc.message}},
                    status=400,
                    json_dumps_params={"ensure_ascii": False},
                )
                response["Access-Control-Allow-Origin"] = "*"
                return response
            return respond(endpoint, request, rows, meta, params)

        endpoint.view = view
        return view

    return decorator


# --- figures ------------------------------------------------------------------------------------------

FIGURE_ROW = {
    "type": "object",
    "properties": {
        "area_code": {"type": ["string", "null"], "description": "GSO code (villages have none)."},
        "area_name": {"type": "string"},
        "area_level": {"type": "string", "enum": [c.value for c in UnitLevel]},
        "parent_code": {"type": ["string", "null"]},
        "year": {"type": "integer"},
        "indicator": {"type": "string", "enum": INDICATORS},
        "registered": {
            "type": "integer",
            "description": "Subjects on the area's register as of the year (its 31 December, or today for the "
            "running year), or the entered number.",
        },
        "evaluated": {"type": "integer"},
        "recognised": {"type": "integer"},
        "percent_recognised": {"type": ["number", "null"]},
        "target_percent": {"type": ["number", "null"]},
        "target_met": {"type": ["boolean", "null"]},
    },
}
FIGURES = Endpoint(
    path="figures/",
    name="figures",
    summary="Aggregated figures by area, year and indicator (every level of the area's subtree).",
    params=[
        AREA,
        Param("year", "integer", "Evaluation year; the latest with data when omitted.", minimum=2000, maximum=2100),
        Param("kind", "string", "Indicator (one of the five kinds, or citizen_staff).", enum=INDICATORS),
        Param("level", "string", "Only areas of this level.", enum=[c.value for c in UnitLevel]),
        PAGE,
        PAGE_SIZE,
        FORMAT,
    ],
    row_schema=FIGURE_ROW,
)


@api_view(FIGURES)
def figures_view(request, params):
    roots = roots_for(params)
    year = params["year"]
    if year is None:
        years = report_years(roots[0]) if len(roots) == 1 else report_years()
        year = years[0] if years else datetime.date.today().year
    indicators = [params["kind"]] if params["kind"] else INDICATORS
    step = AdministrativeUnit.steplen
    rows = []
    for root in roots:
        result = rollup(root=root, years=year)
        for node in result.walk():
            if params["level"] and node.level != params["level"]:
                continue
            parent = result.nodes.get(node.path[:-step])
            for indicator in indicators:
                figures = node.figures[year][indicator]
                rows.append(
                    {
                        "area_code": node.code,
                        "area_name": node.name,
                        "area_level": node.level,
                        "parent_code": parent.code if parent and node.depth > root.depth else None,
                        "year": year,
                        "indicator": indicator,
                        "registered": figures.registered,
                        "evaluated": figures.evaluated,
                        "recognised": figures.recognised,
                        "percent_recognised": float(figures.percent) if figures.percent is not None else None,
                        "target_percent": float(figures.target) if figures.target is not None else None,
                        "target_met": figures.met,
                    }
                )
    return paginate(rows, params)


# --- recognition lists --------------------------------------------------------------------------------

RECOGNITION_ROW = {
    "type": "object",
    "properties": {
        "kind": {"type": "string", "enum": [c.value for c in SubjectKind]},
        "name": {"type": "string", "description": "Display name as on the public list."},
        "village": {"type": ["string", "null"]},
        "commune": {"type": ["string", "null"]},
        "year": {"type": "integer"},
        "grade": {"type": ["string", "null"]},
        "level": {"type": ["integer", "null"]},
        "decision_number": {"type": ["string", "null"]},
        "decision_date": {"type": ["string", "null"], "format": "date"},
    },
}
RECOGNITIONS = Endpoint(
    path="recognitions/",
    name="recognitions",
    summary="The published recognition lists: recognised models whose subjects agreed to be published.",
    params=[
        AREA,
        YEAR,
        Param("kind", "string", "Kind of learning model.", enum=[c.value for c in SubjectKind]),
        PAGE,
        PAGE_SIZE,
        FORMAT,
    ],
    row_schema=RECOGNITION_ROW,
)


def published_recognitions():
    """What the public lists show: recognised, active subjects who did not refuse publication."""
    return Evaluation.objects.filter(
        status=EvaluationStatus.RECOGNISED, subject__publish_consent=True, subject__is_active=True
    )


@api_view(RECOGNITIONS)
def recognitions_view(request, params):
    qs = published_recognitions()
    if params["area"]:
        area = area_by_code(params["area"], params["year"])
        # Today's unit answers for the units that went into it (their past years' recognitions).
        qs = qs.filter(area_q(unit_reach_paths(area)))
    if params["year"]:
        qs = qs.filter(year=params["year"])
    if params["kind"]:
        qs = qs.filter(kind=params["kind"])
    qs = qs.order_by("-year", "area__path", *SUBJECT_NAME_ORDER, "pk").values_list(
        "kind", "subject__name", "area__path", "area__name", "area__level", "year", "grade", "level",
        "decision__number", "decision__decision_date",
    )  # fmt: skip
    page, meta = paginate(qs, params)
    communes = communes_by_path(path for _k, _n, path, *_rest in page)
    rows = []
    for kind, name, area_path, area_name, level, year, grade, ind_level, number, date in page:
        village = area_name if level == UnitLevel.VILLAGE else None
        commune = communes[area_path].name if area_path in communes else None
        rows.append(
            {
                "kind": kind,
                "name": name,
                "village": village,
                "commune": commune,
                "year": year,
                "grade": grade or None,
                "level": ind_level,
                "decision_number": number,
                "decision_date": date.isoformat() if date else None,
            }
        )
    return rows, meta


ENDPOINTS = [FIGURES, RECOGNITIONS]


def openapi_document() -> dict:
    error = {
        "description": "A parameter is wrong; the message (in Vietnamese) names it.",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "error": {
                            "type": "object",
                            "properties": {"parameter": {"type": "string"}, "message": {"type": "string"}},
                            "required": ["parameter", "message"],
                        }
                    },
                }
            }
        },
    }
    paths = {}
    for endpoint in ENDPOINTS:
        page_schema = {
            "type": "object",
            "properties": {
                "count": {"type": "integer"},
                "page": {"type": "integer"},
                "page_size": {"type": "integer"},
                "pages": {"type": "integer"},
                "next": {"type": ["string", "null"]},
                "previous": {"type": ["string", "null"]},
                "results": {"type": "array", "items": {"$ref": f"#/components/schemas/{endpoint.name}_row"}},
            },
            "required": ["count", "page", "page_size", "pages", "results"],
        }
        paths[f"/api/v1/{endpoint.path}"] = {
            "get": {
                "operationId": endpoint.name,
                "summary": endpoint.summary,
                "parameters": [p.schema() for p in endpoint.params],
                "responses": {
                    "200": {
                        "description": "One page of rows (JSON), or the same rows as CSV with format=csv.",
                        "content": {
                            "application/json": {"schema": page_schema},
                            "text/csv": {"schema": {"type": "string"}},
                        },
                    },
                    "400": error,
                },
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Hội Khuyến học – open data",
            "version": API_VERSION,
            "description": "Aggregated figures on learning models and the published recognition lists. "
            "Read-only; no personal data beyond the public lists.",
        },
        "paths": paths,
        "components": {"schemas": {f"{e.name}_row": e.row_schema for e in ENDPOINTS}},
    }


@require_GET
def openapi_view(request):
    response = JsonResponse(openapi_document(), json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


app_name = "api"
urlpatterns = [
    path("openapi.json", openapi_view, name="openapi"),
    *[path(e.path, e.view, name=e.name) for e in ENDPOINTS],
]
