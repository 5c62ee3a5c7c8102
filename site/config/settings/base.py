"""Settings shared by every environment.

The configuration package lives in ``site/config``; ``site/`` is put on ``sys.path`` by
``manage.py``, ``config/wsgi.py`` and pytest (``pythonpath`` in ``pyproject.toml``) because a
package named ``site`` would clash with Python's standard-library module.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

import dj_database_url

#: ``site/config`` -> ``site`` -> repository root.
BASE_DIR = Path(__file__).resolve().parents[3]


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h]

INSTALLED_APPS = [
    "home",
    "content",
    "evaluations",
    "reports",
    "reorganisation",
    "documents",
    "search",
    "operations",
    "field",
    "wagtail_modeladmin",
    "wagtail.contrib.forms",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # First: everything logged while a request is handled carries its id (see config/logs.py).
    "config.logs.RequestIdMiddleware",
    # Early, so that every response carries the policy (also WhiteNoise's and the early refusals).
    "config.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before any view or library reads a parameter: a NUL or other control character is a 400 naming it.
    "config.hostile_params.ControlCharacterMiddleware",
    # Before the session is loaded: an anonymous visitor's public page is answered from the cache.
    "home.public_cache.PublicResponseCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # A text or an overlong number where an id belongs: 404, in every library's views.
    "config.hostile_ids.MalformedIdMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling: after 5 failures for one username from one address, that pair waits an hour.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("LOGIN_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account/locked_out.html"
AXES_VERBOSE = False
#: How many reverse proxies of the deployment stand in front of the application (nginx alone: 1). With 0,
#: the default, X-Forwarded-For is ignored; otherwise the client's address is taken from it (config/client_ip.py).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "operations.context_processors.messages",  # + the worker warning in the admin
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]


def database_config() -> dict:
    """``DATABASE_URL`` (PostgreSQL in production) or the embedded SQLite file in WAL mode."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return dj_database_url.parse(url, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")))
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "var" / "db.sqlite3")),
        "OPTIONS": {
            # WAL lets the site read while an import or a long job writes.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }


DATABASES = {"default": database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_config(url: str) -> dict:
    """``CACHES`` from a ``CACHE_URL``:

    - ``db://`` or ``db://<table>``: Django's DatabaseCache in the default database (table ``django_cache``
      unless named; create it with ``manage.py createcachetable``). Shared by every process using that
      database: production's default.
    - ``file:///absolute/folder`` (``file://`` alone: ``var/cache``): FileBasedCache, shared by the processes
      of one machine; its ``add`` is not atomic, so it is no place for locks.
    - ``locmem://``: each process its own memory (development's default; the tests always use it).

    A query string sets ``timeout`` (seconds, default 300) and the backend's options as integers, e.g.
    ``db://?max_entries=50000``. The database cache keeps up to 10,000 entries (Django's default, 300,
    would soon cull live entries: a third of the table goes when it is full)."""
    from urllib.parse import parse_qsl, urlsplit

    parts = urlsplit(url)
    try:
        params = {key: int(value) for key, value in parse_qsl(parts.query)}
    except ValueError:
        raise ImproperlyConfigured(f"CACHE_URL: the settings after '?' are whole numbers ({url})") from None
    config: dict = {}
    if "timeout" in params:
        config["TIMEOUT"] = params.pop("timeout")
    if parts.scheme == "db":
        config |= {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": parts.netloc or "django_cache",
            "OPTIONS": {"MAX_ENTRIES": 10_000} | {key.upper(): value for key, value in params.items()},
        }
    elif parts.scheme == "file":
        if parts.netloc:
            raise ImproperlyConfigured(f"CACHE_URL: a cache folder is an absolute path, file:///folder ({url})")
        config |= {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": parts.path if parts.path not in ("", "/") else str(BASE_DIR / "var" / "cache"),
            "OPTIONS": {key.upper(): value for key, value in params.items()},
        }
    elif parts.scheme == "locmem":
        config |= {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": parts.netloc}
    else:
        raise ImproperlyConfigured(f"CACHE_URL: unknown cache {parts.scheme!r} (db://, file:///folder or locmem://)")
    return {"default": config}


#: How long a cached public page may live at most (seconds; 0: no cache). Any change that a public page may
#: show drops every cached page at once (``home/public_cache.py``); this only bounds a write that bypassed it.
PUBLIC_CACHE_SECONDS = int(os.environ.get("PUBLIC_CACHE_SECONDS", "300"))

#: How long an officer's admin listing page may be answered again from the cache (seconds; 0: never), until
#: any write to the data it shows (``evaluations/admin/listing_cache.py``). Unset: 300 where the cache is
#: shared by every process (``db://`` on PostgreSQL, ``file://``), off with a cache of each process's own
#: (``locmem://``), which would not see the worker's writes, and with ``db://`` on SQLite.
ADMIN_LISTING_CACHE_SECONDS = (
    int(os.environ["ADMIN_LISTING_CACHE_SECONDS"]) if os.environ.get("ADMIN_LISTING_CACHE_SECONDS") else None
)

#: Each process its own cache here; production shares one (``db://`` by default, see production.py).
CACHES = cache_config(os.environ.get("CACHE_URL", "locmem://"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Vietnamese first, English second. No Accept-Language negotiation: the site speaks Vietnamese to
# everyone, and an admin user who prefers English chooses it in their account settings.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
#: The project's own translation, then a supplement for Wagtail admin strings its Vietnamese catalogue
#: lacks (kept apart so ``makemessages --no-obsolete`` on the project never drops them).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale-wagtail"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
FORMAT_MODULE_PATH = ["config.formats"]
USE_TZ = True

STATIC_URL = "/static/"
#: Where ``collectstatic`` writes (WhiteNoise serves it); outside the checkout in a deployment.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
#: Evidence never lives under MEDIA_ROOT: it is served only through a permission-checked view.
#: The public certificate check: at most this many look-ups per client address per window (seconds).
CERTIFICATE_VERIFY_RATE = (int(os.environ.get("CERTIFICATE_VERIFY_LIMIT", 30)), 600)
#: A self-assessment slip's code opens the family's form for this many days after it is printed.
SELF_ASSESSMENT_CODE_DAYS = int(os.environ.get("SELF_ASSESSMENT_CODE_DAYS", 60))
#: The public self-assessment form: at most this many look-ups and submissions per client address per window.
SELF_ASSESSMENT_RATE = (int(os.environ.get("SELF_ASSESSMENT_LIMIT", 20)), 600)
#: Certificates for more subjects than this are written by a background job, with progress.
DOCUMENT_BACKGROUND_SUBJECTS = int(os.environ.get("DOCUMENT_BACKGROUND_SUBJECTS", 200))
#: Static instances of the documents' variable font, made once (see ``documents.pdf.font_files``).
DOCUMENT_FONT_CACHE = Path(os.environ.get("DOCUMENT_FONT_CACHE", BASE_DIR / "var" / "fonts"))
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "private"))
if PRIVATE_MEDIA_ROOT.resolve().is_relative_to(MEDIA_ROOT.resolve()):
    raise ImproperlyConfigured(
        "PRIVATE_MEDIA_ROOT must lie outside MEDIA_ROOT: everything under MEDIA_ROOT is public."
    )
#: The application serves MEDIA_ROOT's public folders under /media/ (config/media.py); turn off when a reverse
#: proxy serves them instead.
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)
#: Wagtail's images and renditions. Not "documents": /documents/ serves those after a privacy check.
PUBLIC_MEDIA_FOLDERS = ["original_images", "images"]
#: How long browsers and proxies may keep a public image (a changed image gets a new file name).
MEDIA_CACHE_SECONDS = int(os.environ.get("MEDIA_CACHE_SECONDS", str(24 * 3600)))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "evidence": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT / "evidence"), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

#: Largest evidence file accepted, in bytes (20 MB unless EVIDENCE_MAX_UPLOAD_MB says otherwise).
EVIDENCE_MAX_UPLOAD_SIZE = int(float(os.environ.get("EVIDENCE_MAX_UPLOAD_MB", "20")) * 1024 * 1024)
#: An officer's edit lock on an evaluation lapses after this many minutes without saving.
EVALUATION_EDIT_LOCK_MINUTES = int(os.environ.get("EVALUATION_EDIT_LOCK_MINUTES", "30"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

WAGTAIL_SITE_NAME = "Hội Khuyến học"
#: Wagtail's login form with its fields named in the user's language (``evaluations.login``).
WAGTAILADMIN_USER_LOGIN_FORM = "evaluations.login.LoginForm"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_I18N_ENABLED = False
#: New pages' addresses are ASCII ("Xã Ninh Phước" -> xa-ninh-phuoc; content.slugs folds đ too, which Wagtail
#: alone would drop); existing pages keep theirs.
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAIL_DATE_FORMAT = "%d/%m/%Y"
WAGTAIL_DATETIME_FORMAT = "%d/%m/%Y %H:%M"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "ods"]

#: Wagtail's own small tasks run at once; large imports and exports are queued in the database ("background") and
#: run by ``manage.py run_worker`` (operations), which ``make run`` starts beside the web server.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "background": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}

#: Largest spreadsheet accepted for import (50 MB unless IMPORT_MAX_UPLOAD_MB says otherwise).
IMPORT_MAX_UPLOAD_SIZE = int(float(os.environ.get("IMPORT_MAX_UPLOAD_MB", "50")) * 1024 * 1024)
#: A workbook (a zip) whose parts unpack beyond this in all is refused as a possible zip bomb, read from the
#: zip's directory before anything is parsed; one sheet's XML beyond IMPORT_MAX_SHEET_UNPACKED_MB likewise.
IMPORT_MAX_UNPACKED_SIZE = int(float(os.environ.get("IMPORT_MAX_UNPACKED_MB", "300")) * 1024 * 1024)
IMPORT_MAX_SHEET_UNPACKED_SIZE = int(float(os.environ.get("IMPORT_MAX_SHEET_UNPACKED_MB", "200")) * 1024 * 1024)
#: A part (over 1 MB unpacked) that unpacks to more than this many times its packed size is not a spreadsheet:
#: ordinary sheets pack 5-20 times, a crafted one 247 times.
IMPORT_MAX_UNPACK_RATIO = float(os.environ.get("IMPORT_MAX_UNPACK_RATIO", "100"))
#: Rows and columns of one sheet, and characters in one cell (Excel's own limit), beyond which a file is refused.
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "300000"))
IMPORT_MAX_COLUMNS = int(os.environ.get("IMPORT_MAX_COLUMNS", "200"))
IMPORT_MAX_CELL_CHARS = int(os.environ.get("IMPORT_MAX_CELL_CHARS", "32767"))
#: Rejected rows listed in the error workbook; a last row says how many more were not listed.
IMPORT_MAX_REPORTED_ERRORS = int(os.environ.get("IMPORT_MAX_REPORTED_ERRORS", "5000"))
#: Imports with more data rows than this run in the background (db_worker); smaller ones run at once.
IMPORT_INLINE_MAX_ROWS = int(os.environ.get("IMPORT_INLINE_MAX_ROWS", "3000"))
#: Uploads larger than this are checked in the background too (about 30,000 rows of households), and so are
#: workbooks unpacking beyond IMPORT_INLINE_MAX_UNPACKED_BYTES (a small crafted file can unpack to 220 MB).
IMPORT_INLINE_MAX_BYTES = int(os.environ.get("IMPORT_INLINE_MAX_BYTES", str(1024 * 1024)))
IMPORT_INLINE_MAX_UNPACKED_BYTES = int(os.environ.get("IMPORT_INLINE_MAX_UNPACKED_BYTES", str(10 * 1024 * 1024)))
#: An import or check that has reported no progress for this long, its worker gone, is shown as interrupted.
IMPORT_STALE_MINUTES = int(os.environ.get("IMPORT_STALE_MINUTES", "15"))
#: Listing exports with more rows than this are written by a background task (with progress and a link).
REPORTS_EXPORT_BACKGROUND_ROWS = int(os.environ.get("REPORTS_EXPORT_BACKGROUND_ROWS", "20000"))
#: Reorganisations touching more active subjects than this are applied in the background (with progress);
#: smaller ones at once, in the request. The official 2025 one touches the whole province (some 164,000).
REORGANISATION_INLINE_MAX_SUBJECTS = int(os.environ.get("REORGANISATION_INLINE_MAX_SUBJECTS", "3000"))
#: A reorganisation run that has reported no progress for this long, its worker gone, is shown as interrupted.
REORGANISATION_STALE_MINUTES = int(os.environ.get("REORGANISATION_STALE_MINUTES", "15"))
#: A bulk decision (recognise, not recognise) on more evaluations than this is recorded by the background
#: worker, the officer following it on a status page: some 700 rows outlast a web server's 30 s timeout.
BULK_ACTION_BACKGROUND_ROWS = int(os.environ.get("BULK_ACTION_BACKGROUND_ROWS", "200"))
#: A background bulk decision started this long ago and not finished, its worker gone, is shown as interrupted.
BULK_ACTION_STALE_MINUTES = int(os.environ.get("BULK_ACTION_STALE_MINUTES", "15"))
#: A background export that has reported no progress for this long, its worker gone, is shown as interrupted
#: (and its partial file removed); it can then be started again.
EXPORT_STALE_MINUTES = int(os.environ.get("EXPORT_STALE_MINUTES", str(IMPORT_STALE_MINUTES)))
#: ``manage.py run_worker`` records a heartbeat this often (seconds)...
WORKER_HEARTBEAT_SECONDS = float(os.environ.get("WORKER_HEARTBEAT_SECONDS", "5"))
#: ...and a worker silent for longer than this is taken for dead: the health view answers 503 if tasks wait,
#: and the admin warns staff. Larger than the heartbeat, to allow for a briefly locked SQLite database.
WORKER_STALE_SECONDS = float(os.environ.get("WORKER_STALE_SECONDS", "90"))

