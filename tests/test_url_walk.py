"""Every door, walked from the URL resolver itself: each pattern under /admin/, /api/, /evidence/ and /field/api/, for
every role, with an id inside the user's area, one outside it, one that does not exist and malformed
ones, by GET and by POST.

What must hold, whatever the view (a viewset added later is walked without editing this file):
- no server error;
- no name of a record outside the user's area in the body, the headers or a downloaded file (records
  of the other province carry the marker "Zeta", its units the marker "Omega");
- nothing outside the user's area changes in the database.
"""

from __future__ import annotations

import datetime
import io
import json
import re
from decimal import Decimal

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver

from wagtail.admin.views.bulk_action.registry import bulk_action_registry
from wagtail.log_actions import log

import pytest
from docx import Document as DocxDocument
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from evaluations import roles, services
from evaluations.models import (
    AreaAssignment,
    CommendationLevel,
    DecisionKind,
    Evaluation,
    EvaluationStatus,
    ImportJob,
    ImportKind,
    UnitLevel,
)
from evaluations.models.area import is_area_bound
from reports.models import BudgetLine, BudgetSource, Denominator, ExportJob, Indicator, ReportSubmission, Target
from tests.factories import (
    CitizenFactory,
    ClanFactory,
    CommunityFactory,
    FamilyFactory,
    UnitFactory,
    UserFactory,
    make_criteria_set,
    make_decision,
    make_officer,
    make_unit,
    scored_evaluation,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
SECRET = re.compile(rb"zeta|omega", re.IGNORECASE)
#: Random tokens (Django's CSRF tokens: 32 or 64 letters and digits) can spell a marker by chance, which
#: failed the walk at random about once in six runs. No name or slug holds 32 letters and digits in a row.
TOKEN = re.compile(rb"[A-Za-z0-9]{32,}")
ROOTS = ("admin/", "api/", "evidence/", "field/api/")
#: The open-data API publishes every province, and the model stories' chooser offers staff without an area
#: the public models of every province, as the public lists show them (their own tests keep private data out).
PUBLIC = ("/api/", "/admin/evaluations/choose-public-model/")
#: Wagtail's deliberate error page (it exists to test error reporting), and the logout (the walk goes on
#: logged in; every response is checked to come from a logged-in session).
SKIPPED = {"admin/failwhale/", "admin/logout/"}
#: Ids that name nothing: a number no row has, text, a number too long for any key.
HOSTILE_IDS = ("987654321", "abc", "9" * 20)
ROLES = {
    "provincial": roles.PROVINCIAL_OFFICER,
    "officer": roles.COMMUNE_OFFICER,
    "reviewer": roles.COMMUNE_REVIEWER,
    "auditor": roles.AUDITOR,
    "communications": roles.COMMUNICATIONS,
}
#: Values for URL arguments that are not object ids.
ARGUMENTS = {
    "app_label": ["evaluations"],
    "model_name": ["evaluation"],
    "action": ["submit", "review", "recognise", "revoke"],
    "listing": ["evaluations", "subjects"],
    "revision_id_a": ["earliest"],
    "revision_id_b": ["latest"],
    "uidb64": ["MQ"],
    "token": ["abc-123"],
}


# --- the world: province 1 (the users' area) and the province "Omega" (nobody's but the superuser's) ----


def _records(commune, village, tag: str, actor) -> dict:
    """One of every area-bound record in ``commune``/``village``, named with ``tag``."""
    criteria = {kind: make_criteria_set(kind=kind, code=f"walk-{kind}-{tag}") for kind in ("family", "citizen")}
    family = FamilyFactory(head_name=f"{tag} Văn Gia", area=village)
    subjects = [
        family,
        ClanFactory(clan_name=f"Họ {tag}", area=village),
        CommunityFactory(area=village),
        UnitFactory(unit_name=f"Trường {tag}", area=commune),
        CitizenFactory(full_name=f"{tag} Thị Dân", area=village),
    ]
    draft = scored_evaluation(family, criteria["family"], year=2026)
    services.evidence_add(evaluation=draft, upload=SimpleUploadedFile(f"{tag}-minh-chung.pdf", PDF + tag.encode()))
    recognised = scored_evaluation(FamilyFactory(head_name=f"{tag} Văn Công", area=village), criteria["family"])
    decision = make_decision(commune, number=f"99/QĐ-{tag}")
    decision.file.save(f"{tag}.pdf", ContentFile(PDF + tag.encode()), save=True)
    decision.file_name = f"{tag}.pdf"
    decision.save()
    Evaluation.objects.filter(pk=recognised.pk).update(
        status=EvaluationStatus.RECOGNISED, decision=decision, grade="Tốt", result="meets"
    )
    recognised.refresh_from_db()
    recognised.save_revision(user=actor, log_action="evaluations.recognise", clean=False)
    log(instance=decision, action="wagtail.create", user=actor)
    for subject in subjects:
        log(instance=subject, action="wagtail.create", user=actor)
    services.commendation_propose(
        evaluation=recognised, level=CommendationLevel.COMMUNE, reason=f"Gương {tag}", user=actor
    )
    citizen_evaluation = scored_evaluation(subjects[-1], criteria["citizen"], year=2026)
    submitted = scored_evaluation(FamilyFactory(head_name=f"{tag} Văn Nộp", area=village), criteria["family"], 2026)
    Evaluation.objects.filter(pk=submitted.pk).update(status=EvaluationStatus.SUBMITTED)
    note = f"Ghi chú {tag}"
    Target.objects.create(area=commune, year=2026, indicator=Indicator.FAMILY, percent=Decimal(70), note=note)
    Denominator.objects.create(area=commune, year=2026, indicator=Indicator.FAMILY, value=100, note=note)
    BudgetLine.objects.create(area=commune, year=2026, source=BudgetSource.STATE_BUDGET, planned=1, note=note)
    ReportSubmission.objects.create(
        area=commune,
        year=2025,
        submitted_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC),
        on_time=True,
        note=note,
        snapshot={},
        submitted_by=actor,
    )
    ImportJob.objects.create(
        kind=ImportKind.FAMILY,
        commune=commune,
        created_by=actor,
        original_name=f"{tag}-danh-sach.xlsx",
        file=ContentFile(b"x", name=f"{tag}.xlsx"),
    )
    ExportJob.objects.create(user=actor, listing="evaluations", file_format="xlsx", file_name=f"{tag}.xlsx")
    return {"subjects": subjects, "evaluations": [draft, recognised, citizen_evaluation, submitted]}


