"""Issue 17, "what must show that it works": each role's everyday journey end to end in a real browser, on
the demo data as ``make run`` loads it (``load_demo_data``, with fewer households), on a desktop (1280x900)
and on a phone (390x844). Screenshots: ``test-artifacts/screenshots/journey-<role>-<step>-<width>.png``.

The demo is loaded once for the module (about 20 s) and served by a live server of the module's own: the
journeys run one after another on the same data, each picking rows the one before left as they were (a
returned draft not submitted yet, submitted evaluations not reviewed yet). The database is flushed after the
module, as after any transactional test (``tests.conftest.rebuild_after_flush`` makes the next one whole).
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.core.management import call_command
from django.utils import translation

import pytest

from evaluations.demo import DEMO_PASSWORD, RETURN_REASONS
from evaluations.models import AdministrativeUnit, CriteriaSet, Evaluation, EvaluationStatus
from evaluations.models.criteria import SourceStatus
from evaluations.points import points_text
from tests.browser.test_officer_flow import log_in as log_in_as

pytestmark = [pytest.mark.browser]

WIDTHS = [1280, 390]
NEWS_TITLES = {
    # One article per run: a second with the same title would take the same address.
    1280: ("Xã Ninh Phước trao học bổng cho học sinh", "xa-ninh-phuoc-trao-hoc-bong-cho-hoc-sinh"),
    390: ("Phường Đô Vinh trao học bổng cho học sinh nghèo", "phuong-do-vinh-trao-hoc-bong-cho-hoc-sinh-ngheo"),
}
PHAN_RANG = "22759"


def asks_for_a_database(item) -> bool:
    """Whether pytest-django sets up the test database for ``item`` (the rule of its ``django_db_setup``)."""
    return item.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
    )


@pytest.fixture(scope="module")
def journey_database(request, django_db_setup, django_db_blocker):
    """The test database. pytest-django sets it up for the tests that ask for one; these tests, unmarked so
    that their data is loaded once and not flushed after each, set it up here when run on their own."""
    from django.test.utils import setup_databases, teardown_databases

    if any(asks_for_a_database(item) for item in request.session.items):
        yield
        return
    with django_db_blocker.unblock():
        config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    yield
    with django_db_blocker.unblock():
        teardown_databases(config, verbosity=0)


@pytest.fixture(scope="module")
def demo_server(journey_database, django_db_blocker):
    """The demo province on a live server, for every journey of the module; flushed afterwards."""
    from pytest_django.live_server_helper import LiveServer

    from tests.conftest import rebuild_after_flush

    # The server thread reads the database while the tests run: access stays open for the whole module.
    with django_db_blocker.unblock():
        rebuild_after_flush()  # an earlier transactional test may have flushed the groups and the page tree
        call_command("load_demo_data", households=150, verbosity=0)
        server = LiveServer("localhost")
        try:
            yield server.url
        finally:
            server.stop()
            call_command("flush", verbosity=0, interactive=False)


@pytest.fixture
def browse(browser):
    """A new browser window of ``width`` (a phone below 600 px: touch, mobile viewport), closed after."""
    contexts = []

    def open_page(width: int):
        phone = width < 600
        context = browser.new_context(
            viewport={"width": width, "height": 844 if phone else 900},
            is_mobile=phone,
            has_touch=phone,
            locale="vi-VN",
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def log_in(page, base: str, username: str) -> None:
    """The officer flow's sign-in, with the demo users' password."""
    log_in_as(page, base, username, DEMO_PASSWORD)


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def within_width(locator, width: int) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 1


def scrolls_into_reach(locator) -> bool:
    """Whether what is wider than the screen in ``locator`` can be scrolled to: the nearest box it overflows
    scrolls sideways. The admin's page hides horizontal overflow, so anything else is cut off for good."""
    return locator.evaluate(
        """element => {
            for (let box = element.parentElement; box; box = box.parentElement) {
                if (box.scrollWidth > box.clientWidth + 1) {
                    return ["auto", "scroll"].includes(getComputedStyle(box).overflowX);
                }
            }
            return true;
        }"""
    )


