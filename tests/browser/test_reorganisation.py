"""A provincial officer applies the official reorganisation: the Apply button needs the confirmation box,
then the run's page shows the outcome (here through the background path, the threshold set low)."""

import re

from django.urls import reverse

import pytest

from reorganisation.models import ReorganisationRun, RunStatus
from tests.browser.test_officer_flow import PASSWORD, log_in
from tests.factories import UserFactory
from tests.reorganisation.conftest import world  # noqa: F401  (the fixture: real mapping, villages, subjects)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_apply_needs_the_confirmation_then_shows_the_outcome(live_server, page, screenshot, world, settings):  # noqa: F811
    settings.REORGANISATION_INLINE_MAX_SUBJECTS = 5
    UserFactory(username="tinh", password=PASSWORD, is_staff=True, is_superuser=True)
    log_in(page, live_server.url, "tinh")
    page.goto(live_server.url + reverse("reorganisation:official"))
    page.wait_for_url(re.compile(r"/admin/reorganisation/\d+/$"))
    assert page.get_by_text("Sắp xếp này lớn: việc áp dụng chạy nền").is_visible()
    preview_url = page.url

    # Without the tick the browser does not send the form: nothing is applied.
    page.get_by_role("button", name="Áp dụng", exact=True).click()
    assert page.url == preview_url
    assert not ReorganisationRun.objects.exists()

    page.get_by_label("Tôi đã đọc bản xem trước ở trên và muốn áp dụng sắp xếp này").check()
    screenshot(page, "reorganisation-confirm")
    page.get_by_role("button", name="Áp dụng", exact=True).click()
    page.wait_for_url(re.compile(r"/admin/reorganisation/\d+/runs/\d+/$"))
    assert page.locator("[data-run-status]").get_attribute("data-run-status") == "done"
    assert page.get_by_role("cell", name="Số đối tượng chuyển").is_visible()
    screenshot(page, "reorganisation-run-done")
    run = ReorganisationRun.objects.get()
    assert (run.status, run.in_background, run.counts["subjects_moved"]) == (RunStatus.DONE, True, 11)
