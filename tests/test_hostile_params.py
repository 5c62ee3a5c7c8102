"""NUL and other control characters in parameters: a 400 naming the parameter, in Vietnamese, on SQLite and
PostgreSQL alike (the suite runs on PostgreSQL when DATABASE_URL says so, as CI does)."""

from django.urls import reverse

import pytest

from content.models import RecognitionListPage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CONTROL_WORDS = "ký tự điều khiển"


@pytest.fixture
def list_page(home, areas):
    page = RecognitionListPage(title="Danh sách công nhận", slug="danh-sach", area=areas["province"])
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.mark.parametrize("name", ["recognitions", "figures"])
def test_a_nul_byte_in_an_api_parameter_is_a_json_400_naming_it(client, areas, name):
    response = client.get(reverse(f"api:{name}") + "?area=%00")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["parameter"] == "area"
    assert "“area”" in error["message"] and CONTROL_WORDS in error["message"]
    assert "\\x00" in error["message"]
    assert response["Access-Control-Allow-Origin"] == "*"


def test_a_nul_byte_in_the_public_list_search_is_a_400_page_naming_it(client, list_page):
    response = client.get(list_page.url + "?q=Nguy%00n")
    assert response.status_code == 400
    text = response.content.decode()
    assert "Yêu cầu không hợp lệ" in text
    assert "Tham số “q”" in text and CONTROL_WORDS in text and "vị trí 5" in text


def test_a_nul_byte_in_the_export_filters_is_a_400(admin_client, areas):
    response = admin_client.get(reverse("reports:export", args=["evaluations"]), {"format": "csv", "q": "\x00"})
    assert response.status_code == 400
    assert "Tham số “q”" in response.content.decode()


def test_the_public_search_refuses_escape_and_del_but_keeps_a_pasted_tab(client, home):
    for value in ("a\x1bb", "a\x7fb", "line\nbreak"):
        response = client.get(reverse("search"), {"query": value})
        assert response.status_code == 400, repr(value)
        assert "Tham số “query”" in response.content.decode()
    assert client.get(reverse("search"), {"query": "Nguyễn\tVăn"}).status_code == 200


def test_a_control_character_in_a_parameter_name_is_named_visibly(client, areas):
    response = client.get(reverse("api:recognitions") + "?are%01a=T01")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["parameter"] == "are\\x01a"
    assert "Tên tham số" in error["message"] and "“are\\x01a”" in error["message"]


def test_posted_forms_keep_line_breaks_and_tabs_but_refuse_nul(client):
    UserFactory(username="can-bo", is_staff=True)
    login = reverse("wagtailadmin_login")
    # A textarea's CR LF and a tab reach the view (here: the wrong password is simply refused by the form).
    kept = client.post(login, {"username": "can-bo", "password": "dòng một\r\ndòng\thai"})
    assert kept.status_code == 200
    assert "_auth_user_id" not in client.session
    refused = client.post(login, {"username": "can-bo\x00", "password": "x"})
    assert refused.status_code == 400
    assert "Tham số “username”" in refused.content.decode()


def test_uploaded_files_are_not_parameters(admin_client):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    from wagtail.images import get_image_model

    from PIL import Image

    # A PNG is full of NUL bytes: a file's content is its validators' business, not this check's.
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    assert b"\x00" in buffer.getvalue()
    upload = SimpleUploadedFile("anh.png", buffer.getvalue(), content_type="image/png")
    response = admin_client.post(reverse("wagtailimages:add"), {"title": "Ảnh", "file": upload})
    assert response.status_code == 302
    assert get_image_model().objects.filter(title="Ảnh").exists()
