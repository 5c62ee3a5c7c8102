"""The project's own management commands speak Vietnamese: their ``--help`` (``manage.py help CMD``, the
command's and its arguments' texts, argparse's and Django's words around them), their output and their errors;
``DJANGO_COMMAND_LANGUAGE=en`` keeps English (``operations.management.base``)."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from django.apps import apps
from django.core.management import CommandError, call_command, get_commands, load_command_class
from django.utils import translation

import pytest

from evaluations.criteria_io import criteria_set_export_json, criteria_set_import
from evaluations.management.commands.seed_criteria_sets import SEED_DIR
from operations.management.base import LANGUAGE_VARIABLE, ProjectCommandMixin

ROOT = Path(__file__).resolve().parent.parent

#: Letters only Vietnamese writes (not in English, nor in the ASCII of code and paths).
VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹàáèéìíòóùúýõĩũ]", re.IGNORECASE)

#: argparse's and Django's English around every command's help.
COMMON_ENGLISH = (
    "usage:",
    "positional arguments",
    "options:",
    "show this help message",
    "Verbosity level",
    "Don't colorize",
    "Skip system checks",
    "stack trace on CommandError",
)

#: Each project command: a piece of its Vietnamese help, and English pieces of its former help.
HELP = {
    "export_criteria_set": (
        "Xuất một bộ tiêu chí",
        ("Export a criteria set", "Code of the criteria set", "Version to export", "File to write"),
    ),
    "import_criteria_set": (
        "Nhập một bộ tiêu chí từ tệp trao đổi JSON",
        ("Import a criteria set", "Path of the JSON file"),
    ),
    "import_workbook": (
        "mã GSO hoặc tên xã/phường",
        ("Import households", "what the file lists", "check and report", "write the rejected rows"),
    ),
    "load_admin_units": (
        "Nạp cả 34 tỉnh, thành phố.",
        ("Load today's provinces", "Load all 34 provinces", "Create the national root", "PROVINCE"),
    ),
    "load_demo_data": (
        "Số gia đình học tập (3000).",
        ("Load a demo", "Number of learning families", "Random seed"),
    ),
    "seed_criteria_sets": (
        "Nhập mọi bộ tiêu chí đi kèm phần mềm",
        ("Import every shipped criteria set", "reported as unchanged"),
    ),
    "run_worker": (
        "Số giây giữa hai lần gửi tín hiệu hoạt động",
        ("Run the background worker", "Seconds between heartbeats", "The queues to process", "Worker id"),
    ),
    "apply_reorganisation": (
        "Hiện những gì sẽ thay đổi; không thay đổi gì.",
        ("Preview or apply", "Show what would change", "entered by hand", "Username recorded"),
    ),
    "rebuild_search_index": (
        "Dựng lại chỉ mục tìm kiếm",
        ("Rebuild the search index", "objects per bulk write"),
    ),
}


def project_commands() -> dict[str, str]:
    """The commands of the project's own apps (not Django's, Wagtail's or another package's): name -> app."""
    own = {
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(ROOT) and not Path(config.path).is_relative_to(ROOT / ".venv")
    }
    return {name: app for name, app in get_commands().items() if app in own}


def command_env(**extra) -> dict:
    env = {key: value for key, value in os.environ.items() if key != LANGUAGE_VARIABLE}
    return env | {"DJANGO_SETTINGS_MODULE": "config.settings.test", **extra}


def manage(*args: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=command_env(**env),
        capture_output=True,
        text=True,
        timeout=300,
    )


#: ``manage.py help NAME`` for each NAME given, in one process (each start of Django takes seconds).
HELP_SCRIPT = """
import sys
sys.path.insert(0, "site")
from django.core.management import ManagementUtility
for name in sys.argv[1:]:
    print("=== " + name, flush=True)
    ManagementUtility(["manage.py", "help", name]).execute()
    sys.stdout.flush()
