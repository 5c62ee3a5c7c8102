"""Imports from real workbooks written here (xlsxwriter, xlwt, a hand-made ODS, CSV in Excel's encodings)."""

from __future__ import annotations

import datetime
import io
import unicodedata
import zipfile
from unittest import mock

from django.core.management import CommandError, call_command

import openpyxl
import pytest
import xlsxwriter

from evaluations.calendar import today
from evaluations.imports import importer
from evaluations.imports.errors import error_workbook
from evaluations.imports.readers import FileRefused
from evaluations.imports.templates import template_workbook
from evaluations.models import (
    AreaAssignment,
    ImportJob,
    ImportKind,
    LearningCitizen,
    LearningFamily,
    Subject,
)
from tests.factories import FamilyFactory, UserFactory

pytestmark = pytest.mark.django_db

FAMILY_HEADER = ["Xã/phường", "Thôn/khu phố", "Họ tên chủ hộ", "Danh xưng", "Số nhân khẩu", "Mã hộ"]


def xlsx(rows: list[list], *, title_rows: list[str] = (), merges: list[tuple] = (), strings=False) -> bytes:
    """An xlsx with optional title rows above ``rows`` (first row the header) and merged ranges."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("Danh sách")
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    r = 0
    for title in title_rows:
        sheet.write_string(r, 0, title)
        r += 1
    for row in rows:
        for c, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), date_format)
            elif isinstance(value, int | float) and not strings:
                sheet.write_number(r, c, value)
            elif value is not None:
                sheet.write_string(r, c, str(value))
        r += 1
    for first_row, first_col, last_row, last_col, value in merges:
        sheet.merge_range(first_row, first_col, last_row, last_col, value)
    book.close()
    return out.getvalue()


def families_file(rows: list[list], **kwargs) -> bytes:
    return xlsx([FAMILY_HEADER, *rows], **kwargs)


def run(data: bytes, name: str = "ds.xlsx", **kwargs) -> importer.Plan:
    plan = importer.plan_import(data, name, **kwargs)
    importer.apply_plan(plan, user=kwargs.get("user"))
    return plan


def families() -> dict[str, LearningFamily]:
    return {f.head_name: f for f in LearningFamily.objects.select_related("area")}


# --- the ordinary case, idempotence and corrections ------------------------------------------------


def test_households_are_created_with_their_village_and_display_name(areas):
    plan = run(
        families_file(
            [
                ["Xã Phước Hải", "Thôn Từ Thiện", "Nguyễn Văn An", "Ông", 4, "H1"],
                ["Xã Phước Hải", "Thôn Thái An", "Đàng Thị Hoa", "Bà", 5, "H2"],
            ]
        )
    )
    assert plan.counts() == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    found = families()
    assert found["Nguyễn Văn An"].area == areas["village_a1"]
    assert found["Đàng Thị Hoa"].name == "Gia đình bà Đàng Thị Hoa"
    assert found["Đàng Thị Hoa"].member_count == 5
    assert found["Đàng Thị Hoa"].code == "H2"


def test_importing_the_same_file_again_changes_nothing_and_a_correction_updates_one_row(areas):
    rows = [
        ["Xã Phước Hải", "Thôn Từ Thiện", "Nguyễn Văn An", "Ông", 4, "H1"],
        ["Xã Phước Hải", "Thôn Thái An", "Đàng Thị Hoa", "Bà", 5, "H2"],
    ]
    run(families_file(rows))
    before = {s.pk: s.updated_at for s in Subject.objects.all()}
    again = run(families_file(rows))
    assert again.counts() == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0}
    assert {s.pk: s.updated_at for s in Subject.objects.all()} == before

    rows[1][4] = 6
    corrected = run(families_file(rows))
    assert corrected.counts() == {"created": 0, "updated": 1, "unchanged": 1, "rejected": 0}
    assert families()["Đàng Thị Hoa"].member_count == 6
    assert LearningFamily.objects.count() == 2
    assert Subject.objects.get(code="H1").updated_at == before[Subject.objects.get(code="H1").pk]


def test_a_household_already_typed_in_is_matched_by_name_and_village(areas):
    FamilyFactory(head_name="Nguyễn Văn An", area=areas["village_a1"], member_count=3)
    plan = run(families_file([["Phước Hải", "Từ Thiện", "Nguyễn  Văn An", "Ông", 3, ""]]))
    assert plan.counts()["unchanged"] == 1
    # Typed without diacritics, it is still the same household: its name is updated, not duplicated.
    plan = run(families_file([["Phước Hải", "Từ Thiện", "NGUYEN VAN AN", "Ông", 3, ""]]))
    assert plan.counts()["updated"] == 1
    assert LearningFamily.objects.count() == 1


# --- registration dates ---------------------------------------------------------------------------


def test_imported_households_are_registered_today_unless_the_file_gives_a_date(areas, settings):
    settings.LANGUAGE_CODE = "vi"
    run(families_file([["Xã Phước Hải", "Thôn Từ Thiện", "Nguyễn Văn An", "Ông", 4, "H1"]]))
    assert Subject.objects.get(code="H1").registered_on == today()

    header = [*FAMILY_HEADER, "Ngày đăng ký"]
    rows = [
        ["Xã Phước Hải", "Thôn Thái An", "Đàng Thị Hoa", "Bà", 5, "H2", "15/03/2024"],
        ["Xã Phước Hải", "Thôn Thái An", "Lê Văn Bảy", "Ông", 3, "H3", datetime.date(2023, 7, 1)],
        ["Xã Phước Hải", "Thôn Thái An", "Trần Thị Tám", "Bà", 2, "H4", "2022-01-05"],
        ["Xã Phước Hải", "Thôn Thái An", "Võ Văn Chín", "Ông", 2, "H5", ""],
        ["Xã Phước Hải", "Thôn Thái An", "Chế Văn Mười", "Ông", 2, "H6", "31/02/2024"],
        ["Xã Phước Hải", "Thôn Thái An", "Phú Thị Một", "Bà", 2, "H7", "01/01/2099"],
    ]
    plan = run(xlsx([header, *rows]))
    assert plan.counts() == {"created": 4, "updated": 0, "unchanged": 0, "rejected": 2}
    dates = dict(Subject.objects.filter(code__in=["H2", "H3", "H4", "H5"]).values_list("code", "registered_on"))
    assert dates == {
        "H2": datetime.date(2024, 3, 15),
        "H3": datetime.date(2023, 7, 1),
        "H4": datetime.date(2022, 1, 5),
        "H5": today(),
    }
    where = {(r.row, r.column): r.message for r in plan.rejections}
    assert "31/02/2024" in where[(6, "G (Ngày đăng ký)")]
    assert where[(7, "G (Ngày đăng ký)")] == "Ngày đăng ký phải từ năm 1900 đến hôm nay."

    # The same file again changes nothing; a corrected date updates that household only.
    assert run(xlsx([header, *rows[:4]])).counts()["unchanged"] == 4
    rows[0][6] = "15/03/2021"
    assert run(xlsx([header, *rows[:4]])).counts() == {"created": 0, "updated": 1, "unchanged": 3, "rejected": 0}
    assert Subject.objects.get(code="H2").registered_on == datetime.date(2021, 3, 15)


def test_a_registration_date_after_the_household_left_is_refused(areas, settings):
    settings.LANGUAGE_CODE = "vi"
    FamilyFactory(
        head_name="Nguyễn Văn An",
        area=areas["village_a1"],
        code="H1",
        is_active=False,
        ended_on=datetime.date(2024, 6, 1),
    )
    header = [*FAMILY_HEADER, "Ngày đăng ký"]
    plan = run(xlsx([header, ["Xã Phước Hải", "Thôn Từ Thiện", "Nguyễn Văn An", "Ông", 4, "H1", "01/07/2024"]]))
    [rejection] = plan.rejections
    assert rejection.column == "G (Ngày đăng ký)"
    assert rejection.message == "Ngày đăng ký không được sau ngày đối tượng này ra khỏi danh sách (1/6/2024)."
    assert Subject.objects.get(code="H1").registered_on is None


# --- messy files ---------------------------------------------------------------------------------


def test_title_rows_merged_cells_blank_rows_and_headers_in_any_order_without_diacritics(areas):
    header = ["So nhan khau", "HO TEN CHU HO", "thon/khu pho", "xa phuong", "Danh xung"]
    data = xlsx(
        [
            header,
            [4, "Nguyễn Văn An", "Thôn Từ Thiện", "Xã Phước Hải", "Ông"],
            [3, "Trần Văn Bình", None, None, "Ông"],
            [None, None, None, None, None],
            [5, "Lê Thị Cúc", "Thôn Thái An", "Xã Phước Hải", "Bà"],
        ],
        title_rows=["HỘI KHUYẾN HỌC XÃ PHƯỚC HẢI", "DANH SÁCH HỘ GIA ĐÌNH NĂM 2024"],
        # The title spans the table; the village and commune cells of the first two households are merged.
        merges=[
            (0, 0, 0, 4, "HỘI KHUYẾN HỌC XÃ PHƯỚC HẢI"),
            (3, 2, 4, 2, "Thôn Từ Thiện"),
            (3, 3, 4, 3, "Xã Phước Hải"),
        ],
    )
    plan = run(data)
    assert plan.counts() == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    found = families()
    assert found["Trần Văn Bình"].area == areas["village_a1"]
    assert found["Lê Thị Cúc"].area == areas["village_a2"]


def test_merged_cells_far_below_the_header(areas):
    rows = [["Xã Phước Hải", "Thôn Thái An", f"Nguyễn Văn {n}", "Ông", 4, f"H{n}"] for n in range(60)]
    rows[40][1] = rows[41][1] = rows[42][1] = None
    # B42:B44 merged (rows 41-43 of the data): far past the rows kept in memory to find the header.
    data = families_file(rows, merges=[(41, 1, 43, 1, "Thôn Từ Thiện")])
    plan = run(data)
    assert plan.counts()["created"] == 60, plan.rejections
    assert LearningFamily.objects.filter(area=areas["village_a1"]).count() == 3


def test_numbers_stored_as_text_stray_spaces_and_decomposed_vietnamese(areas):
    nfd = unicodedata.normalize("NFD", "Phạm Thị Dung")
    data = families_file(
        [
            ["  Xã   Phước Hải ", unicodedata.normalize("NFD", "Thôn Từ Thiện"), f"  {nfd} ", "bà", " 4 ", "H9"],
            ["Xa Phuoc Hai", "thon thai an", "Võ Văn Em", "", "3.0", ""],
        ],
        strings=True,
    )
    plan = run(data)
    assert plan.counts()["created"] == 2, plan.rejections
    family = LearningFamily.objects.get(code="H9")
    assert family.head_name == "Phạm Thị Dung"  # stored composed (NFC), single spaces
    assert family.member_count == 4
    assert family.head_title == "bà"
    assert families()["Võ Văn Em"].member_count == 3


def test_birth_dates_as_text_or_excel_dates_give_the_birth_year(areas):
    header = ["Xã", "Thôn", "Họ và tên", "Ngày sinh", "Nhóm đối tượng"]
    data = xlsx(
        [
            header,
            ["Phước Hải", "Từ Thiện", "Đàng Thị Lan", "12/03/1985", "Nông dân"],
            ["Phước Hải", "Từ Thiện", "Thiên Văn Sanh", datetime.date(1979, 11, 2), "Cán bộ"],
            ["Phước Hải", "Từ Thiện", "Quảng Thị Ny", "31/02/1990", "Nông dân"],
        ]
    )
    plan = run(data)
    assert plan.kind == ImportKind.CITIZEN
    years = dict(LearningCitizen.objects.values_list("full_name", "birth_year"))
    assert years == {"Đàng Thị Lan": 1985, "Thiên Văn Sanh": 1979}
    [rejection] = plan.rejections
    assert (rejection.row, rejection.column) == (4, "D (Ngày sinh)")
    assert "31/02/1990" in rejection.message


def test_bad_rows_are_rejected_with_row_column_and_a_vietnamese_message(areas, settings):
    settings.LANGUAGE_CODE = "vi"
    data = families_file(
        [
            ["Xã Phước Hải", "Thôn Từ Thiện", "Nguyễn Văn An", "Ông", 4, "H1"],
            ["Xã Phước Hải", "Thôn Không Có", "Trần Văn Bình", "Ông", 4, ""],
            ["Xã Phước Hải", "Thôn Từ Thiện", "", "Ông", "bốn", ""],
            ["Xã Không Tồn Tại", "Thôn Từ Thiện", "Lê Văn Cường", "Ông", 2, ""],
        ]
    )
    plan = run(data)
    assert plan.counts() == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 3}
    where = {(r.row, r.column): r.message for r in plan.rejections}
    assert "Thôn Không Có" in where[(3, "B (Thôn/khu phố)")]
    assert "không tìm thấy" in where[(3, "B (Thôn/khu phố)")].lower()
    assert (4, "C (Họ tên chủ hộ)") in where
    assert "bốn" in where[(4, "E (Số nhân khẩu)")]
    assert "Xã Không Tồn Tại" in where[(5, "A (Xã/phường)")]


def test_the_error_workbook_holds_the_rejected_rows_and_their_errors_and_imports_once_fixed(areas, settings):
    settings.LANGUAGE_CODE = "vi"
    data = families_file(
        [
            ["Xã Phước Hải", "Thôn Từ Thiện", "Nguyễn Văn An", "Ông", 4, "H1"],
            ["Xã Phước Hải", "Thôn Từ Thiện", "Trần Văn Bình", "Ông", 99, "H2"],
        ]
    )
    plan = run(data)
    book = openpyxl.load_workbook(io.BytesIO(error_workbook(plan)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == (*FAMILY_HEADER, "Dòng trong tệp gốc", "Lỗi cần sửa")
    assert rows[1][:6] == ("Xã Phước Hải", "Thôn Từ Thiện", "Trần Văn Bình", "Ông", 99, "H2")
    assert rows[1][6] == 3
    assert "E (Số nhân khẩu)" in rows[1][7] and "60" in rows[1][7]
    assert len(rows) == 2

    # Fix the cell in the error workbook itself and upload it again.
    book.active["E2"] = 9
    fixed = io.BytesIO()
    book.save(fixed)
    again = run(fixed.getvalue())
    assert again.counts() == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 0}
    assert families()["Trần Văn Bình"].member_count == 9


# --- formats ---------------------------------------------------------------------------------------

CSV_TEXT = "Xã/phường,Thôn/khu phố,Họ tên chủ hộ,Số nhân khẩu\nXã Phước Hải,Thôn Từ Thiện,Nguyễn Văn An,4\n"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("utf8.csv", CSV_TEXT.encode("utf-8")),
        ("bom.csv", CSV_TEXT.encode("utf-8-sig")),
        # Excel's "Unicode text": UTF-16 LE with a BOM, separated by tabs.
        ("unicode.txt", CSV_TEXT.replace(",", "\t").encode("utf-16")),
        ("utf16be.csv", b"\xfe\xff" + CSV_TEXT.encode("utf-16-be")),
        ("semicolon.csv", CSV_TEXT.replace(",", ";").encode("utf-8-sig")),
    ],
)
def test_csv_in_the_encodings_excel_saves(areas, name, data):
    plan = run(data, name)
    assert plan.counts()["created"] == 1, plan.rejections
    assert families()["Nguyễn Văn An"].member_count == 4


def ods(rows: list[list]) -> bytes:
    """A minimal OpenDocument spreadsheet, written as the ODF zip it is."""

    def cell(value):
        kind = (
            f'office:value-type="float" office:value="{value}"'
            if isinstance(value, int)
            else 'office:value-type="string"'
        )
        return f"<table:table-cell {kind}><text:p>{value}</text:p></table:table-cell>"

    body = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Sheet1">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_ods_workbook(areas):
    plan = run(ods([FAMILY_HEADER[:5], ["Xã Phước Hải", "Thôn Thái An", "Nguyễn Văn An", "Ông", 4]]), "ds.ods")
    assert plan.counts()["created"] == 1, plan.rejections
    assert families()["Nguyễn Văn An"].area == areas["village_a2"]


def test_xls_workbook(areas):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("DS")
    for r, row in enumerate([FAMILY_HEADER[:5], ["Xã Phước Hải", "Thôn Thái An", "Nguyễn Văn An", "Ông", 4]]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    plan = run(out.getvalue(), "ds.xls")
    assert plan.counts()["created"] == 1, plan.rejections


# --- refusals --------------------------------------------------------------------------------------


def test_macro_workbooks_are_refused(areas):
    data = families_file([["Xã Phước Hải", "Thôn Từ Thiện", "Nguyễn Văn An", "Ông", 4, ""]])
    with pytest.raises(FileRefused, match="macro"):
        importer.plan_import(data, "ds.xlsm")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr("xl/vbaProject.bin", b"\x00" * 100)
    with pytest.raises(FileRefused, match="macro"):
        importer.plan_import(out.getvalue(), "ds.xlsx")


def test_encrypted_workbooks_are_refused(areas):
    # An encrypted xlsx is an OLE2 compound file holding EncryptionInfo and EncryptedPackage streams.
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 512
    with pytest.raises(FileRefused, match="mật khẩu"):
        importer.plan_import(data, "ds.xlsx")


def test_files_over_the_size_limit_are_refused(areas, settings):
    settings.IMPORT_MAX_UPLOAD_SIZE = 1000
    with pytest.raises(FileRefused, match="MB"):
        importer.plan_import(b"a,b\n" * 1000, "big.csv")


def test_archives_that_unpack_beyond_the_limit_are_refused(areas, settings):
    settings.IMPORT_MAX_UNPACKED_SIZE = 2 * 1024 * 1024
    data = families_file([["Xã Phước Hải", "Thôn Từ Thiện", "Nguyễn Văn An", "Ông", 4, ""]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr("xl/media/padding.bin", b"\x00" * (3 * 1024 * 1024))
    assert len(out.getvalue()) < 100_000
    with pytest.raises(FileRefused, match="giải nén"):
        importer.plan_import(out.getvalue(), "ds.xlsx")


def test_a_sheet_without_a_recognisable_header_is_refused(areas):
    data = xlsx([["Cột 1", "Cột 2"], ["a", "b"]])
    with pytest.raises(FileRefused, match="tiêu đề"):
        importer.plan_import(data, "ds.xlsx")


# --- atomicity and access --------------------------------------------------------------------------


def test_a_failure_midway_leaves_nothing_written(areas, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 2)
    rows = [["Xã Phước Hải", "Thôn Từ Thiện", f"Nguyễn Văn {n}", "Ông", 4, f"H{n}"] for n in range(7)]
    plan = importer.plan_import(families_file(rows), "ds.xlsx")
    real = importer.write_batch
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    with mock.patch.object(importer, "write_batch", failing), pytest.raises(RuntimeError):
        importer.apply_plan(plan)
    assert len(calls) == 3  # two batches had been written before the failure
    assert Subject.objects.count() == 0
    assert LearningFamily.objects.count() == 0


def test_an_officer_cannot_import_rows_of_another_commune(areas, settings):
    settings.LANGUAGE_CODE = "vi"
    officer = UserFactory(username="officer-a", is_staff=True)
    AreaAssignment.objects.create(user=officer, area=areas["commune_a"])
    data = families_file(
        [
            ["Xã Phước Hải", "Thôn Từ Thiện", "Nguyễn Văn An", "Ông", 4, ""],
            ["Xã Phước Hữu", "Thôn Hữu Đức", "Trần Văn Bình", "Ông", 4, ""],
        ]
    )
    plan = run(data, user=officer)
    assert plan.counts()["created"] == 1
    [rejection] = plan.rejections
    assert rejection.row == 3 and "Thôn Hữu Đức" in rejection.message
    assert not LearningFamily.objects.filter(area=areas["village_b1"]).exists()


# --- old and new commune names ----------------------------------------------------------------------


def test_old_and_new_commune_names_with_or_without_diacritics(db):
    from evaluations.admin_units import load_admin_units
    from evaluations.models import AdministrativeUnit, UnitLevel

    load_admin_units()
    old = AdministrativeUnit.objects.get(code="22894", valid_to__isnull=False)  # Xã Phước Hải (Ninh Phước)
    village = old.add_child(name="Thôn Từ Thiện", level=UnitLevel.VILLAGE, unit_type="Thôn")
    successor = old.successors.get(is_default=True).new_unit
    data = families_file(
        [
            ["Xã Phước Hải", "Thôn Từ Thiện", "Nguyễn Văn An", "Ông", 4, "1"],
            ["xa phuoc hai", "tu thien", "Trần Văn Bình", "Ông", 4, "2"],
            [successor.name, "Từ Thiện", "Lê Văn Cường", "Ông", 4, "3"],
            ["X. Phuoc Hai", "Thon Tu Thien", "Võ Văn Dũng", "Ông", 4, "4"],
        ]
    )
    plan = run(data)
    assert plan.counts()["created"] == 4, plan.rejections
    assert set(LearningFamily.objects.values_list("area", flat=True)) == {village.pk}

    # Without its type word the name is also the former Khánh Hòa's Phường Phước Hải (Nha Trang): the
    # district is asked for, nothing is guessed.
    plan = run(families_file([["phuoc hai", "tu thien", "Đỗ Văn Em", "Ông", 4, "7"]]))
    assert plan.counts()["created"] == 0
    assert "Huyện" in plan.rejections[0].message

    # "Thành Hải" and "Thanh Hải" fold alike; written with their tone marks they are told apart.
    thanh = AdministrativeUnit.objects.get(name="Xã Thành Hải", valid_to__isnull=False)
    thanh.add_child(name="Thôn Tân Sơn", level=UnitLevel.VILLAGE, unit_type="Thôn")
    plan = run(families_file([["Xã Thành Hải", "Thôn Tân Sơn", "Ngô Văn Tài", "Ông", 3, "5"]]))
    assert plan.counts()["created"] == 1, plan.rejections
    plan = run(families_file([["Xa Thanh Hai", "Thon Tan Son", "Ngô Văn Tài", "Ông", 3, "6"]]))
    assert "Huyện" in plan.rejections[0].message  # ambiguous without diacritics: the district is asked for


# --- templates and the command ---------------------------------------------------------------------


def test_the_template_has_headings_lists_and_instructions_and_imports_as_it_is(areas):
    data = template_workbook(ImportKind.FAMILY, areas["commune_a"])
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Danh sách", "Danh mục", "Hướng dẫn"]
    sheet = book["Danh sách"]
    headings = [c.value for c in sheet[3]]
    assert "Họ tên chủ hộ (*)" in headings and "Số nhân khẩu (*)" in headings
    village_list = [c.value for c in book["Danh mục"]["B"] if c.value]
    assert {"Thôn Từ Thiện", "Thôn Thái An"} <= set(village_list)
    assert sheet.data_validations.dataValidation  # drop-down lists
    plan = run(data)
    assert plan.counts()["created"] == 2, plan.rejections


def test_the_command_imports_and_a_dry_run_writes_nothing(areas, tmp_path, capsys):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(families_file([["Xã Phước Hải", "Thôn Từ Thiện", "Nguyễn Văn An", "Ông", 4, ""]]))
    call_command("import_workbook", str(path), "--dry-run")
    assert LearningFamily.objects.count() == 0
    call_command("import_workbook", str(path))
    assert LearningFamily.objects.count() == 1
    out = capsys.readouterr().out
    assert "1" in out
    job = ImportJob.objects.filter(dry_run=False).get()
    assert (job.created, job.original_name) == (1, "ds.xlsx")


def test_the_command_exits_non_zero_on_a_refused_file(areas, tmp_path):
    path = tmp_path / "macro.xlsm"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(CommandError):
        call_command("import_workbook", str(path))


# --- evaluation results ------------------------------------------------------------------------------


def results_file(rows: list[list], indicators=("1.1", "1.2", "1.3", "2.1", "2.2", "3.1", "3.2")) -> bytes:
    header = ["Loại mô hình", "Năm đánh giá", "Mã bộ tiêu chí", "Xã", "Thôn", "Tên", *indicators, "Tổng điểm"]
    return xlsx([header, *rows])


def test_results_are_scored_exactly_and_reimporting_changes_nothing(areas):
    from evaluations.models import Evaluation
    from tests.factories import make_criteria_set

    make_criteria_set(code="gdht-test")
    FamilyFactory(head_name="Nguyễn Văn An", area=areas["village_a1"])
    FamilyFactory(head_name="Trần Văn Bình", area=areas["village_a1"])
    rows = [
        ["Gia đình", 2024, "gdht-test", "Phước Hải", "Từ Thiện", "Nguyễn Văn An", 10, 10, 10, 15, 15, 20, 5, 85],
        ["GĐHT", 2024, "gdht-test", "Phước Hải", "Từ Thiện", "Trần Văn Bình", 10, 10, 10, 15, 15, 20, "4,5", None],
    ]
    plan = run(results_file(rows))
    assert plan.counts() == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}, plan.rejections
    grades = {e.subject.name: (e.total, e.grade) for e in Evaluation.objects.select_related("subject")}
    assert grades["Gia đình ông Nguyễn Văn An"] == (85, "Tốt")  # 85 is inclusive
    assert grades["Gia đình ông Trần Văn Bình"][0] == 84.5
    assert grades["Gia đình ông Trần Văn Bình"][1] == "Khá"

    assert run(results_file(rows)).counts()["unchanged"] == 2
    rows[1][12] = 5
    corrected = run(results_file(rows))
    assert corrected.counts() == {"created": 0, "updated": 1, "unchanged": 1, "rejected": 0}
    assert Evaluation.objects.get(subject__learningfamily__head_name="Trần Văn Bình").grade == "Tốt"


def test_results_leave_a_submitted_evaluation_as_it_is_and_say_so_on_its_row(areas, settings):
    """Only a draft may change (``services.evaluation_may_change``): the import's plan asks the same rule as
    the score service, so a correction to a submitted evaluation is a rejected row, not a failed import."""
    from evaluations.models import Evaluation, EvaluationStatus
    from tests.factories import make_criteria_set

    settings.LANGUAGE_CODE = "vi"
    make_criteria_set(code="gdht-test")
    FamilyFactory(head_name="Nguyễn Văn An", area=areas["village_a1"])
    FamilyFactory(head_name="Trần Văn Bình", area=areas["village_a1"])
    rows = [
        ["Gia đình", 2024, "gdht-test", "Phước Hải", "Từ Thiện", "Nguyễn Văn An", 10, 10, 10, 15, 15, 20, 5, 85],
        ["Gia đình", 2024, "gdht-test", "Phước Hải", "Từ Thiện", "Trần Văn Bình", 10, 10, 10, 15, 15, 20, 5, 85],
    ]
    run(results_file(rows))
    Evaluation.objects.filter(subject__learningfamily__head_name="Nguyễn Văn An").update(
        status=EvaluationStatus.SUBMITTED
    )
    rows[0][12:] = [4, None]
    rows[1][12:] = [4, None]
    plan = run(results_file(rows))
    assert plan.counts() == {"created": 0, "updated": 1, "unchanged": 0, "rejected": 1}
    (rejection,) = plan.rejections
    assert rejection.row == 2 and "đã gửi" in rejection.message.lower()
    totals = {e.subject.name: e.total for e in Evaluation.objects.select_related("subject")}
    assert totals == {"Gia đình ông Nguyễn Văn An": 85, "Gia đình ông Trần Văn Bình": 84}


def test_results_with_bad_scores_a_wrong_total_or_no_indicators(areas, settings):
    from tests.factories import make_criteria_set

    settings.LANGUAGE_CODE = "vi"
    make_criteria_set(code="gdht-test")
    FamilyFactory(head_name="Nguyễn Văn An", area=areas["village_a1"])
    rows = [
        ["Gia đình", 2024, "gdht-test", "Phước Hải", "Từ Thiện", "Nguyễn Văn An", 11, 10, 10, 15, 15, 20, 5, None],
        ["Gia đình", 2024, "gdht-test", "Phước Hải", "Từ Thiện", "Nguyễn Văn An", 10, 10, 10, 15, 15, 20, 5, 90],
        ["Gia đình", 2024, "gdht-test", "Phước Hải", "Từ Thiện", "Lê Văn Không", 10, 10, 10, 15, 15, 20, 5, None],
    ]
    plan = run(results_file(rows))
    where = {(r.row, r.column[:1]): r.message for r in plan.rejections}
    assert "10" in where[(2, "G")]  # at most 10 points
    assert "85" in where[(3, "N")]  # the indicators add up to 85
    assert "Lê Văn Không" in where[(4, "F")]
    with pytest.raises(FileRefused, match="chỉ số"):
        importer.plan_import(
            xlsx([["Loại mô hình", "Năm", "Mã bộ tiêu chí", "Xã", "Thôn", "Tên", "Tổng điểm"]]), "r.xlsx"
        )
