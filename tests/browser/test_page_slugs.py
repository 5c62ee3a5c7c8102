"""An editor types a Vietnamese title in the admin: the page's address is filled in ASCII, đ as d."""

import re

import pytest

from content.models import StandardPage
from tests.browser.test_officer_flow import PASSWORD, log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_slug_is_filled_from_a_vietnamese_title_in_ascii(live_server, page, screenshot, home_page):
    UserFactory(username="bien-tap", is_staff=True, is_superuser=True, password=PASSWORD)
    base = live_server.url
    log_in(page, base, "bien-tap")
    page.goto(f"{base}/admin/pages/add/content/standardpage/{home_page.pk}/")
    title = page.locator("input[name=title]")
    title.fill("")
    title.press_sequentially("Xã Ninh Phước – Đình làng Đông Hải ưu tiên")
    slug = page.locator("input[name=slug]")
    expect = "xa-ninh-phuoc-dinh-lang-dong-hai-uu-tien"
    page.wait_for_function(
        "expected => document.querySelector('input[name=slug]').value === expected", arg=expect, timeout=5_000
    )
    assert slug.input_value() == expect
    page.get_by_role("tab", name="Quảng bá").click()
    screenshot(page, "admin-slug-from-vietnamese-title", full_page=False)
    page.get_by_role("button", name="Lưu bản nháp").click()
    page.wait_for_url(re.compile(r"/admin/pages/\d+/edit/"))
    assert StandardPage.objects.get().slug == expect
