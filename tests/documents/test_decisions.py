"""The draft recognition decision (Decree 30/2020 layout), as .docx and PDF, downloaded through the real views:
of a recorded decision (its page's buttons) and of reviewed evaluations awaiting one (a bulk action). Only the
evaluations of the user's area are named; every download is recorded."""

from __future__ import annotations

import datetime
import io
import re

from django.urls import reverse

import pytest
from docx import Document
from pypdf import PdfReader

from evaluations import calendar, roles
from evaluations.models import Evaluation, ExportRecord, HeadTitle
from evaluations.services import evaluation_review, evaluation_submit
from tests.factories import (
    ClanFactory,
    FamilyFactory,
    make_criteria_set,
    make_decision,
    make_officer,
    make_recognised,
    scored_evaluation,
)

pytestmark = pytest.mark.django_db

DATE = datetime.date(2026, 12, 5)


def docx_text(data: bytes) -> tuple[str, list[list[str]]]:
    """The .docx's paragraphs and the header table's cells as one text; the attached list's rows as cells."""
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    rows = [[cell.text for cell in row.cells] for row in document.tables[-1].rows]
    return "\n".join(parts), rows


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def criteria(db):
    return make_criteria_set(
        code="gdht-448-test",
        document_number="448/QĐ-KHVN",
        document_date=datetime.date(2015, 10, 30),
        issuer="Hội Khuyến học Việt Nam",
    )


@pytest.fixture
def decision(areas, criteria):
    """Decision 123/QĐ-UBND of Xã Phước Hải (5/12/2026): two families of Thôn Từ Thiện, one of Thôn Thái An,
    and one family of the other commune (Xã Phước Hữu)."""
    decision = make_decision(areas["commune_a"], number="123/QĐ-UBND", year=2026)
    decision.decision_date = DATE
    decision.signatory = "Nguyễn Văn Chủ"
    decision.save()
    names = [
        ("Đàng Thị Bích", HeadTitle.MRS, "village_a1"),
        ("Lê Văn Ánh", HeadTitle.MR, "village_a1"),
        ("Trần Thị Hường", HeadTitle.MRS, "village_a2"),
        ("Phạm Văn Ngoài", HeadTitle.MR, "village_b1"),
    ]
    for name, title, village in names:
        family = FamilyFactory(head_name=name, head_title=title, area=areas[village])
        make_recognised(family, decision, year=2026, criteria_set=criteria)
    return decision


@pytest.fixture
def reviewer_a(areas):
    return make_officer(roles.COMMUNE_REVIEWER, areas["commune_a"], username="tham-dinh-a")


@pytest.fixture
def reviewer_b(areas):
    return make_officer(roles.COMMUNE_REVIEWER, areas["commune_b"], username="tham-dinh-b")


def download(client, decision, file_format: str):
    return client.get(reverse(f"documents:decision_{file_format}", args=[decision.pk]))