def todo_item(page, label: str):
    """The "Việc cần làm" item ``label`` on the dashboard, and the count it shows."""
    panel = page.locator(".todo-panel")
    assert panel.get_by_role("heading", name="Việc cần làm").is_visible()
    item = panel.locator("li.todo-item").filter(has=page.get_by_role("link", name=re.compile(rf"^\d+\+? {label}$")))
    assert item.count() == 1, panel.inner_text()
    return item, int(item.locator(".todo-count").inner_text().rstrip("+"))


def open_row_inspect(page, row) -> int:
    """Open a listing row's inspect page from its "more" menu ("Kiểm tra"); returns the object's id."""
    row.get_by_role("button", name=re.compile("^Tùy chọn khác")).click()
    row.get_by_role("link", name="Kiểm tra", exact=True).click()
    page.wait_for_url(re.compile(r"/inspect/\d+/$"))
    return int(re.search(r"/inspect/(\d+)/$", page.url)[1])


def message(page) -> str:
    """The admin's messages on the page now."""
    messages = page.locator(".messages li")
    messages.first.wait_for()
    return " ".join(messages.all_inner_texts())


def submit(page, control) -> None:
    """Click a control that posts a form, and wait for the page it leads to."""
    with page.expect_navigation():
        control.click()


# 1. The commune officer -----------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_commune_officer_corrects_a_returned_draft_and_submits_it(demo_server, browse, screenshot, width):
    base, page = demo_server, browse(width)
    log_in(page, base, "xa-ninhphuoc")
    item, returned = todo_item(page, "Trả lại để sửa")
    assert returned >= 1
    # The first returned drafts are listed by name with the reviewer's reason.
    reasons = item.locator(".todo-rows q").all_inner_texts()
    assert reasons and all(reason in RETURN_REASONS for reason in reasons), reasons
    screenshot(page, f"journey-xa-ninhphuoc-1-dashboard-{width}")

    item.get_by_role("link", name=re.compile(r"Trả lại để sửa$")).click()
    page.wait_for_url(re.compile(r"\?returned=true$"))
    assert "Trả lại để sửa:\nCó" in page.locator("[data-w-active-filter-id=id_returned]").inner_text()
    rows = page.locator("table.listing tbody tr")
    assert rows.count() == returned
    assert rows.locator(".status-returned").all_inner_texts() == ["Trả lại để sửa"] * returned
    screenshot(page, f"journey-xa-ninhphuoc-2-returned-list-{width}")

    pk = open_row_inspect(page, rows.first)
    evaluation = Evaluation.objects.select_related("criteria_set").get(pk=pk)
    assert evaluation.status == EvaluationStatus.DRAFT and evaluation.status_reason in RETURN_REASONS
    note = page.get_by_role("note").filter(has_text="Trả lại để sửa:")
    assert note.inner_text() == f"Trả lại để sửa: {evaluation.status_reason}"
    screenshot(page, f"journey-xa-ninhphuoc-3-inspect-{width}")

    page.get_by_role("link", name="Nhập điểm và minh chứng").click()
    page.wait_for_url(re.compile(rf"/score/{pk}/$"))
    inputs = page.locator(".score-input input[type=text][name^=score_]")
    assert inputs.count() >= 1
    if width < 600:
        for field in inputs.all():
            box = field.bounding_box()
            assert box["width"] >= 150 and within_width(field, width), box
        assert no_horizontal_overflow(page)
    # Take half a point (or one, from a total ending in ",5") off the highest score: the new total ends in ",5".
    values = [Decimal(field.input_value().replace(",", ".") or "0") for field in inputs.all()]
    highest = max(range(len(values)), key=values.__getitem__)
    before = evaluation.total
    step = Decimal("0.5") if before == before.to_integral_value() else Decimal("1")
    typed = str(values[highest] - step).replace(".", ",")
    inputs.nth(highest).fill(typed)
    submit(page, page.get_by_role("button", name="Lưu điểm"))
    evaluation.refresh_from_db()
    assert evaluation.total == before - step
    with translation.override("vi"):
        total = points_text(evaluation.total)
    assert total.endswith(",5")  # the Vietnamese decimal mark, never "75.5"
    assert f"Đã lưu điểm: tổng điểm {total}, " in message(page)
    assert page.locator("[data-score-total]").inner_text() == total
    assert inputs.nth(highest).input_value() == typed
    if width < 600:
        assert no_horizontal_overflow(page)
    screenshot(page, f"journey-xa-ninhphuoc-4-scores-saved-{width}")

    page.get_by_role("link", name="Quay lại đánh giá").click()
    page.wait_for_url(re.compile(rf"/inspect/{pk}/$"))
    submit(page, page.get_by_role("button", name="Gửi duyệt", exact=True))
    assert f"Đã gửi duyệt “{evaluation}”." in message(page)
    assert "Trạng thái: Đã gửi" in page.locator("main").inner_text()
    assert page.get_by_role("note").filter(has_text="Trả lại để sửa:").count() == 0
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.SUBMITTED and evaluation.status_reason == ""
    screenshot(page, f"journey-xa-ninhphuoc-5-submitted-{width}")