#: Search over evidence, pages and recognised models: "database" (SQLite FTS5 or PostgreSQL full-text,
#: the default) or "elasticsearch" (then ELASTICSEARCH_URL is required). Rebuild with
#: ``manage.py rebuild_search_index`` after switching.
SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "database")
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
#: Aliases are ``<prefix>-evidence``, ``<prefix>-subject`` and ``<prefix>-page``.
ELASTICSEARCH_INDEX_PREFIX = os.environ.get("ELASTICSEARCH_INDEX_PREFIX", "khuyenhoc")
#: A bulk write of more subjects than this (an import, a reorganisation) is indexed by the background worker
#: after its commit, so a province's list is not held up by its index; smaller ones are indexed with the write.
SEARCH_INLINE_MAX_SUBJECTS = int(os.environ.get("SEARCH_INLINE_MAX_SUBJECTS", "2000"))

LOGIN_URL = "wagtailadmin_login"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
#: An idle admin session ends after 8 hours (a working day).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "SAMEORIGIN"

#: Content-Security-Policy of every response (config/csp.py): scripts, styles, images and connections only
#: from this site. Styles may be inline (Wagtail's admin and a few of our templates set style attributes);
#: images may be data: or blob: URLs (the image editor's previews). Frames only from this site (Wagtail's
#: preview); nobody else may frame us (as X_FRAME_OPTIONS).
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "frame-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'self'"],
}
#: Added on the admin's pages: Wagtail 8 still writes some scripts inline (date pickers, inline panels).
CONTENT_SECURITY_POLICY_ADMIN = {"script-src": ["'self'", "'unsafe-inline'"]}
CSP_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", False)
#: The admin loads nothing from other sites: no Gravatar images (the default avatar instead; no hash of an
#: officer's e-mail leaves the site) and no check for new Wagtail releases (versions are pinned).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False