@pytest.mark.parametrize("file_format", ["docx", "pdf"])
def test_the_decision_prints_in_the_decree_30_layout(client, decision, reviewer_a, file_format):
    client.force_login(reviewer_a)
    response = download(client, decision, file_format)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="du-thao-quyet-dinh-123-qd-ubnd-')
    if file_format == "docx":
        text, rows = docx_text(response.content)
    else:
        text, rows = flat(pdf_text(response.content)), None
    assert "DỰ THẢO" not in text  # the text of a decision taken, to adjust and file
    for expected in (
        "ỦY BAN NHÂN DÂN",
        "XÃ PHƯỚC HẢI",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 123/QĐ-UBND",
        "Phước Hải, ngày 05 tháng 12 năm 2026",
        "QUYẾT ĐỊNH",
        "Về việc công nhận danh hiệu “Gia đình học tập” năm 2026",
        "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ PHƯỚC HẢI",
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;",
        "Căn cứ Quyết định số 387/QĐ-TTg ngày 25 tháng 3 năm 2022 của Thủ tướng Chính phủ",
        "Căn cứ Quyết định số 448/QĐ-KHVN ngày 30 tháng 10 năm 2015 của Hội Khuyến học Việt Nam",
        "Xét đề nghị của Hội Khuyến học xã Phước Hải.",
        "QUYẾT ĐỊNH:",
        # Điều 1 counts what the list names: the three families of the reviewer's commune.
        "Điều 1. Công nhận 3 gia đình đạt danh hiệu “Gia đình học tập” năm 2026 (có danh sách kèm theo).",
        "Điều 2.",
        "Điều 3.",
        "Nơi nhận:",
        "Như Điều 3;",
        "Hội Khuyến học tỉnh Thử Nghiệm (b/c);",
        "Lưu: VT.",
        "TM. ỦY BAN NHÂN DÂN",
        "Nguyễn Văn Chủ",
        "DANH SÁCH GIA ĐÌNH ĐẠT DANH HIỆU “GIA ĐÌNH HỌC TẬP” NĂM 2026",
        "(Kèm theo Quyết định số 123/QĐ-UBND ngày 05 tháng 12 năm 2026 của Ủy ban nhân dân xã Phước Hải)",
        "Tổng cộng: 3",
    ):
        assert expected in text, expected
    # Never the other commune's family, though the decision recognised it too.
    assert "Ngoài" not in text and "Hữu Đức" not in text
    assert "Trích danh sách" in text

    if rows is not None:
        assert rows[0] == ["STT", "Tên", "Thôn, tổ dân phố", "Mô hình học tập", "Xếp loại hoặc mức"]
        body = rows[1:-1]
        # A village heading row (merged across the columns), then its families by name.
        assert body[0][0] == "I" and body[0][1] == "Thôn Từ Thiện"
        assert body[1] == ["1", "Gia đình bà Đàng Thị Bích", "Thôn Từ Thiện", "Gia đình học tập", "Tốt"]
        assert body[2] == ["2", "Gia đình ông Lê Văn Ánh", "Thôn Từ Thiện", "Gia đình học tập", "Tốt"]
        assert body[3][0] == "II" and body[3][1] == "Thôn Thái An"
        assert body[4][:3] == ["3", "Gia đình bà Trần Thị Hường", "Thôn Thái An"]
        assert rows[-1][0] == "Tổng cộng: 3"
    else:
        list_part = text.split("DANH SÁCH GIA ĐÌNH")[1]
        assert list_part.index("Thôn Từ Thiện") < list_part.index("Gia đình bà Đàng Thị Bích")
        assert list_part.index("Gia đình ông Lê Văn Ánh") < list_part.index("Thôn Thái An")
        assert list_part.index("Thôn Thái An") < list_part.index("Gia đình bà Trần Thị Hường")

    record = ExportRecord.objects.get(listing="documents.decision")
    assert record.user == reviewer_a and record.file_format == file_format and record.row_count == 3
    assert record.filters["decision"] == decision.pk


