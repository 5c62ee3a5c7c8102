"""Today's two-tier structure in a real browser: after the official reorganisation the reviewer of today's
commune (a real role, not a superuser) records the decision through the listing's bulk action, on a desktop
and on a 390 px phone, and the public list names today's commune."""

import re

from django.urls import reverse

import pytest

from content.models import RecognitionListPage
from evaluations import services
from evaluations.admin import evaluation_viewset
from evaluations.admin_units import load_admin_units
from evaluations.models import AdministrativeUnit, Evaluation, HeadTitle, RecognitionDecision, UnitLevel
from evaluations.roles import COMMUNE_OFFICER, COMMUNE_REVIEWER, sync_roles
from reorganisation.services import reorganisation_apply, reorganisation_create_official
from tests.browser.test_officer_flow import PASSWORD, log_in
from tests.factories import FamilyFactory, make_criteria_set, make_officer, scored_evaluation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def todays_commune(home_page):
    """Xã Phước Hải's villages and households before 1/7/2025, then the official reorganisation applied:
    the households are now on the villages' copies under today's Xã Ninh Phước."""
    from django.apps import apps

    sync_roles(apps)  # an earlier transactional test may have flushed the groups the migration made
    load_admin_units()
    old = AdministrativeUnit.objects.get(code="22894", valid_to__isnull=False)  # Xã Phước Hải
    village = AdministrativeUnit.objects.get(pk=old.pk).add_child(
        name="Thôn Từ Thiện", level=UnitLevel.VILLAGE, unit_type="Thôn"
    )
    families = [
        FamilyFactory(head_name=name, head_title=HeadTitle.MR, area=village)
        for name in ("Đàng Văn Sanh", "Lưu Văn Tài")
    ]
    reorganisation_apply(reorganisation=reorganisation_create_official())
    ninh_phuoc = AdministrativeUnit.objects.current().get(name="Xã Ninh Phước", level=UnitLevel.COMMUNE)
    province = AdministrativeUnit.objects.current().get(level=UnitLevel.PROVINCE, code="56")
    list_page = RecognitionListPage(title="Danh sách công nhận", slug="danh-sach", area=province)
    home_page.add_child(instance=list_page)
    list_page.save_revision().publish()
    officer = make_officer(COMMUNE_OFFICER, ninh_phuoc, username="xa-ninhphuoc")
    reviewer = make_officer(COMMUNE_REVIEWER, ninh_phuoc, username="thamdinh-ninhphuoc")
    reviewer.set_password(PASSWORD)
    reviewer.save()
    criteria_set = make_criteria_set(code="gdht-2026")
    evaluations = []
    for family in families:
        family.refresh_from_db()
        evaluation = scored_evaluation(family, criteria_set, year=2026, points="9")
        services.evaluation_submit(evaluation=evaluation, user=officer)
        evaluations.append(evaluation)
    return {"evaluations": evaluations, "list_page": list_page, "commune": ninh_phuoc}


@pytest.mark.parametrize("width", [1280, 390])
def test_todays_reviewer_reviews_and_records_the_decision_in_bulk(
    live_server, browser, screenshot, todays_commune, width
):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    base = live_server.url
    log_in(page, base, "thamdinh-ninhphuoc")

    for evaluation in todays_commune["evaluations"]:
        page.goto(base + reverse(evaluation_viewset.get_url_name("inspect"), args=[evaluation.pk]))
        page.get_by_role("button", name="Xác nhận đã thẩm định", exact=True).click()
        page.wait_for_load_state()
        assert "Đã thẩm định" in page.locator(".messages").inner_text()

    listing = base + reverse(evaluation_viewset.get_url_name("list")) + "?year=2026&status=reviewed"
    page.goto(listing)
    screenshot(page, f"19-reviewer-listing-{width}")
    rows = page.locator("table.listing tbody tr")
    assert rows.count() == 2, page.locator("table.listing").inner_text()
    # Select every row with the listing's own checkboxes, then the bulk action "Công nhận".
    page.locator("input[data-bulk-action-select-all-checkbox]").first.check()
    page.locator("a[data-bulk-action-button]").filter(has_text=re.compile(r"^\s*Công nhận\s*$")).click()
    page.wait_for_url(re.compile(r"/admin/bulk/evaluations/evaluation/recognise/"))
    area = page.get_by_label("Đơn vị ban hành")
    assert area.locator("option:checked").inner_text().strip() == "Xã Ninh Phước"
    assert page.get_by_label("Cơ quan ban hành").input_value() == "UBND xã Ninh Phước"
    page.get_by_label("Số quyết định").fill(f"{width}/QĐ-UBND")
    page.get_by_label("Ngày quyết định").fill("20/11/2026")
    page.get_by_label("Người ký").fill("Chủ tịch UBND xã Ninh Phước")
    # On a phone the form stays within the screen (long unit names in the select do not widen it; the
    # admin hides horizontal overflow, so anything wider would be cut off, not scrollable).
    for field in (area, page.locator(".w-field--area_choice_field .w-field__help")):
        box = field.bounding_box()
        assert box["x"] + box["width"] <= width, box
    screenshot(page, f"20-reviewer-decision-form-{width}")
    page.get_by_role("button", name="Ghi quyết định và công nhận").click()
    page.wait_for_load_state()
    assert "Đã công nhận 2 đánh giá" in page.locator(".messages").inner_text()
    decision = RecognitionDecision.objects.get(number=f"{width}/QĐ-UBND")
    assert decision.area == todays_commune["commune"]
    assert Evaluation.objects.filter(decision=decision, status="recognised").count() == 2

    page.goto(base + todays_commune["list_page"].url + "?q=dang+van+sanh")
    table = page.locator("table.recognitions").inner_text()
    assert "Xã Ninh Phước" in table and "Thôn Từ Thiện" in table and f"{width}/QĐ-UBND" in table
    screenshot(page, f"21-public-list-todays-commune-{width}")
    context.close()
