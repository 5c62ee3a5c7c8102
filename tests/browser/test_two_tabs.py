"""One officer, two browser tabs on an evaluation never saved before: the second save is refused, its entries
stay on the page, and the first tab's scores stay stored."""

from decimal import Decimal

from django.urls import reverse

import pytest

from evaluations import roles, services
from evaluations.admin import evaluation_viewset
from evaluations.models import Score
from tests.browser.test_officer_flow import PASSWORD, log_in
from tests.factories import FamilyFactory, make_area_tree, make_criteria_set, make_officer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill(page, indicators, points: str) -> None:
    for indicator in indicators:
        page.locator(f"input[name=score_{indicator.pk}]").fill(points)


def test_the_second_tab_cannot_overwrite_the_first(live_server, page, screenshot, home_page):
    areas = make_area_tree()
    evaluation = services.evaluation_create(
        subject=FamilyFactory(area=areas["village_a1"]), year=2025, criteria_set=make_criteria_set(code="gdht-tabs")
    )
    officer = make_officer(roles.COMMUNE_OFFICER, areas["commune_a"], username="hai-the")
    officer.set_password(PASSWORD)
    officer.save()
    indicators = [i for c in evaluation.criteria_set.criteria.all() for i in c.indicators.all() if i.max_points]
    base = live_server.url
    log_in(page, base, "hai-the")
    score_url = base + reverse(evaluation_viewset.get_url_name("score"), args=[evaluation.pk])

    first = page
    second = page.context.new_page()
    first.goto(score_url)
    second.goto(score_url)

    fill(first, indicators, "6")
    first.get_by_role("button", name="Lưu điểm").click()
    first.wait_for_load_state()
    assert "Đã lưu điểm" in first.content()

    fill(second, indicators, "3")
    second.get_by_role("button", name="Lưu điểm").click()
    second.wait_for_load_state()
    assert "Chưa lưu gì" in second.content()
    assert second.locator(f"input[name=score_{indicators[0].pk}]").input_value() == "3"
    screenshot(second, "14-admin-second-tab-refused")
    assert set(Score.objects.filter(evaluation=evaluation).values_list("points", flat=True)) == {Decimal("6")}
