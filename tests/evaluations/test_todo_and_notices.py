"""Work that waits on an officer reaches them: the dashboard's "Việc cần làm" lists it with links, a returned
evaluation says so in the list with its reason, and each workflow step e-mails whoever must act next (one
message per step, after the step is saved, never to the one who acted or to another commune)."""

import re

from django.db import transaction
from django.urls import reverse

import pytest

from evaluations import roles
from evaluations.admin import evaluation_viewset
from evaluations.models import CriteriaSet
from evaluations.models.criteria import SourceStatus
from evaluations.services import (
    evaluation_return,
    evaluation_review,
    evaluation_submit,
    evaluations_submit,
)
from evaluations.services.base import WorkflowError
from tests.factories import FamilyFactory, make_criteria_set, make_officer, scored_evaluation

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(areas):
    return {
        "officer": make_officer(roles.COMMUNE_OFFICER, areas["commune_a"], username="can-bo-a"),
        "reviewer": make_officer(roles.COMMUNE_REVIEWER, areas["commune_a"], username="tham-dinh-a"),
        "reviewer_b": make_officer(roles.COMMUNE_REVIEWER, areas["commune_b"], username="tham-dinh-b"),
        "province": make_officer(roles.PROVINCIAL_OFFICER, areas["province"], username="tinh-test"),
    }


@pytest.fixture
def drafts(areas):
    criteria_set = make_criteria_set(code="gdht-todo")
    return [scored_evaluation(FamilyFactory(area=areas["village_a1"]), criteria_set) for _ in range(3)]


def recipients(mail) -> list[str]:
    return sorted(address for message in mail for address in message.to)


def test_a_submission_reaches_the_communes_reviewers_once_saved(
    people, drafts, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        evaluation_submit(evaluation=drafts[0], user=people["officer"])
    assert recipients(mailoutbox) == ["tham-dinh-a@example.org"]  # not commune B's, not the officer's own
    message = mailoutbox[0]
    assert message.subject == "[Hội Khuyến học] 1 đánh giá chờ bạn thẩm định"
    assert str(drafts[0]) in message.body
    assert reverse(evaluation_viewset.get_url_name("inspect"), args=[drafts[0].pk]) in message.body


def test_a_bulk_submission_is_one_message_naming_each(people, drafts, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        evaluations_submit(evaluations=drafts, user=people["officer"])
    assert recipients(mailoutbox) == ["tham-dinh-a@example.org"]
    assert mailoutbox[0].subject.endswith("3 đánh giá chờ bạn thẩm định")
    assert all(str(evaluation) in mailoutbox[0].body for evaluation in drafts)


def test_a_step_undone_sends_nothing(people, drafts, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(WorkflowError), transaction.atomic():
        evaluation_submit(evaluation=drafts[0], user=people["officer"])
        raise WorkflowError("later step failed")
    assert mailoutbox == []


def test_a_returned_evaluation_reaches_the_officer_with_its_reason(
    client, people, drafts, mailoutbox, django_capture_on_commit_callbacks
):
    evaluation = drafts[0]
    evaluation_submit(evaluation=evaluation, user=people["officer"])
    with django_capture_on_commit_callbacks(execute=True):
        evaluation_return(evaluation=evaluation, user=people["reviewer"], reason="Thiếu ảnh minh chứng tiêu chí 2")
    # The commune's officer, not every officer of the province above it.
    assert recipients(mailoutbox) == ["can-bo-a@example.org"]
    officer_mail = next(m for m in mailoutbox if m.to == ["can-bo-a@example.org"])
    assert "trả lại để sửa" in officer_mail.subject
    assert "Lý do: Thiếu ảnh minh chứng tiêu chí 2" in officer_mail.body

    client.force_login(people["officer"])
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Việc cần làm" in dashboard
    assert "Trả lại để sửa" in dashboard and "Thiếu ảnh minh chứng tiêu chí 2" in dashboard
    listing_url = reverse(evaluation_viewset.get_url_name("list"))
    assert f"{listing_url}?returned=true" in dashboard

    returned_only = client.get(listing_url, {"returned": "true"}).content.decode()
    assert returned_only.count('class="status-tag status-returned"') == 1
    assert 'title="Thiếu ảnh minh chứng tiêu chí 2"' in returned_only
    assert str(drafts[1].subject) not in returned_only


def test_each_role_finds_its_own_queue_on_the_dashboard(client, people, drafts, areas):
    evaluation_submit(evaluation=drafts[0], user=people["officer"])
    evaluation_submit(evaluation=drafts[1], user=people["officer"])
    evaluation_review(evaluation=drafts[1], user=people["reviewer"])

    client.force_login(people["reviewer"])
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Chờ bạn thẩm định" in page and "?status=submitted" in page
    assert "Đã thẩm định, chờ quyết định công nhận" in page

    client.force_login(people["reviewer_b"])
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Chờ bạn thẩm định" not in page  # commune A's queue is not commune B's

    client.force_login(people["officer"])
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Bản nháp đã chấm đủ, chờ gửi duyệt" in page
    assert "Báo cáo năm" in page and "chưa nộp" in page  # commune A has not reported this year


def test_the_provincial_officer_is_asked_to_confirm_criteria_sets_in_use(client, people, drafts):
    CriteriaSet.objects.filter(pk=drafts[0].criteria_set_id).update(source_status=SourceStatus.PARTIAL)
    client.force_login(people["province"])
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Bộ tiêu chí đang dùng chưa xác nhận văn bản" in page
    CriteriaSet.objects.update(source_status=SourceStatus.CONFIRMED)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Bộ tiêu chí đang dùng chưa xác nhận văn bản" not in page


def test_nothing_waiting_says_so(client, people):
    client.force_login(people["reviewer_b"])
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Không có việc nào đang chờ bạn." in page


def test_without_a_commune_reviewer_the_province_hears_of_it(
    people, drafts, mailoutbox, django_capture_on_commit_callbacks
):
    people["reviewer"].area_assignments.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        evaluation_submit(evaluation=drafts[0], user=people["officer"])
    assert recipients(mailoutbox) == ["tinh-test@example.org"]


def test_the_province_is_asked_only_for_what_no_nearer_officer_does(client, people, drafts, areas):
    """Commune A has its own officer and reviewer: its queues are theirs. Commune B's drafts have no commune
    officer to fix them, so a returned one there waits on the province."""
    criteria_set = drafts[0].criteria_set
    in_b = scored_evaluation(FamilyFactory(area=areas["village_b1"]), criteria_set)
    for evaluation in (drafts[0], in_b):
        evaluation_submit(evaluation=evaluation, user=people["province"])
    evaluation_return(evaluation=drafts[0], user=people["reviewer"], reason="Thiếu ảnh ở xã A")
    evaluation_return(evaluation=in_b, user=people["reviewer_b"], reason="Thiếu biên bản ở xã B")

    client.force_login(people["province"])
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Thiếu biên bản ở xã B" in page and "Thiếu ảnh ở xã A" not in page
    assert "Không tính các đơn vị có cán bộ riêng làm việc này" in page

    client.force_login(people["officer"])
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Thiếu ảnh ở xã A" in page and "Thiếu biên bản ở xã B" not in page
    # The filter in force reads in words above the list, not "True".
    listing = client.get(reverse(evaluation_viewset.get_url_name("list")), {"returned": "true"}).content.decode()
    chip = re.search(r"Trả lại để sửa:\s*(?:<[^>]+>\s*)*([^<]+)", listing)
    assert chip and chip.group(1).strip() == "Có"
