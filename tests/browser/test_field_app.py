"""The field app on a phone (issue 19): a commune officer downloads a village's work, goes offline, scores two
evaluations (one new, with a photo), reloads the app offline and finds them, comes back online and sends;
a change made meanwhile in the admin is shown side by side, not overwritten, until the officer chooses."""

from __future__ import annotations

import io
import re
from decimal import Decimal

from django.urls import reverse

import pytest
from PIL import Image
from playwright.sync_api import expect

from evaluations import roles
from evaluations.calendar import current_evaluation_year
from evaluations.models import Evaluation, Evidence, Score
from evaluations.services import evaluation_record_scores
from tests.browser.test_officer_flow import log_in
from tests.factories import FamilyFactory, make_area_tree, make_criteria_set, make_officer, scored_evaluation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # the factories' default
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "vi-VN"}


def camera_photo(path) -> str:
    """A large photo as a phone camera takes it (the app makes it smaller before keeping it)."""
    image = Image.new("RGB", (3000, 2000), (40, 120, 60))
    for x in range(0, 3000, 200):
        image.paste((230, 200, 40), (x, 0, x + 100, 2000))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)
    path.write_bytes(buffer.getvalue())
    return str(path)


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the field app is {width} px wide on a 390 px phone"


def score_indicator(page, code: str, value: str) -> None:
    page.get_by_role("region", name=code, exact=True).get_by_role("textbox").first.fill(value)


