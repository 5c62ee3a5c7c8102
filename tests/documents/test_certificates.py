"""Certificates of recognition: one page per recognised subject, read back from the PDF; the QR decodes to the
public verification page, which says valid or revoked and names only who may be published; access by area."""

from __future__ import annotations

import re

from django.test import override_settings
from django.urls import reverse

import pytest

from documents.models import Certificate, code_display
from evaluations import roles
from evaluations.models import DecisionKind, EvaluationStatus, ExportRecord, RecognitionDecision
from reports.models import ExportJob, ExportStatus
from tests.documents.reading import pdf_pages, qr_codes
from tests.factories import FamilyFactory, make_decision, make_officer, make_recognised

pytestmark = pytest.mark.django_db


@pytest.fixture
def decision(areas):
    """Commune A's decision recognising two families of Thôn Từ Thiện in 2025; one declined publication."""
    decision = make_decision(areas["commune_a"], number="123/QĐ-UBND")
    bich = FamilyFactory(area=areas["village_a1"], head_name="Đàng Thị Bích", head_title="")
    duc = FamilyFactory(area=areas["village_a1"], head_name="Nguyễn Văn Đức", publish_consent=False)
    make_recognised(bich, decision)
    make_recognised(duc, decision)
    return decision


@pytest.fixture
def officer(areas):
    return make_officer(roles.COMMUNE_OFFICER, areas["commune_a"], username="can-bo-a")


def download(client, decision):
    response = client.get(reverse("documents:decision_certificates", args=[decision.pk]))
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert re.match(r'attachment; filename="giay-cong-nhan-123-qd-ubnd-\d{8}\.pdf"', response["Content-Disposition"])
    return response.content


def test_a_decision_s_certificates_read_back_one_page_each(client, decision, officer):
    client.force_login(officer)
    pages = pdf_pages(download(client, decision))
    assert len(pages) == 2
    by_name = {("Bích" if "Đàng Thị Bích" in text else "Đức"): text for text in pages}
    assert set(by_name) == {"Bích", "Đức"}
    for text in pages:
        assert "GIẤY CÔNG NHẬN" in text
        assert "DANH HIỆU “GIA ĐÌNH HỌC TẬP” NĂM 2025" in text
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
        assert "Thôn Từ Thiện, Xã Phước Hải, Tỉnh Thử Nghiệm" in text
        assert "Quyết định số 123/QĐ-UBND ngày 15/12/2025" in text
        assert "Phước Hải, ngày 15 tháng 12 năm 2025" in text
        assert "Chủ tịch UBND Xã Phước Hải" in text  # the signatory
    assert "Gia đình Đàng Thị Bích" in by_name["Bích"]
    record = ExportRecord.objects.get()
    assert (record.user, record.listing, record.file_format, record.row_count) == (
        officer,
        "documents.certificates",
        "pdf",
        2,
    )
    assert record.filters == {"decision": decision.pk}


def test_each_qr_leads_to_its_own_certificate_and_the_code_is_printed_beside_it(client, decision, officer):
    client.force_login(officer)
    data = download(client, decision)
    texts = pdf_pages(data)
    for page, text in enumerate(texts):
        (url,) = qr_codes(data, page)
        match = re.fullmatch(r"http://testserver/xac-minh/([A-Z0-9]{10})/", url)
        assert match, url
        certificate = Certificate.objects.get(code=match.group(1))
        assert str(certificate.evaluation.subject) in text
        assert code_display(certificate.code) in text
    # Codes are random, never the record's number nor one after another.
    codes = sorted(Certificate.objects.values_list("code", flat=True))
    assert len(set(codes)) == 2 and not any(code.isdigit() for code in codes)


def test_a_reprint_keeps_each_certificate_s_code(client, decision, officer):
    client.force_login(officer)
    download(client, decision)
    first = dict(Certificate.objects.values_list("evaluation_id", "code"))
    data = download(client, decision)
    assert dict(Certificate.objects.values_list("evaluation_id", "code")) == first
    assert {url.rsplit("/", 2)[-2] for page in range(2) for url in qr_codes(data, page)} == set(first.values())


def verify(client, code: str):
    return client.get(reverse("certificate_verify", args=[code]))


