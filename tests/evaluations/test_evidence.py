"""Evidence uploads: accepted types are checked on content, refusals say why, downloads are permission-checked."""

import io
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

import pytest
import xlsxwriter
from PIL import Image

from evaluations.admin import evaluation_viewset
from evaluations.models import Evaluation, Evidence
from evaluations.services import evaluation_create
from tests.factories import FamilyFactory, UserFactory, make_criteria_set

pytestmark = pytest.mark.django_db

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.add_worksheet().write("A1", "Danh sách học sinh")
    workbook.close()
    return buffer.getvalue()


def docx_bytes(with_macros: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        if with_macros:
            archive.writestr("word/vbaProject.bin", b"\x00" * 16)
    return buffer.getvalue()


@pytest.fixture
def evaluation(areas):
    family = FamilyFactory(area=areas["village_a1"])
    return evaluation_create(subject=family, year=2025, criteria_set=make_criteria_set())


def score_url(evaluation):
    return reverse(evaluation_viewset.get_url_name("score"), args=[evaluation.pk])


def upload(evaluation, client, name, content, **extra):
    indicator = evaluation.criteria_set.criteria.first().indicators.first()
    # Sent with the version the score form would carry when opened now.
    version = Evaluation.objects.values_list("version", flat=True).get(pk=evaluation.pk)
    return client.post(
        score_url(evaluation),
        {"version": version, f"evidence_{indicator.pk}": SimpleUploadedFile(name, content), **extra},
    )


@pytest.mark.parametrize(
    ("name", "content_factory", "content_type"),
    [
        ("quyet-dinh.pdf", lambda: PDF, "application/pdf"),
        ("anh-gia-dinh.png", png_bytes, "image/png"),
        ("danh-sach.xlsx", xlsx_bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("bao-cao.docx", docx_bytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)
def test_accepted_files_are_stored_privately(admin_client, evaluation, name, content_factory, content_type):
    content = content_factory()
    response = upload(evaluation, admin_client, name, content, evidence_description="Minh chứng năm 2025")
    assert response.status_code == 302
    evidence = Evidence.objects.get(evaluation=evaluation)
    assert evidence.original_name == name
    assert evidence.content_type == content_type
    assert evidence.description == "Minh chứng năm 2025"
    stored = Path(evidence.file.path)
    assert stored.read_bytes() == content
    # Private: outside MEDIA_ROOT and under a random name, not the uploaded one.
    assert Path(settings.MEDIA_ROOT) not in stored.parents
    assert name not in stored.name


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("chuong-trinh.pdf", b"MZ\x90\x00" + b"\x00" * 200, "không thuộc loại tệp được chấp nhận"),
        ("quyet-dinh.docx", PDF, "nội dung là tệp PDF"),
        ("bao-cao.docx", docx_bytes(with_macros=True), "chứa macro"),
        ("ghi-chu.txt", "Chỉ là văn bản".encode(), "không thuộc loại tệp được chấp nhận"),
        ("trong.pdf", b"", "rỗng"),  # Django's own message, already in Vietnamese
    ],
)
def test_refused_files_say_why_and_nothing_is_saved(admin_client, evaluation, name, content, message):
    indicator = evaluation.criteria_set.criteria.first().indicators.first()
    response = upload(evaluation, admin_client, name, content, **{f"score_{indicator.pk}": "8"})
    assert response.status_code == 400
    errors = response.context["form"].errors[f"evidence_{indicator.pk}"]
    assert any(message in str(e) or name in str(e) for e in errors), errors
    assert not Evidence.objects.exists()
    assert not evaluation.scores.exists()  # the scores sent with a refused file are not saved either


@override_settings(EVIDENCE_MAX_UPLOAD_SIZE=1024)
def test_files_over_the_size_limit_are_refused(admin_client, evaluation):
    indicator = evaluation.criteria_set.criteria.first().indicators.first()
    response = upload(evaluation, admin_client, "lon.pdf", PDF + b"0" * 2048)
    assert response.status_code == 400
    error = str(response.context["form"].errors[f"evidence_{indicator.pk}"][0])
    assert "lon.pdf" in error
    assert "1,0" in error or "1.0" in error  # the limit is stated
    assert not Evidence.objects.exists()


def test_download_requires_permission(client, admin_client, evaluation):
    upload(evaluation, admin_client, "quyet-dinh.pdf", PDF)
    evidence = Evidence.objects.get()
    url = reverse("evaluations:evidence_download", args=[evidence.pk])

    response = admin_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]

    client.logout()
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert "login" in anonymous["Location"]

    outsider = UserFactory(username="outsider")
    client.force_login(outsider)
    assert client.get(url).status_code == 403


def test_evidence_is_not_reachable_under_media(client, admin_client, evaluation):
    upload(evaluation, admin_client, "quyet-dinh.pdf", PDF)
    evidence = Evidence.objects.get()
    assert client.get(f"/media/{evidence.file.name}").status_code == 404
    assert client.get(f"/media/evidence/{evidence.file.name}").status_code == 404


def test_a_file_sent_with_a_form_that_has_another_error_is_kept_and_saved_next_time(
    admin_client, evaluation, django_capture_on_commit_callbacks
):
    """The officer attaches a PDF and mistypes a score: the page says the file is kept, beside its indicator,
    and saving the corrected score stores the file without choosing it again."""
    indicator = evaluation.criteria_set.criteria.first().indicators.first()
    response = upload(evaluation, admin_client, "bien-ban-hop.pdf", PDF, **{f"score_{indicator.pk}": "99"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "1 tệp bạn đã đính kèm được giữ lại" in page
    assert "bien-ban-hop.pdf (đã giữ lại, sẽ lưu cùng điểm)" in page
    assert not Evidence.objects.exists()  # nothing stored while the form has an error
    held = response.context["form"].held
    assert [item.name for item in held] == ["bien-ban-hop.pdf"]

    version = Evaluation.objects.values_list("version", flat=True).get(pk=evaluation.pk)
    with django_capture_on_commit_callbacks(execute=True):
        again = admin_client.post(
            score_url(evaluation), {"version": version, f"score_{indicator.pk}": "8", "held": [held[0].token]}
        )
    assert again.status_code == 302
    evidence = Evidence.objects.get(evaluation=evaluation)
    assert (evidence.original_name, evidence.indicator_id) == ("bien-ban-hop.pdf", indicator.pk)
    assert Path(evidence.file.path).read_bytes() == PDF
    assert not Path(settings.STORAGES["evidence"]["OPTIONS"]["location"], held[0].path).exists()
    # Beside its indicator on the score screen, not only at the bottom.
    page = admin_client.get(score_url(evaluation)).content.decode()
    cell = page.split('class="score-evidence"')[1].split("</td>")[0]
    assert "bien-ban-hop.pdf" in cell


def test_a_held_file_unticked_or_foreign_is_not_saved(client, admin_client, evaluation, areas):
    indicator = evaluation.criteria_set.criteria.first().indicators.first()
    response = upload(evaluation, admin_client, "bien-ban.pdf", PDF, **{f"score_{indicator.pk}": "99"})
    token = response.context["form"].held[0].token
    version = Evaluation.objects.values_list("version", flat=True).get(pk=evaluation.pk)
    # Unticked: not sent back.
    assert (
        admin_client.post(score_url(evaluation), {"version": version, f"score_{indicator.pk}": "8"}).status_code == 302
    )
    assert not Evidence.objects.exists()
    # Another user cannot claim it with the token.
    other = UserFactory(username="khac", is_superuser=True, is_staff=True)
    client.force_login(other)
    version = Evaluation.objects.values_list("version", flat=True).get(pk=evaluation.pk)
    client.post(score_url(evaluation), {"version": version, f"score_{indicator.pk}": "7", "held": [token]})
    assert not Evidence.objects.exists()
