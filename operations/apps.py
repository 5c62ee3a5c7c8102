from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """What is about the running service: the background worker's heartbeat, health, interrupted jobs."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "operations"
    verbose_name = _("Operations")
