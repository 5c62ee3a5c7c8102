"""The evaluation sheet (phiếu đánh giá): downloaded through the real views, read back from the PDF."""

from __future__ import annotations

import io
import re
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from wagtail.users.models import UserProfile

import pytest
from pypdf import PdfReader

from evaluations import roles, services
from evaluations.admin import evaluation_viewset
from evaluations.models import Evaluation, EvaluationStatus, ExportRecord, Indicator, ScoringMode, SubjectKind
from tests.factories import (
    CitizenFactory,
    FamilyFactory,
    make_criteria_set,
    make_decision,
    make_officer,
    scored_evaluation,
)
from tests.test_admin_language import english_on

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def pages_of(data: bytes) -> list[str]:
    """Each page's text, with runs of white space made one space (a cell's text wraps over lines)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def sheet_url(evaluation) -> str:
    return reverse("documents:evaluation_sheet", args=[evaluation.pk])


def bulk_url(ids) -> str:
    query = "&".join(f"id={pk}" for pk in ids)
    return reverse("wagtail_bulk_action", args=["evaluations", "evaluation", "evaluation_sheets"]) + "?" + query


@pytest.fixture
def officer(areas):
    return make_officer(roles.COMMUNE_OFFICER, areas["commune_a"], username="can-bo-phieu")


@pytest.fixture
def evaluation(areas):
    """Bà Đàng Thị Bích's family in Thôn Từ Thiện, 2026: 7,5 on 1.1 with a note and a paper, full marks elsewhere."""
    criteria_set = make_criteria_set(
        name="Bộ tiêu chí gia đình học tập 2026",
        version=2,
        indicators=[
            [
                {"code": "1.1", "max_points": "10", "text": "Trẻ em trong độ tuổi đi học đầy đủ"},
                {"code": "1.2", "max_points": "10", "text": "Kết quả học tập và rèn luyện của con em"},
                {"code": "1.3", "max_points": "10"},
            ],
            [{"code": "2.1", "max_points": "15", "text": "Người lớn biết chữ"}, {"code": "2.2", "max_points": "15"}],
            [{"code": "3.1", "max_points": "20"}, {"code": "3.2", "max_points": "20"}],
        ],
    )
    family = FamilyFactory(head_title="bà", head_name="Đàng Thị Bích", area=areas["village_a1"])
    made = scored_evaluation(family, criteria_set, year=2026, points="20")
    first = criteria_set.criteria.get(number="1").indicators.get(code="1.1")
    values = {score.indicator_id: score.points for score in made.scores.all()}
    values[first.pk] = Decimal("7.5")
    services.evaluation_record_scores(
        evaluation=made, values=values, notes={first.pk: "Cháu út nghỉ học hai tuần vì ốm"}
    )
    services.evidence_add(evaluation=made, upload=SimpleUploadedFile("giay-xac-nhan-truong.pdf", PDF), indicator=first)
    services.evidence_add(evaluation=made, upload=SimpleUploadedFile("bien-ban-hop-thon.pdf", PDF))
    Evaluation.objects.filter(pk=made.pk).update(note="Gia đình chuyển đến thôn năm 2024")
    made.refresh_from_db()
    return made


def test_an_officer_downloads_the_sheet_of_an_evaluation(client, officer, evaluation):
    client.force_login(officer)
    response = client.get(sheet_url(evaluation))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert re.match(
        r'attachment; filename="phieu-danh-gia-gia-dinh-ba-dang-thi-bich-2026-\d{8}\.pdf"',
        response["Content-Disposition"],
    )
    text = " ".join(pages_of(response.content))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "HỘI KHUYẾN HỌC XÃ PHƯỚC HẢI" in text
    assert "PHIẾU ĐÁNH GIÁ, CÔNG NHẬN GIA ĐÌNH HỌC TẬP NĂM 2026" in text
    assert "Gia đình bà Đàng Thị Bích" in text
    assert "Thôn Từ Thiện" in text and "Xã Phước Hải" in text
    assert "Bộ tiêu chí gia đình học tập 2026, phiên bản 2" in text
    assert "Trẻ em trong độ tuổi đi học đầy đủ" in text and "Người lớn biết chữ" in text
    assert "7,5" in text
    assert "Cháu út nghỉ học hai tuần vì ốm" in text
    assert "giay-xac-nhan-truong.pdf" in text
    assert "Minh chứng chung của đánh giá: bien-ban-hop-thon.pdf" in text
    assert "Gia đình chuyển đến thôn năm 2024" in text
    assert "27,5" in text  # criterion 1's subtotal: 7,5 + 10 + 10
    assert "97,5" in text  # the total
    assert "Tốt" in text and "Đạt" in text
    assert "NGƯỜI ĐÁNH GIÁ" in text and "NGƯỜI THẨM ĐỊNH" in text
    assert text.count("(Ký, ghi rõ họ tên)") == 2

    record = ExportRecord.objects.get()
    assert record.user == officer
    assert record.listing == "documents.evaluation_sheets"
    assert record.file_format == "pdf"
    assert record.filters["evaluations"] == [evaluation.pk]
    assert record.row_count == 1