@pytest.fixture
def world(db):
    province = make_unit("Tỉnh Thử Nghiệm", UnitLevel.PROVINCE, code="W01")
    commune = make_unit("Xã Phước Hải", UnitLevel.COMMUNE, province, code="W0101")
    village = make_unit("Thôn Từ Thiện", UnitLevel.VILLAGE, commune)
    other_province = make_unit("Tỉnh Omega", UnitLevel.PROVINCE, code="W02")
    other_commune = make_unit("Xã Omega", UnitLevel.COMMUNE, other_province, code="W0201")
    other_village = make_unit("Thôn Omega", UnitLevel.VILLAGE, other_commune)

    stranger = make_officer(roles.PROVINCIAL_OFFICER, other_province, username="zeta-officer")
    users = {
        name: make_officer(role, province if name == "provincial" else commune, username=f"walk-{name}")
        for name, role in ROLES.items()
    }
    AreaAssignment.objects.filter(user=users["communications"]).delete()  # communications staff have no area
    inside = _records(commune, village, "Trong", users["provincial"])
    outside = _records(other_commune, other_village, "Zeta", stranger)

    # One decision of the province deciding families of both provinces: officers of commune A reach it
    # through their family, and must not see the other province's family through it.
    shared = make_decision(province, number="5/QĐ-CHUNG")
    Evaluation.objects.filter(pk__in=[inside["evaluations"][1].pk, outside["evaluations"][1].pk]).update(
        revocation=shared
    )
    shared.kind = DecisionKind.REVOCATION
    shared.save()
    return {"users": users, "inside": inside, "outside": outside, "other_province": other_province}


# --- the walk -------------------------------------------------------------------------------------


