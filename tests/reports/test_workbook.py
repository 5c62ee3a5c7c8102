"""The official workbook and listing exports, written for real and read back cell by cell."""

import datetime
import io
import re

from django.urls import reverse
from django.utils import timezone, translation

import openpyxl
import pytest

from evaluations import calendar
from evaluations.models import AdministrativeUnit, ExportRecord, LearningFamily, UnitLevel
from reports import excel
from reports.rollup import rollup
from tests.factories import FamilyFactory, UnitFactory, make_criteria_set, make_unit

from .conftest import YEAR, evaluate

pytestmark = pytest.mark.django_db


@pytest.fixture
def workbook(dataset):
    return write_and_read(rollup(root=dataset["areas"]["province"], years=YEAR), YEAR)


def write_and_read(result, year):
    buffer = io.BytesIO()
    excel.official_workbook(result, year, buffer)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer)


def cells(sheet, text):
    """The cells holding exactly ``text``, top to bottom."""
    return [cell for row in sheet.iter_rows() for cell in row if cell.value == text]


def row_of(sheet, text) -> int:
    """The first row holding ``text`` in a cell."""
    return cells(sheet, text)[0].row


def test_sheets_headings_and_merged_header_rows(workbook):
    assert workbook.sheetnames == ["Tổng hợp", "GĐHT", "DHHT", "CĐHT", "ĐVHT", "CDHT", "CDHT-ĐVHT"]
    sheet = workbook["GĐHT"]
    head = row_of(sheet, "STT")
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert f"A{head}:A{head + 1}" in merged and f"B{head}:B{head + 1}" in merged  # span both header rows
    assert f"F{head}:H{head}" in merged  # "Recognised" spans number + grades Khá, Tốt
    assert sheet[f"B{head}"].value == "Đơn vị"
    assert sheet[f"F{head}"].value == "Đã công nhận"
    assert [sheet.cell(head + 1, c).value for c in range(6, 9)] == ["Số lượng", "Khá", "Tốt"]
    titles = [c for c in sheet["A"] if isinstance(c.value, str) and c.value.startswith("HỘ GIA ĐÌNH")]
    assert len(titles) == 1 and "2025" in titles[0].value
    assert titles[0].row < head  # the title above the table, under the administrative header


def test_rows_per_area_and_totals_with_number_formats(workbook):
    sheet = workbook["GĐHT"]
    total = row_of(sheet, "Tổng cộng")
    rows = {sheet.cell(r, 2).value: r for r in range(row_of(sheet, "STT") + 2, total)}
    a = rows["Xã Phước Hải"]
    assert [sheet.cell(a, c).value for c in range(4, 9)] == [6, 5, 3, 1, 2]
    assert sheet.cell(a, 9).value == pytest.approx(0.5)
    assert sheet.cell(a, 9).number_format == "0.00%"
    assert sheet.cell(a, 4).number_format == "#,##0"
    assert sheet.cell(a, 10).value == pytest.approx(0.7)
    assert sheet.cell(a, 11).value == "Không đạt"
    b = rows["Xã Phước Hữu"]
    assert (sheet.cell(b, 9).value, sheet.cell(b, 11).value) == (pytest.approx(0.25), "Đạt")
    assert sheet.cell(total, 1).column == 1
    assert [sheet.cell(total, c).value for c in range(4, 7)] == [10, 6, 4]
    assert sheet.cell(total, 9).value == pytest.approx(0.4)
    assert sheet.cell(total, 4).font.bold


def test_frozen_panes_keep_the_headings_and_area_names_in_view(workbook):
    sheet = workbook["GĐHT"]
    assert sheet.freeze_panes == f"C{row_of(sheet, 'STT') + 2}"  # below both heading rows, right of the names
    summary = workbook["Tổng hợp"]
    assert summary.freeze_panes == f"A{row_of(summary, 'STT') + 1}"


def test_summary_sheet_has_every_indicator_and_the_finance_lines(workbook, dataset):
    sheet = workbook["Tổng hợp"]
    first = row_of(sheet, "STT") + 1
    assert sheet.cell(first, 2).value == "Hộ gia đình được công nhận Gia đình học tập"
    assert [sheet.cell(first, c).value for c in range(3, 6)] == [10, 6, 4]
    labels = [sheet.cell(r, 2).value for r in range(1, sheet.max_row + 1)]
    assert "Ngân sách nhà nước" in labels and "Kinh phí vận động" in labels


