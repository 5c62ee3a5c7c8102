"""The Content-Security-Policy lets the admin and the public pages work: a real Chromium reports no
violation on the dashboard, a page's rich-text editor, an image upload, a date picker and the public pages."""

import io

import pytest
from PIL import Image as PILImage

from content.models import RecognitionListPage, StandardPage
from tests.browser.test_officer_flow import PASSWORD, log_in
from tests.factories import UserFactory, make_area_tree

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(home_page):
    areas = make_area_tree()
    listing = RecognitionListPage(title="Danh sách công nhận", slug="danh-sach", area=areas["province"])
    home_page.add_child(instance=listing)
    listing.save_revision().publish()
    article = StandardPage(
        title="Giới thiệu",
        slug="gioi-thieu",
        intro="Hội Khuyến học",
        body=[("paragraph", "<p>Học tập suốt đời trong mỗi gia đình.</p>")],
    )
    home_page.add_child(instance=article)
    article.save_revision().publish()
    UserFactory(username="quan-tri", is_staff=True, is_superuser=True, password=PASSWORD)
    return {"listing": listing, "article": article}


def watch(page) -> list[str]:
    """Every CSP violation the page reports, from the console and from the DOM's own event."""
    seen: list[str] = []
    page.on(
        "console",
        lambda message: seen.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('Content Security Policy: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    return seen


def test_no_policy_violation_in_the_admin_or_the_public_pages(live_server, page, site, screenshot, tmp_path):
    base = live_server.url
    violations = watch(page)

    response = page.goto(base + "/")
    assert "script-src 'self';" in response.headers["content-security-policy"]
    page.goto(base + site["listing"].url)
    page.get_by_role("button", name="Xem").click()
    page.goto(base + site["article"].url)
    page.goto(base + "/search/?query=hoc")
    assert violations == []

    log_in(page, base, "quan-tri")
    page.wait_for_load_state("networkidle")
    screenshot(page, "csp-01-dashboard")

    # A page's editor: the StreamField and its rich-text (Draftail) paragraph.
    page.goto(f"{base}/admin/pages/{site['article'].pk}/edit/")
    editor = page.locator(".Draftail-Editor").first
    editor.wait_for()
    page.locator("[contenteditable=true]").first.click()
    page.keyboard.type(" Thêm một câu.")
    page.wait_for_load_state("networkidle")
    screenshot(page, "csp-02-page-editor")

    # An image upload through Wagtail's multiple-upload page (its scripts post the file).
    image = tmp_path / "le-trao-bang.png"
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), "green").save(buffer, "PNG")
    image.write_bytes(buffer.getvalue())
    page.goto(base + "/admin/images/multiple/add/")
    page.locator("input[type=file]").set_input_files(str(image))
    page.locator("#upload-list li.upload-success, #upload-list .upload-success").first.wait_for()
    screenshot(page, "csp-03-image-upload")
    page.goto(base + "/admin/images/")
    page.wait_for_load_state("networkidle")

    # A date picker, set up by one of the admin's inline scripts (initDateTimeChooser): the page's
    # "go live" date in the editor's schedule dialog.
    page.goto(f"{base}/admin/pages/{site['article'].pk}/edit/")
    page.locator("input[name=go_live_at]").first.wait_for(state="attached")
    page.wait_for_load_state("networkidle")
    assert violations == []
    page.wait_for_function("() => document.querySelectorAll('.xdsoft_datetimepicker').length > 0")

    assert violations == []
