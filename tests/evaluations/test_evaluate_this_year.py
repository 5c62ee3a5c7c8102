"""From a subject, one click opens this year's evaluation form with the subject, the year and the criteria set
in force for its kind already filled in; a subject outside the officer's area fills in nothing."""

import re

from django.urls import reverse

import pytest

from evaluations import roles
from evaluations.admin import evaluation_viewset
from evaluations.calendar import today
from evaluations.models import Evaluation, LearningFamily
from tests.factories import FamilyFactory, make_criteria_set, make_officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(areas):
    return make_officer(roles.COMMUNE_OFFICER, areas["commune_a"], username="can-bo-nam-nay")


@pytest.fixture
def sets(db):
    return {
        "family": make_criteria_set(code="gdht-nam-nay"),
        "clan": make_criteria_set(kind="clan", code="dh-nam-nay"),
    }


def selected(page: str, name: str) -> str | None:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    if select:
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select.group(0))
        return chosen.group(1) if chosen else None
    field = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    value = re.search(r'value="([^"]*)"', field.group(0)) if field else None
    return value.group(1) if value else None


def test_a_subject_offers_this_years_evaluation_filled_in(client, officer, sets, areas):
    family = FamilyFactory(head_name="Phan Văn Tú", area=areas["village_a1"])
    client.force_login(officer)
    edit = client.get(reverse(LearningFamily.snippet_viewset.get_url_name("edit"), args=[family.pk])).content.decode()
    assert "Đánh giá năm nay" in edit
    url = reverse(evaluation_viewset.get_url_name("add")) + f"?subject={family.pk}"
    assert f'href="{url}"' in edit

    form = client.get(url).content.decode()
    assert selected(form, "subject") == str(family.pk)
    assert selected(form, "year") == str(today().year)
    assert selected(form, "criteria_set") == str(sets["family"].pk)
    assert f'value="{sets["clan"].pk}"' not in form  # only the sets of the subject's kind

    response = client.post(url, {"subject": family.pk, "year": today().year, "criteria_set": sets["family"].pk})
    evaluation = Evaluation.objects.get(subject=family)
    assert response.status_code == 302 and response["Location"].endswith(f"/score/{evaluation.pk}/")


def test_a_subject_outside_the_area_fills_in_nothing(client, officer, sets, areas):
    stranger = FamilyFactory(head_name="Người Xã Khác", area=areas["village_b1"])
    client.force_login(officer)
    form = client.get(reverse(evaluation_viewset.get_url_name("add")) + f"?subject={stranger.pk}").content.decode()
    assert "Người Xã Khác" not in form
    assert selected(form, "subject") in (None, "")
    assert selected(form, "year") == str(today().year)
    for junk in ("abc", "9" * 20, "-1"):
        assert client.get(reverse(evaluation_viewset.get_url_name("add")), {"subject": junk}).status_code == 200