def test_workbook_download_from_the_report_screen(admin_client, dataset):
    area = dataset["areas"]["commune_a"]
    response = admin_client.get(reverse("reports:workbook"), {"area": area.pk, "year": YEAR})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["GĐHT"]
    assert cells(sheet, "Đơn vị: Xã Phước Hải")  # the area line under the title
    assert sheet["A1"].value == "HỘI KHUYẾN HỌC XÃ PHƯỚC HẢI"  # the commune's association reports


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


# --- the official look: header, signatures, subtotals, print settings ---------------------------------------


@pytest.fixture
def frozen_today(monkeypatch):
    """Set "today" (``timezone.localdate()``, which ``evaluations.calendar.today`` reads)."""
    original = timezone.localdate

    def freeze(day: datetime.date):
        monkeypatch.setattr(
            timezone,
            "localdate",
            lambda value=None, timezone=None: day if value is None else original(value, timezone),
        )

    return freeze


def right_of(sheet, cell, text):
    """``text``'s cell in ``cell``'s row, or ``None``."""
    return next((c for c in sheet[cell.row] if c.value == text), None)


def test_every_sheet_opens_with_the_administrative_header_dated_today(dataset, frozen_today):
    day = datetime.date(2026, 3, 5)  # day and month below 10: written with a zero
    frozen_today(day)
    book = write_and_read(rollup(root=dataset["areas"]["province"], years=YEAR), YEAR)
    date_line = f"Thử Nghiệm, ngày {day:%d} tháng {day:%m} năm {day.year}"
    assert date_line == "Thử Nghiệm, ngày 05 tháng 03 năm 2026"
    for sheet in book.worksheets:
        # Left: the reporting association in capitals, the number to fill in below it.
        issuer = sheet["A1"]
        assert issuer.value == "HỘI KHUYẾN HỌC TỈNH THỬ NGHIỆM" and issuer.font.bold
        assert sheet["A2"].value == "Số: …/BC-KH"
        # Right, on the same rows: the national emblem line, the motto under it, then the place and date.
        nation = right_of(sheet, issuer, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
        assert nation is not None and nation.column > 3 and nation.font.bold
        motto = sheet.cell(nation.row + 1, nation.column)
        assert motto.value == "Độc lập - Tự do - Hạnh phúc" and motto.font.bold and motto.font.underline
        dated = sheet.cell(nation.row + 2, nation.column)
        assert dated.value == date_line and dated.font.italic
        # All of it above the title and the table.
        assert dated.row < row_of(sheet, "STT")
        assert sheet.cell(dated.row + 2, 1).font.bold and sheet.cell(dated.row + 2, 1).value.isupper()  # the title


def test_every_sheet_ends_with_the_signatures_under_its_table(workbook):
    for sheet in workbook.worksheets:
        total = cells(sheet, "Tổng cộng")[-1].row  # the summary's last table is the funding
        on_behalf, chair, preparer = (cells(sheet, t) for t in ("TM. BAN THƯỜNG VỤ", "CHỦ TỊCH", "NGƯỜI LẬP BIỂU"))
        assert len(on_behalf) == len(chair) == len(preparer) == 1, sheet.title
        on_behalf, chair, preparer = on_behalf[0], chair[0], preparer[0]
        assert total < on_behalf.row and chair.row == on_behalf.row + 1 and chair.column == on_behalf.column
        assert preparer.row == chair.row and preparer.column < chair.column  # the preparer on the left
        assert all(c.font.bold for c in (on_behalf, chair, preparer))
        notes = cells(sheet, "(Ký, ghi rõ họ tên)")
        assert [(c.row, c.column) for c in notes] == [(chair.row + 1, preparer.column), (chair.row + 1, chair.column)]
        assert all(c.font.italic for c in notes)
        # Room to sign below the notes, printed with the rest.
        last_printed = int(re.search(r"(\d+)$", sheet.print_area).group(1))
        assert last_printed >= notes[0].row + 3
        assert all(sheet.cell(r, c).value is None for r in range(notes[0].row + 1, last_printed + 1) for c in (1, 4))


def test_written_in_vietnamese_whatever_the_language_of_the_request(dataset):
    with translation.override("en"):
        book = write_and_read(rollup(root=dataset["areas"]["province"], years=YEAR), YEAR)
    assert book.sheetnames[0] == "Tổng hợp"
    sheet = book["GĐHT"]
    assert cells(sheet, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") and cells(sheet, "CHỦ TỊCH")
    assert cells(sheet, "Tổng cộng")


def area_rows(sheet) -> dict[str, int]:
    """Area name -> row, between the headings and the total."""
    first, total = row_of(sheet, "STT") + 2, row_of(sheet, "Tổng cộng")
    return {sheet.cell(r, 2).value: r for r in range(first, total)}


def figures(sheet, row) -> list:
    """Registered, evaluated, recognised and the breakdown of the recognised (columns D up to the share)."""
    share = row_of(sheet, "Tỷ lệ công nhận (%)")
    last = next(c.column for c in sheet[share] if c.value == "Tỷ lệ công nhận (%)")
    return [sheet.cell(row, c).value for c in range(4, last)]


def assert_subtotals_precede_their_parts(sheet, parent: AdministrativeUnit):
    """``parent``'s row is a subtotal: bold on a fill, followed at once by its children's rows (after the row
    of what is recorded at ``parent`` itself, if anything is), indented deeper, whose figures add up to its
    own. Returns those rows."""
    rows = area_rows(sheet)
    children = list(parent.get_children().order_by("path"))
    top = rows[parent.name]
    itself = rows.get(f"Ghi nhận trực tiếp tại {parent.name}")
    assert itself in (None, top + 1)
    below = ([itself] if itself else []) + [rows[child.name] for child in children]
    assert below[0] == top + 1 and below[-1] == max(below)
    name = sheet.cell(top, 2)
    assert name.font.bold and name.fill.fill_type == "solid"
    assert all(sheet.cell(r, 2).alignment.indent > name.alignment.indent for r in below)
    assert figures(sheet, top) == [sum(col) for col in zip(*(figures(sheet, r) for r in below), strict=True)]
    assert any(figures(sheet, top))  # a real check: something was counted
    return below


def test_past_structure_district_and_communes_subtotal_before_their_areas(workbook, dataset):
    """2025, province > district > communes > villages: the district above its communes, each commune above
    its villages, each the sum of the rows under it."""
    areas = dataset["areas"]
    sheet = workbook["GĐHT"]
    rows = area_rows(sheet)
    assert list(rows) == [
        u.name for u in AdministrativeUnit.objects.filter(path__startswith=areas["district"].path).order_by("path")
    ]  # tree order
    assert_subtotals_precede_their_parts(sheet, areas["commune_a"])
    assert_subtotals_precede_their_parts(sheet, areas["commune_b"])
    assert rows[areas["district"].name] < rows[areas["commune_a"].name] < rows[areas["commune_b"].name]
    district = sheet.cell(rows[areas["district"].name], 2)
    assert district.font.bold and district.fill.fill_type == "solid"
    village = sheet.cell(rows[areas["village_a1"].name], 4)
    assert not village.font.bold and village.fill.fill_type is None


def test_what_is_recorded_at_a_commune_itself_has_its_row_under_the_commune(workbook, dataset):
    """Clans belong to the commune, not to a village: their row, "Ghi nhận trực tiếp tại Xã ...", makes the
    rows under the commune add up to it; likewise the unit recorded at the district."""
    areas = dataset["areas"]
    clans = workbook["DHHT"]
    below = assert_subtotals_precede_their_parts(clans, areas["commune_a"])
    rows = area_rows(clans)
    itself = rows["Ghi nhận trực tiếp tại Xã Phước Hải"]
    assert below[0] == itself and figures(clans, itself)[:3] == figures(clans, rows["Xã Phước Hải"])[:3]
    assert clans.cell(itself, 1).value is None  # not an area of its own: not numbered
    assert not clans.cell(itself, 2).font.bold
    assert_subtotals_precede_their_parts(clans, areas["commune_b"])
    assert_subtotals_precede_their_parts(clans, areas["district"])
    assert_subtotals_precede_their_parts(workbook["ĐVHT"], areas["district"])
    assert "Ghi nhận trực tiếp tại Huyện Ninh Phước" in area_rows(workbook["ĐVHT"])
    assert not any(name.startswith("Ghi nhận") for name in area_rows(workbook["GĐHT"]))  # families: in villages


@pytest.fixture
def two_tier():
    """Today's structure: a province, communes, villages; families evaluated in the villages."""
    province = make_unit("Tỉnh Khánh Hòa", UnitLevel.PROVINCE, code="56")
    communes = [make_unit(name, UnitLevel.COMMUNE, province) for name in ("Xã Ninh Phước", "Xã Phước Hữu")]
    family_set = make_criteria_set(kind="family", code="set-family-now")
    year = calendar.today().year
    for commune, villages in zip(communes, (("Thôn Vạn Phước", "Thôn Hòa Thủy"), ("Thôn Tân Đức",)), strict=True):
        for index, name in enumerate(villages):
            village = make_unit(name, UnitLevel.VILLAGE, commune)
            for n, status in enumerate(["recognised", "recognised", "not_recognised", "draft", None][index:]):
                family = FamilyFactory(head_name=f"{name} {n}", area=village)
                if status:
                    evaluate(family, family_set, status, "Tốt" if status == "recognised" else "", year=year)
    # A provincial agency, recognised as a learning unit, belongs to the province itself.
    evaluate(UnitFactory(area=province), make_criteria_set(kind="unit", code="set-unit-now"), "recognised", year=year)
    return {"province": province, "communes": communes, "year": year}


def test_todays_structure_communes_subtotal_before_their_villages(two_tier):
    year = two_tier["year"]
    book = write_and_read(rollup(root=two_tier["province"], years=year), year)
    sheet = book["GĐHT"]
    for commune in two_tier["communes"]:
        assert sheet.cell(area_rows(sheet)[commune.name], 2).alignment.indent == 0  # communes at the top level
        assert_subtotals_precede_their_parts(sheet, commune)
    # The total is the sum of the top-level rows, what is recorded at the province itself included.
    units = book["ĐVHT"]
    rows = area_rows(units)
    top_level = [rows["Ghi nhận trực tiếp tại Tỉnh Khánh Hòa"]] + [rows[c.name] for c in two_tier["communes"]]
    total = figures(units, row_of(units, "Tổng cộng"))
    assert total == [sum(col) for col in zip(*(figures(units, r) for r in top_level), strict=True)]
    assert total[2] == 1  # the agency, recognised
    for each in book.worksheets:
        assert each["A1"].value == "HỘI KHUYẾN HỌC TỈNH KHÁNH HÒA"
        assert cells(each, f"Khánh Hòa, ngày {calendar.today():%d} tháng {calendar.today():%m} năm {year}")


def test_a_commune_reports_as_its_own_association(two_tier):
    year = two_tier["year"]
    commune = two_tier["communes"][0]
    book = write_and_read(rollup(root=commune, years=year), year)
    for sheet in book.worksheets:
        assert sheet["A1"].value == "HỘI KHUYẾN HỌC XÃ NINH PHƯỚC"
        assert cells(sheet, f"Ninh Phước, ngày {calendar.today():%d} tháng {calendar.today():%m} năm {year}")
    rows = area_rows(book["GĐHT"])
    assert list(rows) == [v.name for v in commune.get_children().order_by("path")]  # the villages, the total
    assert not book["GĐHT"].cell(rows["Thôn Vạn Phước"], 2).font.bold


def test_every_sheet_prints_on_a4_landscape_one_page_wide_with_its_headings_repeated(workbook):
    for sheet in workbook.worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, setup.paperSize) == ("landscape", 9), sheet.title  # 9: A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert (setup.fitToWidth or 1, setup.fitToHeight) == (1, 0)  # one page wide (1 is the default), any height
        # The rows repeated on each page are the table's headings.
        first, last = (int(part.strip("$")) for part in sheet.print_title_rows.split(":"))
        assert sheet.cell(first, 1).value == "STT"
        headings = [c.value for r in range(first, last + 1) for c in sheet[r] if c.value]
        assert "Đã công nhận" in headings and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in headings
        if sheet.title != "Tổng hợp":
            assert last == first + 1 and "Số lượng" in headings  # both heading rows
        # The print area starts with the administrative header; page numbers in the footer.
        assert sheet.print_area.split("!")[-1].startswith("$A$1:")
        assert "&P" in sheet.oddFooter.center.text
        margins = sheet.page_margins
        assert (
            min(margins.left, margins.right, margins.top, margins.bottom) >= 0.3
            and max(margins.left, margins.right) <= 1
        )