def url_patterns():
    """(route, pattern) for every URL pattern under the roots, from the resolver."""

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + _route_text(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                yield route, pattern

    patterns = walk(get_resolver().url_patterns, "")
    return [(route, p) for route, p in patterns if route.startswith(ROOTS) and route not in SKIPPED]


def _route_text(pattern) -> str:
    text = str(pattern)
    return text[1:] if text.startswith("^") else text


def _arguments(route: str) -> list[str]:
    return [a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)]


def _fill(route: str, values: dict) -> str | None:
    """The URL of ``route`` with its arguments set from ``values``; None for catch-all patterns."""

    def converter(match):
        return values[match.group(1)]

    url = re.sub(r"<(?:\w+:)?(\w+)>", converter, route)
    # Regex routes: named groups (their bodies may hold parentheses one level deep), escapes, anchors.
    url = re.sub(r"\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)", converter, url)
    url = url.replace("\\.", ".").replace("$", "").replace("^", "")
    if any(token in url for token in (".*", "(", "[", "+", "?")):
        return None
    return "/" + url


def _model_of(route: str, pattern):
    """The model an id in ``route`` names, when the view or the address says it."""
    model = getattr(pattern.callback, "view_initkwargs", {}).get("model")
    if model is not None and not isinstance(model, str):
        return model
    for address in (r"admin/snippets/(?:choose/)?(\w+)/(\w+)/", r"admin/(\w+)/(\w+)/"):
        match = re.match(address, route)
        if match:
            try:
                return apps.get_model(match.group(1), match.group(2))
            except LookupError:
                pass
    return getattr(getattr(pattern.callback, "view_class", None), "model", None)


def _is_ours(pattern) -> bool:
    return pattern.callback.__module__.split(".")[0] in {
        "evaluations",
        "reports",
        "search",
        "content",
        "reorganisation",
    }


def _side_ids(world) -> tuple[dict, dict]:
    """For each area-bound model, the ids of its rows inside province 1 and those only the other
    province reaches (a record both reach, like the shared decision, counts as inside)."""
    inside, outside = {}, {}
    for model in apps.get_models():
        if is_area_bound(model):
            manager = model._default_manager
            ours = set(manager.for_user(world["users"]["provincial"]).values_list("pk", flat=True))
            theirs = set(manager.for_user(world["stranger"]).values_list("pk", flat=True))
            inside[model], outside[model] = sorted(ours), sorted(theirs - ours)
    return inside, outside


def _fingerprint(world) -> list:
    """Every area-bound row only the other province reaches, as stored, and how many it reaches: nothing
    here may change (or appear)."""
    return [
        (model._meta.label, list(model._default_manager.filter(pk__in=ids).values_list()), count)
        for model, ids in world["outside_ids"].items()
        for count in [model._default_manager.for_user(world["stranger"]).count()]
    ]


FIELD = re.compile(rb'<(?:input|select|textarea)[^>]*\sname="([^"]+)"', re.IGNORECASE)


def _form_posts(world, client, url, pattern) -> list[dict]:
    """Bodies to post to a form at ``url``: every field it shows set to a subject of the other province,
    to a unit there, and to text (the answer is a form error, never a server error or a name).
    Wagtail's own forms (pages, images, users...) get the empty body only."""
    if not _is_ours(pattern) and not re.match(r"admin/(snippets/)?(evaluations|reports)/", url.strip("/") + "/"):
        return [{}]
    response = client.get(url)
    if response.status_code != 200 or response.streaming:
        return [{}]
    text = response.content
    if response.get("Content-Type", "").startswith("application/json"):
        text = json.dumps(json.loads(text), ensure_ascii=False).replace('\\"', '"').encode()
    names = {name.decode() for name in FIELD.findall(text)} - {"csrfmiddlewaretoken"}
    values = [world["outside_subject"], world["outside_unit"], "abc"]
    return [dict.fromkeys(names, str(value)) for value in values]


