"""``manage.py rebuild_search_index`` on the database backend: progress, and an index that matches the data."""

import io

from django.core.management import call_command
from django.db import connection

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
    assert "Đang dựng lại chỉ mục tìm kiếm (cơ sở dữ liệu): 2 mô hình học tập được công nhận, 0 minh chứng" in text
    assert "Mô hình học tập được công nhận: 2 mục (trên tổng số" in text
    assert "Đã lập chỉ mục" in text
    hits = get_backend().search(SearchRequest(text="duong", object_types=("subject",))).hits
    assert [h.title for h in hits] == ["Gia đình ông Lò Văn Đường"]


def test_a_rebuild_on_postgresql_leaves_the_planner_statistics_of_what_it_wrote(areas):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner statistics (SQLite's planner reads none here)")
    for number in range(30):
        FamilyFactory(head_name=f"Lò Văn {number}", area=areas["village_a1"])
    call_command("rebuild_search_index", stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [SearchEntry._meta.db_table])
        # reltuples is what ANALYZE counted (-1 or a stale figure without it): the planner then knows the
        # rows a phrase search chooses among, and uses the full-text index instead of reading every text.
        assert cursor.fetchone()[0] == SearchEntry.objects.count() >= 30
