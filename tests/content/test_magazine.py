"""The magazine page: each issue says where to read or download it."""

import datetime

from django.core.files.base import ContentFile

from wagtail.documents import get_document_model

import pytest

from content.models import MagazineIssue, MagazinePage

pytestmark = pytest.mark.django_db


@pytest.fixture
def magazine(home):
    issue_file = get_document_model().objects.create(
        title="Số 12 - tháng 12/2025", file=ContentFile(b"%PDF-1.4\n% so 12\n", name="so-12.pdf")
    )
    page = MagazinePage(title="Tạp chí Công dân và Khuyến học", slug="tap-chi")
    page.issues.add(
        MagazineIssue(title="Số 12 - tháng 12/2025", published=datetime.date(2025, 12, 1), document=issue_file)
    )
    page.issues.add(
        MagazineIssue(
            title="Số 11 - tháng 11/2025", published=datetime.date(2025, 11, 1), link="https://example.org/so-11"
        )
    )
    page.issues.add(MagazineIssue(title="Số 10 - tháng 10/2025", published=datetime.date(2025, 10, 1)))
    home.add_child(instance=page)
    page.save_revision().publish()
    return page, issue_file


def test_each_issue_has_a_read_or_download_link(client, magazine):
    page, issue_file = magazine
    html = client.get(page.url).content.decode()
    assert html.count("Đọc / Tải về") == 2  # the file, the page online; the third issue has neither
    assert (
        f'<a class="button" href="{issue_file.url}">Đọc / Tải về'
        '<span class="visually-hidden"> Số 12 - tháng 12/2025</span></a>' in html
    )
    assert "PDF" in html
    assert '<a class="button" href="https://example.org/so-11">Đọc / Tải về' in html
    assert "Số 10 - tháng 10/2025" in html
    response = client.get(issue_file.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-1.4")


def test_editors_choose_the_issue_file_in_the_admin(admin_client, magazine):
    page, _issue_file = magazine
    html = admin_client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert "Tệp số tạp chí" in html and 'name="issues-0-document"' in html
