"""Local development: the embedded SQLite database, DEBUG on; e-mail to the console unless EMAIL_HOST is set."""

from .base import *  # noqa: F403

DEBUG = True
ALLOWED_HOSTS = ["*"]

# WhiteNoise expects the collected-static folder to exist even while DEBUG serves from the apps.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
