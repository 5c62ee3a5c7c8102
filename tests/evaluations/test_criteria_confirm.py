"""An unfinished criteria set warns wherever it is offered or scored, naming the texts still missing; the
provincial officer completes its wording from the official document and confirms it, even once it is in use,
without touching a code or a maximum (scores already given stand)."""

from django.urls import reverse

import pytest

from evaluations import roles
from evaluations.admin import evaluation_viewset
from evaluations.admin.criteria_sets import criteria_set_viewset
from evaluations.models import CriteriaSet, Indicator
from evaluations.models.criteria import MISSING_TEXT_MARK, SourceStatus
from tests.factories import FamilyFactory, make_criteria_set, make_officer, scored_evaluation

pytestmark = pytest.mark.django_db

WARNING = "chưa được xác nhận theo văn bản gốc"


@pytest.fixture
def unfinished(areas):
    """A set in use whose criterion 3 still reads the placeholder, as the shipped family set does."""
    criteria_set = make_criteria_set(
        code="gdht-chua-du",
        indicators=[
            [{"code": "1.1", "max_points": "30"}],
            [{"code": "2.1", "max_points": "30"}],
            [
                {"code": "3.1", "max_points": "20", "text": f"{MISSING_TEXT_MARK} Chỉ số 3.1"},
                {"code": "3.2", "max_points": "20", "text": f"{MISSING_TEXT_MARK} Chỉ số 3.2"},
            ],
        ],
    )
    evaluation = scored_evaluation(FamilyFactory(area=areas["village_a1"]), criteria_set, points="20")
    return criteria_set, evaluation


@pytest.fixture
def province(areas):
    return make_officer(roles.PROVINCIAL_OFFICER, areas["province"], username="tinh-xac-nhan")


@pytest.fixture
def officer(areas):
    return make_officer(roles.COMMUNE_OFFICER, areas["commune_a"], username="xa-cham-diem")


def confirm_url(criteria_set) -> str:
    return reverse(criteria_set_viewset.get_url_name("confirm"), args=[criteria_set.pk])


def test_the_score_screen_warns_and_names_the_missing_texts(client, officer, unfinished):
    criteria_set, evaluation = unfinished
    client.force_login(officer)
    page = client.get(reverse(evaluation_viewset.get_url_name("score"), args=[evaluation.pk])).content.decode()
    assert WARNING in page
    assert f"2 nội dung còn ghi “{MISSING_TEXT_MARK}”: Chỉ số 3.1, Chỉ số 3.2." in page
    assert confirm_url(criteria_set) not in page  # a commune officer cannot complete it
    inspect = client.get(reverse(evaluation_viewset.get_url_name("inspect"), args=[evaluation.pk])).content.decode()
    assert WARNING in inspect
    form = client.get(reverse(evaluation_viewset.get_url_name("add"))).content.decode()
    assert "Chưa xác nhận theo văn bản gốc: Bộ tiêu chí thử nghiệm (v1)" in form  # the set offered says so
    refused = client.get(confirm_url(criteria_set))
    assert refused.status_code in (302, 403) and "form" not in (refused.context or {})  # Wagtail's refusal


def test_confirming_with_a_placeholder_left_is_refused_and_saves_nothing(client, province, unfinished):
    criteria_set, _evaluation = unfinished
    client.force_login(province)
    page = client.get(confirm_url(criteria_set))
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: form.initial.get(name) or "" for name in form.fields}
    first_indicator = Indicator.objects.get(criterion__criteria_set=criteria_set, code="3.1")
    data[f"indicator_{first_indicator.pk}_text"] = "Gia đình có trẻ em trong độ tuổi đi học được đến trường"
    data["confirm"] = "on"
    response = client.post(confirm_url(criteria_set), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Còn ghi" in html and "chép nội dung từ văn bản gốc trước khi xác nhận" in html
    criteria_set.refresh_from_db()
    first_indicator.refresh_from_db()
    assert criteria_set.source_status == SourceStatus.PARTIAL
    assert first_indicator.text.startswith(MISSING_TEXT_MARK)  # nothing written


def test_the_provincial_officer_completes_and_confirms_a_set_in_use(client, province, officer, unfinished):
    criteria_set, evaluation = unfinished
    total = evaluation.total
    client.force_login(province)
    inspect = client.get(reverse(criteria_set_viewset.get_url_name("inspect"), args=[criteria_set.pk]))
    assert confirm_url(criteria_set) in inspect.content.decode()
    form = client.get(confirm_url(criteria_set)).context["form"]
    data = {name: form.initial.get(name) or "" for name in form.fields}
    for indicator in Indicator.objects.filter(criterion__criteria_set=criteria_set, code__startswith="3."):
        data[f"indicator_{indicator.pk}_text"] = f"Nội dung chính thức của chỉ số {indicator.code}"
    data.update(document_number="448/QĐ-KHVN", confirm="on")
    response = client.post(confirm_url(criteria_set), data)
    assert response.status_code == 302
    criteria_set = CriteriaSet.objects.get(pk=criteria_set.pk)
    assert criteria_set.source_status == SourceStatus.CONFIRMED
    assert criteria_set.document_number == "448/QĐ-KHVN"
    assert criteria_set.texts_missing() == []
    assert [i.max_points for i in Indicator.objects.filter(criterion__criteria_set=criteria_set, code="3.1")] == [20]
    evaluation.refresh_from_db()
    assert evaluation.total == total and evaluation.scores.count() == 4  # the scores stand

    client.force_login(officer)
    page = client.get(reverse(evaluation_viewset.get_url_name("score"), args=[evaluation.pk])).content.decode()
    assert WARNING not in page
    assert "Nội dung chính thức của chỉ số 3.1" in page
