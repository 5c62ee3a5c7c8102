"""A family's self-assessment by code (issue 19): the commune officer prints the family's slip from its page,
the family scans the QR code on a phone, reads the criteria, answers with a photo and sends it, without an
account; the officer then sees the answers beside the verified score. A wrong code and an expired one are
refused without naming anyone."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.utils import timezone

import pytest
from PIL import Image
from playwright.sync_api import expect

from evaluations import roles
from evaluations.models import Evaluation, Evidence, Score
from field.models import SelfAssessmentCode
from tests.browser.test_officer_flow import log_in
from tests.documents.reading import qr_codes
from tests.factories import FamilyFactory, make_area_tree, make_criteria_set, make_officer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # the factories' default
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "vi-VN"}


def test_a_family_self_assesses_with_the_code_on_its_slip(live_server, browser, page, screenshot, home_page, tmp_path):
    areas = make_area_tree()
    criteria_set = make_criteria_set(
        code="gdht-tu-danh-gia",
        name="Bộ tiêu chí gia đình học tập",
        has_self_assessment=True,
        indicators=[
            [
                {"code": "1.1", "max_points": "10", "text": "Các thành viên đọc sách mỗi tuần"},
                {"code": "1.2", "max_points": "10", "text": "Con đi học đầy đủ", "evidence_guidance": "Giấy khen"},
            ],
            [{"code": "2.1", "text": "Có góc học tập"}],
        ],
        bands=[("Tốt", "15", True)],
    )
    family = FamilyFactory(area=areas["village_a1"], head_name="Đàng Thị Bích", head_title="")
    make_officer(roles.COMMUNE_OFFICER, areas["commune_a"], username="xa-a")
    base = live_server.url

    # The officer prints the family's slip from its page.
    log_in(page, base, "xa-a", PASSWORD)
    page.goto(base + f"/admin/snippets/evaluations/learningfamily/edit/{family.pk}/")
    page.get_by_role("link", name="Phiếu tự đánh giá").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải các phiếu (PDF)").click()
    url = qr_codes(download.value.path().read_bytes())[0]
    assert re.match(re.escape(base) + r"/tu-danh-gia/[A-Z0-9]{5}-?[A-Z0-9]{5}/$", url), url

    phone = browser.new_context(**PHONE)
    try:
        family_phone = phone.new_page()
        family_phone.set_default_timeout(15_000)
        family_phone.goto(url)
        expect(family_phone.get_by_role("heading", level=1)).to_contain_text("Tự đánh giá")
        assert "Đàng Thị Bích" in family_phone.locator("main").inner_text()
        family_phone.get_by_label(re.compile(r"^1\.1\.")).fill("11")
        family_phone.get_by_label(re.compile(r"^1\.2\.")).fill("9,5")
        family_phone.get_by_role("group", name=re.compile(r"^2\.1\.")).get_by_label("Đạt", exact=True).check()
        family_phone.get_by_role("button", name="Gửi phần tự đánh giá").click()
        expect(family_phone.get_by_role("alert")).to_contain_text("Không có gì được ghi lại")
        assert not Evaluation.objects.filter(subject=family).exists(), "a refused answer stored something"
        family_phone.get_by_label(re.compile(r"^1\.1\.")).fill("8")
        photo = tmp_path / "goc-hoc-tap.jpg"
        Image.new("RGB", (800, 600), (200, 160, 90)).save(photo, "JPEG")
        family_phone.get_by_label("Ảnh (không bắt buộc)").set_input_files(str(photo))
        screenshot(family_phone, "self-assessment-form-phone")
        width = family_phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the form is {width} px wide on a 390 px phone"
        family_phone.get_by_role("button", name="Gửi phần tự đánh giá").click()
        expect(family_phone.get_by_text("Cảm ơn: phần tự đánh giá của bạn đã được ghi nhận.")).to_be_visible()
        screenshot(family_phone, "self-assessment-thanks-phone")

        evaluation = Evaluation.objects.get(subject=family)
        ids = {ind.code: ind.pk for crit in criteria_set.criteria.all() for ind in crit.indicators.all()}
        assert Score.objects.get(evaluation=evaluation, indicator_id=ids["1.2"]).self_points == Decimal("9.5")
        assert Score.objects.get(evaluation=evaluation, indicator_id=ids["1.2"]).points is None
        assert Evidence.objects.filter(evaluation=evaluation, content_type="image/jpeg").count() == 1

        # A code typed wrong, and an expired one, open nothing.
        family_phone.goto(base + "/tu-danh-gia/")
        family_phone.get_by_label("Mã trên phiếu").fill("abcde-fghjk")
        family_phone.get_by_role("button", name="Mở").click()
        expect(family_phone.get_by_role("alert")).to_contain_text("Không có phiếu")
        code = SelfAssessmentCode.objects.get(subject=family)
        SelfAssessmentCode.objects.filter(pk=code.pk).update(expires_at=timezone.now() - datetime.timedelta(days=1))
        family_phone.goto(url)
        expect(family_phone.get_by_role("alert")).to_contain_text("Mã này đã hết hạn")
        assert "Đàng Thị Bích" not in family_phone.locator("main").inner_text()
    finally:
        phone.close()

    # The officer sees the family's answers beside the score to give.
    page.goto(base + f"/admin/snippets/evaluations/evaluation/score/{evaluation.pk}/")
    self_field = page.locator(f"[name=self_{ids['1.2']}]")
    assert self_field.input_value() in {"9,5", "9.5"}
    screenshot(page, "self-assessment-seen-by-officer")
