"""The test suite: fast hashing, in-memory cache, tasks run immediately, files in a temporary folder."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import STORAGES

DEBUG = False
ALLOWED_HOSTS = ["*"]
SECRET_KEY = "test-only-key"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Whatever CACHE_URL says: tests empty the cache between them (tests/conftest.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
ADMINS = []  # no error mail from the suite, whatever DJANGO_ADMINS says
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

_tmp = Path(tempfile.mkdtemp(prefix="khuyenhoc-test-"))
MEDIA_ROOT = _tmp / "media"
STATIC_ROOT = _tmp / "static"
STATIC_ROOT.mkdir()
PRIVATE_MEDIA_ROOT = _tmp / "private"
STORAGES = {
    **STORAGES,
    "evidence": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT / "evidence"), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WAGTAILADMIN_BASE_URL = "http://testserver"

# Throttling stays on in tests (it is tested); tests log in with force_login, which it does not see.
AXES_ENABLED = True
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "background": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
