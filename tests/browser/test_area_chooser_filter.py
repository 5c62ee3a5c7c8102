"""The evaluation listing's area filter for an officer of a large area: the unit chooser (searched by name
with or without diacritics) instead of a select of every unit, and choosing a commune narrows the listing
to it (desktop and phone)."""

import re

from django.urls import reverse

import pytest

from evaluations.admin import evaluation_viewset
from evaluations.roles import PROVINCIAL_OFFICER, sync_roles
from tests.browser.test_officer_flow import PASSWORD, log_in
from tests.factories import FamilyFactory, make_area_tree, make_evaluation, make_officer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def province(home_page, settings):
    from django.apps import apps

    sync_roles(apps)  # an earlier transactional test may have flushed the groups the migration made
    settings.AREA_SELECT_MAX = 3  # the test province has four units above its villages: the chooser
    areas = make_area_tree()
    officer = make_officer(PROVINCIAL_OFFICER, areas["province"], username="tinh-thu-nghiem")
    officer.set_password(PASSWORD)
    officer.save()
    make_evaluation(FamilyFactory(head_name="Đàng Văn Hải", area=areas["village_a1"]), year=2025)
    make_evaluation(FamilyFactory(head_name="Lưu Thị Hữu", area=areas["village_b1"]), year=2025)
    return areas


@pytest.mark.parametrize("width", [1280, 390])
def test_a_provincial_officer_filters_the_listing_by_a_commune_chosen_by_name(
    live_server, browser, screenshot, province, width
):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    base = live_server.url
    log_in(page, base, "tinh-thu-nghiem")
    page.goto(base + reverse(evaluation_viewset.get_url_name("list")))
    listing = page.locator("main")
    assert "Đàng Văn Hải" in listing.inner_text() and "Lưu Thị Hữu" in listing.inner_text()
    assert page.locator("select[name=area]").count() == 0

    page.get_by_role("button", name="Hiện bộ lọc").first.click()
    page.locator("button.w-drilldown__toggle", has_text="Địa bàn").click()
    page.get_by_role("button", name=re.compile("Chọn đơn vị hành chính")).first.click()
    modal = page.locator(".modal-content")
    modal.get_by_role("textbox").first.fill("phuoc huu")  # no diacritics, as officers type
    page.wait_for_timeout(800)  # the chooser searches as the officer types
    modal.get_by_text("Xã Phước Hữu").first.wait_for()
    assert "Xã Phước Hải" not in modal.inner_text()
    screenshot(page, f"40-area-chooser-in-the-listing-filter-{width}")
    modal.get_by_text("Xã Phước Hữu").first.click()

    page.wait_for_url(re.compile(rf"area={province['commune_b'].pk}"))
    page.get_by_text("Lưu Thị Hữu").first.wait_for()
    assert "Đàng Văn Hải" not in listing.inner_text()
    screenshot(page, f"41-listing-filtered-by-the-chosen-commune-{width}")
    context.close()
