"""The Elasticsearch backend against a real cluster (skipped unless ELASTICSEARCH_URL is set)."""

import unicodedata

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from evaluations import roles
from evaluations.services import evaluation_create, evidence_add
from search.documents import DOCUMENTS
from search.indexing import rebuild_batches
from search.query import SearchRequest
from search.selectors import evidence_search
from tests.factories import FamilyFactory, make_criteria_set, make_officer

from .conftest import doc, titles
from .elasticsearch import es_backend  # noqa: F401 - fixture
from .files import docx_with_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(es_backend):  # noqa: F811
    es_backend.index(
        [
            doc(1, "Lễ hội đình làng Hữu Đức", "Bà con tụ họp tại sân đình."),
            doc(2, "Phong trào học tập suốt đời", "Gia đình học tập tiêu biểu năm 2024."),
            doc(3, "Đường làng sạch đẹp", "Thôn Từ Thiện làm mới con đường."),
            doc(4, "Báo cáo tổng kết", "Học sinh nghèo vượt khó; tập thể lớp giúp đỡ."),
            doc(5, "Tin vắn", "Hội nghị bàn về chuyện học tập của con em."),
            doc(6, unicodedata.normalize("NFD", "Dòng họ Nguyễn khuyến học"), ""),
        ]
    )
    return es_backend


def test_vietnamese_matching(indexed):
    assert titles(indexed, "dinh")[0] == "Lễ hội đình làng Hữu Đức"
    assert titles(indexed, "Duong") == ["Đường làng sạch đẹp"]
    assert titles(indexed, "ĐƯỜNG") == ["Đường làng sạch đẹp"]
    assert set(titles(indexed, "hoc tap")) == {"Phong trào học tập suốt đời", "Báo cáo tổng kết", "Tin vắn"}
    assert titles(indexed, "hoc tap")[0] == "Phong trào học tập suốt đời"
    assert set(titles(indexed, '"học tập"')) == {"Phong trào học tập suốt đời", "Tin vắn"}
    assert len(titles(indexed, "nguyen khuyen hoc")) == 1
    assert len(titles(indexed, unicodedata.normalize("NFD", "Nguyễn"))) == 1


def test_delete_follows(indexed):
    indexed.delete("page", [3])
    assert titles(indexed, "duong") == []


def test_officer_sees_only_the_area_with_facets(es_backend, areas, django_capture_on_commit_callbacks):  # noqa: F811
    criteria_set = make_criteria_set()
    inside = evaluation_create(subject=FamilyFactory(area=areas["village_a1"]), year=2025, criteria_set=criteria_set)
    outside = evaluation_create(subject=FamilyFactory(area=areas["village_b1"]), year=2024, criteria_set=criteria_set)
    with django_capture_on_commit_callbacks(execute=True):
        evidence_add(evaluation=inside, upload=SimpleUploadedFile("a.docx", docx_with_text("Biên bản họp")))
        evidence_add(evaluation=outside, upload=SimpleUploadedFile("b.docx", docx_with_text("Biên bản họp")))
    officer = make_officer(roles.COMMUNE_OFFICER, areas["commune_a"], username="officer-es")
    found = evidence_search(user=officer, text="bien ban hop")
    assert [item.title for item in found.items] == ["a.docx"]
    assert [(label, count) for _v, label, count in found.facets["area"]] == [("Thôn Từ Thiện", 1)]
    assert [count for _v, _l, count in found.facets["year"]] == [1]


def test_rebuild_moves_aliases_to_new_indexes(es_backend, areas):  # noqa: F811
    FamilyFactory(area=areas["village_a1"], head_name="Lò Văn Đường")
    messages = []
    es_backend.rebuild(rebuild_batches(), messages.append)
    first = set(es_backend.client.indices.get_alias(name=DOCUMENTS["subject"].alias()))
    es_backend.rebuild(rebuild_batches(), messages.append)
    second = set(es_backend.client.indices.get_alias(name=DOCUMENTS["subject"].alias()))
    assert len(first) == len(second) == 1 and first != second
    assert not es_backend.client.indices.exists(index=list(first))  # the old index is gone
    assert any("đã chuyển bí danh sang các chỉ mục mới" in m for m in messages)
    results = es_backend.search(SearchRequest(text="duong", object_types=("subject",)))
    assert [h.title for h in results.hits] == ["Gia đình ông Lò Văn Đường"]


def test_evidence_follows_provinces_moved_under_a_national_root(
    es_backend,  # noqa: F811
    areas,
    django_capture_on_commit_callbacks,
):
    from evaluations.admin_units import ensure_national_root

    inside = evaluation_create(
        subject=FamilyFactory(area=areas["village_a1"]), year=2025, criteria_set=make_criteria_set()
    )
    with django_capture_on_commit_callbacks(execute=True):
        evidence_add(evaluation=inside, upload=SimpleUploadedFile("a.docx", docx_with_text("Biên bản họp")))
    officer = make_officer(roles.COMMUNE_OFFICER, areas["commune_a"], username="officer-es-moved")
    with django_capture_on_commit_callbacks(execute=True):  # an external index is written after the commit
        ensure_national_root()
    assert [item.title for item in evidence_search(user=officer, text="bien ban hop").items] == ["a.docx"]
