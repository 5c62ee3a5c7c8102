"""Public search: live public pages and recognised learning models that agreed to be published."""

from datetime import date

from wagtail.models import Page

import pytest

from content.models import RecognitionListPage
from evaluations import services
from evaluations.models import EvaluationStatus
from tests.factories import (
    CitizenFactory,
    FamilyFactory,
    make_criteria_set,
    make_decision,
    make_recognised,
    scored_evaluation,
)

pytestmark = pytest.mark.django_db


def recognise(evaluation, user, number: str = "12/QĐ-UBND"):
    """Through the real workflow: submit, review, and one recognition decision."""
    services.evaluation_submit(evaluation=evaluation, user=user)
    services.evaluation_review(evaluation=evaluation, user=user)
    decision = services.decision_record(
        kind="recognition",
        number=number,
        decision_date=date(2025, 12, 20),
        issuing_body="UBND xã Phước Hải",
        signatory="Chủ tịch",
        area=evaluation.area,
        user=user,
    )
    outcome = services.evaluations_decide(evaluations=[evaluation], decision=decision, user=user)
    assert outcome["done"] == [evaluation.pk]


def public(client, query: str) -> str:
    response = client.get("/search/", {"query": query})
    assert response.status_code == 200
    return response.content.decode()


def test_recognised_subject_is_found_and_declined_never(client, areas, superuser):
    criteria_set = make_criteria_set()
    shown = FamilyFactory(area=areas["village_a1"], head_name="Đặng Văn Đường")
    declined = FamilyFactory(area=areas["village_a1"], head_name="Đặng Thị Đường", publish_consent=False)
    waiting = FamilyFactory(area=areas["village_a1"], head_name="Đặng Hữu Đường")
    recognise(scored_evaluation(shown, criteria_set), superuser)
    recognise(scored_evaluation(declined, criteria_set), superuser, "13/QĐ-UBND")
    scored_evaluation(waiting, criteria_set)  # not recognised

    body = public(client, "dang duong")
    assert "Gia đình ông Đặng Văn Đường" in body
    assert "Đặng Thị Đường" not in body
    assert "Đặng Hữu Đường" not in body
    assert "Thôn Từ Thiện" in body  # where the model is, as the public list shows it


def test_withdrawn_consent_removes_the_subject(client, areas, superuser):
    family = FamilyFactory(area=areas["village_a1"], head_name="Chế Thị Hoa")
    recognise(scored_evaluation(family, make_criteria_set()), superuser)
    assert "Chế Thị Hoa" in public(client, "che thi hoa")
    family.publish_consent = False
    family.save()
    assert "Chế Thị Hoa" not in public(client, "che thi hoa")


def test_revoked_recognition_removes_the_subject(client, areas, superuser):
    family = FamilyFactory(area=areas["village_a1"], head_name="Phú Văn Lộc")
    evaluation = scored_evaluation(family, make_criteria_set())
    recognise(evaluation, superuser)
    assert "Phú Văn Lộc" in public(client, "phu van loc")
    evaluation.refresh_from_db()
    evaluation.status = EvaluationStatus.REVOKED
    evaluation.save()
    assert "Phú Văn Lộc" not in public(client, "phu van loc")


def test_published_page_is_found_and_unpublished_is_not(client):
    home = Page.objects.get(depth=2)
    page = home.add_child(
        instance=Page(title="Đại hội khuyến học", slug="dai-hoi", search_description="Tôn vinh gia đình học tập")
    )
    page.save_revision().publish()
    assert "Đại hội khuyến học" in public(client, "dai hoi")
    assert "Đại hội khuyến học" in public(client, '"gia dinh hoc tap"')
    page.unpublish()
    assert "Đại hội khuyến học" not in public(client, "dai hoi")


def test_a_family_behind_a_page_of_hidden_citizens_is_found_and_counted(client, areas):
    """Reported on the demo: "Chamaléa Thị" answered "no results" although the family is public.

    Not the folding: "é" folds to "e" on both sides (the index and the query). The index marked learning
    citizens public (any recognised subject was), so the backend's first page of ten hits held only
    citizens, with their shorter names ranked first; the view then dropped every one of them, showing
    "no results" over a total of twelve. The index now says public only for what may be shown.
    """
    decision = make_decision(areas["commune_a"], "125/QĐ-UBND", 2025)
    for given in ("Lệ", "Hoa", "Bé", "Nhung", "Thơm", "Hiền", "Mai", "Lài", "Hạnh", "Lá", "Tiến"):
        make_recognised(CitizenFactory(full_name=f"Chamaléa Thị {given}", area=areas["village_a1"]), decision)
    family = FamilyFactory(area=areas["village_a1"], head_name="Chamaléa Thị Hoa", head_title="bà")
    make_recognised(family, decision)

    for typed in ("Chamaléa Thị", "chamalea thi", "CHAMALÉA THỊ"):
        body = public(client, typed)
        assert "Gia đình bà Chamaléa Thị Hoa" in body, typed
        assert "1 kết quả" in body and "Không có kết quả" not in body
        assert "Chamaléa Thị Lệ" not in body  # a learning citizen: never public


def test_a_recognised_model_links_to_its_latest_recognition(client, areas, home):
    """A visitor who finds a family in the search opens its recognition on the public list."""
    listing = RecognitionListPage(title="Danh sách công nhận", slug="danh-sach", area=areas["province"])
    home.add_child(instance=listing)
    listing.save_revision().publish()
    family = FamilyFactory(area=areas["village_a1"], head_name="Đinh Văn Đạt")
    make_recognised(family, make_decision(areas["commune_a"], "7/QĐ-UBND", 2024), year=2024)
    latest = make_recognised(family, make_decision(areas["commune_a"], "125/QĐ-UBND", 2025), year=2025)

    body = public(client, "dinh van dat")
    detail = listing.detail_url(latest.pk)
    assert f'<a href="{detail}">Gia đình ông Đinh Văn Đạt</a>' in body
    assert "công nhận năm 2025" in body
    page = client.get(detail).content.decode()
    assert "Gia đình ông Đinh Văn Đạt" in page and "125/QĐ-UBND" in page


def test_without_a_published_list_a_model_is_named_without_a_link(client, areas):
    make_recognised(
        FamilyFactory(area=areas["village_a1"], head_name="Đinh Thị Lan"),
        make_decision(areas["commune_a"], "125/QĐ-UBND", 2025),
    )
    body = public(client, "dinh thi lan")
    assert '<h2 class="search-result__title">Gia đình ông Đinh Thị Lan</h2>' in body
