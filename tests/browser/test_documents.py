"""A reviewer downloads a decision's documents from its page (the draft as .docx and PDF, the certificates),
and the certificate's QR code, opened on a phone, says the certificate is valid."""

import io
import re

from django.urls import reverse

import pytest
from docx import Document
from pypdf import PdfReader

from evaluations import roles
from tests.browser.test_officer_flow import log_in
from tests.documents.reading import qr_codes
from tests.factories import FamilyFactory, make_area_tree, make_decision, make_officer, make_recognised

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # the factories' default


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_decision_documents_are_downloaded_and_a_certificate_is_verified_on_a_phone(
    live_server, browser, page, screenshot, home_page
):
    areas = make_area_tree()
    decision = make_decision(areas["commune_a"], number="123/QĐ-UBND")
    make_recognised(FamilyFactory(area=areas["village_a1"], head_name="Đàng Thị Bích", head_title=""), decision)
    make_recognised(FamilyFactory(area=areas["village_a2"], head_name="Nguyễn Văn Đức"), decision)
    make_officer(roles.COMMUNE_REVIEWER, areas["commune_a"], username="thamdinh-a")
    base = live_server.url

    log_in(page, base, "thamdinh-a", PASSWORD)
    page.goto(base + reverse("wagtailsnippets_evaluations_recognitiondecision:inspect", args=[decision.pk]))
    screenshot(page, "documents-decision-page")

    with page.expect_download() as download:
        page.get_by_role("link", name="Dự thảo quyết định (.docx)").click()
    assert download.value.suggested_filename.endswith(".docx")
    text = docx_text(open(download.value.path(), "rb").read())  # noqa: SIM115
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "123/QĐ-UBND" in text
    assert "Gia đình Đàng Thị Bích" in text and "Thôn Từ Thiện" in text

    with page.expect_download() as download:
        page.get_by_role("link", name="Dự thảo quyết định (PDF)").click()
    pdf = PdfReader(download.value.path())
    assert "Gia đình ông Nguyễn Văn Đức" in "\n".join(p.extract_text() for p in pdf.pages)

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"Giấy công nhận \(PDF, 2 trang\)")).click()
    (url,) = qr_codes(download.value.path().read_bytes())
    assert url.startswith(base + "/xac-minh/")

    # The family's phone, signed in nowhere, opens what the QR code says.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", is_mobile=True)
    try:
        public = phone.new_page()
        public.goto(url)
        assert public.get_by_text("Giấy công nhận này hợp lệ.").is_visible()
        content = public.locator("main, body").first.inner_text()
        assert "Gia đình" in content and "2025" in content and "Xã Phước Hải" in content
        width = public.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width} px wide on a 390 px phone"
        screenshot(public, "documents-verify-phone")
        public.goto(base + "/xac-minh/ABCDE-FGHJK/")
        assert public.get_by_text("Không có giấy công nhận nào mang mã").is_visible()
        screenshot(public, "documents-verify-wrong-code-phone")
    finally:
        phone.close()
