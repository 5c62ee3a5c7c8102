"""The official workbook and listing exports, written for real and read back cell by cell."""

import io
import re

from django.urls import reverse

import openpyxl
import pytest

from evaluations.models import ExportRecord, LearningFamily
from reports import excel
from reports.rollup import rollup

from .conftest import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def workbook(dataset):
    buffer = io.BytesIO()
    excel.official_workbook(rollup(root=dataset["areas"]["province"], years=YEAR), YEAR, buffer)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer)


def test_sheets_headings_and_merged_header_rows(workbook):
    assert workbook.sheetnames == ["Tổng hợp", "GĐHT", "DHHT", "CĐHT", "ĐVHT", "CDHT", "CDHT-ĐVHT"]
    sheet = workbook["GĐHT"]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert "A4:A5" in merged and "B4:B5" in merged  # single columns span both header rows
    assert "F4:H4" in merged  # "Recognised" spans number + grades Khá, Tốt
    assert sheet["B4"].value == "Đơn vị"
    assert sheet["F4"].value == "Đã công nhận"
    assert [sheet.cell(5, c).value for c in range(6, 9)] == ["Số lượng", "Khá", "Tốt"]
    assert sheet["A1"].value.startswith("HỘ GIA ĐÌNH")
    assert "2025" in sheet["A1"].value


def test_rows_per_area_and_totals_with_number_formats(workbook):
    sheet = workbook["GĐHT"]
    rows = {sheet.cell(r, 2).value: r for r in range(6, sheet.max_row + 1)}
    a = rows["Xã Phước Hải"]
    assert [sheet.cell(a, c).value for c in range(4, 9)] == [6, 5, 3, 1, 2]
    assert sheet.cell(a, 9).value == pytest.approx(0.5)
    assert sheet.cell(a, 9).number_format == "0.00%"
    assert sheet.cell(a, 10).value == pytest.approx(0.7)
    assert sheet.cell(a, 11).value == "Không đạt"
    b = rows["Xã Phước Hữu"]
    assert (sheet.cell(b, 9).value, sheet.cell(b, 11).value) == (pytest.approx(0.25), "Đạt")
    total = sheet.max_row
    assert sheet.cell(total, 1).value == "Tổng cộng"
    assert [sheet.cell(total, c).value for c in range(4, 7)] == [10, 6, 4]
    assert sheet.cell(total, 9).value == pytest.approx(0.4)
    assert sheet.cell(total, 4).font.bold


def test_frozen_panes_and_a4_landscape(workbook):
    for sheet in workbook.worksheets:
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.paperSize == 9
    assert workbook["GĐHT"].freeze_panes == "C6"
    assert workbook["Tổng hợp"].freeze_panes == "A6"


def test_summary_sheet_has_every_indicator_and_the_finance_lines(workbook, dataset):
    sheet = workbook["Tổng hợp"]
    assert sheet["B6"].value == "Hộ gia đình được công nhận Gia đình học tập"
    assert [sheet.cell(6, c).value for c in range(3, 6)] == [10, 6, 4]
    labels = [sheet.cell(r, 2).value for r in range(1, sheet.max_row + 1)]
    assert "Ngân sách nhà nước" in labels and "Kinh phí vận động" in labels


def test_workbook_download_from_the_report_screen(admin_client, dataset):
    area = dataset["areas"]["commune_a"]
    response = admin_client.get(reverse("reports:workbook"), {"area": area.pk, "year": YEAR})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book["GĐHT"]["A2"].value.endswith("Xã Phước Hải")


def test_listing_export_honours_the_filters_and_writes_formula_like_names_as_text(admin_client, dataset):
    areas = dataset["areas"]
    risky = dataset["a1"][0]
    LearningFamily.objects.filter(pk=risky.pk).update(name='=HYPERLINK("http://x","y")')
    response = admin_client.get(
        reverse("reports:export", args=["evaluations"]),
        {"area": areas["commune_a"].pk, "status": "recognised", "format": "xlsx"},
    )
    assert response.status_code == 200
    # Named in Vietnamese (ASCII, as page addresses are), with the time it was written.
    assert re.search(r'filename="danh-sach-danh-gia-\d{8}-\d{4}\.xlsx"', response["Content-Disposition"])
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [c.value for c in sheet[1]][:4] == ["Đối tượng", "Năm", "Loại mô hình", "Địa bàn"]
    assert sheet.max_row == 1 + 4  # recognised in commune A: three families and one clan
    cells = [sheet.cell(r, 1) for r in range(2, 6)]
    risky_cell = next(c for c in cells if str(c.value).startswith("="))
    assert risky_cell.data_type == "s" and risky_cell.value == '=HYPERLINK("http://x","y")'
    assert sheet.cell(2, 2).value == YEAR
    record = ExportRecord.objects.get()
    assert (record.listing, record.row_count, record.file_format) == ("reports.evaluations", 4, "xlsx")


def test_csv_export_prefixes_risky_cells(admin_client, dataset):
    LearningFamily.objects.filter(pk=dataset["a1"][0].pk).update(name="@SUM(1+1)")
    response = admin_client.get(reverse("reports:export", args=["subjects"]), {"kind": "family", "format": "csv"})
    assert re.search(r'filename="danh-sach-gia-dinh-hoc-tap-\d{8}-\d{4}\.csv"', response["Content-Disposition"])
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'@SUM(1+1)" in body
    assert body.count("\n") == 1 + 11  # header + every family, the inactive one included


def test_bad_filters_are_refused_with_a_message(admin_client, dataset):
    url = reverse("reports:export", args=["evaluations"])
    response = admin_client.get(url, {"status": "bogus"})
    assert response.status_code == 400
    assert "Trạng thái" in response.content.decode()
    response = admin_client.get(url, {"format": "pdf"})
    assert response.status_code == 400 and "format" in response.content.decode()
    assert not ExportRecord.objects.exists()


def test_large_exports_run_as_a_job_with_progress_and_a_download(admin_client, dataset, settings):
    settings.REPORTS_EXPORT_BACKGROUND_ROWS = 2
    response = admin_client.get(reverse("reports:export", args=["evaluations"]), {"format": "xlsx"})
    assert response.status_code == 302
    page = admin_client.get(response["Location"])
    assert "100" in page.content.decode()
    from reports.models import ExportJob

    job = ExportJob.objects.get()
    assert (job.status, job.done_rows, job.total_rows) == ("done", 10, 10)
    download = admin_client.get(reverse("reports:export_job_download", args=[job.pk]))
    assert re.search(rf'filename="danh-sach-danh-gia-{job.pk}-\d{{8}}-\d{{4}}\.xlsx"', download["Content-Disposition"])
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert sheet.max_row == 11
    assert ExportRecord.objects.get().row_count == 10


def test_the_admin_listings_link_to_the_full_export_with_their_filters(admin_client, dataset):
    from evaluations.admin import evaluation_viewset

    area = dataset["areas"]["commune_a"].pk
    body = admin_client.get(reverse(evaluation_viewset.get_url_name("list")), {"area": area}).content.decode()
    assert f"/admin/reports/export/evaluations/?area={area}&amp;format=xlsx" in body
    body = admin_client.get(reverse(LearningFamily.snippet_viewset.get_url_name("list"))).content.decode()
    assert "/admin/reports/export/subjects/?kind=family&amp;format=xlsx" in body