"""


@pytest.fixture(scope="module")
def helps() -> dict[str, str]:
    """What ``manage.py help CMD`` prints for every project command."""
    result = subprocess.run(  # noqa: S603 (our own commands)
        [sys.executable, "-c", HELP_SCRIPT, *HELP],
        cwd=ROOT,
        env=command_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    texts = dict(re.findall(r"^=== (\w+)\n(.*?)(?=^=== |\Z)", result.stdout, flags=re.MULTILINE | re.DOTALL))
    assert set(texts) == set(HELP), result.stdout[:2000]
    return texts


def test_every_project_command_is_in_the_site_language_and_checked_here():
    commands = project_commands()
    assert set(commands) == set(HELP), "a new command: give it the base class and a line in HELP"
    for name, app in commands.items():
        assert isinstance(load_command_class(app, name), ProjectCommandMixin), name


@pytest.mark.parametrize("name", sorted(HELP))
def test_the_help_is_vietnamese(helps, name):
    text = helps[name]
    vietnamese, english = HELP[name]
    assert vietnamese in text
    assert text.startswith("cách dùng: manage.py " + name)
    assert "tùy chọn:" in text and "hiện trợ giúp này rồi thoát" in text and "Mức chi tiết của thông báo" in text
    for fragment in (*english, *COMMON_ENGLISH):
        assert fragment not in text, (name, fragment)
    # Every line of help below the usage says something in Vietnamese (an option's help has diacritics).
    described = [line for line in text.splitlines() if re.match(r"^  \S.*  \S", line)]
    assert described and all(VIETNAMESE.search(line) for line in described), described


def test_dash_dash_help_is_vietnamese_and_an_english_run_can_be_asked_for():
    vietnamese = manage("apply_reorganisation", "--help")
    assert vietnamese.returncode == 0, vietnamese.stderr
    assert "Xem trước hoặc áp dụng một đợt sắp xếp đơn vị hành chính" in vietnamese.stdout
    assert "Preview or apply" not in vietnamese.stdout

    english = manage("help", "apply_reorganisation", **{LANGUAGE_VARIABLE: "en"})
    assert english.returncode == 0, english.stderr
    assert english.stdout.startswith("usage: manage.py apply_reorganisation")
    assert "Preview or apply a reorganisation" in english.stdout and "Show what would change" in english.stdout
    assert not VIETNAMESE.search(english.stdout.replace("Hội Khuyến học", ""))


def test_an_error_on_the_command_line_is_vietnamese():
    result = manage("import_workbook", "/nonexistent/ds.xlsx")
    assert result.returncode == 1
    assert "Không tìm thấy tệp /nonexistent/ds.xlsx." in result.stderr
    assert "not found" not in result.stderr


# --- Output and errors (call_command) --------------------------------------------------------------


def run(*args, **options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_criteria_set_commands_speak_vietnamese(tmp_path):
    out, _err = run("seed_criteria_sets")
    first = sorted(SEED_DIR.glob("*.json"))[0].name
    assert f"{first}: đã tạo: " in out and "created" not in out
    assert run("seed_criteria_sets")[0].count(": không đổi: ") == len(list(SEED_DIR.glob("*.json")))

    target = tmp_path / "set.json"
    code = json.loads(next(SEED_DIR.glob("*.json")).read_bytes())["criteria_set"]["code"]
    _out, err = run("export_criteria_set", code, "-o", str(target))
    assert err.startswith(f"Đã ghi {code} v") and f" vào {target}" in err
    assert run("import_criteria_set", str(target))[0].startswith(f"không đổi: {code} v")
    with pytest.raises(CommandError, match="Không có phiên bản 99 của bộ tiêu chí mã .*Các phiên bản đã lưu: v"):
        run("export_criteria_set", code, version=99)
    with pytest.raises(CommandError, match="Không có bộ tiêu chí nào mã “khong-co”."):
        run("export_criteria_set", "khong-co")
    with pytest.raises(CommandError, match="không đọc được tệp"):
        run("import_criteria_set", str(tmp_path / "missing.json"))


@pytest.mark.django_db
def test_import_workbook_errors_are_vietnamese(areas, tmp_path):
    with pytest.raises(CommandError, match="Không tìm thấy tệp"):
        run("import_workbook", str(tmp_path / "missing.xlsx"))
    path = tmp_path / "ds.csv"
    path.write_text("Xã,Thôn,Họ tên chủ hộ\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Không có người dùng “ai-do”."):
        run("import_workbook", str(path), "--user", "ai-do")
    with pytest.raises(CommandError, match="Không tìm thấy xã/phường “Xã Không Có”."):
        run("import_workbook", str(path), "--commune", "Xã Không Có")


@pytest.mark.django_db
def test_load_admin_units_prints_its_counts_in_vietnamese():
    out, _err = run("load_admin_units")
    assert "  các tỉnh đã nạp: 56 Tỉnh Khánh Hòa" in out
    assert "  xã cũ: 194" in out and "  quan hệ kế thừa (cũ -> mới): " in out
    assert "Đơn vị hành chính: tạo mới " in out and " giây)." in out
    for english in ("provinces loaded", "former communes", "Administrative units", "created", "successions"):
        assert english not in out
    with pytest.raises(CommandError, match="Hãy ghi các tỉnh hoặc --all, không ghi cả hai."):
        run("load_admin_units", "56", "--all")


@pytest.mark.django_db
def test_load_demo_data_refuses_in_vietnamese():
    with pytest.raises(CommandError, match="--households phải ít nhất là 1."):
        run("load_demo_data", households=0)


def test_the_demo_counts_are_labelled_in_vietnamese():
    from evaluations.management.commands.load_demo_data import counts_line

    with translation.override("vi"):
        line = counts_line({"villages created": 3, "family subjects created": 5, "pages created": 2, "seconds": 1.5})
    assert line == "thôn, tổ dân phố 3, Gia đình học tập 5, trang của website 2, giây 1,5"


@pytest.mark.django_db
def test_run_worker_refuses_in_vietnamese(settings):
    # Its --backend must be a database queue (the tests' settings run tasks at once).
    settings.TASKS = {**settings.TASKS, "background": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with pytest.raises(CommandError, match="run_worker không tự nạp lại khi mã nguồn thay đổi"):
        run("run_worker", "--reload")
    with pytest.raises(CommandError, match="Chỉ dùng được --exclude-queues cùng với --queue-name="):
        run("run_worker", "--exclude-queues", "other")


@pytest.mark.django_db
def test_apply_reorganisation_refuses_in_vietnamese():
    with pytest.raises(CommandError, match="Không có đợt sắp xếp nào có mã 999999."):
        run("apply_reorganisation", "--id", "999999")


@pytest.mark.django_db
def test_rebuild_search_index_speaks_vietnamese_unless_english_is_asked_for(areas, monkeypatch):
    before = translation.get_language()
    out, _err = run("rebuild_search_index")
    assert out.startswith("Đang dựng lại chỉ mục tìm kiếm (cơ sở dữ liệu): ")
    assert "Đã lập chỉ mục" in out
    assert "Rebuilding" not in out and "Indexed" not in out and "entries" not in out
    assert translation.get_language() == before  # the command's language does not outlive it

    monkeypatch.setenv(LANGUAGE_VARIABLE, "en")
    out, _err = run("rebuild_search_index")
    assert out.startswith("Rebuilding the search index (database): ")
    assert "Indexed" in out and not VIETNAMESE.search(out)

    monkeypatch.setenv(LANGUAGE_VARIABLE, "klingon")  # not a language of the site: the site's language
    assert run("rebuild_search_index")[0].startswith("Đang dựng lại chỉ mục tìm kiếm")


def test_criteria_import_outcome_lines_are_vietnamese(db):
    from evaluations.management.commands.import_criteria_set import describe

    source = next(SEED_DIR.glob("*.json")).read_bytes()
    outcome = criteria_set_import(source)
    with translation.override("vi"):
        assert describe(outcome).startswith("đã tạo: ")
        assert describe(criteria_set_import(criteria_set_export_json(outcome.criteria_set))).startswith("không đổi: ")