def test_the_verification_page_names_only_who_agreed_to_be_published(client, decision, officer):
    client.force_login(officer)
    download(client, decision)
    client.logout()
    bich = Certificate.objects.get(evaluation__subject__name__contains="Bích")
    duc = Certificate.objects.get(evaluation__subject__name__contains="Đức")

    page = verify(client, bich.code).content.decode()
    assert "Giấy công nhận này hợp lệ." in page
    assert "Gia đình Đàng Thị Bích" in page and "Thôn Từ Thiện, Xã Phước Hải" in page
    assert "Gia đình học tập" in page and "2025" in page and "123/QĐ-UBND" in page

    response = verify(client, duc.code)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Giấy công nhận này hợp lệ." in page
    assert "Nguyễn Văn Đức" not in page and "Thôn Từ Thiện" not in page
    assert "Xã Phước Hải" in page and "Gia đình học tập" in page and "2025" in page
    assert "chưa đồng ý công khai" in page


def test_every_public_page_leads_to_the_check_of_a_certificate(client, home):
    page = client.get("/").content.decode()
    assert f'href="{reverse("certificate_verify_form")}"' in page and "Xác minh giấy công nhận" in page
    form = client.get(reverse("certificate_verify_form"))
    assert form.status_code == 200 and 'name="code"' in form.content.decode()


def test_a_code_typed_by_hand_is_found_and_a_wrong_one_is_refused(client, decision, officer):
    client.force_login(officer)
    download(client, decision)
    client.logout()
    code = Certificate.objects.first().code
    typed = code_display(code).lower()
    response = client.get(reverse("certificate_verify_form"), {"code": f" {typed} "})
    assert response.status_code == 200 and "Giấy công nhận này hợp lệ." in response.content.decode()
    wrong = code[:-1] + ("2" if code[-1] != "2" else "3")
    response = verify(client, wrong)
    assert response.status_code == 404
    assert "Không có giấy công nhận nào mang mã" in response.content.decode()
    assert verify(client, "1").status_code == 404


def test_a_revoked_recognition_s_certificate_says_so_with_the_revoking_decision(client, decision, officer, areas):
    client.force_login(officer)
    download(client, decision)
    client.logout()
    certificate = Certificate.objects.get(evaluation__subject__name__contains="Bích")
    assert "Giấy công nhận này hợp lệ." in verify(client, certificate.code).content.decode()
    revocation = RecognitionDecision.objects.create(
        kind=DecisionKind.REVOCATION,
        number="7/QĐ-UBND",
        decision_date=decision.decision_date.replace(year=2026, month=3, day=2),
        issuing_body="UBND Xã Phước Hải",
        signatory="Chủ tịch",
        area=areas["commune_a"],
        reason="Vi phạm",
    )
    evaluation = certificate.evaluation
    evaluation.status, evaluation.revocation = EvaluationStatus.REVOKED, revocation
    evaluation.save()
    page = verify(client, certificate.code).content.decode()  # never an earlier answer kept by a cache
    assert "đã bị thu hồi" in page and "hợp lệ." not in page.replace("không còn hợp lệ.", "")
    assert "7/QĐ-UBND" in page and "02/03/2026" in page
    assert "Đàng Thị Bích" not in page  # a revoked recognition is no longer public
    # and no new certificate is printed for it
    client.force_login(officer)
    assert len(pdf_pages(download(client, decision))) == 1


