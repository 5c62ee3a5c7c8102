"""The bulk rebuild gives the index incremental indexing gives, removes what is gone, rewrites nothing that
is already right, and ends consistent while other writers run (threads, each with its own connection:
on one SQLite file, and on PostgreSQL when the suite runs there)."""

import contextlib
import sqlite3
import threading

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction

from wagtail.models import Page

import pytest

from evaluations.models import Subject
from evaluations.services import evaluation_create, evidence_add
from search.backends.database import DatabaseBackend
from search.indexing import rebuild_batches
from search.models import SearchEntry
from search.query import SearchRequest
from search.tasks import id_runs, ids_of_runs
from tests.conftest import rebuild_after_flush
from tests.factories import FamilyFactory, make_criteria_set, make_decision, make_recognised

from .files import docx_with_text

#: What an entry holds (not its id or time stamp).
STORED = ("object_type", "object_id", "title", "summary", "title_folded", "body_folded", "marks", "kind")
STORED += ("year", "area_path", "public")


def index_state() -> dict:
    return {(row[0], row[1]): row for row in SearchEntry.objects.values_list(*STORED)}


def found(text: str, **fields) -> list[str]:
    fields.setdefault("object_types", ("page", "subject", "evidence"))
    return [hit.title for hit in DatabaseBackend().search(SearchRequest(text=text, **fields)).hits]


@pytest.fixture
def world(areas, django_capture_on_commit_callbacks):
    # The pages the site starts with were made before any index: index them, then change things one by one.
    DatabaseBackend().rebuild(rebuild_batches(), lambda message: None)
    decision = make_decision(areas["commune_a"], "7/QĐ-UBND", 2025)
    shown = FamilyFactory(area=areas["village_a1"], head_name="Nguyễn Đình Thi")
    make_recognised(shown, decision)
    FamilyFactory(area=areas["village_b1"], head_name="Lò Văn Đường")
    evaluation = evaluation_create(subject=shown, year=2024, criteria_set=make_criteria_set())
    with django_capture_on_commit_callbacks(execute=True):
        evidence_add(
            evaluation=evaluation,
            upload=SimpleUploadedFile("bien-ban.docx", docx_with_text("Biên bản họp khuyến học thôn Từ Thiện")),
        )
    # A transactional test before this one may have flushed what the data migrations made.
    if not Page.objects.filter(depth=2).exists():
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()  # the flush took the content types the cache still names
        rebuild_after_flush()
    home = Page.objects.get(depth=2)
    page = home.add_child(instance=Page(title="Đại hội khuyến học", slug="dai-hoi", search_description="Tôn vinh"))
    page.save_revision().publish()
    return areas


@pytest.mark.django_db
def test_rebuild_gives_what_incremental_indexing_gives(world):
    incremental = index_state()
    assert {key[0] for key in incremental} == {"subject", "evidence", "page"}
    SearchEntry.objects.all().delete()
    DatabaseBackend().rebuild(rebuild_batches(batch=2), lambda message: None)
    assert index_state() == incremental
    assert found("Đình")[0] == "Gia đình ông Nguyễn Đình Thi"
    assert found("khuyen hoc tu thien") == ["bien-ban.docx"]
    assert found("dai hoi", object_types=("page", "subject"), public_only=True) == ["Đại hội khuyến học"]


@pytest.mark.django_db
def test_rebuild_removes_entries_of_vanished_objects_and_rewrites_nothing_right(world):
    SearchEntry.objects.create(object_type="subject", object_id=999_999, title="Gia đình đã xóa", title_folded="x")
    before = dict(SearchEntry.objects.values_list("pk", "updated_at"))
    messages = []
    DatabaseBackend().rebuild(rebuild_batches(), messages.append)
    after = dict(SearchEntry.objects.values_list("pk", "updated_at"))
    gone = set(before) - set(after)
    assert [SearchEntry.objects.filter(pk__in=gone).count(), len(gone)] == [0, 1]
    assert after == {pk: stamp for pk, stamp in before.items() if pk not in gone}  # nothing rewritten
    assert "đã xóa 1 mục của những đối tượng không còn nữa" in messages


@contextlib.contextmanager
def shared_database(tmp_path):
    """Every new connection (each thread's) on one database: on SQLite a file holding a copy of the test
    database (the suite's in-memory one is private to its connection's process cache); on PostgreSQL the
    test database itself."""
    if connection.vendor != "sqlite":
        yield
        return
    path = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    settings = connection.settings_dict
    name = settings["NAME"]
    settings["NAME"] = str(path)  # the main thread keeps its open in-memory connection
    try:
        yield
    finally:
        settings["NAME"] = name


def in_thread(fn) -> threading.Thread:
    def run():
        try:
            fn()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_while_others_write_ends_consistent(world, tmp_path):
    """Renames, new subjects and deletions during a rebuild (between its batches and while it reads):
    no IntegrityError, no lost write, no entry left of a deleted subject, nothing stale."""
    areas = world
    for number in range(12):
        FamilyFactory(area=areas["village_a1"], head_name=f"Trần Văn Số{number}")
    errors, outcome = [], {}
    with shared_database(tmp_path):

        def writer():
            subject_ids = sorted(Subject.objects.values_list("pk", flat=True))
            try:
                for round_number, pk in enumerate(subject_ids):
                    with transaction.atomic():
                        subject = Subject.objects.get(pk=pk).specific
                        if round_number % 3 == 2:
                            subject.delete()
                        else:
                            subject.head_name = f"Đổi Tên {round_number}"
                            subject.save()
                    FamilyFactory(area=areas["village_b1"], head_name=f"Mới Đến {round_number}")
            except Exception as exc:  # noqa: BLE001 - the test reports it
                errors.append(exc)

        def rebuilder():
            try:
                for _round in range(3):
                    DatabaseBackend().rebuild(rebuild_batches(batch=2), lambda message: None)
            except Exception as exc:  # noqa: BLE001 - the test reports it
                errors.append(exc)

        def check():
            outcome["index"] = index_state()
            SearchEntry.objects.all().delete()
            DatabaseBackend().rebuild(rebuild_batches(), lambda message: None)
            outcome["rebuilt"] = index_state()
            outcome["subjects"] = set(Subject.objects.values_list("pk", flat=True))

        threads = [in_thread(writer), in_thread(rebuilder)]
        for thread in threads:
            thread.join(120)
        in_thread(check).join(120)
    assert errors == []
    subjects = {object_id for kind, object_id in outcome["index"] if kind == "subject"}
    assert subjects == outcome["subjects"]
    assert outcome["index"] == outcome["rebuilt"]


def test_a_background_index_task_gets_its_ids_as_runs_and_reads_back_every_one():
    ids = [3, 4, 5, 6, 9, 11, 12, 20]
    assert id_runs(ids) == [[3, 6], 9, [11, 12], 20]
    assert ids_of_runs(id_runs(ids)) == ids
    assert ids_of_runs(ids) == ids  # a task queued before runs were written
    assert id_runs(list(range(1, 100_001))) == [[1, 100_000]]
