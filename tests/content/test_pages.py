"""Every page of the demo site renders; SEO basics (titles, descriptions, Open Graph, sitemap, robots.txt)."""

import json

from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from wagtail.models import Page

import pytest

from content.models import ArticlePage, MagazinePage, ModelStoryPage, RecognitionListPage

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_module(django_db_setup, django_db_blocker):
    """The demo site, loaded once for this module inside a transaction rolled back at its end
    (each test then runs in a savepoint of its own): loading it per test is slow on PostgreSQL."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("load_demo_data", households=200, verbosity=0)
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo_site(demo_module, db):
    return None


def test_every_demo_page_renders(client, demo_site):
    pages = Page.objects.live().filter(depth__gt=1).specific()
    assert pages.count() >= 14
    for page in pages:
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        html = response.content.decode()
        assert f"<title>{page.seo_title or page.title}" in html, page.url
        assert '<main id="main"' in html and 'class="skip-link"' in html


def test_loading_the_demo_twice_adds_no_page(demo_site):
    before = Page.objects.count()
    call_command("load_demo_data", households=200, verbosity=0)
    assert Page.objects.count() == before


def test_home_shows_figures_stories_articles_and_a_call_to_action(client, demo_site):
    html = client.get("/").content.decode()
    assert "Được công nhận năm 2026" in html  # the running year of the demo (December 2026)
    assert html.count('class="figure"') == 4
    assert "Câu chuyện mô hình học tập" in html and "Bài viết mới" in html
    recognition_page = RecognitionListPage.objects.get()
    assert f'href="{recognition_page.url}"' in html
    assert "Xem danh sách đã công nhận" in html


def test_article_has_byline_tags_categories_image_and_open_graph(client, demo_site):
    article = ArticlePage.objects.get(slug="so-ket-chuong-trinh-387")
    html = client.get(article.url).content.decode()
    assert "12/12/2025" in html and "Ban Thường vụ Hội Khuyến học tỉnh" in html
    assert "#sơ kết" in html and "Xã hội học tập" in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:image" content="http://testserver/' in html
    assert f'<meta name="description" content="{article.search_description}' in html
    # Blocks: key figures and the progress chart (SVG bars with their figures as text).
    assert "hộ đạt Gia đình học tập" in html
    assert "<svg" in html and "67 / 70 % (96%)" in html
    # Every image has a text alternative.
    for tag in html.split("<img")[1:]:
        assert 'alt="' in tag.split(">")[0]


def test_article_index_filters_by_tag(client, demo_site):
    index = ArticlePage.objects.first().get_parent()
    html = client.get(index.url, {"tag": "công dân học tập"}).content.decode()
    assert "Công dân học tập: mỗi người" in html
    assert "Tủ sách gia đình" not in html


def test_model_story_links_to_its_recognition_with_photos(client, demo_site):
    story = ModelStoryPage.objects.first()
    html = client.get(story.url).content.decode()
    assert story.subject.name in html
    assert "Được công nhận năm" in html and "/QĐ-UBND" in html
    assert html.count('class="gallery"') == 1


def test_magazine_shows_issues_how_to_subscribe_and_progress_by_area(client, demo_site):
    page = MagazinePage.objects.get()
    html = client.get(page.url).content.decode()
    assert "Số 12 - tháng 12/2025" in html
    assert html.count("Đọc / Tải về") == 3  # each issue's file
    issue = page.issues.get(title="Số 12 - tháng 12/2025")
    assert f'href="{issue.document.url}"' in html
    assert b"".join(client.get(issue.document.url).streaming_content).startswith(b"%PDF")
    assert "Cách đặt mua" in html
    assert "Xã Ninh Phước" in html and "chỉ tiêu" in html  # by today's communes: districts are gone
    assert "Toàn tỉnh" in html


def test_sitemap_and_robots(client, demo_site):
    sitemap = client.get("/sitemap.xml").content.decode()
    for page in Page.objects.live().filter(depth__gt=1):
        assert f"http://localhost{page.url}" in sitemap or page.url in sitemap
    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in robots and "Disallow: /evidence/" in robots
    assert "Sitemap: http://testserver/sitemap.xml" in robots


def test_collectstatic_for_production_compresses_and_hashes(tmp_path):
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/site.css"]
    assert hashed != "css/site.css" and hashed.startswith("css/site.")
    assert (tmp_path / hashed).exists() and (tmp_path / f"{hashed}.gz").exists()


def test_editors_can_open_every_demo_page_in_the_admin(admin_client, demo_site):
    for page in Page.objects.filter(depth__gt=1):
        response = admin_client.get(f"/admin/pages/{page.pk}/edit/")
        assert response.status_code == 200, (page.specific_class.__name__, page.url)