def _body(response) -> bytes:
    """What a reader of the response sees: the text of a PDF (its pages and its metadata: compressed, the
    bytes would hide a name), of a .docx (paragraphs and table cells, headers and footers too) and of a
    workbook's cells; any other body as it is."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "pdf" in kind or content[:5] == b"%PDF-":
        return _pdf_text(content)
    if "wordprocessingml" in kind:
        return _docx_text(content)
    if "spreadsheet" in kind or content[:2] == b"PK":
        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        except Exception:  # not a workbook after all: perhaps a .docx, else the raw bytes
            return _docx_text(content)
        sheets = [book.get_sheet_by_name(name).to_python() for name in book.sheet_names]
        cells = [str(cell) for rows in sheets for row in rows for cell in row]
        return "\n".join(cells).encode()
    return content


def _pdf_text(content: bytes) -> bytes:
    """The text of every page of a PDF and its metadata; the raw bytes if it is not a PDF pypdf reads (the
    walk's evidence files are a few bytes, uncompressed)."""
    try:
        reader = PdfReader(io.BytesIO(content))
        pages = [page.extract_text() or "" for page in reader.pages]
        metadata = [str(value) for value in (reader.metadata or {}).values()]
    except Exception:
        return content
    return "\n".join([*pages, *metadata]).encode()


def _docx_text(content: bytes) -> bytes:
    """The text of a .docx: its paragraphs, every table cell (nested tables too), headers and footers; the raw
    bytes if it is not one."""
    try:
        document = DocxDocument(io.BytesIO(content))
    except Exception:
        return content

    def cells(tables):
        for table in tables:
            for row in table.rows:
                for cell in row.cells:
                    yield cell.text
                    yield from cells(cell.tables)

    parts = [paragraph.text for paragraph in document.paragraphs]
    parts += list(cells(document.tables))
    for section in document.sections:
        for part in (section.header, section.footer):
            parts += [paragraph.text for paragraph in part.paragraphs]
            parts += list(cells(part.tables))
    properties = document.core_properties
    parts += [properties.title or "", properties.subject or "", properties.author or "", properties.keywords or ""]
    return "\n".join(parts).encode()


def _leaks(response) -> list[str]:
    found = []
    if SECRET.search(TOKEN.sub(b"", _body(response))):
        found.append("body")
    for header, value in response.items():
        if SECRET.search(TOKEN.sub(b"", value.encode())):
            found.append(header)
    return found


def _requests(world, route, pattern):
    """(label, url) pairs to try for ``route``: one per id variant."""
    names = _arguments(route)
    if not names:
        url = _fill(route, {})
        return [("form", url)] if url else []
    model = _model_of(route, pattern)
    id_names = [n for n in names if n not in ARGUMENTS]
    inside = world["inside_ids"].get(model) if model is not None else None
    outside = world["outside_ids"].get(model) if model is not None else None
    if model is None and _is_ours(pattern):
        # An id of a kind the address does not say: a record of each kind of the other side.
        outside = sorted({pks[0] for pks in world["outside_ids"].values() if pks})
        inside = sorted({pks[0] for pks in world["inside_ids"].values() if pks})[:1]
    variants = [("inside", pk) for pk in (inside or [])[:1]]
    # The first and the last record of the other side (of one kind: a family draft and a recognised one).
    variants += [("outside", pk) for pk in sorted({*(outside or [])[:1], *(outside or [])[-1:]})]
    variants += [("hostile", raw) for raw in HOSTILE_IDS]
    found = []
    for label, value in variants:
        extra_values = [ARGUMENTS.get(n, [None]) for n in names if n not in id_names]
        extras = [n for n in names if n not in id_names]
        combos = [[]]
        for options in extra_values:
            combos = [c + [o] for c in combos for o in options]
        for combo in combos:
            values = {n: str(value) for n in id_names} | dict(zip(extras, combo, strict=True))
            url = _fill(route, values)
            if url:
                found.append((label, url))
    return found


def _bulk_requests(world):
    """Every registered bulk action, with ids outside the area, the listing's "all", and hostile ids."""
    bulk_action_registry._scan_for_bulk_actions()
    found = []
    for app_label, models in bulk_action_registry.actions.items():
        for model_name, actions in models.items():
            model = apps.get_model(app_label, model_name)
            outside = world["outside_ids"].get(model, [])
            inside = world["inside_ids"].get(model, [])
            for action in actions:
                base = f"/admin/bulk/{app_label}/{model_name}/{action}/"
                query = "&".join(f"id={pk}" for pk in [*outside, *inside[:1]])
                if query:
                    found.append(("outside", f"{base}?{query}"))
                found.append(("all", f"{base}?id=all"))
                found.append(("hostile", f"{base}?id=abc&id={'9' * 20}"))
    return found


@pytest.fixture
def walk(world):
    world["stranger"] = type(world["users"]["provincial"]).objects.get(username="zeta-officer")
    world["inside_ids"], world["outside_ids"] = _side_ids(world)
    world["outside_subject"] = world["outside"]["subjects"][0].pk
    world["outside_unit"] = world["outside"]["subjects"][0].area_id
    requests = [
        (label, url, pattern) for route, pattern in url_patterns() for label, url in _requests(world, route, pattern)
    ]
    requests += [(label, url, None) for label, url in _bulk_requests(world)]
    return world, requests


#: The other province's records are compared after every so many posts (each comparison reads them all).
CHECK_EVERY = 25


def _check_unchanged(world, before, posted, problems):
    after = _fingerprint(world)
    if after != before:
        problems.append(f"one of these posts changed the other province's records: {posted}")
    posted.clear()
    return after


@pytest.mark.parametrize("role", [*ROLES, "superuser"])
def test_every_door_keeps_to_the_area(client, walk, role):
    world, requests = walk
    if role == "superuser":
        user = UserFactory(username="walk-superuser", is_superuser=True, is_staff=True)
    else:
        user = world["users"][role]
    client.force_login(user)
    before = _fingerprint(world)
    problems, posted = [], []
    for label, url, pattern in requests:
        if role == "superuser" and label != "hostile":
            continue  # the superuser reaches everything: only server errors are looked for
        if role != "officer" and role != "superuser" and label == "hostile":
            continue  # hostile ids answer the same for every role: walked for two of them
        if label == "form":
            if role == "superuser":
                continue
            try:
                bodies = _form_posts(world, client, url, pattern)
            except Exception as error:
                problems.append(f"GET {url}: {type(error).__name__}: {error}")
                continue
            calls = [("get", None)] + [("post", body) for body in bodies]
        elif label in ("outside", "hostile", "all") and role != "superuser":
            calls = [("get", None), ("post", {})]
        else:
            calls = [("get", None)]
        for method, body in calls:
            try:
                response = client.get(url) if method == "get" else client.post(url, body)
            except Exception as error:  # an error the test client re-raises is a server error too
                problems.append(f"{method.upper()} {url}: {type(error).__name__}: {error}")
                continue
            if response.status_code == 302 and response["Location"].startswith("/admin/login/"):
                problems.append(f"{method.upper()} {url}: answered as if logged out")
                client.force_login(user)
            if response.status_code >= 500:
                problems.append(f"{method.upper()} {url}: {response.status_code}")
            if role != "superuser" and not url.startswith(PUBLIC):
                leaked = _leaks(response)
                if leaked:
                    problems.append(f"{method.upper()} {url} ({label}): shows the other province in {leaked}")
            if method == "post" and role != "superuser":
                posted.append(url)
                if len(posted) == CHECK_EVERY:
                    before = _check_unchanged(world, before, posted, problems)
    _check_unchanged(world, before, posted, problems)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])


def test_the_walk_reads_the_text_of_pdf_and_docx_downloads():
    """A name in a compressed PDF or in a .docx table is found (the raw bytes would hide it)."""
    from django.http import HttpResponse

    from documents.pdf import DocumentPDF

    pdf = DocumentPDF()
    pdf.add_page()
    pdf.text_line("Gia đình ông Zeta Văn Gia")
    data = pdf.output_bytes()
    assert not SECRET.search(data)
    assert _leaks(HttpResponse(data, content_type="application/pdf")) == ["body"]

    document = DocxDocument()
    document.add_paragraph("Quyết định")
    document.add_table(rows=1, cols=2).cell(0, 1).text = "Thôn Omega"
    buffer = io.BytesIO()
    document.save(buffer)
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert _leaks(HttpResponse(buffer.getvalue(), content_type=docx)) == ["body"]
    assert _leaks(HttpResponse(buffer.getvalue(), content_type="application/octet-stream")) == ["body"]