def test_the_list_is_paged_after_the_decision(client, decision, reviewer_a):
    """The attached list begins on a page of its own."""
    client.force_login(reviewer_a)
    data = download(client, decision, "pdf").content
    pages = [flat(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]
    first_list_page = next(i for i, page in enumerate(pages) if "DANH SÁCH GIA ĐÌNH" in page)
    assert first_list_page >= 1 and "TM. ỦY BAN NHÂN DÂN" not in pages[first_list_page]


def test_a_decision_spanning_two_communes_shows_each_officer_their_own_rows(client, decision, reviewer_b):
    client.force_login(reviewer_b)
    text, rows = docx_text(download(client, decision, "docx").content)
    assert "Gia đình ông Phạm Văn Ngoài" in text + str(rows)
    assert "Điều 1. Công nhận 1 gia đình" in text
    names = [row[1] for row in rows]
    assert not any("Bích" in name or "Ánh" in name or "Hường" in name for name in names)
    # The other commune's village, named with its commune (the decision is Xã Phước Hải's).
    assert "Thôn Hữu Đức, Xã Phước Hữu" in names
    pdf = flat(pdf_text(download(client, decision, "pdf").content))
    assert "Phạm Văn Ngoài" in pdf and "Bích" not in pdf and "Hường" not in pdf


def test_another_communes_officer_gets_a_404(client, areas, criteria, reviewer_a):
    decision_b = make_decision(areas["commune_b"], number="7/QĐ-UBND", year=2026)
    make_recognised(FamilyFactory(area=areas["village_b2"]), decision_b, year=2026, criteria_set=criteria)
    client.force_login(reviewer_a)
    for file_format in ("docx", "pdf"):
        response = download(client, decision_b, file_format)
        assert response.status_code == 404 and b"7/Q" not in response.content
    for wrong in (decision_b.pk + 1000, "abc", "9" * 20, "-1"):
        assert client.get(f"/admin/documents/decisions/{wrong}/pdf/").status_code == 404
    assert not ExportRecord.objects.exists()


def test_only_those_who_record_decisions_print_them(client, decision, areas):
    officer = make_officer(roles.COMMUNE_OFFICER, areas["commune_a"], username="can-bo-a")
    client.force_login(officer)
    response = download(client, decision, "pdf")
    assert response.status_code in (302, 403) and "pdf" not in response.get("Content-Type", "")
    assert not ExportRecord.objects.exists()


def test_the_decision_page_offers_the_draft(client, decision, reviewer_a):
    client.force_login(reviewer_a)
    page = client.get(reverse("wagtailsnippets_evaluations_recognitiondecision:inspect", args=[decision.pk]))
    html = page.content.decode()
    assert reverse("documents:decision_docx", args=[decision.pk]) in html
    assert "Dự thảo quyết định (.docx)" in html and "Dự thảo quyết định (PDF)" in html


def test_several_kinds_are_all_named(client, areas, decision, criteria, reviewer_a):
    clan_set = make_criteria_set(kind="clan", code="dhht-test")
    clan = ClanFactory(clan_name="Họ Đàng", area=areas["village_a1"])
    make_recognised(clan, decision, year=2026, criteria_set=clan_set)
    client.force_login(reviewer_a)
    text = flat(pdf_text(download(client, decision, "pdf").content))
    assert "Về việc công nhận danh hiệu “Gia đình học tập” và “Dòng họ học tập” năm 2026" in text
    assert (
        "Công nhận 3 gia đình đạt danh hiệu “Gia đình học tập”; 1 dòng họ đạt danh hiệu “Dòng họ học tập” năm 2026"
        in text
    )


# --- the draft before the decision -----------------------------------------------------------------------


def bulk_url(evaluations) -> str:
    query = "&".join(f"id={e.pk}" for e in evaluations)
    return reverse("wagtail_bulk_action", args=["evaluations", "evaluation", "draft_decision"]) + "?" + query


@pytest.fixture
def reviewed(areas, criteria, superuser):
    """Reviewed evaluations of 2026: two in Xã Phước Hải, one in Xã Phước Hữu; and a draft in Xã Phước Hải."""
    made = {}
    for key, village, name in (
        ("a1", "village_a1", "Đàng Văn Một"),
        ("a2", "village_a2", "Lê Thị Hai"),
        ("b1", "village_b1", "Trần Văn Ba"),
        ("draft", "village_a1", "Phạm Thị Nháp"),
    ):
        evaluation = scored_evaluation(FamilyFactory(head_name=name, area=areas[village]), criteria, year=2026)
        if key != "draft":
            evaluation_submit(evaluation=evaluation, user=superuser)
            evaluation_review(evaluation=evaluation, user=superuser)
        made[key] = Evaluation.objects.get(pk=evaluation.pk)
    return made


@pytest.mark.parametrize("file_format", ["docx", "pdf"])
def test_the_draft_of_a_decision_to_take(client, reviewed, reviewer_a, file_format):
    client.force_login(reviewer_a)
    chosen = [reviewed["a1"], reviewed["a2"]]
    page = client.get(bulk_url(chosen)).content.decode()
    assert "Dự thảo quyết định (.docx)" in page and "Ủy ban nhân dân xã Phước Hải" in page
    response = client.post(bulk_url(chosen), {"file_format": file_format})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    if file_format == "docx":
        text, rows = docx_text(response.content)
        text += "\n" + "\n".join(" | ".join(row) for row in rows)
    else:
        text = flat(pdf_text(response.content))
    year = calendar.today().year
    assert "DỰ THẢO" in text  # marked, so that nobody files it as signed
    assert "Số: ……/QĐ-UBND" in text
    assert f"Phước Hải, ngày … tháng … năm {year}" in text
    assert "Điều 1. Công nhận 2 gia đình" in text
    assert f"(Kèm theo Quyết định số ……/QĐ-UBND ngày … tháng … năm {year} của Ủy ban nhân dân xã Phước Hải)" in text
    assert "Đàng Văn Một" in text and "Lê Thị Hai" in text and "Trần Văn Ba" not in text
    record = ExportRecord.objects.get(listing="documents.draft_decision")
    assert record.row_count == 2 and sorted(record.filters["evaluations"]) == sorted(e.pk for e in chosen)


def test_the_draft_refuses_a_selection_that_cannot_be_decided(client, areas, reviewed):
    provincial = make_officer(roles.PROVINCIAL_OFFICER, areas["province"], username="tinh-draft")
    client.force_login(provincial)
    mixed = [reviewed["a1"], reviewed["b1"], reviewed["draft"]]
    page = client.get(bulk_url(mixed)).content.decode()
    assert "thuộc 2 xã (Xã Phước Hải, Xã Phước Hữu)" in page
    assert f"“{reviewed['draft']}” đang ở trạng thái “Bản nháp”" in page
    assert 'name="file_format"' not in page
    response = client.post(bulk_url(mixed), {"file_format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "thuộc 2 xã" in response.content.decode()
    assert not ExportRecord.objects.exists()


def test_the_draft_leaves_out_what_cannot_be_recognised_and_says_why(client, reviewed, reviewer_a):
    client.force_login(reviewer_a)
    chosen = [reviewed["a1"], reviewed["draft"]]
    page = client.get(bulk_url(chosen)).content.decode()
    assert "Thao tác này áp dụng cho 1 đánh giá" in page and 'name="file_format"' in page
    assert f"“{reviewed['draft']}” đang ở trạng thái “Bản nháp”" in page
    text = flat(pdf_text(client.post(bulk_url(chosen), {"file_format": "pdf"}).content))
    assert "Điều 1. Công nhận 1 gia đình" in text and "Đàng Văn Một" in text and "Phạm Thị Nháp" not in text
    only_draft = client.get(bulk_url([reviewed["draft"]])).content.decode()
    assert "Không đánh giá nào đã chọn có thể công nhận lúc này" in only_draft
    assert 'name="file_format"' not in only_draft


def test_the_draft_is_offered_to_those_who_record_decisions(client, areas, reviewed, reviewer_a):
    listing = reverse("wagtailsnippets_evaluations_evaluation:list")
    client.force_login(reviewer_a)
    assert "Dự thảo quyết định công nhận" in client.get(listing).content.decode()
    officer = make_officer(roles.COMMUNE_OFFICER, areas["commune_a"], username="can-bo-draft")
    client.force_login(officer)
    assert "Dự thảo quyết định công nhận" not in client.get(listing).content.decode()
    response = client.post(bulk_url([reviewed["a1"]]), {"file_format": "pdf"})
    assert response.get("Content-Type", "").startswith("text/html") or response.status_code in (302, 403)
    assert not ExportRecord.objects.exists()
