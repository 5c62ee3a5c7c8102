"""Access by area through Wagtail's own doors, in a real browser: a commune officer choosing the subject of a
new evaluation finds only their own commune's families, the site history shows only their commune's
records, and a chooser address naming another commune's family answers "not found" (desktop and phone)."""

import re

from django.urls import reverse

from wagtail.log_actions import log

import pytest

from evaluations.admin import evaluation_viewset
from evaluations.roles import COMMUNE_OFFICER, sync_roles
from tests.browser.test_officer_flow import PASSWORD, log_in
from tests.factories import FamilyFactory, make_area_tree, make_officer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_communes(home_page):
    from django.apps import apps

    sync_roles(apps)  # an earlier transactional test may have flushed the groups the migration made
    areas = make_area_tree()
    officer = make_officer(COMMUNE_OFFICER, areas["commune_a"], username="xa-phuochai")
    officer.set_password(PASSWORD)
    officer.save()
    ours = FamilyFactory(head_name="Đàng Văn Vùng", area=areas["village_a1"])
    theirs = FamilyFactory(head_name="Lưu Văn Vùng", area=areas["village_b1"])
    for family in (ours, theirs):
        log(instance=family, action="wagtail.create", user=officer if family is ours else None)
    return {"ours": ours, "theirs": theirs}


@pytest.mark.parametrize("width", [1280, 390])
def test_an_officer_finds_only_their_communes_records_in_wagtails_doors(
    live_server, browser, screenshot, two_communes, width
):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    base = live_server.url
    log_in(page, base, "xa-phuochai")

    # The subject chooser of a new evaluation, searched for a word both families' names hold.
    page.goto(base + reverse(evaluation_viewset.get_url_name("add")))
    page.get_by_role("button", name=re.compile("Chọn đối tượng")).first.click()
    modal = page.locator(".modal-content")
    modal.get_by_role("textbox").first.fill("vung")
    page.wait_for_timeout(800)  # the chooser searches as the officer types
    results = modal.locator(".listing, .w-table, table").first
    results.wait_for()
    text = modal.inner_text()
    assert "Đàng Văn Vùng" in text, text
    assert "Lưu Văn Vùng" not in text, text
    screenshot(page, f"22-subject-chooser-own-commune-{width}")
    modal.get_by_text("Đàng Văn Vùng").first.click()
    page.locator("[data-chooser-title]").filter(has_text="Đàng Văn Vùng").wait_for()

    # Site history: their commune's records only.
    page.goto(base + "/admin/reports/site-history/")
    history = page.locator("main").inner_text()
    assert "Đàng Văn Vùng" in history and "Lưu Văn Vùng" not in history, history
    screenshot(page, f"23-site-history-own-commune-{width}")

    # A chooser address naming the other commune's family: "not found", no name.
    theirs = two_communes["theirs"]
    response = page.goto(base + f"/admin/snippets/choose/evaluations/learningfamily/chosen/{theirs.pk}/")
    assert response.status == 404
    assert "Lưu Văn Vùng" not in page.content()
    context.close()
