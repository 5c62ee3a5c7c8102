"""What an officer sees of a file before confirming it: every error of a row, the rows themselves, the signature
block below the list left out (and said so), and household names with the form of address the file gives."""

from __future__ import annotations

import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import pytest
import xlsxwriter

from evaluations.imports import importer
from evaluations.models import Evaluation, ImportJob, ImportStatus, LearningFamily
from tests.evaluations.test_imports import FAMILY_HEADER, families_file, run, xlsx
from tests.factories import FamilyFactory, make_criteria_set

pytestmark = pytest.mark.django_db


def upload(client, data: bytes, kind: str = "family", name: str = "ds.xlsx") -> tuple[ImportJob, str]:
    file = SimpleUploadedFile(name, data)
    response = client.post(reverse("evaluations_imports:start"), {"kind": kind, "file": file})
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    return ImportJob.objects.latest("pk"), html


def text(html: str) -> str:
    """The page's text, tags dropped and spaces run together."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- every error of a row --------------------------------------------------------------------------------


def test_a_result_row_with_a_bad_year_a_bad_kind_and_no_name_lists_all_three(admin_client, areas, settings):
    settings.LANGUAGE_CODE = "vi"
    make_criteria_set(code="gdht-test")
    FamilyFactory(head_name="Nguyễn Văn An", area=areas["village_a1"])
    header = ["Loại", "Năm", "Mã bộ tiêu chí", "Xã", "Thôn", "Họ tên", "1.1", "1.2", "1.3", "2.1", "2.2", "3.1", "3.2"]
    good = ["Gia đình", 2024, "gdht-test", "Phước Hải", "Từ Thiện", "Nguyễn Văn An", 10, 10, 10, 15, 15, 20, 5]
    bad = ["Trang trại", "năm ngoái", "gdht-test", "Phước Hải", "Từ Thiện", "", 10, 10, 10, 15, 15, 20, 5]
    job, html = upload(admin_client, xlsx([header, good, bad]), kind="result")

    assert (job.created, job.rejected) == (1, 1)
    errors = {(e["row"], e["column"], e["field"]): e["message"] for e in job.errors}
    assert set(errors) == {
        (3, "A (Loại)", "Loại mô hình"),
        (3, "B (Năm)", "Năm đánh giá"),
        (3, "F (Họ tên)", "Tên"),
    }
    assert "Trang trại" in errors[(3, "A (Loại)", "Loại mô hình")]
    assert "năm ngoái" in errors[(3, "B (Năm)", "Năm đánh giá")]
    assert "tên hoặc mã" in errors[(3, "F (Họ tên)", "Tên")].lower()
    # The preview lists the row once, with its three errors beside it.
    assert html.count('data-rejected-row="3"') == 3
    assert 'rowspan="3">3<' in html
    page = text(html)
    assert "A (Loại) Loại mô hình" in page and "B (Năm) Năm đánh giá" in page and "F (Họ tên) Tên" in page
    # The good row is shown as the result it will give.
    assert "2 Sẽ tạo mới Gia đình ông Nguyễn Văn An Thôn Từ Thiện, Xã Phước Hải" in page
    assert "Năm 2024 · gdht-test · tổng điểm 85 · Tốt" in page

    admin_client.post(reverse("evaluations_imports:detail", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.created, job.rejected) == (ImportStatus.DONE, 1, 1)
    assert Evaluation.objects.get().subject.name == "Gia đình ông Nguyễn Văn An"


def test_a_result_row_out_of_range_and_with_a_score_too_high_lists_both(areas, settings):
    settings.LANGUAGE_CODE = "vi"
    make_criteria_set(code="gdht-test")
    FamilyFactory(head_name="Nguyễn Văn An", area=areas["village_a1"])
    header = ["Loại mô hình", "Năm đánh giá", "Mã bộ tiêu chí", "Xã", "Thôn", "Tên", "1.1", "1.2"]
    plan = importer.plan_import(
        xlsx([header, ["Gia đình", 1999, "gdht-test", "Phước Hải", "Từ Thiện", "Nguyễn Văn An", 11, 10]]), "kq.xlsx"
    )
    assert [(r.row, r.column, r.field) for r in plan.rejections] == [
        (2, "B (Năm đánh giá)", "Năm đánh giá"),
        (2, "G (1.1)", "Chỉ số 1.1"),
    ]
    assert "2000" in plan.rejections[0].message and "10" in plan.rejections[1].message


def test_a_household_row_with_a_bad_village_no_name_and_a_bad_count_lists_all_three(areas, settings):
    settings.LANGUAGE_CODE = "vi"
    data = families_file(
        [
            ["Xã Phước Hải", "Thôn Từ Thiện", "Nguyễn Văn An", "Ông", 4, "H1"],
            ["Xã Phước Hải", "Thôn Không Có", "", "Ông", "bốn", "H2"],
        ]
    )
    plan = run(data)
    assert plan.counts() == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    where = {(r.row, r.column, r.field): r.message for r in plan.rejections}
    assert set(where) == {
        (3, "B (Thôn/khu phố)", "Thôn/khu phố"),
        (3, "C (Họ tên chủ hộ)", "Họ tên chủ hộ"),
        (3, "E (Số nhân khẩu)", "Số nhân khẩu"),
    }
    assert "Thôn Không Có" in where[(3, "B (Thôn/khu phố)", "Thôn/khu phố")]
    # The good row was written, the bad one not at all.
    assert list(LearningFamily.objects.values_list("code", flat=True)) == ["H1"]


# --- the rows themselves ---------------------------------------------------------------------------------


def test_the_preview_shows_the_first_rows_to_create_or_update_and_how_many_more(admin_client, areas, settings):
    settings.LANGUAGE_CODE = "vi"
    FamilyFactory(head_name="Trần Văn Cũ", area=areas["village_a1"], code="H0", member_count=3)
    rows = [["Xã Phước Hải", "Thôn Từ Thiện", "Trần Văn Cũ", "Ông", 5, "H0"]]
    rows += [["Xã Phước Hải", "Thôn Thái An", f"Đàng Thị Bích {n}", "Bà", 4, f"H{n}"] for n in range(1, 60)]
    rows.insert(10, ["Xã Phước Hải", "Thôn Thái An", "Lê Văn Sai", "Ông", 99, "HX"])
    job, html = upload(admin_client, families_file(rows))

    assert (job.created, job.updated, job.rejected) == (59, 1, 1)
    assert html.count("<tr data-row=") == 50
    page = text(html)
    assert "Các dòng sẽ tạo mới hoặc cập nhật" in page
    # Row 2 updates a stored household and says what changes; the new ones are named as they will be stored.
    assert "2 Sẽ cập nhật: Số nhân khẩu Gia đình ông Trần Văn Cũ Thôn Từ Thiện, Xã Phước Hải H0" in page
    new = "3 Sẽ tạo mới Gia đình bà Đàng Thị Bích 1 Thôn Thái An, Xã Phước Hải H1 Danh xưng: bà · Số nhân khẩu: 4"
    assert new in page
    assert 'data-row="12"' not in html  # the rejected row is among the rejected, not the rows to create
    assert "… và 10 dòng nữa" in page
    assert 'data-rejected-row="12"' in html and "E (Số nhân khẩu)" in html
    assert LearningFamily.objects.count() == 1  # nothing written before confirming

    admin_client.post(reverse("evaluations_imports:detail", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.message
    page = text(admin_client.get(reverse("evaluations_imports:detail", args=[job.pk])).content.decode())
    assert "Các dòng đã tạo mới hoặc cập nhật" in page and "3 Tạo mới Gia đình bà Đàng Thị Bích 1" in page
    assert LearningFamily.objects.count() == 60


def test_a_large_file_keeps_only_a_page_of_rows_for_its_preview(areas):
    rows = [["Xã Phước Hải", "Thôn Từ Thiện", f"Hộ {n}", "", 4, f"H{n}"] for n in range(3000)]
    job = ImportJob.objects.create(kind="family", original_name="lon.xlsx")
    plan = importer.plan_import(families_file(rows), "lon.xlsx")
    from evaluations.imports.jobs import import_job_record_plan

    import_job_record_plan(job=job, plan=plan)
    assert plan.counts()["created"] == 3000
    assert [row["row"] for row in job.preview_rows] == list(range(2, 52))
    assert job.preview_rows[0]["name"] == "Gia đình Hộ 0"


# --- the signature block below the list ------------------------------------------------------------------


def signed_list(rows: list[list], *, middle: list | None = None) -> bytes:
    """A list as printed for signing: title, header, rows, a blank row, then the date line (merged across
    columns), the signers' titles, "(Ký, ghi rõ họ tên)", blank rows for the signatures and the names."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Danh sách")
    sheet.write_string(0, 0, "DANH SÁCH HỘ GIA ĐÌNH ĐĂNG KÝ GIA ĐÌNH HỌC TẬP NĂM 2026")
    for c, heading in enumerate(FAMILY_HEADER):
        sheet.write_string(1, c, heading)
    r = 2
    for row in rows:
        for c, value in enumerate(row):
            if isinstance(value, int):
                sheet.write_number(r, c, value)
            elif value:
                sheet.write_string(r, c, value)
        r += 1
        if middle is not None and r == 4:  # a note line inside the table, with rows after it
            for c, value in enumerate(middle):
                if value:
                    sheet.write_string(r, c, value)
            r += 1
    r += 1  # the blank row
    sheet.merge_range(r, 3, r, 5, "Ninh Phước, ngày 05 tháng 12 năm 2026")
    sheet.write_string(r + 1, 0, "Người lập biểu")
    sheet.write_string(r + 1, 4, "CHỦ TỊCH")
    sheet.write_string(r + 2, 0, "(Ký, ghi rõ họ tên)")
    sheet.write_string(r + 2, 4, "(Ký, ghi rõ họ tên, đóng dấu)")
    sheet.write_string(r + 5, 0, "Trần Thị Lập")
    sheet.write_string(r + 5, 4, "Nguyễn Văn Chủ")
    book.close()
    return out.getvalue()


