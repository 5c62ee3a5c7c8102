"""New pages get ASCII addresses folded from Vietnamese (đ -> d); existing pages keep theirs; a slug already
used is said at the top of the admin's form, not only on the "Promote" tab that holds the field."""

from wagtail.test.utils.form_data import nested_form_data, streamfield

import pytest

from content.models import StandardPage

pytestmark = pytest.mark.django_db


def add_url(parent) -> str:
    return f"/admin/pages/add/content/standardpage/{parent.pk}/"


def form(title: str, slug: str, **fields) -> dict:
    return nested_form_data({"title": title, "slug": slug, "intro": "", "body": streamfield([]), **fields})


def test_a_slug_typed_with_vietnamese_letters_is_saved_in_ascii(admin_client, home):
    response = admin_client.post(
        add_url(home),
        form("Xã Ninh Phước – Đình làng Đông Hải", "Xã-Ninh-Phước-Đình-làng-Đông-Hải", **{"action-publish": "1"}),
    )
    assert response.status_code == 302
    page = StandardPage.objects.get()
    assert page.slug == "xa-ninh-phuoc-dinh-lang-dong-hai"
    assert page.url == "/xa-ninh-phuoc-dinh-lang-dong-hai/"
    assert "Đình làng Đông Hải" in admin_client.get(page.url).content.decode()


def test_the_admins_slug_field_folds_vietnamese_as_the_server_does(admin_client, home):
    """The slug is filled from the title as it is typed (Wagtail's script); the field carries the folding table
    (its ``formatters``), so the script writes "đ" as "d" and keeps "ư", "ơ" as "u", "o"."""
    html = admin_client.get(add_url(home)).content.decode()
    slug_input = html[html.index('name="slug"') - 300 : html.index('name="slug"') + 20000]
    assert "data-w-slug-formatters-value" in slug_input
    assert "\\u0111" in slug_input and "\\u01b0" in slug_input  # đ and ư
    assert "data-w-slug-allow-unicode-value" not in slug_input  # WAGTAIL_ALLOW_UNICODE_SLUGS = False


def test_a_page_made_without_a_slug_gets_its_title_folded(home):
    first = home.add_child(instance=StandardPage(title="Đường về Đông Hải"))
    second = home.add_child(instance=StandardPage(title="Đường về Đông Hải"))
    assert (first.slug, second.slug) == ("duong-ve-dong-hai", "duong-ve-dong-hai-2")


def test_an_existing_page_keeps_its_accented_address(admin_client, home):
    page = home.add_child(instance=StandardPage(title="Xã cũ", slug="xã-cũ"))
    page.save_revision().publish()
    response = admin_client.post(
        f"/admin/pages/{page.pk}/edit/", form("Xã cũ, bài sửa lại", "xã-cũ", **{"action-publish": "1"})
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.slug == "xã-cũ" and page.title == "Xã cũ, bài sửa lại"


def test_a_slug_already_used_is_said_at_the_top_of_the_form(admin_client, home):
    """Reported: autosave kept the first attempt as a draft; the second attempt's "Slug … đã được dùng" sat on
    the Promote tab, which the editor was not on."""
    assert admin_client.post(add_url(home), form("Tin mới", "tin-moi")).status_code == 302  # the draft
    response = admin_client.post(add_url(home), form("Tin mới", "tin-moi"))
    assert response.status_code == 200
    html = response.content.decode()
    top = html[html.index("Không thể tạo trang do có lỗi dữ liệu.") :][:2000]
    assert "Đường dẫn (slug) “tin-moi” đã được dùng bởi trang “Tin mới”" in top
    assert "hãy sửa đường dẫn ở thẻ “Quảng bá”" in top
    assert StandardPage.objects.count() == 1
