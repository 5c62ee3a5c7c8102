"""Local development: the embedded SQLite database, DEBUG on, e-mail to the console."""

from .base import *  # noqa: F403

DEBUG = True
ALLOWED_HOSTS = ["*"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
