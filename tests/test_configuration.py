"""The configuration package in site/ is importable the same way by manage.py, WSGI and pytest."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def test_vietnamese_first_and_local_time():
    assert settings.LANGUAGE_CODE == "vi"
    assert [code for code, _ in settings.LANGUAGES] == ["vi", "en"]
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"


def test_manage_py_finds_the_configuration():
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--settings=config.settings.test"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_wsgi_application_loads_from_its_file():
    # As a WSGI server would: load site/config/wsgi.py from outside the repository.
    code = "import runpy; app = runpy.run_path('site/config/wsgi.py')['application']; print(callable(app))"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production", "DJANGO_SECRET_KEY": "x" * 60}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    code = "import runpy; runpy.run_path('site/config/wsgi.py')"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
