"""A visitor goes home -> recognition list -> filters -> detail, in a real Chromium."""

import re

import pytest

from content.models import RecognitionListPage
from evaluations.models import HeadTitle
from tests.factories import FamilyFactory, UnitFactory, make_area_tree, make_decision, make_recognised

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def public_data(home_page):
    areas = make_area_tree()
    home = home_page
    home.title = "Hội Khuyến học tỉnh"
    home.save_revision().publish()
    page = RecognitionListPage(
        title="Danh sách công nhận", slug="danh-sach", area=areas["province"], show_in_menus=True
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    decision = make_decision(areas["commune_a"], "125/QĐ-UBND", 2025)
    decision_b = make_decision(areas["commune_b"], "88/QĐ-UBND", 2025)
    family = make_recognised(
        FamilyFactory(head_name="Nguyễn Văn An", head_title=HeadTitle.MR, area=areas["village_a1"]), decision
    )
    make_recognised(
        FamilyFactory(head_name="Nguyễn Thị Bình", head_title=HeadTitle.MRS, area=areas["village_b1"]), decision_b
    )
    make_recognised(UnitFactory(unit_name="Trường Tiểu học Phước Hải", area=areas["commune_a"]), decision)
    declined = FamilyFactory(head_name="Nguyễn Văn Kín", area=areas["village_a1"], publish_consent=False)
    make_recognised(declined, decision)
    return {"areas": areas, "page": page, "family": family}


def test_visitor_finds_a_recognised_family(live_server, page, screenshot, public_data):
    page.goto(live_server.url + "/")
    # Keyboard first: the first Tab lands on the skip link.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.get_by_role("banner").count() == 1
    assert page.get_by_role("main").count() == 1
    assert page.get_by_role("contentinfo").count() == 1
    screenshot(page, "01-home")

    page.get_by_role("navigation", name="Chính").get_by_role("link", name="Danh sách công nhận").click()
    page.wait_for_url(re.compile(r"/danh-sach/$"))
    assert page.get_by_role("status").inner_text() == "3 mô hình học tập được công nhận"
    assert page.get_by_text("Nguyễn Văn Kín").count() == 0  # declined publication
    screenshot(page, "02-recognition-list")

    # Filters: every control has a visible label; the name is typed without diacritics.
    page.get_by_label("Tên").fill("nguyen")
    page.get_by_label("Loại mô hình").select_option("family")
    page.get_by_label("Địa bàn").select_option(public_data["areas"]["commune_a"].code)  # by GSO code, as the API
    page.get_by_label("Năm").select_option("2025")
    page.get_by_role("button", name="Xem").click()
    page.wait_for_url(re.compile(r"kind=family"))
    assert "q=nguyen" in page.url and f"area={public_data['areas']['commune_a'].code}" in page.url
    assert page.get_by_role("status").inner_text() == "1 mô hình học tập được công nhận"
    rows = page.locator("table.recognitions tbody tr")
    assert rows.count() == 1
    assert "Thôn Từ Thiện, Xã Phước Hải" in rows.first.inner_text()
    screenshot(page, "03-recognition-list-filtered")

    # The filtered address can be shared: opened afresh it shows the same result and filters.
    shared = page.url
    other = page.context.new_page()
    other.goto(shared)
    assert other.locator("table.recognitions tbody tr").count() == 1
    assert other.get_by_label("Loại mô hình").input_value() == "family"
    other.close()

    page.get_by_role("link", name="Gia đình ông Nguyễn Văn An").click()
    page.wait_for_url(re.compile(rf"/danh-sach/{public_data['family'].pk}/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Gia đình ông Nguyễn Văn An"
    assert "Quyết định số 125/QĐ-UBND ngày 15/12/2025" in page.locator("dl.facts").inner_text()
    screenshot(page, "04-recognition-detail")


def test_recognition_list_on_a_phone(live_server, browser, screenshot, public_data):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="vi-VN")
    phone = context.new_page()
    phone.goto(live_server.url + public_data["page"].url)
    # No sideways scrolling on a narrow screen.
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert phone.get_by_role("link", name="Gia đình ông Nguyễn Văn An").is_visible()
    screenshot(phone, "05-recognition-list-phone")
    context.close()


def phone_page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="vi-VN")
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    return context, phone


def test_the_header_is_compact_on_a_phone_and_the_menu_opens(live_server, browser, screenshot, public_data):
    """Reported: on a 390x844 phone the header and the menu took 355 px; folded behind "Menu", under 120."""
    context, phone = phone_page(browser)
    phone.goto(live_server.url + "/")
    header = phone.get_by_role("banner")
    menu = phone.get_by_role("button", name="Menu")
    navigation = phone.get_by_role("navigation", name="Chính")
    assert header.bounding_box()["height"] < 120
    assert menu.get_attribute("aria-expanded") == "false"
    assert not navigation.is_visible() and not phone.get_by_role("search").is_visible()
    screenshot(phone, "06-header-phone", full_page=False)

    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    assert phone.get_by_role("search").is_visible()
    link = navigation.get_by_role("link", name="Danh sách công nhận")
    assert link.is_visible()
    box = link.bounding_box()
    assert box["height"] >= 40  # a finger-sized target
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "07-header-phone-menu-open", full_page=False)
    phone.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false" and not navigation.is_visible()

    menu.click()
    link.click()
    phone.wait_for_url(re.compile(r"/danh-sach/$"))
    assert phone.get_by_role("banner").bounding_box()["height"] < 120  # folded again on the next page
    context.close()


def test_the_header_on_a_wide_screen_shows_the_search_and_menu(live_server, page, public_data):
    page.goto(live_server.url + "/")
    assert not page.get_by_role("button", name="Menu").is_visible()
    assert page.get_by_role("search").is_visible()
    assert page.get_by_role("navigation", name="Chính").get_by_role("link", name="Danh sách công nhận").is_visible()


def test_search_on_a_phone_finds_a_family_and_opens_its_recognition(live_server, browser, screenshot, public_data):
    context, phone = phone_page(browser)
    phone.goto(live_server.url + "/search/")
    field = phone.get_by_label("Tìm bài viết, câu chuyện và mô hình học tập được công nhận")
    field_box = field.bounding_box()
    button_box = phone.get_by_role("main").get_by_role("button", name="Tìm kiếm").bounding_box()
    assert field_box["width"] > 220 and field_box["height"] >= 44  # the field fills the row beside its button
    assert button_box["y"] == pytest.approx(field_box["y"], abs=4)
    field.fill("nguyen van an")
    field.press("Enter")
    phone.wait_for_url(re.compile(r"query=nguyen"))
    assert "1 kết quả" in phone.get_by_role("status").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "08-search-phone")

    phone.get_by_role("link", name="Gia đình ông Nguyễn Văn An").click()
    phone.wait_for_url(re.compile(rf"/danh-sach/{public_data['family'].pk}/$"))
    assert phone.get_by_role("heading", level=1).inner_text() == "Gia đình ông Nguyễn Văn An"
    context.close()
