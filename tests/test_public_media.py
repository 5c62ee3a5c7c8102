"""Public images are served under /media/ (also with production settings); documents and evidence never are."""

import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from django.conf import settings
from django.core.files.images import ImageFile

from wagtail.images import get_image_model

import pytest
from PIL import Image as PILImage

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 8), "blue").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def image():
    return get_image_model().objects.create(title="Lễ trao bằng", file=ImageFile(io.BytesIO(png_bytes()), "le.png"))


def test_an_image_and_its_rendition_are_served_with_caching_headers(client, image):
    response = client.get(image.file.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == image.file.open("rb").read()
    assert response["Cache-Control"] == "public, max-age=86400"
    assert response["Content-Type"] == "image/png"
    assert client.head(image.file.url).status_code == 200
    rendition = image.get_rendition("fill-4x4")
    assert client.get(rendition.url).status_code == 200


def test_documents_evidence_and_escapes_are_not_served(client, image):
    media, private = Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)
    (media / "documents").mkdir(parents=True, exist_ok=True)
    (media / "documents" / "bien-ban.pdf").write_bytes(b"%PDF-1.4 private collection")
    (private / "evidence").mkdir(parents=True, exist_ok=True)
    (private / "evidence" / "minh-chung.pdf").write_bytes(b"%PDF-1.4 evidence")
    (media / "original_images" / "lien-ket.pdf").symlink_to(private / "evidence" / "minh-chung.pdf")
    for path in (
        "/media/documents/bien-ban.pdf",  # /documents/ serves it after its privacy check
        "/media/original_images/../documents/bien-ban.pdf",
        "/media/original_images/%2e%2e/documents/bien-ban.pdf",
        "/media/original_images/lien-ket.pdf",  # a link out of the folder
        "/media/original_images/",
        "/media/",
    ):
        assert client.get(path).status_code == 404, path


def test_production_serves_media_and_takes_its_folders_from_the_environment(tmp_path):
    media, static, private = tmp_path / "media", tmp_path / "static", tmp_path / "private"
    (media / "original_images").mkdir(parents=True)
    (media / "original_images" / "anh.png").write_bytes(png_bytes())
    (media / "documents").mkdir()
    (media / "documents" / "bien-ban.pdf").write_bytes(b"%PDF-1.4")
    code = textwrap.dedent(
        """
        import django
        django.setup()
        from django.conf import settings
        from django.http import Http404
        from django.test import Client, RequestFactory
        from django.urls import resolve
        print(settings.STATIC_ROOT, settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT)
        response = Client(HTTP_HOST="khuyenhoc.example.vn").get("/media/original_images/anh.png", secure=True)
        print(response.status_code, response["Cache-Control"])
        # A 404 would look for a redirect in the database (none here): ask the view itself.
        match = resolve("/media/documents/bien-ban.pdf")
        try:
            match.func(RequestFactory().get("/"), **match.kwargs)
        except Http404:
            print("documents: 404")
        """
    )
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")},
        "PYTHONPATH": str(ROOT / "site") + os.pathsep + str(ROOT),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "khuyenhoc.example.vn",
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
        "STATIC_ROOT": str(static),
        "MEDIA_ROOT": str(media),
        "PRIVATE_MEDIA_ROOT": str(private),
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"{static} {media} {private}"
    assert lines[1:] == ["200 public, max-age=86400", "documents: 404"]


def test_private_files_under_the_public_folder_refuse_to_start(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 60,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "media" / "private"),
    }
    code = "import runpy; runpy.run_path('site/config/wsgi.py')"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode != 0
    assert "PRIVATE_MEDIA_ROOT must lie outside MEDIA_ROOT" in result.stderr
