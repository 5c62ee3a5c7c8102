"""Imports that cannot duplicate, and hostile or damaged files: real workbooks, a real database, real threads."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from contextlib import closing
from pathlib import Path

from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

import openpyxl
import pytest

from evaluations.imports import importer
from evaluations.imports.readers import FileRefused
from evaluations.models import ImportJob, ImportStatus, LearningFamily, Subject
from tests.evaluations.test_imports import FAMILY_HEADER, families_file, run, xlsx
from tests.evaluations.test_imports_admin import stuck_job, upload

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def family_rows(count: int, *, coded: bool = True) -> list[list]:
    return [
        ["Xã Phước Hải", "Thôn Từ Thiện", f"Nguyễn Văn {n}", "Ông", 4, f"H{n}" if coded else ""] for n in range(count)
    ]


def rewrite_part(data: bytes, name: str, change) -> bytes:
    """The workbook with one part's bytes replaced by ``change(bytes)``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            target.writestr(item.filename, change(content) if item.filename == name else content)
    return out.getvalue()


# --- two imports of one list at once ----------------------------------------------------------------


def import_at_once(data: bytes) -> list:
    """Plan the file in two threads, then let both write once both have planned: the two officers (or two
    ``import_workbook`` runs) of the report, whose plans were both made before either wrote."""
    planned = threading.Barrier(2, timeout=60)
    outcomes: list = [None, None]

    def officer(i: int) -> None:
        try:
            plan = importer.plan_import(data, "ds.xlsx")
            planned.wait()
            importer.apply_plan(plan)
            outcomes[i] = plan
        except Exception as exc:  # reported to the test below
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=officer, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return outcomes


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("coded", [True, False], ids=["codes", "names"])
def test_two_imports_of_the_same_file_at_once_write_every_row_once(areas, coded):
    if connection.vendor == "sqlite":
        # The suite's SQLite database is in memory with a shared cache, whose table locks fail a second writer
        # at once instead of making it wait as the site's file database does: the test below runs two
        # processes on a file copy of it instead.
        pytest.skip("threads on the in-memory test database; see the two-process test")
    outcomes = import_at_once(families_file(family_rows(60, coded=coded)))
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert LearningFamily.objects.count() == 60
    assert Subject.objects.count() == 60
    first, second = sorted(outcomes, key=lambda plan: plan.already_imported)
    assert first.counts() == {"created": 60, "updated": 0, "unchanged": 0, "rejected": 0}
    assert second.already_imported
    assert second.counts() == {"created": 0, "updated": 0, "unchanged": 60, "rejected": 0}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_import_workbook_processes_at_once_write_every_row_once(areas, tmp_path):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(families_file(family_rows(2000)))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    if connection.vendor == "sqlite":
        # A file copy of the in-memory test database (the areas are committed): what the site runs on.
        database = tmp_path / "db.sqlite3"
        with sqlite3.connect(database) as target:
            connection.ensure_connection()
            connection.connection.backup(target)
        env["SQLITE_PATH"] = str(database)
    else:
        db = connection.settings_dict
        env["DATABASE_URL"] = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    # Each process starts Django, says it is ready, and runs the command once both are: both plans are made
    # before either writes, as with the two officers of the report.
    gate = tmp_path / "go"
    script = (
        "import pathlib, time\n"
        "from django.core.management import call_command\n"
        "pathlib.Path({ready!r}).touch()\n"
        "while not pathlib.Path({gate!r}).exists(): time.sleep(0.01)\n"
        "call_command('import_workbook', {path!r}, '--kind', 'family')\n"
    )
    processes = [
        subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                script.format(ready=str(tmp_path / f"ready{i}"), gate=str(gate), path=str(path)),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    while not all((tmp_path / f"ready{i}").exists() for i in range(2)) and all(p.poll() is None for p in processes):
        time.sleep(0.05)
    gate.touch()
    outputs = [process.communicate(timeout=600) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    if connection.vendor == "sqlite":
        with closing(sqlite3.connect(database)) as db:
            subjects = db.execute("SELECT COUNT(*) FROM evaluations_subject").fetchone()[0]
            created = [row[0] for row in db.execute("SELECT created FROM evaluations_importjob ORDER BY id")]
    else:
        subjects = Subject.objects.count()
        created = list(ImportJob.objects.order_by("pk").values_list("created", flat=True))
    assert subjects == 2000
    assert sorted(created) == [0, 2000]


def test_a_plan_made_before_another_import_wrote_is_checked_again_and_reports_already_imported(areas, settings):
    settings.LANGUAGE_CODE = "vi"
    data = families_file(family_rows(5))
    late = importer.plan_import(data, "ds.xlsx")  # planned, not yet written
    run(data)  # another import of the same list writes first
    importer.apply_plan(late)
    assert LearningFamily.objects.count() == 5
    assert late.already_imported and late.counts()["created"] == 0 and late.counts()["unchanged"] == 5


def test_the_job_of_the_second_import_says_already_imported(admin_client, areas):
    data = families_file(family_rows(3))
    first = admin_client.post(reverse("evaluations_imports:start"), {"kind": "family", "file": named(data)})
    second = admin_client.post(reverse("evaluations_imports:start"), {"kind": "family", "file": named(data)})
    # Both checked before either ran: both expect to create 3.
    assert [j.created for j in ImportJob.objects.order_by("pk")] == [3, 3]
    admin_client.post(first["Location"])
    admin_client.post(second["Location"])
    one, two = ImportJob.objects.order_by("pk")
    assert (one.status, one.created) == (ImportStatus.DONE, 3)
    assert (two.status, two.created, two.unchanged) == (ImportStatus.DONE, 0, 3)
    assert "đã được nhập rồi" in two.message
    assert "đã được nhập rồi" in admin_client.get(second["Location"]).content.decode()
    assert LearningFamily.objects.count() == 3


def named(data: bytes, name: str = "ds.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_the_database_refuses_a_second_record_with_the_same_code_in_a_village(areas):
    from django.db import IntegrityError, transaction

    run(families_file(family_rows(1)))
    family = LearningFamily.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        LearningFamily.objects.create(area=family.area, head_name="Trần Văn Bình", member_count=3, code="H0")
    # The same code in another village, or no code, is another household.
    LearningFamily.objects.create(area=family.area, head_name="Trần Văn Bình", member_count=3, code="")
    LearningFamily.objects.create(area=areas["village_a2"], head_name="Trần Văn Bình", member_count=3, code="H0")


def test_the_form_says_the_code_is_taken_instead_of_failing(areas):
    from django.core.exceptions import ValidationError

    run(families_file(family_rows(1)))
    family = LearningFamily.objects.get()
    twin = LearningFamily(area=family.area, head_name="Trần Văn Bình", member_count=3, code="H0")
    with pytest.raises(ValidationError) as error:
        twin.full_clean()
    assert "code" in error.value.message_dict
    assert "đã có" in " ".join(error.value.message_dict["code"]).lower()


# --- damaged files ----------------------------------------------------------------------------------


def cut_sheet(data: bytes) -> bytes:
    return rewrite_part(data, "xl/worksheets/sheet1.xml", lambda xml: xml[: len(xml) // 2])


def test_a_sheet_cut_in_half_is_refused_with_a_vietnamese_message(areas):
    with pytest.raises(FileRefused, match="bị hỏng") as refused:
        importer.plan_import(cut_sheet(families_file(family_rows(200))), "ds.xlsx")
    assert "Danh sách" in str(refused.value)  # names the sheet


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "ds.xlsx"),
        (b"PK\x03\x04" + b"\x00" * 40, "ds.xlsx"),
        (b"\xff\xfe\x41", "ds.csv"),
    ],
    ids=["pdf-renamed-xlsx", "broken-zip", "odd-utf16-csv"],
)
def test_non_spreadsheet_files_fail_the_job_with_a_message(admin_client, areas, data, name):
    response = upload(admin_client, data, name)
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED and job.message
    assert admin_client.get(response["Location"]).status_code == 200


def test_an_empty_upload_is_refused_by_the_form(admin_client, areas):
    response = upload(admin_client, b"", "ds.xlsx")
    assert response.status_code == 200 and "rỗng" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("name", ["ds.xlsx", "ds.csv"])
def test_the_command_refuses_an_empty_file_and_records_the_failed_job(areas, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    with pytest.raises(CommandError):
        call_command("import_workbook", str(path))
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED and job.message


def test_a_damaged_upload_fails_the_job_instead_of_answering_500(admin_client, areas):
    response = upload(admin_client, cut_sheet(families_file(family_rows(200))))
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED
    assert "bị hỏng" in job.message
    page = admin_client.get(response["Location"])
    assert page.status_code == 200 and "bị hỏng" in page.content.decode()


def test_restarting_an_interrupted_job_whose_file_is_damaged_fails_it_instead_of_500(admin_client, areas, settings):
    settings.IMPORT_STALE_MINUTES = 15
    job = stuck_job(admin_client, ImportStatus.RUNNING, minutes_ago=20)
    damaged = cut_sheet(families_file(family_rows(200)))
    with job.file.open("wb") as handle:
        handle.write(damaged)
    url = reverse("evaluations_imports:detail", args=[job.pk])
    admin_client.get(url)  # shown interrupted
    response = admin_client.post(url, {"action": "restart"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "bị hỏng" in job.message
    assert admin_client.get(url).status_code == 200
    # A failed job is not started again (the file is the same): a message, not an error page.
    assert admin_client.post(url, {"action": "restart"}).status_code == 302
    assert admin_client.get(url).status_code == 200


def test_the_command_prints_the_message_and_records_a_failed_job_for_a_damaged_file(areas, tmp_path):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(cut_sheet(families_file(family_rows(200))))
    with pytest.raises(CommandError, match="bị hỏng"):
        call_command("import_workbook", str(path))
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED and "bị hỏng" in job.message and job.original_name == "ds.xlsx"
    assert Subject.objects.count() == 0


def test_a_csv_cell_over_the_csv_modules_limit_is_refused_naming_the_row(areas):
    long_cell = "x" * 140_000
    data = (
        "Xã/phường,Thôn/khu phố,Họ tên chủ hộ,Danh xưng,Số nhân khẩu,Mã hộ\n"
        "Xã Phước Hải,Thôn Từ Thiện,Nguyễn Văn An,Ông,4,H1\n"
        f'Xã Phước Hải,Thôn Từ Thiện,"{long_cell}",Ông,4,H2\n'
    ).encode()
    with pytest.raises(FileRefused, match="dòng 3") as refused:
        importer.plan_import(data, "ds.csv")
    assert "ký tự" in str(refused.value)


def test_a_workbook_cell_over_the_cell_limit_is_refused_naming_row_and_column(areas, settings):
    settings.IMPORT_MAX_CELL_CHARS = 100
    rows = [*family_rows(2), ["Xã Phước Hải", "Thôn Từ Thiện", "A" * 101, "Ông", 4, "H9"]]
    with pytest.raises(FileRefused, match="dòng 4, cột C"):
        importer.plan_import(families_file(rows), "ds.xlsx")


def test_rows_and_columns_over_the_limits_are_refused(areas, settings):
    settings.IMPORT_MAX_ROWS = 10
    with pytest.raises(FileRefused, match="10 dòng"):
        importer.plan_import(families_file(family_rows(20)), "ds.xlsx")
    settings.IMPORT_MAX_ROWS = 1000
    settings.IMPORT_MAX_COLUMNS = 5
    with pytest.raises(FileRefused, match="6 cột"):
        importer.plan_import(families_file(family_rows(2)), "ds.xlsx")


# --- crafted files ----------------------------------------------------------------------------------


def crafted_workbook() -> bytes:
    """An ordinary-looking family list whose sheet XML is padded with 30 MB of repeated rows that pack some
    250 times, as the report's 0.94 MB file unpacking to 220 MB: under the old limits (500 MB, ratio 1000)."""
    data = families_file(family_rows(3))
    empty = b'<row><c t="inlineStr"><is><t>padding</t></is></c></row>' * 60
    filler = b"".join(empty + b"<row><c><v>%d</v></c></row>" % n for n in range(8000))

    def pad(xml: bytes) -> bytes:
        return xml.replace(b"</sheetData>", filler + b"</sheetData>")

    return rewrite_part(data, "xl/worksheets/sheet1.xml", pad)


def test_a_crafted_workbook_that_unpacks_far_beyond_its_size_is_refused_before_it_is_parsed(areas):
    data = crafted_workbook()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml")
    ratio = sheet.file_size / sheet.compress_size
    assert 100 < ratio < 1000 and sheet.file_size < 500 * 1024 * 1024  # slipped under the old limits
    with pytest.raises(FileRefused, match="giải nén") as refused:
        importer.plan_import(data, "ds.xlsx")
    assert "xl/worksheets/sheet1.xml" in str(refused.value) and "lần" in str(refused.value)


def test_a_small_upload_that_unpacks_large_is_checked_in_the_worker_not_in_the_request(
    admin_client, areas, settings, django_capture_on_commit_callbacks
):
    data = crafted_workbook()
    assert len(data) < settings.IMPORT_INLINE_MAX_BYTES  # small enough to have been checked inline
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(admin_client, data)
    assert ImportJob.objects.get().status == ImportStatus.UPLOADED  # not checked inside the request
    assert callbacks  # the check is queued for the worker
    for callback in callbacks:
        callback()
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED and "giải nén" in job.message
    assert "giải nén" in admin_client.get(response["Location"]).content.decode()


def test_the_error_workbook_lists_at_most_the_limit_and_counts_the_rest(admin_client, areas, settings):
    settings.IMPORT_MAX_REPORTED_ERRORS = 3
    rows = [["Xã Phước Hải", "Thôn Từ Thiện", f"Nguyễn Văn {n}", "Ông", 99, f"H{n}"] for n in range(8)]
    response = upload(admin_client, families_file(rows))
    job = ImportJob.objects.get()
    assert job.rejected == 8
    errors = admin_client.get(reverse("evaluations_imports:errors", args=[job.pk]))
    assert errors.status_code == 200 and errors.streaming
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(errors.streaming_content))).active
    rows_out = list(sheet.iter_rows(values_only=True))
    assert len(rows_out) == 1 + 3 + 1
    assert [r[6] for r in rows_out[1:4]] == [2, 3, 4]
    assert "5" in rows_out[4][0] and "không liệt kê" in rows_out[4][0]
    assert response.status_code == 302


def test_a_large_files_error_workbook_is_made_by_the_worker_and_served_from_storage(
    admin_client, areas, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_INLINE_MAX_BYTES = 10
    rows = [["Xã Phước Hải", "Thôn Từ Thiện", "Nguyễn Văn An", "Ông", 99, "H1"]]
    with django_capture_on_commit_callbacks(execute=True):
        upload(admin_client, families_file(rows))
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.VALIDATED and job.rejected == 1
    assert job.file.storage.exists(f"{job.file.name}.errors.xlsx")
    errors = admin_client.get(reverse("evaluations_imports:errors", args=[job.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(errors.streaming_content))).active
    assert list(sheet.iter_rows(values_only=True))[1][6] == 2


# --- control characters -----------------------------------------------------------------------------


def test_nul_and_control_characters_in_cells_are_stripped(areas):
    csv_data = (
        ",".join(FAMILY_HEADER) + "\n"
        "Xã Phước Hải,Thôn Từ Thiện,Nguyễn\x00 Văn\x07 An,Ông,4,H\x001\n"
        'Xã Phước Hải,Thôn Từ Thiện,"Trần\tVăn\nBình",Ông,3,H2\n'
    ).encode()
    plan = run(csv_data, "ds.csv")
    assert plan.counts()["created"] == 2, plan.rejections
    names = dict(LearningFamily.objects.values_list("code", "head_name"))
    assert names == {"H1": "Nguyễn Văn An", "H2": "Trần Văn Bình"}


def test_nul_in_a_workbook_cell_is_stripped(areas):
    data = xlsx([FAMILY_HEADER, ["Xã Phước Hải", "Thôn Từ Thiện", "Lê\x00 Văn Cường", "Ông", 4, "H1"]])
    plan = run(data)
    assert plan.counts()["created"] == 1, plan.rejections
    assert LearningFamily.objects.get().head_name == "Lê Văn Cường"


# --- the migration on existing data ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_keeps_duplicate_codes_left_by_past_imports_and_adds_the_constraint(areas):
    from django.db import IntegrityError
    from django.db.migrations.executor import MigrationExecutor

    before, after = ("evaluations", "0014_bulk_decision_job"), ("evaluations", "0015_import_natural_keys")
    MigrationExecutor(connection).migrate([before])
    try:
        village = areas["village_a1"]
        # What two imports of one list at once left: each household twice under the same code.
        first = LearningFamily.objects.create(area=village, head_name="Nguyễn Văn An", member_count=4, code="H1")
        twin = LearningFamily.objects.create(area=village, head_name="Nguyễn Văn An", member_count=4, code="H1")
        other = LearningFamily.objects.create(
            area=areas["village_a2"], head_name="Lê Thị Hoa", member_count=2, code="H1"
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([after])
        # Then every later migration too: the tests after this one need today's schema (a transactional
        # test's database is not rebuilt between tests).
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    first.refresh_from_db()
    twin.refresh_from_db()
    other.refresh_from_db()
    assert (first.code, other.code) == ("H1", "H1")  # the first of each code, and other villages, untouched
    assert twin.code == f"H1~{twin.pk}" and "H1" in twin.note  # kept, and its note says what its code was
    assert LearningFamily.objects.count() == 3
    with pytest.raises(IntegrityError):
        LearningFamily.objects.create(area=village, head_name="Trần Văn Bình", member_count=3, code="H1")
