"""Communications staff (who have no area) choose a model story's subject from every model the public may see
named, province-wide, with only what the public lists show; private or unrecognised subjects are not offered."""

from django.urls import reverse

import pytest

from content.models import ModelStoryPage
from evaluations import roles
from evaluations.admin import public_model_chooser_viewset
from evaluations.models import Subject
from tests.factories import FamilyFactory, make_officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def communications(db):
    return make_officer(roles.COMMUNICATIONS, username="truyen-thong-tap")


def test_communications_staff_see_every_public_model_with_its_place(client, communications, recognised, areas):
    declined = recognised["other"].subject
    Subject.objects.filter(pk=declined.pk).update(publish_consent=False)
    FamilyFactory(head_name="Chưa Công Nhận", area=areas["village_a1"])
    client.force_login(communications)
    page = client.get(reverse(public_model_chooser_viewset.get_url_name("choose"))).json()["html"]
    assert "Nguyễn Văn An" in page and "Dòng họ Đàng" in page and "Trường Tiểu học Phước Hải" in page
    assert f"{areas['village_a1'].name}, {areas['village_a1'].get_parent().name}" in page
    assert "Trần Thị Bích" not in page  # declined to be published
    assert "Chưa Công Nhận" not in page  # never recognised
    results = reverse(public_model_chooser_viewset.get_url_name("choose_results"))
    found = client.get(results, {"q": "nguyen van an"}).content.decode()  # the results alone: plain HTML
    assert "Nguyễn Văn An" in found and "Dòng họ Đàng" not in found


def test_a_private_subject_cannot_be_chosen_by_its_id(client, communications, recognised):
    declined = recognised["other"].subject
    Subject.objects.filter(pk=declined.pk).update(publish_consent=False)
    client.force_login(communications)
    chosen = public_model_chooser_viewset.get_url_name("chosen")
    assert client.get(reverse(chosen, args=[declined.pk])).status_code == 404
    assert client.get(reverse(chosen, args=[recognised["family"].subject.pk])).status_code == 200
    assert client.get(reverse(chosen, args=["abc"])).status_code == 404


def test_the_story_form_uses_the_public_model_chooser():
    form_class = ModelStoryPage.get_edit_handler().get_form_class()
    html = form_class.base_fields["subject"].widget.render("subject", None, attrs={"id": "id_subject"})
    assert reverse(public_model_chooser_viewset.get_url_name("choose")) in html


def test_the_public_model_chooser_needs_the_admin(client, django_user_model):
    user = django_user_model.objects.create_user("ngoai", password="x")
    client.force_login(user)
    response = client.get(reverse(public_model_chooser_viewset.get_url_name("choose")))
    assert response.status_code in (302, 403)


def test_an_officer_with_an_area_is_offered_that_areas_public_models(client, recognised, areas):
    officer = make_officer(roles.COMMUNE_OFFICER, areas["commune_a"], username="can-bo-xa-a")
    client.force_login(officer)
    page = client.get(reverse(public_model_chooser_viewset.get_url_name("choose"))).json()["html"]
    assert "Nguyễn Văn An" in page and "Trần Thị Bích" not in page  # commune B's