def test_the_sheet_is_in_vietnamese_whatever_the_screen_language(client, officer, evaluation):
    profile = UserProfile.get_for_user(officer)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(officer)
    text = " ".join(pages_of(client.get(sheet_url(evaluation), HTTP_ACCEPT_LANGUAGE="en").content))
    assert "NGƯỜI ĐÁNH GIÁ" in text and "Tổng điểm" in text and "7,5" in text
    assert "EVALUATOR" not in text and "7.5" not in text


def test_a_pass_fail_set_shows_met_and_not_met(client, officer, areas):
    criteria_set = make_criteria_set(
        kind=SubjectKind.CITIZEN,
        mode=ScoringMode.PASS_FAIL_LEVELS,
        code="dat-khong-dat",
        indicators=[[{"code": "1.1", "level": 1, "text": "Có kế hoạch tự học"}, {"code": "1.2", "level": 2}]],
    )
    made = scored_evaluation(CitizenFactory(full_name="Pi Năng Thị Hoa", area=areas["village_a2"]), criteria_set)
    second = criteria_set.criteria.get().indicators.get(code="1.2")
    first = criteria_set.criteria.get().indicators.get(code="1.1")
    services.evaluation_record_scores(evaluation=made, values={first.pk: True, second.pk: False})
    client.force_login(officer)
    text = " ".join(pages_of(client.get(sheet_url(made)).content))
    assert "Pi Năng Thị Hoa" in text and "Có kế hoạch tự học" in text
    assert "Không đạt" in text and "Mức 1" in text  # 1.2 not met; the level reached
    assert "1 trên 2" in text  # indicators met


def test_another_communes_officer_gets_404_naming_nothing(client, areas, evaluation):
    stranger = make_officer(roles.COMMUNE_OFFICER, areas["commune_b"], username="can-bo-xa-khac")
    client.force_login(stranger)
    for address in (sheet_url(evaluation), "/admin/documents/sheets/abc/", f"/admin/documents/sheets/{'9' * 20}/"):
        response = client.get(address)
        assert response.status_code == 404
        assert "Bích".encode() not in response.content
    assert not ExportRecord.objects.exists()


def test_communications_staff_cannot_print_sheets(client, evaluation):
    staff = make_officer(roles.COMMUNICATIONS, username="truyen-thong-phieu")
    client.force_login(staff)
    assert client.get(sheet_url(evaluation)).status_code in (302, 403, 404)
    assert not ExportRecord.objects.exists()


def test_the_evaluation_page_offers_the_sheet(client, officer, evaluation):
    client.force_login(officer)
    page = client.get(reverse(evaluation_viewset.get_url_name("inspect"), args=[evaluation.pk])).content.decode()
    assert sheet_url(evaluation) in page and "Phiếu đánh giá (PDF)" in page


@pytest.fixture
def three(areas):
    criteria_set = make_criteria_set(code="gdht-in")
    names = ["Lê Văn Ân", "Trần Thị Ánh", "Đặng Văn Ẩn"]
    return [
        scored_evaluation(FamilyFactory(head_name=name, area=areas["village_a2"]), criteria_set, year=2026)
        for name in names
    ]


def test_a_batch_of_three_is_one_pdf_with_each_sheet_on_its_own_page(client, officer, three, areas):
    outside = scored_evaluation(FamilyFactory(head_name="Ngoài Vùng", area=areas["village_b1"]), three[0].criteria_set)
    client.force_login(officer)
    ids = [e.pk for e in three] + [outside.pk]
    page = client.get(bulk_url(ids)).content.decode()
    assert "In phiếu đánh giá" in page and "Tải phiếu đánh giá (PDF)" in page
    assert not english_on(page)
    assert "Lê Văn Ân" in page and "Ngoài Vùng" not in page

    response = client.post(bulk_url(ids))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = pages_of(response.content)
    assert len(pages) == 3
    # In the listing's order (by the head's name), each name on its own page only.
    for name, text in zip(["Đặng Văn Ẩn", "Lê Văn Ân", "Trần Thị Ánh"], pages, strict=True):
        assert f"Gia đình ông {name}" in text
        assert sum(f"Gia đình ông {other}" in text for other in ["Lê Văn Ân", "Trần Thị Ánh", "Đặng Văn Ẩn"]) == 1
        assert "NGƯỜI THẨM ĐỊNH" in text
    assert "Ngoài Vùng" not in " ".join(pages)

    record = ExportRecord.objects.get()
    assert record.listing == "documents.evaluation_sheets"
    assert sorted(record.filters["evaluations"]) == sorted(e.pk for e in three)
    assert record.row_count == 3


