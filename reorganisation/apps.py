from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReorganisationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reorganisation"
    verbose_name = _("Administrative reorganisation")