#: Logs go to stderr, one line per record with its level, request id, logger, process and message
#: (config/logs.py); tracebacks stay on the record's line, their line breaks written as ``\n``. Django's
#: "Internal Server Error" records (every 500, with its traceback) are also mailed to ADMINS when set.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
#: E-mail (workflow notices, ``evaluations/notices.py``, and server errors): written to the console unless an
#: SMTP server is set by ``EMAIL_HOST`` (with ``EMAIL_PORT``, ``EMAIL_HOST_USER``, ``EMAIL_HOST_PASSWORD``,
#: ``EMAIL_USE_TLS=1`` or ``EMAIL_USE_SSL=1``); notices are sent from ``DEFAULT_FROM_EMAIL``.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "") in {"1", "true", "yes"}
    EMAIL_USE_SSL = os.environ.get("EMAIL_USE_SSL", "") in {"1", "true", "yes"}
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "khuyenhoc@localhost")
#: ``DJANGO_ADMINS``: comma-separated addresses that receive server errors (through the mail settings above;
#: the sender is ``DJANGO_SERVER_EMAIL``).
_admins = [address.strip() for address in os.environ.get("DJANGO_ADMINS", "").split(",")]
ADMINS = [(address, address) for address in _admins if address]
SERVER_EMAIL = os.environ.get("DJANGO_SERVER_EMAIL", "root@localhost")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "config.logs.RequestIdFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {"line": {"()": "config.logs.LineFormatter"}},
    "handlers": {
        "stderr": {"class": "config.logs.StderrHandler", "filters": ["request_id"], "formatter": "line"},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    # Everything (Django, Wagtail, the background worker's django_tasks, the project's own loggers) reaches
    # the root's stderr handler; Django's loggers also reach mail_admins, which sends nothing without ADMINS.
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": LOG_LEVEL, "propagate": True},
        # Wagtail logs every audit-log entry at INFO with the record's title, which is often a person's
        # name: the audit log already keeps it (in the database, by area); the log file keeps no names.
        "wagtail": {"level": "WARNING"},
        # One line per task (Wagtail queues a reference-index task for every save): failures only.
        "django_tasks": {"level": "WARNING"},
        # Font subsetting for printed documents reports every table it prunes.
        "fontTools": {"level": "WARNING"},
    },
}
