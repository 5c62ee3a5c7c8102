"""The whole journey on today's tree, after the official reorganisation, through real requests: register ->
score -> submit -> review -> decision (the reviewer, through the bulk action) -> public list with the commune
-> roll-up -> official workbook -> import -> re-import of a list from before the reorganisation, with no
duplicate and nothing on an ended unit. Runs on SQLite here and on PostgreSQL in CI."""

import io

from django.urls import reverse
from django.utils import timezone

from wagtail.models import Site

import openpyxl
import pytest

from content.models import RecognitionListPage
from evaluations.admin import evaluation_viewset
from evaluations.models import AdministrativeUnit, Evaluation, LearningFamily, Subject, UnitLevel
from evaluations.roles import COMMUNE_OFFICER, COMMUNE_REVIEWER
from evaluations.services import evaluation_record_scores
from reorganisation.services import reorganisation_apply, reorganisation_create_official
from reports.rollup import rollup
from tests.evaluations.test_imports import families_file, run
from tests.factories import make_officer

from .conftest import new

pytestmark = pytest.mark.django_db
YEAR = 2026


def url(name, *args):
    return reverse(evaluation_viewset.get_url_name(name), args=args)


def on_ended_units():
    return list(
        Subject.objects.filter(is_active=True, area__valid_to__lt=timezone.localdate()).values_list("name", flat=True)
    )


def test_the_whole_journey_on_todays_tree(client, world):
    reorganisation_apply(reorganisation=reorganisation_create_official())
    ninh_phuoc = new("Xã Ninh Phước")
    village = AdministrativeUnit.objects.current().get(
        name="Thôn Thái An", level=UnitLevel.VILLAGE, path__startswith=ninh_phuoc.path
    )
    officer = make_officer(COMMUNE_OFFICER, ninh_phuoc, username="xa-ninhphuoc")
    reviewer = make_officer(COMMUNE_REVIEWER, ninh_phuoc, username="thamdinh-ninhphuoc")
    criteria_set = world["sets"]["family"]

    # Register: the officer adds a household on today's village.
    client.force_login(officer)
    response = client.post(
        reverse(LearningFamily.snippet_viewset.get_url_name("add")),
        {
            "head_title": "bà",
            "head_name": "Quảng Thị Hoa",
            "member_count": "5",
            "area": village.pk,
            "registered_on": timezone.localdate().strftime("%d/%m/%Y"),
            "code": "NP-001",
            "publish_consent": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    family = LearningFamily.objects.get(code="NP-001")

    # Score: the evaluation of the running year, started from the admin, scored, submitted.
    response = client.post(url("add"), {"subject": family.pk, "year": YEAR, "criteria_set": criteria_set.pk})
    assert response.status_code == 302, response.context["form"].errors
    evaluation = Evaluation.objects.get(subject=family, year=YEAR)
    assert evaluation.area == village
    values = {
        indicator.pk: indicator.max_points
        for criterion in criteria_set.criteria.all()
        for indicator in criterion.indicators.all()
    }
    evaluation_record_scores(evaluation=evaluation, values=values, user=officer)
    assert client.post(url("action", evaluation.pk, "submit")).status_code == 302

    # Review and decide: the reviewer of today's commune, through the listing's bulk action.
    client.force_login(reviewer)
    assert client.post(url("action", evaluation.pk, "review")).status_code == 302
    bulk = reverse("wagtail_bulk_action", args=["evaluations", "evaluation", "recognise"])
    form = client.get(f"{bulk}?id={evaluation.pk}&next=/admin/")
    assert form.context["form"].initial["area"] == ninh_phuoc.pk
    response = client.post(
        f"{bulk}?id={evaluation.pk}&next=/admin/",
        {
            "number": "61/QĐ-UBND",
            "decision_date": "25/11/2026",
            "issuing_body": "UBND xã Ninh Phước",
            "signatory": "Chủ tịch UBND xã Ninh Phước",
            "area": ninh_phuoc.pk,
        },
    )
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == "recognised" and evaluation.decision.area == ninh_phuoc

    # The public list names today's commune.
    client.logout()
    home = Site.objects.get(is_default_site=True).root_page
    page = RecognitionListPage(title="Danh sách", slug="danh-sach", area=world["new_province"])
    home.add_child(instance=page)
    page.save_revision().publish()
    rows = client.get(page.url + "api/", {"q": "quang thi hoa"}, follow=True).json()["results"]
    assert [(r["name"], r["village"], r["commune"], r["year"]) for r in rows] == [
        ("Gia đình bà Quảng Thị Hoa", "Thôn Thái An", "Xã Ninh Phước", YEAR)
    ]

    # Roll-up of today's commune for the running year, and the official workbook that carries it.
    figures = rollup(root=ninh_phuoc, years=YEAR).root.figures[YEAR]["family"]
    registered = Subject.objects.filter(kind="family", is_active=True, area__path__startswith=ninh_phuoc.path)
    assert (figures.registered, figures.evaluated, figures.recognised) == (registered.count(), 1, 1)
    client.force_login(reviewer)
    response = client.get(reverse("reports:workbook"), {"area": ninh_phuoc.pk, "year": YEAR})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))["GĐHT"]
    by_name = {sheet.cell(r, 2).value: r for r in range(6, sheet.max_row + 1)}
    row = by_name["Thôn Thái An"]
    assert [sheet.cell(row, c).value for c in (4, 5, 6)] == [registered.filter(area=village).count(), 1, 1]

    # Import a list in today's names, then the commune's list typed before the reorganisation.
    before = Subject.objects.count()
    plan = run(families_file([["Xã Ninh Phước", "Thôn Thái An", "Đàng Văn Mới", "Ông", 3, "NP-002"]]), user=officer)
    assert plan.counts()["created"] == 1 and plan.rejections == []
    old_list = [
        ["Xã Phước Hải", "Thôn Từ Thiện", "Từ Thiện 0", "Ông", 4, ""],
        ["Xã Phước Hải", "Thôn Từ Thiện", "Từ Thiện 1", "Ông", 4, ""],
        ["Phước Hải", "Thái An", "Thái An 0", "Ông", 4, ""],
        ["Xã Phước Hải", "Thôn Thái An", "Quảng Thị Hoa", "Bà", 5, "NP-001"],
    ]
    plan = run(families_file(old_list), user=officer)
    assert plan.rejections == [] and plan.counts()["created"] == 0
    assert Subject.objects.count() == before + 1
    assert on_ended_units() == []
