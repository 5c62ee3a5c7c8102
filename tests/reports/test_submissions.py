"""Annual report submissions: frozen snapshots, on time or late against 30 November, completeness."""

import datetime
import zoneinfo

from django.urls import reverse

import pytest
from bs4 import BeautifulSoup

from evaluations import roles
from evaluations.models import Evaluation
from reports.admin import submission_viewset
from reports.models import ReportSubmission
from reports.selectors import report_completeness
from reports.services import report_submit
from tests.factories import make_officer, make_unit

from .conftest import YEAR

pytestmark = pytest.mark.django_db
VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def family(snapshot, name):
    return next(a for a in snapshot["areas"] if a["name"] == name)["figures"]["family"]


def test_a_snapshot_does_not_change_when_evaluations_change_later(dataset):
    areas = dataset["areas"]
    submission = report_submit(area=areas["commune_a"], year=YEAR, user=None)
    assert family(submission.snapshot, "Xã Phước Hải")["recognised"] == 3
    Evaluation.objects.filter(area=areas["village_a1"]).update(status="recognised")
    submission.refresh_from_db()
    assert family(submission.snapshot, "Xã Phước Hải")["recognised"] == 3
    assert (
        family(report_submit(area=areas["commune_a"], year=YEAR, user=None).snapshot, "Xã Phước Hải")["recognised"]
        == 5
    )  # a1's four evaluations and a2's one


def test_a_submission_cannot_be_saved_again(dataset):
    submission = report_submit(area=dataset["areas"]["commune_a"], year=YEAR, user=None)
    submission.note = "sửa"
    with pytest.raises(ValueError):
        submission.save()


def test_no_edit_or_delete_screen_for_submissions(admin_client, dataset):
    submission = report_submit(area=dataset["areas"]["commune_a"], year=YEAR, user=None)
    names = {p.name for p in submission_viewset.get_urlpatterns()}
    assert not names & {"edit", "delete", "history", "revisions_revert", "add"}
    assert admin_client.get(f"/admin/snippets/reports/reportsubmission/edit/{submission.pk}/").status_code == 404
    listing = admin_client.get(reverse(submission_viewset.get_url_name("list")))
    assert listing.status_code == 200 and "Xã Phước Hải" in listing.content.decode()
    bulk = reverse("wagtail_bulk_action", args=["reports", "reportsubmission", "delete"]) + f"?id={submission.pk}"
    admin_client.post(bulk)
    assert ReportSubmission.objects.filter(pk=submission.pk).exists()
    inspect = admin_client.get(reverse(submission_viewset.get_url_name("inspect"), args=[submission.pk]))
    assert inspect.status_code == 200 and "Xã Phước Hải" in inspect.content.decode()


def test_on_time_is_judged_in_vietnam_time(dataset):
    area = dataset["areas"]["commune_a"]
    last_minute = datetime.datetime(YEAR, 11, 30, 23, 59, tzinfo=VN)
    just_late = datetime.datetime(YEAR, 12, 1, 0, 1, tzinfo=VN)  # still 30/11 in UTC
    assert report_submit(area=area, year=YEAR, user=None, when=last_minute).on_time is True
    assert report_submit(area=area, year=YEAR, user=None, when=just_late).on_time is False


def test_completeness_shows_on_time_late_and_missing(dataset):
    areas = dataset["areas"]
    report_submit(area=areas["commune_a"], year=2024, user=None, when=datetime.datetime(2024, 11, 2, tzinfo=VN))
    report_submit(area=areas["district"], year=2024, user=None, when=datetime.datetime(2024, 12, 5, tzinfo=VN))
    states = {row.unit.name: row.state for row in report_completeness(root=areas["province"], year=2024)}
    assert states == {"Huyện Ninh Phước": "late", "Xã Phước Hải": "on_time", "Xã Phước Hữu": "missing"}
    # From 2025 districts no longer report.
    states = {row.unit.name: row.state for row in report_completeness(root=areas["province"], year=2025)}
    assert states == {"Xã Phước Hải": "missing", "Xã Phước Hữu": "missing"}


def test_the_latest_submission_counts(dataset):
    areas = dataset["areas"]
    report_submit(area=areas["commune_b"], year=YEAR, user=None, when=datetime.datetime(YEAR, 11, 3, tzinfo=VN))
    resubmitted = report_submit(
        area=areas["commune_b"], year=YEAR, user=None, when=datetime.datetime(YEAR, 12, 3, tzinfo=VN)
    )
    row = next(r for r in report_completeness(root=areas["province"], year=YEAR) if r.unit == areas["commune_b"])
    assert (row.state, row.submission) == ("late", resubmitted)
    assert ReportSubmission.objects.filter(area=areas["commune_b"]).count() == 2  # the first one is kept


