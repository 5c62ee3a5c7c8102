"""Evidence search: text read from the files in the background, found with or without diacritics,
and only inside the officer's area (results and facet counts)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import pytest

from evaluations import roles
from evaluations.models import Evidence
from evaluations.services import evaluation_create, evidence_add
from search.models import EvidenceText, ExtractionStatus
from search.selectors import evidence_search
from tests.factories import FamilyFactory, make_criteria_set, make_officer

from .files import corrupt_pdf, docx_with_text, pdf_with_text

pytestmark = pytest.mark.django_db
SEARCH_URL = "/admin/search/evidence/"


@pytest.fixture
def world(areas, django_capture_on_commit_callbacks):
    criteria_set = make_criteria_set()
    inside = evaluation_create(
        subject=FamilyFactory(area=areas["village_a1"], head_name="Trong Vùng"), year=2025, criteria_set=criteria_set
    )
    outside = evaluation_create(
        subject=FamilyFactory(area=areas["village_b1"], head_name="Ngoài Vùng"), year=2024, criteria_set=criteria_set
    )
    with django_capture_on_commit_callbacks(execute=True):
        evidence_add(
            evaluation=inside,
            upload=SimpleUploadedFile("bien-ban-a.docx", docx_with_text("Biên bản họp khuyến học thôn Từ Thiện")),
        )
        evidence_add(
            evaluation=outside,
            upload=SimpleUploadedFile("bien-ban-b.docx", docx_with_text("Biên bản họp khuyến học thôn Hữu Đức")),
        )
    return {
        "areas": areas,
        "inside": inside,
        "outside": outside,
        "officer": make_officer(roles.COMMUNE_OFFICER, areas["commune_a"], username="officer-a"),
    }


def test_text_of_uploaded_files_is_extracted_and_found_without_diacritics(world, superuser):
    statuses = set(EvidenceText.objects.values_list("status", flat=True))
    assert statuses == {ExtractionStatus.OK}
    found = evidence_search(user=superuser, text="khuyen hoc tu thien")
    assert [item.title for item in found.items] == ["bien-ban-a.docx"]
    assert evidence_search(user=superuser, text="Biên bản").total == 2


def test_officer_never_sees_evidence_of_another_area(world):
    found = evidence_search(user=world["officer"], text="bien ban khuyen hoc")
    assert [item.object.evaluation for item in found.items] == [world["inside"]]
    assert found.total == 1
    # Facet counts cover the officer's area only: one kind, one year, the officer's village.
    assert [(label, count) for _value, label, count in found.facets["year"]] == [("2025", 1)]
    assert [count for _v, _l, count in found.facets["kind"]] == [1]
    assert [(label, count) for _value, label, count in found.facets["area"]] == [("Thôn Từ Thiện", 1)]
    # Words that only the other commune's file holds find nothing.
    assert evidence_search(user=world["officer"], text="Hữu Đức").total == 0
    # Asking for the other commune as a filter finds nothing either.
    assert evidence_search(user=world["officer"], text="bien ban", area=world["areas"]["commune_b"]).total == 0


def test_admin_screen_shows_results_and_facets_of_the_area_only(client, world):
    client.force_login(world["officer"])
    assert SEARCH_URL in client.get("/admin/").content.decode()  # the menu item
    response = client.get(SEARCH_URL, {"q": "bien ban"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "bien-ban-a.docx" in body and "Trong Vùng" in body
    assert "bien-ban-b.docx" not in body and "Ngoài Vùng" not in body and "Thôn Hữu Đức" not in body
    evidence = Evidence.objects.get(original_name="bien-ban-a.docx")
    assert reverse("evaluations:evidence_download", args=[evidence.pk]) in body
    # A facet link narrows by year.
    narrowed = client.get(SEARCH_URL, {"q": "bien ban", "year": "2024"})
    assert "bien-ban-a.docx" not in narrowed.content.decode()


def test_superuser_facets_count_every_area(admin_client, world):
    response = admin_client.get(SEARCH_URL, {"q": "bien ban"})
    body = response.content.decode()
    assert "bien-ban-a.docx" in body and "bien-ban-b.docx" in body
    assert "Huyện Ninh Phước" in body  # the area facet, one level below the province


def test_evidence_search_is_refused_to_communications_staff(client, world):
    client.force_login(make_officer(roles.COMMUNICATIONS, world["areas"]["commune_a"], username="comms"))
    response = client.get(SEARCH_URL, {"q": "bien ban"})
    # Wagtail's admin answers a refusal by sending the user back to the dashboard.
    assert response.status_code in (302, 403)
    assert "bien-ban" not in response.content.decode()
    assert SEARCH_URL not in client.get("/admin/").content.decode()  # no menu item either


def test_corrupt_pdf_is_marked_failed_and_still_found_by_name(world, superuser, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        evidence = evidence_add(
            evaluation=world["inside"],
            upload=SimpleUploadedFile("so-hoc-tap.pdf", corrupt_pdf()),
            description="Sổ theo dõi học tập",
        )
    state = EvidenceText.objects.get(evidence=evidence)
    assert state.status == ExtractionStatus.FAILED
    assert "PDF" in state.error
    assert [item.title for item in evidence_search(user=superuser, text="so theo doi").items] == ["so-hoc-tap.pdf"]


def test_pdf_text_is_searchable(world, superuser, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        evidence_add(evaluation=world["inside"], upload=SimpleUploadedFile("qd.pdf", pdf_with_text("Quyet dinh 15")))
    assert [item.title for item in evidence_search(user=superuser, text="quyết định").items] == ["qd.pdf"]


def test_deleted_evidence_leaves_the_index(world, superuser):
    Evidence.objects.get(original_name="bien-ban-a.docx").delete()
    assert [item.title for item in evidence_search(user=superuser, text="bien ban").items] == ["bien-ban-b.docx"]


def test_evidence_never_appears_in_public_search(client, world):
    response = client.get("/search/", {"query": "bien ban khuyen hoc"})
    assert response.status_code == 200
    assert "bien-ban" not in response.content.decode()


def test_evidence_is_found_by_its_subjects_new_name_after_a_rename_by_form_or_import(world, superuser):
    """An evidence document carries its subject's name: renaming the subject (a save, or an import through
    the bulk subject service) indexes its evidence again, so the old name no longer finds it."""
    from tests.evaluations.test_imports import families_file, run

    family = world["inside"].subject.specific
    assert evidence_search(user=superuser, text="trong vung").total == 1
    family.head_name = "Đổi Tên"
    family.save()
    assert [i.title for i in evidence_search(user=superuser, text="doi ten").items] == ["bien-ban-a.docx"]
    assert evidence_search(user=superuser, text="trong vung").total == 0

    family.code = "H7"
    family.save()
    run(families_file([["Xã Phước Hải", "Thôn Từ Thiện", "Nhập Lại", "Ông", 4, "H7"]]))
    assert [i.title for i in evidence_search(user=superuser, text="nhap lai").items] == ["bien-ban-a.docx"]
    assert evidence_search(user=superuser, text="doi ten").total == 0


def test_above_the_cap_the_total_says_more_than_and_facets_stay_uncounted_within_the_area(
    client, admin_client, world, monkeypatch
):
    """More matches than the cap: "Tìm thấy hơn ..." and facet values without counts (counting them is
    what the cap avoids); an officer's results, total and area facets still stop at their area."""
    from search.backends import database

    monkeypatch.setattr(database, "COUNT_CAP", 1)
    body = admin_client.get(SEARCH_URL, {"q": "bien ban"}).content.decode()
    assert "Tìm thấy hơn 1 tệp minh chứng" in body
    assert "Huyện Ninh Phước" in body and "facet__count" not in body
    client.force_login(world["officer"])
    officer = client.get(SEARCH_URL, {"q": "bien ban"}).content.decode()
    assert "Tìm thấy 1 tệp minh chứng" in officer and "bien-ban-b.docx" not in officer
    Evidence.objects.create(
        evaluation=world["inside"],
        file="x.docx",
        original_name="bien-ban-c.docx",
        description="Biên bản",
        content_type="application/octet-stream",
        size=1,
    )
    found = evidence_search(user=world["officer"], text="bien ban")
    assert (found.total, found.total_exact) == (1, False)
    assert {item.title for item in found.items} == {"bien-ban-a.docx", "bien-ban-c.docx"}
    assert all(count is None for facet in found.facets.values() for _v, _l, count in facet)
    areas = [label for _value, label, _count in found.facets["area"]]
    assert "Thôn Từ Thiện" in areas and "Thôn Hữu Đức" not in areas
