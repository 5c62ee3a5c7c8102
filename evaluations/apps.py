from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("Evaluations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db import connections
        from django.db.backends.signals import connection_created

        from . import receivers  # noqa: F401 (connects the receivers)
        from .admin_version import install_write_watch

        connection_created.connect(install_write_watch, dispatch_uid="admin-version-write-watch")
        for connection in connections.all(initialized_only=True):
            install_write_watch(None, connection)