@override_settings(CERTIFICATE_VERIFY_RATE=(3, 600))
def test_the_verification_page_is_rate_limited_per_address(client, decision, officer):
    client.force_login(officer)
    download(client, decision)
    client.logout()
    code = Certificate.objects.first().code
    assert [verify(client, code).status_code for _ in range(3)] == [200, 200, 200]
    response = verify(client, code)
    assert response.status_code == 429 and "quá nhiều lần" in response.content.decode()
    other = client.get(reverse("certificate_verify", args=[code]), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200  # another address is not held up


def test_certificates_are_reached_by_area_only(client, decision, areas):
    outsider = make_officer(roles.COMMUNE_OFFICER, areas["commune_b"], username="can-bo-b")
    client.force_login(outsider)
    evaluation = decision.evaluations.first()
    assert client.get(reverse("documents:decision_certificates", args=[decision.pk])).status_code == 404
    assert client.get(reverse("documents:evaluation_certificate", args=[evaluation.pk])).status_code == 404
    assert client.get(f"/admin/documents/certificates/decision/{decision.pk}x/").status_code == 404
    assert not ExportRecord.objects.exists() and not Certificate.objects.exists()


def test_a_decision_over_two_communes_prints_only_the_officer_s_own(client, decision, areas, officer):
    other = FamilyFactory(area=areas["village_b1"], head_name="Trần Thị Zeta")
    make_recognised(other, decision)
    officer_b = make_officer(roles.COMMUNE_OFFICER, areas["commune_b"], username="can-bo-b")
    client.force_login(officer_b)
    pages = pdf_pages(download(client, decision))
    assert len(pages) == 1 and "Trần Thị Zeta" in pages[0]
    client.force_login(officer)
    pages = pdf_pages(download(client, decision))
    assert len(pages) == 2 and not any("Zeta" in text for text in pages)


def test_one_evaluation_s_certificate_from_its_page(client, decision, officer):
    client.force_login(officer)
    evaluation = decision.evaluations.get(subject__name__contains="Bích")
    page = client.get(reverse("wagtailsnippets_evaluations_evaluation:inspect", args=[evaluation.pk]))
    link = reverse("documents:evaluation_certificate", args=[evaluation.pk])
    assert link in page.content.decode() and "Giấy công nhận (PDF)" in page.content.decode()
    pages = pdf_pages(client.get(link).content)
    assert len(pages) == 1 and "Gia đình Đàng Thị Bích" in pages[0]


def test_the_decision_page_offers_its_certificates(client, decision, officer):
    client.force_login(officer)
    page = client.get(reverse("wagtailsnippets_evaluations_recognitiondecision:inspect", args=[decision.pk]))
    html = page.content.decode()
    assert reverse("documents:decision_certificates", args=[decision.pk]) in html
    assert "Giấy công nhận (PDF, 2 trang)" in html


@override_settings(DOCUMENT_BACKGROUND_SUBJECTS=1)
def test_many_certificates_are_written_in_the_background_with_progress(client, decision, officer):
    client.force_login(officer)
    response = client.get(reverse("documents:decision_certificates", args=[decision.pk]))
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:export_job", args=[job.pk])
    assert job.status == ExportStatus.DONE and job.done_rows == 2  # the test settings run tasks at once
    page = client.get(response["Location"]).content.decode()
    assert "Giấy công nhận – Quyết định 123/QĐ-UBND (pdf)" in page
    data = b"".join(client.get(reverse("reports:export_job_download", args=[job.pk])).streaming_content)
    assert len(pdf_pages(data)) == 2
    assert ExportRecord.objects.get().listing == "documents.certificates"


def bulk_url(evaluations) -> str:
    query = "&".join(f"id={e.pk}" for e in evaluations)
    return reverse("wagtail_bulk_action", args=["evaluations", "evaluation", "print_certificates"]) + "?" + query


def test_certificates_of_the_selected_evaluations_from_the_listing(client, decision, officer, areas):
    draft = FamilyFactory(area=areas["village_a2"], head_name="Lê Văn Nháp")
    from tests.factories import make_evaluation

    draft_evaluation = make_evaluation(draft)
    selected = [*decision.evaluations.all(), draft_evaluation]
    client.force_login(officer)
    page = client.get(bulk_url(selected)).content.decode()
    assert "Thao tác này áp dụng cho 2 đánh giá" in page
    assert "chỉ đánh giá đã được công nhận mới có giấy công nhận" in page
    response = client.post(bulk_url(selected))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = pdf_pages(response.content)
    assert len(pages) == 2 and not any("Lê Văn Nháp" in text for text in pages)


def test_an_auditor_reads_a_certificate_but_has_no_print_action_in_the_listing(client, decision, areas):
    from evaluations.templatetags.evaluation_tags import permitted_bulk_actions

    auditor = make_officer(roles.AUDITOR, areas["commune_a"], username="kiem-tra")
    officer = make_officer(roles.COMMUNE_OFFICER, areas["commune_a"], username="can-bo-in")
    offered = [a.action_type for a in permitted_bulk_actions(auditor, "evaluations", "evaluation")]
    assert "print_certificates" not in offered
    assert "print_certificates" in [
        a.action_type for a in permitted_bulk_actions(officer, "evaluations", "evaluation")
    ]
    client.force_login(auditor)
    assert client.post(bulk_url(decision.evaluations.all())).status_code in (302, 403, 404)
    evaluation = decision.evaluations.first()
    assert client.get(reverse("documents:evaluation_certificate", args=[evaluation.pk])).status_code == 200
