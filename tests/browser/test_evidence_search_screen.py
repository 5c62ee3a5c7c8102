"""The evidence search screen as a provincial officer uses it, on a desktop and a 390 px phone: the words found
without diacritics, and the search box, the facets and the results all within the screen (on a phone the
facets go above the results; nothing is cut off at the right)."""

import pytest

from evaluations.roles import PROVINCIAL_OFFICER, sync_roles
from evaluations.services import evaluation_create, evidence_add
from tests.browser.test_officer_flow import PASSWORD, log_in
from tests.factories import FamilyFactory, make_area_tree, make_criteria_set, make_officer
from tests.search.files import docx_with_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def evidence(home_page, django_capture_on_commit_callbacks):
    from django.apps import apps
    from django.core.files.uploadedfile import SimpleUploadedFile

    sync_roles(apps)  # an earlier transactional test may have flushed the groups the migration made
    areas = make_area_tree()
    officer = make_officer(PROVINCIAL_OFFICER, areas["province"], username="tinh-minh-chung")
    officer.set_password(PASSWORD)
    officer.save()
    evaluation = evaluation_create(
        subject=FamilyFactory(area=areas["village_a1"], head_name="Đàng Văn Hải"),
        year=2026,
        criteria_set=make_criteria_set(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        evidence_add(
            evaluation=evaluation,
            upload=SimpleUploadedFile(
                "bien-ban-hop-gia-dinh-dang-van-hai.docx",
                docx_with_text("Biên bản họp gia đình học tập thôn Từ Thiện"),
            ),
        )
    return officer


@pytest.mark.parametrize("width", [1280, 390])
def test_an_officer_finds_evidence_and_the_screen_fits_a_phone(live_server, browser, screenshot, evidence, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    log_in(page, live_server.url, evidence.username)
    page.goto(live_server.url + "/admin/search/evidence/?q=bien+ban+tu+thien")
    assert "Tìm thấy 1 tệp minh chứng" in page.locator("main").inner_text()
    assert page.get_by_role("link", name="bien-ban-hop-gia-dinh-dang-van-hai.docx").is_visible()
    screenshot(page, f"evidence-search-{width}")
    for part in ("#evidence-q", "table.listing", ".evidence-search__facets"):
        box = page.locator(part).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (part, box)
    context.close()
