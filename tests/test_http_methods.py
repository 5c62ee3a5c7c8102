"""HEAD is answered wherever GET is (link checkers and caches ask with HEAD), with the GET's headers and no body."""

from django.urls import reverse

import pytest

from content.models import RecognitionListPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def list_page(home, areas):
    page = RecognitionListPage(title="Danh sách công nhận", slug="danh-sach", area=areas["province"])
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def test_head_on_the_api_and_the_public_pages(client, list_page):
    addresses = [
        reverse("api:openapi"),
        reverse("api:figures"),
        reverse("api:recognitions") + "?format=csv",
        reverse("robots_txt"),
        reverse("sitemap"),
        reverse("search") + "?query=hoc",
        "/",
        list_page.url,
    ]
    for address in addresses:
        get = client.get(address)
        head = client.head(address)
        assert (address, head.status_code) == (address, 200)
        assert head["Content-Type"] == get["Content-Type"], address
        assert head.content == b"", address


def test_the_api_still_refuses_writes(client):
    for address in (reverse("api:openapi"), reverse("api:figures")):
        assert client.post(address).status_code == 405
