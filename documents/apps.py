from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Printable documents")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from reports import exports

        from .views.certificates import LISTING, write_certificates_job

        exports.DOCUMENT_WRITERS[LISTING] = write_certificates_job