# 2. The commune reviewer ----------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_commune_reviewer_returns_one_and_reviews_several_in_bulk(demo_server, browse, screenshot, width):
    base, page = demo_server, browse(width)
    log_in(page, base, "thamdinh-ninhphuoc")
    item, waiting = todo_item(page, "Chờ bạn thẩm định")
    assert waiting >= 4
    screenshot(page, f"journey-thamdinh-ninhphuoc-1-dashboard-{width}")

    item.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"\?status=submitted$"))
    rows = page.locator("table.listing tbody tr")
    assert rows.count() == min(waiting, 50)
    assert set(rows.locator("td:last-child").all_inner_texts()) == {"Đã gửi"}
    screenshot(page, f"journey-thamdinh-ninhphuoc-2-submitted-list-{width}")

    pk = open_row_inspect(page, rows.first)
    evaluation = Evaluation.objects.get(pk=pk)
    reason = f"Thiếu biên bản họp xét duyệt của thôn (kiểm tra trên màn hình {width} px)."
    page.get_by_label("Lý do").fill(reason)
    return_button = page.get_by_role("button", name="Trả lại để sửa", exact=True)
    assert within_width(return_button, width), return_button.bounding_box()
    assert within_width(page.get_by_label("Lý do"), width)
    return_button.scroll_into_view_if_needed()
    screenshot(page, f"journey-thamdinh-ninhphuoc-3-return-form-{width}")
    submit(page, return_button)
    assert f"Đã trả lại “{evaluation}” để sửa." in message(page)
    assert page.get_by_role("note").filter(has_text="Trả lại để sửa:").inner_text() == f"Trả lại để sửa: {reason}"
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.DRAFT and evaluation.status_reason == reason
    screenshot(page, f"journey-thamdinh-ninhphuoc-4-returned-{width}")

    # Three more from the listing, reviewed in one go with the listing's bulk action.
    page.goto(base + "/admin/snippets/evaluations/evaluation/?status=submitted")
    chosen = []
    for row in rows.all()[:3]:
        checkbox = row.locator("input[data-bulk-action-checkbox]")
        checkbox.check()
        chosen.append(int(checkbox.get_attribute("data-object-id")))
    assert page.locator("[data-bulk-action-num-objects]").inner_text() == "Đã chọn 3 mục"
    footer = page.locator("[data-bulk-action-footer]")
    review = footer.locator("a[data-bulk-action-button]").filter(has_text=re.compile(r"^\s*Xác nhận đã thẩm định\s*$"))
    # The reviewer's own action is one of the buttons, not folded under "Thêm" behind actions they may not take;
    # "Thêm" holds only the documents to print.
    assert review.is_visible()
    footer.get_by_role("button", name="Thêm").click()
    folded = [t.strip() for t in page.locator(".w-dropdown__content a[data-bulk-action-button]").all_inner_texts()]
    assert folded and set(folded) <= {"Dự thảo quyết định công nhận", "In giấy công nhận", "In phiếu đánh giá"}, folded
    page.keyboard.press("Escape")
    page.wait_for_timeout(500)  # the menu's closing, before the next click
    review.click()
    page.wait_for_url(re.compile(r"/admin/bulk/evaluations/evaluation/review/\?"))
    assert "Thao tác này áp dụng cho 3 đánh giá:" in page.locator("main").inner_text()
    screenshot(page, f"journey-thamdinh-ninhphuoc-5-bulk-review-{width}")
    page.locator("main").get_by_role("button", name="Xác nhận đã thẩm định").click()
    page.wait_for_url(re.compile(r"/admin/snippets/evaluations/evaluation/\?status=submitted$"))
    assert "Đã xác nhận thẩm định 3 đánh giá." in message(page)
    assert sorted(Evaluation.objects.filter(pk__in=chosen).values_list("status", flat=True)) == ["reviewed"] * 3
    for pk in chosen:
        assert page.locator(f"input[data-object-id='{pk}']").count() == 0  # gone from the submitted list
    screenshot(page, f"journey-thamdinh-ninhphuoc-6-reviewed-{width}")