def test_select_all_prints_the_filtered_listing(client, officer, three, areas):
    other_year = scored_evaluation(
        FamilyFactory(head_name="Năm Trước", area=areas["village_a2"]), make_criteria_set(code="gdht-cu"), year=2025
    )
    client.force_login(officer)
    address = bulk_url(["all"]) + "&year=2026"
    page = client.get(address).content.decode()
    assert "Năm Trước" not in page and "Trần Thị Ánh" in page
    pages = pages_of(client.post(address).content)
    assert len(pages) == 3 and not any("Năm Trước" in text for text in pages)
    assert other_year.pk not in ExportRecord.objects.get().filters["evaluations"]


def test_a_batch_of_more_than_the_limit_is_refused(client, officer, three, monkeypatch):
    monkeypatch.setattr("documents.views.sheets.SheetsBulkAction.selection_limit", 2)
    client.force_login(officer)
    address = bulk_url([e.pk for e in three])
    page = client.get(address).content.decode()
    assert "3 đánh giá đã được chọn: mỗi lần chỉ in tối đa 2 phiếu" in page
    assert not english_on(page)
    assert "Tải phiếu đánh giá (PDF)" not in page
    response = client.post(address + "&next=/admin/", follow=True)
    assert response["Content-Type"].startswith("text/html")
    assert "Hãy lọc danh sách" in response.content.decode()
    assert not ExportRecord.objects.exists()


def test_a_long_sheet_numbers_its_own_pages(client, officer, areas):
    """A set long enough for two pages: the table's headings repeat, and the pages say "Trang 1/2"."""
    criteria_set = make_criteria_set(
        code="dai",
        indicators=[
            [{"code": f"{c}.{i}", "max_points": "2", "text": f"Nội dung chỉ số {c}.{i} " * 6} for i in range(1, 8)]
            for c in range(1, 6)
        ],
        bands=[("Đạt", "40", True)],
    )
    made = scored_evaluation(FamilyFactory(head_name="Trang Dài", area=areas["village_a1"]), criteria_set)
    client.force_login(officer)
    pages = pages_of(client.get(sheet_url(made)).content)
    assert len(pages) >= 2
    assert all(f"Trang {n}/{len(pages)}" in text for n, text in enumerate(pages, start=1))
    assert "Điểm tối đa" in pages[1]  # the table's headings again on its next page
    assert "NGƯỜI THẨM ĐỊNH" in pages[-1]


def test_the_bulk_action_is_offered_to_whoever_reads_evaluations(client, officer, three):
    listing = reverse(evaluation_viewset.get_url_name("list"))
    client.force_login(officer)
    assert "In phiếu đánh giá" in client.get(listing).content.decode()
    assert Evaluation.objects.for_user(officer).count() == 3


def test_self_assessment_and_the_recognition_decision(client, officer, areas):
    criteria_set = make_criteria_set(
        code="tu-danh-gia",
        has_self_assessment=True,
        indicators=[[{"code": "1.1", "max_points": "50"}, {"code": "1.2", "max_points": "50"}]],
    )
    made = scored_evaluation(FamilyFactory(head_name="Tự Chấm", area=areas["village_a1"]), criteria_set, points="45")
    ids = [indicator.pk for indicator in Indicator.objects.filter(criterion__criteria_set=criteria_set)]
    services.evaluation_record_scores(
        evaluation=made,
        values=dict.fromkeys(ids, Decimal(45)),
        self_values=dict.fromkeys(ids, Decimal("48.5")),
    )
    decision = make_decision(areas["commune_a"], number="77/QĐ-UBND", year=2025)
    Evaluation.objects.filter(pk=made.pk).update(status=EvaluationStatus.RECOGNISED, decision=decision)
    client.force_login(officer)
    text = " ".join(pages_of(client.get(sheet_url(made)).content))
    assert "Tự đánh giá" in text and "48,5" in text and "97" in text  # self-assessed, and its total
    assert "90/100 điểm" in text
    assert "Đã công nhận – Quyết định số 77/QĐ-UBND ngày 15/12/2025 của UBND Xã Phước Hải" in text
