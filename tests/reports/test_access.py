"""Access by area on every report screen, export and panel: an officer of commune A never gets
commune B's figures or rows, through any URL."""

import datetime

from django.urls import reverse

import pytest

from evaluations import roles
from reports.admin import budget_viewset, denominator_viewset, submission_viewset, target_viewset
from reports.models import BudgetLine, Denominator, ExportJob, Target
from reports.services import report_submit
from tests.factories import make_officer

from .conftest import YEAR

pytestmark = pytest.mark.django_db

ROLES = {
    "provincial": (roles.PROVINCIAL_OFFICER, "province"),
    "officer": (roles.COMMUNE_OFFICER, "commune_a"),
    "reviewer": (roles.COMMUNE_REVIEWER, "commune_a"),
    "communications": (roles.COMMUNICATIONS, "commune_a"),
    "auditor": (roles.AUDITOR, "commune_a"),
}
READERS = {"provincial", "officer", "reviewer", "auditor"}


@pytest.fixture
def world(dataset):
    areas = dataset["areas"]
    users = {name: make_officer(role, areas[area], username=name) for name, (role, area) in ROLES.items()}
    b = areas["commune_b"]
    objects = {
        "target": Target.objects.get(area=b),
        "denominator": Denominator.objects.create(area=b, year=YEAR, indicator="family", value=4321),
        "budget": BudgetLine.objects.create(area=b, year=YEAR, source="mobilised", planned=98765, spent=1),
        "submission": report_submit(
            area=b, year=YEAR, user=None, when=datetime.datetime(YEAR, 11, 1, tzinfo=datetime.UTC)
        ),
    }
    return {"areas": areas, "users": users, "b": objects}


def test_report_screens_for_another_commune_refuse_and_show_nothing(client, world):
    b = world["areas"]["commune_b"]
    client.force_login(world["users"]["officer"])
    for name in ("report", "workbook", "completeness"):
        response = client.get(reverse(f"reports:{name}"), {"area": b.pk, "year": YEAR})
        body = response.content.decode() if not response.streaming else ""
        assert "Xã Phước Hữu" not in body.split("<select")[0] or response.status_code != 200, name
        assert response.status_code in (200, 400), name
        assert "Thôn Hữu Đức" not in body
    # the form refuses the area, with a message saying so
    response = client.get(reverse("reports:report"), {"area": b.pk, "year": YEAR})
    assert "ngoài địa bàn" in response.content.decode()
    assert client.get(reverse("reports:workbook"), {"area": b.pk, "year": YEAR}).status_code == 400


def test_own_report_shows_own_villages_only(client, world):
    a = world["areas"]["commune_a"]
    client.force_login(world["users"]["officer"])
    body = client.get(reverse("reports:report"), {"area": a.pk, "year": YEAR}).content.decode()
    assert "Thôn Từ Thiện" in body and "Thôn Hữu Đức" not in body
    # the default (no parameters) is the officer's own commune
    body = client.get(reverse("reports:report")).content.decode()
    assert "Thôn Từ Thiện" in body and "Thôn Hữu Đức" not in body


@pytest.mark.parametrize("role", ROLES)
def test_area_data_screens_are_limited_to_the_area(client, world, role):
    client.force_login(world["users"][role])
    viewsets = {
        "target": target_viewset,
        "denominator": denominator_viewset,
        "budget": budget_viewset,
        "submission": submission_viewset,
    }
    for key, viewset in viewsets.items():
        listing = client.get(reverse(viewset.get_url_name("list")))
        if role == "communications":
            assert listing.status_code in (302, 403)
            continue
        assert listing.status_code == 200
        obj = world["b"][key]
        link = reverse(viewset.get_url_name("inspect" if key == "submission" else "edit"), args=[obj.pk])
        assert (link in listing.content.decode()) == (role == "provincial"), key
        for view in ("edit", "inspect", "delete"):
            try:
                url = reverse(viewset.get_url_name(view), args=[obj.pk])
            except Exception:  # noqa: S112 (this viewset has no such view)
                continue
            response = client.get(url)
            if role != "provincial":
                assert response.status_code in (302, 403, 404), (key, view, response.status_code)


def test_an_officer_cannot_enter_figures_for_another_commune(client, world):
    client.force_login(world["users"]["officer"])
    b = world["areas"]["commune_b"]
    response = client.post(
        reverse(denominator_viewset.get_url_name("add")),
        {"area": b.pk, "year": YEAR, "indicator": "clan", "value": "7", "note": ""},
    )
    assert response.status_code == 200
    assert not Denominator.objects.filter(area=b, indicator="clan").exists()
    a = world["areas"]["commune_a"]
    response = client.post(
        reverse(denominator_viewset.get_url_name("add")),
        {"area": a.pk, "year": YEAR, "indicator": "clan", "value": "7", "note": ""},
    )
    assert response.status_code == 302
    assert Denominator.objects.get(area=a, indicator="clan").value == 7


@pytest.mark.parametrize("role", ROLES)
def test_listing_exports_carry_only_the_area(client, world, role):
    client.force_login(world["users"][role])
    response = client.get(reverse("reports:export", args=["evaluations"]), {"format": "csv"})
    if role not in READERS:
        assert response.status_code in (302, 403)
        return
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert ("B2 0" in body) == (role == "provincial")
    assert "A1 0" in body
    # asking for commune B's filter explicitly gives nothing more
    response = client.get(
        reverse("reports:export", args=["subjects"]), {"format": "csv", "area": world["areas"]["commune_b"].pk}
    )
    body = b"".join(response.streaming_content).decode("utf-8-sig") if response.status_code == 200 else ""
    assert ("B1 0" in body) == (role == "provincial")


def test_export_jobs_belong_to_their_user(client, world, settings):
    settings.REPORTS_EXPORT_BACKGROUND_ROWS = 1
    client.force_login(world["users"]["provincial"])
    client.get(reverse("reports:export", args=["evaluations"]), {"format": "csv"})
    job = ExportJob.objects.get()
    client.force_login(world["users"]["officer"])
    assert client.get(reverse("reports:export_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("reports:export_job_download", args=[job.pk])).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_panels_render_for_every_role_with_their_area_only(client, world, role):
    client.force_login(world["users"][role])
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    body = response.content.decode()
    if role in READERS:
        assert 'id="reports-progress-heading"' in body
        assert "<svg" in body
    else:
        assert "reports-progress-heading" not in body
    if role in ("officer", "reviewer", "auditor"):
        assert "Xã Phước Hữu" not in body
        assert "12/QĐ-UBND" in body  # commune A's decision


def test_provincial_dashboard_lists_lagging_areas(client, world):
    client.force_login(world["users"]["provincial"])
    body = client.get(reverse("wagtailadmin_home"), {"year": YEAR}).content.decode()
    assert "Huyện Ninh Phước" in body  # the district is behind the 70 % family target