HOUSEHOLDS = [
    ["Xã Phước Hải", "Thôn Từ Thiện", "Nguyễn Văn An", "Ông", 4, "H1"],
    ["Xã Phước Hải", "Thôn Thái An", "Đàng Thị Bích", "Bà", 5, "H2"],
    ["Xã Phước Hải", "Thôn Thái An", "Trần Văn Cường", "", 3, "H3"],
]


def test_the_signature_block_below_the_list_is_left_out_and_the_preview_says_so(admin_client, areas, settings):
    settings.LANGUAGE_CODE = "vi"
    data = signed_list(HOUSEHOLDS)
    plan = importer.plan_import(data, "ds.xlsx")
    assert plan.counts() == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0}
    assert plan.ignored_rows == [7, 8, 9, 12]  # the date line, titles, "(Ký...)", the names

    job, html = upload(admin_client, data)
    assert (job.created, job.rejected, job.ignored_rows) == (3, 0, [7, 8, 9, 12])
    assert "Bỏ qua 4 dòng chữ ký/ghi chú cuối bảng (dòng 7, 8, 9, 12)" in text(html)
    assert "data-import-rejected" not in html
    admin_client.post(reverse("evaluations_imports:detail", args=[job.pk]))
    assert sorted(LearningFamily.objects.values_list("code", flat=True)) == ["H1", "H2", "H3"]


