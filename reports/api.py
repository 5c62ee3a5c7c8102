"""The open-data API (read-only, no login): aggregated figures and the published recognition lists.

Plain Django views: each endpoint declares its parameters once (:class:`~evaluations.params.Param`), and
the same declarations parse requests (an unknown or wrong parameter is a 400 naming it, in Vietnamese) and
build the OpenAPI 3 document at ``/api/v1/openapi.json``. Nothing goes out beyond what the public
recognition lists show: the recognitions endpoint is *the* public recognitions API (the list page's
``api/`` address redirects here), filtered by the list page's own FilterSet
(``evaluations.public_filters``) over ``Evaluation.objects.public()``; figures are counts by area, with
small counts of people suppressed (``reports.disclosure``).
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
from django.views.decorators.http import require_safe

from content.models import RecognitionListPage
from evaluations.models import PUBLIC_KINDS, AdministrativeUnit, UnitLevel
from evaluations.models.units import parent_path
from evaluations.params import Param, ParameterError, area_by_code
from evaluations.public_filters import PublicRecognitionFilterSet
from evaluations.selectors import PublicRecognitionPage

from .disclosure import PEOPLE_INDICATORS, SMALL_CELL, suppressed_cells
from .excel import csv_safe
from .rollup import INDICATORS, rollup
from .selectors import report_years

API_VERSION = "1.1.0"
MAX_PAGE_SIZE = 500

#: The API's name for a wrong parameter (one class with the public list's FilterSet).
ApiError = ParameterError

AREA = Param("area", "string", "GSO code of an administrative unit; its whole subtree is included.")
PAGE = Param("page", "integer", "Page number, from 1.", minimum=1, maximum=1_000_000, default=1)
PAGE_SIZE = Param("page_size", "integer", "Rows per page.", minimum=1, maximum=MAX_PAGE_SIZE, default=100)
FORMAT = Param("format", "string", "Response format.", enum=["json", "csv"], default="json")


@dataclass
class Endpoint:
    path: str
    name: str
    summary: str
    #: Every parameter, as documented (the FilterSet's first, when there is one).
    params: list[Param]
    row_schema: dict
    #: A FilterSet (with ``params`` and ``first_error()``) that parses its own parameters.
    filterset: type | None = None
    view: object = None
    extra: dict = field(default_factory=dict)

    def parse(self, request) -> dict:
        """The endpoint's own parameters, parsed, and ``filterset``: the FilterSet bound to the request.
        Raises :class:`ApiError` for an unknown parameter or a wrong value."""
        known = {p.name for p in self.params}
        for key in request.GET:
            if key not in known:
                raise ApiError(
                    key,
                    _("Parameter “%(name)s” is not recognised; allowed: %(allowed)s.")
                    % {"name": key[:50], "allowed": ", ".join(sorted(known))},
                )
        filtered = {p.name for p in self.filterset.params} if self.filterset else set()
        params = {p.name: p.parse(request.GET.get(p.name)) for p in self.params if p.name not in filtered}
        if self.filterset is not None:
            params["filterset"] = self.filterset(request.GET)
            error = params["filterset"].first_error()
            if error is not None:
                raise error
        return params


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
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return csv_safe(value)


def error_response(parameter: str, message: str) -> JsonResponse:
    """The API's 400: which parameter is wrong and why (also used by config.hostile_params)."""
    response = JsonResponse(
        {"error": {"parameter": parameter, "message": message}}, status=400, json_dumps_params={"ensure_ascii": False}
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def api_view(endpoint: Endpoint):
    def decorator(fn):
        @require_safe
        def view(request):
            try:
                params = endpoint.parse(request)
                rows, meta = fn(request, params)
            except ApiError as exc:
                return error_response(exc.parameter, exc.message)
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
            "type": ["integer", "null"],
            "description": "Subjects on the area's register as of the year (its 31 December, or today for the "
            "running year), or the entered number. Null when suppressed.",
        },
        "evaluated": {"type": ["integer", "null"], "description": "Null when suppressed."},
        "recognised": {"type": ["integer", "null"], "description": "Null when suppressed."},
        "percent_recognised": {"type": ["number", "null"]},
        "target_percent": {"type": ["number", "null"]},
        "target_met": {"type": ["boolean", "null"]},
        "suppressed": {
            "type": "boolean",
            "description": "True when the counts of this row are withheld because they could point at a "
            "person (see the small-cell rule in the API description).",
        },
    },
}
FIGURES = Endpoint(
    path="figures/",
    name="figures",
    summary="Aggregated figures by area, year and indicator (every level of the area's subtree); counts of "
    "people in villages are withheld when small (suppressed).",
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
    rows = []
    for root in roots:
        result = rollup(root=root, years=year)
        # Decided on the whole tree, whatever the filters and page: the same cells are always withheld.
        suppressed = suppressed_cells(result, year)
        for node in result.walk():
            if params["level"] and node.level != params["level"]:
                continue
            parent = result.nodes.get(parent_path(node.path))
            for indicator in indicators:
                figures = node.figures[year][indicator]
                hidden = (node.path, indicator) in suppressed
                rows.append(
                    {
                        "area_code": node.code,
                        "area_name": node.name,
                        "area_level": node.level,
                        "parent_code": parent.code if parent and node.depth > root.depth else None,
                        "year": year,
                        "indicator": indicator,
                        "registered": None if hidden else figures.registered,
                        "evaluated": None if hidden else figures.evaluated,
                        "recognised": None if hidden else figures.recognised,
                        "percent_recognised": (
                            float(figures.percent) if figures.percent is not None and not hidden else None
                        ),
                        "target_percent": float(figures.target) if figures.target is not None else None,
                        "target_met": None if hidden else figures.met,
                        "suppressed": hidden,
                    }
                )
    return paginate(rows, params)


# --- recognition lists --------------------------------------------------------------------------------

RECOGNITION_ROW = {
    "type": "object",
    "properties": {
        "id": {"type": "integer", "description": "The recognition's number, as in the public list's addresses."},
        "kind": {"type": "string", "enum": [str(kind) for kind in PUBLIC_KINDS]},
        "name": {"type": "string", "description": "Display name as on the public list."},
        "village": {"type": ["string", "null"]},
        "commune": {"type": ["string", "null"]},
        "year": {"type": "integer"},
        "grade": {"type": ["string", "null"]},
        "level": {"type": ["integer", "null"]},
        "decision_number": {"type": "string"},
        "decision_date": {"type": "string", "format": "date"},
        "decision_issuing_body": {"type": "string"},
        "url": {
            "type": ["string", "null"],
            "format": "uri",
            "description": "The recognition's page on the public list (null when the site has no list page).",
        },
    },
}
RECOGNITIONS = Endpoint(
    path="recognitions/",
    name="recognitions",
    summary="The public recognition list (the same list, filters and messages as the site's list page): "
    "families, clans, communities and units recognised by a decision, whose subjects agreed to be published "
    "and are active. Learning citizens are never listed.",
    params=[*PublicRecognitionFilterSet.params, PAGE, PAGE_SIZE, FORMAT],
    row_schema=RECOGNITION_ROW,
    filterset=PublicRecognitionFilterSet,
)


def _recognition_list_page():
    return RecognitionListPage.objects.live().public().first()


@api_view(RECOGNITIONS)
def recognitions_view(request, params):
    """The one public recognitions API: ``Evaluation.objects.public()`` through the list page's FilterSet,
    in the list's order (newest year, then name), only the columns the public list shows."""
    page, meta = paginate(PublicRecognitionPage(params["filterset"].qs), params)
    list_page = _recognition_list_page()
    rows = []
    for row in page:
        rows.append(
            {
                "id": row["pk"],
                "kind": row["kind"],
                "name": row["subject__name"],
                "village": row["area__name"] if row["area__level"] == UnitLevel.VILLAGE else None,
                "commune": row["commune_name"],
                "year": row["year"],
                "grade": row["grade"] or None,
                "level": row["level"],
                "decision_number": row["decision__number"],
                "decision_date": row["decision__decision_date"].isoformat(),
                "decision_issuing_body": row["decision__issuing_body"],
                "url": request.build_absolute_uri(list_page.detail_url(row["pk"])) if list_page else None,
            }
        )
    return rows, meta


ENDPOINTS = [FIGURES, RECOGNITIONS]


DESCRIPTION = f"""Aggregated figures on learning models and the published recognition lists. Read-only; no \
personal data beyond the public lists.

**What is public** (one rule, the same as the site's pages and search): a recognition is listed when it was \
recognised by a decision (not revoked), is of a learning family, clan, community or unit, and its subject \
agreed to be published and is active. Learning citizens are individuals and are never listed. \
`/api/v1/recognitions/` is the one public recognitions API; the list page's own `api/` address redirects \
to it with the page's province as `area`.

**Small cells**: counts of people (indicators {", ".join(f"`{i}`" for i in PEOPLE_INDICATORS)}) below the \
commune level (villages, residential groups) are withheld when registered, evaluated or recognised is \
between 1 and {SMALL_CELL - 1}; when only one village of a commune is withheld for an indicator, the next \
smallest village of that commune is withheld with it, so that no withheld count can be recovered by \
subtraction from the commune. A withheld row has `registered`, `evaluated`, `recognised`, \
`percent_recognised` and `target_met` null and `suppressed` true. Communes and larger areas are never \
withheld. Aggregates count every recognised subject, including those who declined publication (no name is \
given), so that they match the province's reports."""


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
            "description": DESCRIPTION,
        },
        "paths": paths,
        "components": {"schemas": {f"{e.name}_row": e.row_schema for e in ENDPOINTS}},
    }


@require_safe
def openapi_view(request):
    response = JsonResponse(openapi_document(), json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


app_name = "api"
urlpatterns = [
    path("openapi.json", openapi_view, name="openapi"),
    *[path(e.path, e.view, name=e.name) for e in ENDPOINTS],
]
