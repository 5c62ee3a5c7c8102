"""WSGI entry point: ``gunicorn --pythonpath site config.wsgi`` (or any server given ``site/`` on the path)."""

import os
import sys
from pathlib import Path

# ``site/`` holds the configuration package; make it importable however the server was started.
SITE_DIR = Path(__file__).resolve().parent.parent
for folder in (SITE_DIR, SITE_DIR.parent):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from django.core.wsgi import get_wsgi_application  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()