def test_the_command_says_it_left_the_signature_block_out(areas, tmp_path, capsys, settings):
    from django.core.management import call_command

    settings.LANGUAGE_CODE = "vi"
    path = tmp_path / "ds.xlsx"
    path.write_bytes(signed_list(HOUSEHOLDS))
    call_command("import_workbook", str(path), "--kind", "family", "--dry-run")
    assert "Bỏ qua 4 dòng chữ ký/ghi chú cuối bảng (dòng 7, 8, 9, 12)." in capsys.readouterr().out


def test_a_bad_row_inside_the_table_is_still_rejected(areas, settings):
    settings.LANGUAGE_CODE = "vi"
    # A note line between rows, and a data row with a missing count at the end of the table.
    rows = [*HOUSEHOLDS, ["Xã Phước Hải", "Thôn Từ Thiện", "Lê Văn Thiếu", "Ông", "", "H4"]]
    plan = importer.plan_import(signed_list(rows, middle=["", "Ghi chú: hộ chuyển đi"]), "ds.xlsx")
    assert plan.counts() == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 2}
    assert sorted({r.row for r in plan.rejections}) == [5, 7]
    assert plan.ignored_rows == [9, 10, 11, 14]


def test_a_last_row_naming_only_a_village_is_a_community_not_a_footer(areas):
    data = xlsx(
        [
            ["Xã/phường", "Thôn/khu phố", "Mã"],
            ["Xã Phước Hải", "Thôn Từ Thiện", "C1"],
            ["Xã Phước Hải", "Thôn Thái An", ""],
        ]
    )
    plan = importer.plan_import(data, "cd.xlsx", kind="community")
    assert (plan.counts()["created"], plan.ignored_rows) == (2, [])
