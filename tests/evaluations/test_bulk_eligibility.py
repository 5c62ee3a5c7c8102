"""Before a bulk action's form, the officer reads which selected evaluations can take it and why the others
cannot; with none able to, there is no form to fill in for nothing. A reviewer marks many as reviewed at once."""

import re

from django.urls import reverse

import pytest

from evaluations import roles
from evaluations.admin import evaluation_viewset
from evaluations.models import Evaluation, EvaluationStatus
from evaluations.services import evaluation_review, evaluation_submit
from tests.factories import FamilyFactory, make_criteria_set, make_officer, scored_evaluation

pytestmark = pytest.mark.django_db


def bulk_url(action: str, evaluations) -> str:
    query = "&".join(f"id={e.pk}" for e in evaluations)
    return reverse("wagtail_bulk_action", args=["evaluations", "evaluation", action]) + "?" + query


@pytest.fixture
def reviewer(areas):
    return make_officer(roles.COMMUNE_REVIEWER, areas["commune_a"], username="tham-dinh-bulk")


@pytest.fixture
def three(areas, superuser):
    """A reviewed evaluation, a submitted one and a draft, all fully scored, in commune A."""
    criteria_set = make_criteria_set(code="gdht-bulk")
    made = [scored_evaluation(FamilyFactory(area=areas["village_a1"]), criteria_set) for _ in range(3)]
    evaluation_submit(evaluation=made[0], user=superuser)
    evaluation_review(evaluation=made[0], user=superuser)
    evaluation_submit(evaluation=made[1], user=superuser)
    return [Evaluation.objects.get(pk=e.pk) for e in made]


def test_the_recognition_form_says_which_selected_evaluations_it_applies_to(client, reviewer, three):
    reviewed, submitted, draft = three
    client.force_login(reviewer)
    page = client.get(bulk_url("recognise", three)).content.decode()
    assert "Thao tác này áp dụng cho 1 đánh giá" in page
    assert "2 đánh giá đã chọn không thể thực hiện thao tác này" in page
    assert f"“{submitted}” đang ở trạng thái “Đã gửi”" in page
    assert f"“{draft}” đang ở trạng thái “Bản nháp”" in page
    assert 'name="number"' in page  # the decision form, for the one that can be recognised


def test_no_form_when_no_selected_evaluation_can_take_the_action(client, reviewer, three):
    _reviewed, submitted, draft = three
    client.force_login(reviewer)
    page = client.get(bulk_url("recognise", [submitted, draft])).content.decode()
    assert "2 đánh giá đã chọn không thể thực hiện thao tác này" in page
    assert 'name="number"' not in page and "Thao tác này áp dụng" not in page


def test_a_reviewer_marks_several_as_reviewed_at_once(client, reviewer, three, areas, superuser):
    reviewed, submitted, draft = three
    other = scored_evaluation(FamilyFactory(area=areas["village_a2"]), make_criteria_set(code="gdht-bulk-2"))
    evaluation_submit(evaluation=other, user=superuser)
    client.force_login(reviewer)
    chosen = [submitted, other, draft]
    page = client.get(bulk_url("review", chosen)).content.decode()
    assert "Thao tác này áp dụng cho 2 đánh giá" in page
    listing = reverse(evaluation_viewset.get_url_name("list"))
    response = client.post(bulk_url("review", chosen) + f"&next={listing}", follow=True)
    assert response.status_code == 200
    statuses = dict(Evaluation.objects.filter(pk__in=[e.pk for e in chosen]).values_list("pk", "status"))
    assert statuses == {
        submitted.pk: EvaluationStatus.REVIEWED,
        other.pk: EvaluationStatus.REVIEWED,
        draft.pk: EvaluationStatus.DRAFT,
    }
    shown = response.content.decode()
    assert "Đã xác nhận thẩm định 2 đánh giá." in shown


def footer_buttons(page: str) -> tuple[list[str], list[str]]:
    """The bulk action buttons shown, and those under "Thêm", by label."""
    footer = page.split('class="bulk-actions-buttons"')[1].split("</ul>")[0]
    shown = re.findall(r'class="[^"]*bulk-action-btn[^"]*"[^>]*>\s*([^<]+?)\s*<', footer)
    more = re.findall(r"data-bulk-action-button[^>]*>\s*(?:<[^>]+>\s*)*([^<]+?)\s*<", footer)
    return shown, [label for label in more if label not in shown]


def test_each_role_is_offered_only_the_bulk_actions_it_may_take(client, reviewer, three, areas):
    listing = reverse(evaluation_viewset.get_url_name("list"))
    client.force_login(reviewer)
    shown, more = footer_buttons(client.get(listing).content.decode())
    assert "Xác nhận đã thẩm định" in shown and "Công nhận" in shown
    assert "Gửi duyệt" not in shown + more and "Xoá" not in shown + more

    officer = make_officer(roles.COMMUNE_OFFICER, areas["commune_a"], username="can-bo-bulk")
    client.force_login(officer)
    shown, more = footer_buttons(client.get(listing).content.decode())
    assert shown == ["Gửi duyệt", "In giấy công nhận", "In phiếu đánh giá"] and more == []

    # One who only reads prints the evaluation sheets, and takes no other action.
    auditor = make_officer(roles.AUDITOR, areas["commune_a"], username="kiem-tra-bulk")
    client.force_login(auditor)
    page = client.get(listing).content.decode()
    shown, more = footer_buttons(page)
    assert shown == ["In phiếu đánh giá"] and more == []
    assert f"/evaluation/inspect/{three[0].pk}/" in page
