"""``manage.py rebuild_search_index`` on the database backend: progress, and an index that matches the data."""

import io

from django.core.management import call_command

import pytest

from search.backends import get_backend
from search.models import SearchEntry
from search.query import SearchRequest
from tests.factories import FamilyFactory

pytestmark = pytest.mark.django_db


def test_rebuild_prints_progress_and_restores_a_lost_index(areas):
    FamilyFactory(area=areas["village_a1"], head_name="Lò Văn Đường")
    FamilyFactory(area=areas["village_b1"], head_name="Pinăng Thị Hoa")
    SearchEntry.objects.all().delete()  # the index was lost (or the backend switched)
    out = io.StringIO()
    call_command("rebuild_search_index", stdout=out)
    text = out.getvalue()
    assert "Rebuilding the database search index: 2 subject" in text
    assert "subject: 2 entries" in text
    assert "Indexed" in text
    hits = get_backend().search(SearchRequest(text="duong", object_types=("subject",))).hits
    assert [h.title for h in hits] == ["Gia đình ông Lò Văn Đường"]