def test_a_commune_officer_submits_from_the_report_screen(client, dataset):
    areas = dataset["areas"]
    officer = make_officer(roles.COMMUNE_OFFICER, areas["commune_a"], username="xa-a")
    client.force_login(officer)
    response = client.post(
        reverse("reports:submit") + f"?area={areas['commune_a'].pk}&year={YEAR}", {"note": "Báo cáo năm"}
    )
    assert response.status_code == 302
    submission = ReportSubmission.objects.get()
    assert (submission.area, submission.submitted_by, submission.note) == (areas["commune_a"], officer, "Báo cáo năm")
    # ... but not for commune B.
    response = client.post(reverse("reports:submit") + f"?area={areas['commune_b'].pk}&year={YEAR}", {"note": ""})
    assert response.status_code == 404
    assert ReportSubmission.objects.count() == 1


def test_units_out_of_force_on_the_due_date_are_not_expected(areas):
    old = make_unit("Xã Cũ", "commune", areas["district"], code="T0119")
    old.valid_to = datetime.date(2023, 6, 30)
    old.save()
    names = {row.unit.name for row in report_completeness(root=areas["province"], year=2024)}
    assert "Xã Cũ" not in names


def report_tables(html: str) -> dict[str, list[list[str]]]:
    """The report's tables as a reader sees them: heading -> rows of cell texts (header row first)."""
    soup = BeautifulSoup(html, "html.parser")
    tables = {}
    for heading in soup.select("main h3"):
        table = heading.find_next("table")  # in its scrolling box
        if table is not None:
            tables[heading.get_text(strip=True)] = [
                [" ".join(cell.get_text(" ").split()) for cell in row.find_all(["th", "td"])]
                for row in table.find_all("tr")
            ]
    return tables


def test_a_submission_shows_its_snapshot_as_the_reports_tables(admin_client, dataset):
    areas = dataset["areas"]
    params = {"area": areas["commune_a"].pk, "year": YEAR}
    live = report_tables(admin_client.get(reverse("reports:report"), params).content.decode())
    submission = report_submit(area=areas["commune_a"], year=YEAR, user=None)
    Evaluation.objects.filter(area=areas["village_a1"]).update(status="recognised")  # later changes
    url = reverse(submission_viewset.get_url_name("inspect"), args=[submission.pk])
    body = admin_client.get(url).content.decode()
    frozen = report_tables(body)
    families = "Hộ gia đình được công nhận Gia đình học tập"
    assert frozen[families] == live[families]  # the same table, as it was when submitted
    assert frozen == live
    header, tu_thien, thai_an, total = frozen[families]
    assert header == [
        "Địa bàn",
        "Tổng số",
        "Đã đánh giá",
        "Đã công nhận",
        "Khá",
        "Tốt",
        "Tỷ lệ công nhận (%)",
        "Chỉ tiêu",
        "Đạt chỉ tiêu",
    ]
    assert tu_thien == ["Thôn Từ Thiện", "4", "3", "2", "1", "1", "50,00%", "70%", "Không đạt"]
    assert total[:4] == ["Tổng cộng", "6", "5", "3"]
    assert "registered_counted" not in body and '"by_grade"' not in body  # never the stored JSON
    # the live report has moved on
    live_now = report_tables(admin_client.get(reverse("reports:report"), params).content.decode())
    assert live_now[families][1][3] == "4"


def test_a_stored_snapshot_renders_as_tables_whatever_it_holds(admin_client, areas):
    """A snapshot stored earlier, as JSON (here without budget or every indicator), reads as the tables."""
    figures = {"registered": 120, "evaluated": 90, "recognised": 84, "by_grade": {"Tốt": 60, "Khá": 24}}
    submission = ReportSubmission.objects.create(
        area=areas["district"],
        year=2023,
        submitted_at=datetime.datetime(2023, 11, 20, tzinfo=VN),
        on_time=True,
        snapshot={
            "root": areas["district"].path,
            "year": 2023,
            "areas": [
                {
                    "path": areas["district"].path,
                    "name": "Huyện Ninh Phước",
                    "depth": 2,
                    "figures": {"family": {**figures, "percent": "70.00", "target": "90", "met": False}},
                },
                {"path": areas["commune_a"].path, "name": "Xã Phước Hải", "depth": 3, "figures": {"family": figures}},
            ],
        },
    )
    response = admin_client.get(reverse(submission_viewset.get_url_name("inspect"), args=[submission.pk]))
    assert response.status_code == 200
    tables = report_tables(response.content.decode())
    rows = tables["Hộ gia đình được công nhận Gia đình học tập"]
    assert rows[1] == ["Xã Phước Hải", "120", "90", "84", "24", "60", "70,00%", "–", "–"]
    assert rows[-1] == ["Tổng cộng", "120", "90", "84", "24", "60", "70,00%", "90%", "Không đạt"]
    assert tables["Kinh phí (đồng)"][1][1:] == ["0", "0"]