# 3. The provincial officer --------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_provincial_officer_finds_unconfirmed_sets_and_the_roll_up(demo_server, browse, screenshot, width):
    base, page = demo_server, browse(width)
    log_in(page, base, "tinh")
    item, unconfirmed = todo_item(page, "Bộ tiêu chí đang dùng chưa xác nhận văn bản gốc")
    in_use = (
        CriteriaSet.objects.exclude(source_status=SourceStatus.CONFIRMED)
        .filter(evaluations__isnull=False)
        .distinct()
        .count()
    )
    assert unconfirmed == in_use >= 1
    screenshot(page, f"journey-tinh-1-dashboard-{width}")

    item.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/admin/snippets/evaluations/criteriaset/\?"))
    rows = page.locator("table.listing tbody tr")
    # The list holds the sets the dashboard counted: those in use, not the unused drafts as well.
    assert rows.count() == unconfirmed
    assert f"Có {unconfirmed} kết quả khớp" in page.locator("main").inner_text()
    partial = "Chưa đầy đủ: cần bổ sung theo văn bản chính thức"
    assert set(rows.locator("td:nth-child(6)").all_inner_texts()) == {partial}
    screenshot(page, f"journey-tinh-2-criteria-sets-{width}")

    family_set = rows.filter(has_text="Gia đình học tập").first
    pk = open_row_inspect(page, family_set)
    warning = page.locator(".unconfirmed-set")
    assert "chưa được xác nhận theo văn bản gốc" in warning.inner_text()
    warning.get_by_role("link", name="Hoàn thiện và xác nhận").click()
    page.wait_for_url(re.compile(rf"/criteriaset/confirm/{pk}/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Hoàn thiện và xác nhận bộ tiêu chí"
    assert page.get_by_role("group", name="Văn bản ban hành").is_visible()
    assert page.get_by_label("số văn bản").input_value() == CriteriaSet.objects.get(pk=pk).document_number
    assert page.get_by_role("button", name="Lưu").is_visible()
    screenshot(page, f"journey-tinh-3-confirm-{width}")

    page.goto(base + "/admin/reports/")
    assert page.get_by_role("heading", level=1).inner_text() == "Báo cáo tổng hợp"
    assert page.title().startswith("Báo cáo tổng hợp")
    main = page.locator("main")
    assert "Tỉnh Khánh Hòa – 2026" in main.inner_text()
    rollup = main.locator("table").first
    assert "Tỷ lệ công nhận (%)" in rollup.inner_text()
    assert rollup.locator("tr").filter(has_text="Xã Ninh Phước").count() == 1
    download = page.get_by_role("link", name="Tải báo cáo theo mẫu (xlsx)")
    assert download.locator("svg").bounding_box()["width"] <= 24  # an icon beside the words, not over them
    if width < 600:
        # The filters, the download and the roll-up stay on the screen; the wide table scrolls in its box.
        for control in (page.get_by_label("Địa bàn"), page.get_by_role("button", name="Xem"), download):
            assert within_width(control, width), control.bounding_box()
        assert scrolls_into_reach(rollup)
    screenshot(page, f"journey-tinh-4-report-{width}")


# 4. Communications ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_communications_publishes_a_news_article(demo_server, browse, screenshot, width):
    from playwright.sync_api import expect

    base, page = demo_server, browse(width)
    title, slug = NEWS_TITLES[width]
    log_in(page, base, "truyenthong")
    page.goto(base + "/admin/pages/")
    assert page.get_by_role("heading", level=1).inner_text() == "Đang duyệt: Gốc"
    screenshot(page, f"journey-truyenthong-1-explorer-root-{width}")
    page.get_by_role("link", name=re.compile(r"^Xem các trang con của 'Hội Khuyến học")).click()
    page.wait_for_url(re.compile(r"/admin/pages/\d+/$"))
    page.get_by_role("link", name="Xem các trang con của 'Tin tức'").click()
    page.wait_for_url(re.compile(r"/admin/pages/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Đang duyệt: Tin tức"
    page.get_by_role("link", name="Thêm trang con").first.click()
    page.get_by_role("link", name="Bài viết", exact=True).click()
    page.wait_for_url(re.compile(r"/admin/pages/add/content/articlepage/\d+/$"))

    field = page.locator("input[name=title]")
    field.click()
    field.press_sequentially(title)
    expect(page.locator("input[name=slug]")).to_have_value(slug)  # filled as the title is typed
    date = page.locator("input[name=date]")
    date.fill("03/12/2026")
    date.press("Escape")  # the date picker
    page.locator("input[name=author]").fill("Ban Truyền thông Hội Khuyến học")
    summary = "Mười học sinh vượt khó của xã được trao học bổng khuyến học năm 2026."
    page.locator("textarea[name=intro]").fill(summary)
    page.get_by_role("tab", name="Quảng bá").click()
    assert page.get_by_label("Đường dẫn*", exact=True).input_value() == slug
    screenshot(page, f"journey-truyenthong-2-new-article-{width}", full_page=False)

    page.get_by_role("button", name="Thao tác khác").click()
    page.get_by_role("button", name="Xuất bản").click()
    page.wait_for_url(re.compile(r"/admin/pages/\d+/$"))
    assert f"Đã tạo và xuất bản trang '{title}'." in message(page)
    screenshot(page, f"journey-truyenthong-3-published-{width}")

    page.goto(f"{base}/tin-tuc/{slug}/")
    assert page.get_by_role("heading", level=1).inner_text() == title
    assert "03/12/2026" in page.locator(".byline").inner_text()
    screenshot(page, f"journey-truyenthong-4-public-article-{width}")


# 5. The auditor -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_auditor_reads_phan_rang_only(demo_server, browse, screenshot, width):
    base, page = demo_server, browse(width)
    log_in(page, base, "kiemtra-phanrang")
    assert page.locator(".todo-panel").get_by_text("Không có việc nào đang chờ bạn.").is_visible()

    page.goto(base + "/admin/snippets/evaluations/evaluation/?year=2026")
    phan_rang = AdministrativeUnit.objects.current().get(code=PHAN_RANG)
    # Each row's unit with the unit it belongs to ("Khu phố 1 (Kinh Dinh), Phường Phan Rang").
    units = {unit.label_with_parent for unit in AdministrativeUnit.objects.filter(path__startswith=phan_rang.path)}
    expected = Evaluation.objects.filter(year=2026, area__path__startswith=phan_rang.path).count()
    assert 0 < expected < Evaluation.objects.filter(year=2026).count()
    assert f"Có {expected} kết quả khớp" in page.locator("main").inner_text()
    rows = page.locator("table.listing tbody tr")
    headings = [text.strip() for text in page.locator("table.listing thead th").all_inner_texts()]
    # Reads only: the one thing rows are ticked for is printing their evaluation sheets.
    rows.locator("input[type=checkbox]").first.check()
    offered = page.locator("[data-bulk-action-footer] .bulk-actions-buttons").inner_text()
    assert "In phiếu đánh giá" in offered
    assert not any(word in offered for word in ("Gửi duyệt", "Công nhận", "Trả lại", "Xoá", "In giấy công nhận"))
    rows.locator("input[type=checkbox]").first.uncheck()
    column = headings.index("Địa bàn") + 1
    areas = set(rows.locator(f"td:nth-child({column})").all_inner_texts())
    assert areas and areas <= units, areas - units
    # Read only: nothing to add, no titles leading to a form.
    assert page.get_by_role("link", name="Thêm đánh giá").count() == 0
    assert rows.locator("a[href*='/edit/']").count() == 0
    screenshot(page, f"journey-kiemtra-phanrang-1-evaluations-{width}")

    rows.first.locator("td.title a").click()
    page.wait_for_url(re.compile(r"/evaluation/inspect/\d+/$"))
    main = page.locator("main")
    text = main.inner_text()
    assert ", Phường Phan Rang" in text
    assert page.get_by_role("link", name="Nhập điểm và minh chứng").count() == 0
    # No workflow action: only its documents to print (the sheet; the certificate once recognised).
    actions = [t.strip() for t in main.locator(".evaluation-actions").locator("a, button").all_inner_texts()]
    assert "Phiếu đánh giá (PDF)" in actions
    assert set(actions) <= {"Phiếu đánh giá (PDF)", "Giấy công nhận (PDF)"}, actions
    assert re.search(r"Ngày tạo\n\d{2}:\d{2} ngày \d{2}/\d{2}/\d{4}\n", text), text
    assert not re.search(r"\b(True|False|None)\b", text)
    screenshot(page, f"journey-kiemtra-phanrang-2-inspect-{width}")

    page.goto(base + "/admin/snippets/evaluations/learningfamily/")
    page.locator("table.listing tbody tr").first.locator("td.title a").click()
    page.wait_for_url(re.compile(r"/learningfamily/inspect/\d+/$"))
    text = page.locator("main").inner_text()
    assert re.search(r"Được phép công bố\n(Có|Không)\n", text), text
    assert re.search(r"Đang sử dụng\n(Có|Không)\n", text), text
    assert re.search(r"Ngày đăng ký\n\d{2}/\d{2}/\d{4}\n", text), text
    assert ", Phường Phan Rang" in text
    assert not re.search(r"\b(True|False|None)\b", text)
    assert page.get_by_role("link", name=re.compile("^Sửa|^Biên tập")).count() == 0
    screenshot(page, f"journey-kiemtra-phanrang-3-family-{width}")


# 6. A visitor ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_visitor_searches_without_accents_and_opens_a_recognition(demo_server, browse, screenshot, width):
    base, page = demo_server, browse(width)
    page.goto(base + "/")
    search = page.get_by_role("banner").get_by_role("search")
    if width < 600:
        header = page.get_by_role("banner").bounding_box()
        assert header["height"] < 120, header
        assert not search.is_visible()
        assert no_horizontal_overflow(page)
        screenshot(page, f"journey-public-1-home-{width}", full_page=False)
        page.get_by_role("button", name="Menu").click()
    else:
        screenshot(page, f"journey-public-1-home-{width}", full_page=False)
    assert search.is_visible()
    box = search.get_by_role("searchbox")
    box.fill("nguyen")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?query=nguyen$"))
    found = int(re.match(r"(\d+) kết quả", page.get_by_role("status").inner_text())[1])
    assert found >= 10
    titles = page.locator(".search-result__title").all_inner_texts()
    assert titles and all("Nguyễn" in title for title in titles[:10]), titles  # folded: nguyen finds Nguyễn
    if width < 600:
        assert no_horizontal_overflow(page)
    screenshot(page, f"journey-public-2-search-{width}")

    model = page.locator(".search-result").filter(has=page.locator(".kicker", has_text="học tập")).first
    link = model.locator(".search-result__title a")
    name = link.inner_text()
    link.click()
    page.wait_for_url(re.compile(r"/danh-sach-cong-nhan/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == name
    assert "Quyết định số" in page.locator("main").inner_text()
    if width < 600:
        assert no_horizontal_overflow(page)
    screenshot(page, f"journey-public-3-recognition-{width}")