def test_an_officer_scores_offline_and_sends_when_back_online(live_server, browser, screenshot, home_page, tmp_path):
    year = current_evaluation_year()
    areas = make_area_tree()
    criteria_set = make_criteria_set(has_self_assessment=True)
    new_family = FamilyFactory(area=areas["village_a1"], head_name="Đàng Văn Mới")
    open_family = FamilyFactory(area=areas["village_a1"], head_name="Nguyễn Thị Đang")
    FamilyFactory(area=areas["village_b1"], head_name="Trần Văn Ngoài")
    open_evaluation = scored_evaluation(open_family, criteria_set, year=year, points="5")
    ids = {ind.code: ind.pk for crit in criteria_set.criteria.all() for ind in crit.indicators.all()}
    make_officer(roles.COMMUNE_OFFICER, areas["commune_a"], username="xa-a")
    base = live_server.url

    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        log_in(page, base, "xa-a", PASSWORD)
        page.goto(base + reverse("field_app:app"))
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.get_by_role("link", name="Chọn thôn").click()
        page.get_by_label("Thôn Từ Thiện").check()
        screenshot(page, "field-villages-phone")
        page.get_by_role("button", name="Tải về máy").click()
        page.get_by_role("heading", name="Hộ gia đình và đơn vị").wait_for()
        listing = page.locator("ul.list").inner_text()
        assert "Đàng Văn Mới" in listing and "Nguyễn Thị Đang" in listing
        assert "Trần Văn Ngoài" not in listing, "a family outside the officer's area was downloaded"
        fits(page)

        context.set_offline(True)
        # A search typed without accents finds the family.
        page.get_by_label("Tìm theo tên").fill("dang van moi")
        page.get_by_role("link", name=re.compile("Đàng Văn Mới")).click()
        page.get_by_role("button", name="Bắt đầu đánh giá").click()
        for code, value in {"1.1": "9", "1.2": "8,5", "1.3": "10", "2.1": "15", "2.2": "12", "3.1": "20"}.items():
            score_indicator(page, code, value)
        totals = page.locator(".totals")
        expect(totals).to_contain_text("Chưa chấm đủ: còn 1 chỉ số")
        score_indicator(page, "3.2", "21")
        assert "Tối đa 20 điểm" in page.get_by_role("region", name="3.2", exact=True).inner_text()
        page.get_by_role("button", name="Lưu trên máy").click()
        expect(page.locator("[data-flash]")).to_contain_text("Sửa các chỉ số được đánh dấu")
        score_indicator(page, "3.2", "16")
        expect(totals).to_contain_text("Tổng điểm: 90,5 / 100")
        expect(totals).to_contain_text("Tốt")
        page.get_by_role("region", name="1.1", exact=True).get_by_text("Ghi chú", exact=True).click()
        page.get_by_label("Ghi chú 1.1").fill("Có giấy khen của xã")
        page.get_by_label("Chụp ảnh 1.1").set_input_files(camera_photo(tmp_path / "IMG_0001.jpg"))
        page.get_by_role("region", name="1.1", exact=True).locator(".photo img").wait_for()
        screenshot(page, "field-score-offline-phone")
        fits(page)
        page.get_by_role("button", name="Lưu trên máy").click()
        expect(page.locator("[data-flash]")).to_contain_text("Đã lưu trên máy")

        page.goto(base + reverse("field_app:app") + "#/subjects")
        # "dang" finds both Đàng and Đang: the search folds accents as the server does.
        page.get_by_label("Tìm theo tên").fill("dang")
        expect(page.locator("ul.list > li")).to_have_count(2)
        page.get_by_role("link", name=re.compile("Nguyễn Thị Đang")).click()
        score_indicator(page, "2.1", "14")
        page.get_by_role("button", name="Lưu trên máy").click()
        expect(page.locator("[data-flash]")).to_contain_text("Đã lưu trên máy")

        # Meanwhile someone saves the same evaluation in the admin.
        evaluation_record_scores(evaluation=open_evaluation, values={ids["2.1"]: Decimal("6")})

        # The phone restarts the app while still offline: everything is there.
        page.reload()
        page.get_by_role("heading", name=re.compile("Nguyễn Thị Đang")).wait_for()
        assert page.get_by_label(re.compile("^2.1 ")).input_value() == "14"
        page.get_by_role("link", name="Chấm điểm tại thôn").click()
        expect(page.locator("[data-outbox]")).to_have_text("2 đánh giá đã lưu và 1 ảnh đang chờ gửi.")
        page.get_by_role("link", name="Hộ gia đình và đơn vị").click()
        assert page.locator("ul.list").inner_text().count("Đã lưu trên máy, chưa gửi") == 2
        page.get_by_role("link", name=re.compile("Đàng Văn Mới")).click()
        assert page.get_by_label(re.compile("^1.2 ")).input_value() == "8,5"
        assert page.get_by_role("region", name="1.1", exact=True).locator(".photo img").count() == 1
        screenshot(page, "field-reloaded-offline-phone")
        assert not Evaluation.objects.filter(subject=new_family).exists(), "nothing is sent while offline"

        # Back online: the outbox is sent by itself.
        context.set_offline(False)
        expect(page.locator("[data-flash]")).to_contain_text("1 đánh giá cần bạn xem lại", timeout=20_000)
        created = Evaluation.objects.get(subject=new_family, year=year)
        assert created.total == Decimal("90.5") and created.grade == "Tốt"
        assert Score.objects.get(evaluation=created, indicator_id=ids["1.1"]).note == "Có giấy khen của xã"
        (photo,) = Evidence.objects.filter(evaluation=created)
        assert photo.indicator_id == ids["1.1"] and photo.content_type == "image/jpeg"
        with photo.file.open("rb") as handle:
            assert max(Image.open(handle).size) <= 1600, "the photo was sent at full size"
        # The admin's save stands: the phone's copy was based on an older version.
        assert Score.objects.get(evaluation=open_evaluation, indicator_id=ids["2.1"]).points == Decimal("6")

        page.get_by_role("link", name="Chấm điểm tại thôn").click()
        attention = page.get_by_role("region", name="Cần bạn xem lại")
        attention.get_by_role("link", name=re.compile("Nguyễn Thị Đang")).click()
        page.get_by_role("heading", name="Người khác đã sửa đánh giá này").wait_for()
        row = page.get_by_role("row", name=re.compile("^2.1"))
        assert row.inner_text().split() == ["2.1", "14", "6"]
        screenshot(page, "field-conflict-phone")
        fits(page)
        page.get_by_role("button", name="Gửi bản của tôi").click()
        expect(page.locator("[data-flash]")).to_contain_text("Đã gửi xong")
        assert Score.objects.get(evaluation=open_evaluation, indicator_id=ids["2.1"]).points == Decimal("14")
        expect(page.locator("[data-outbox]")).to_have_text("Không còn gì chờ gửi.")
        assert not errors, f"the app raised: {errors}"
    finally:
        context.close()
