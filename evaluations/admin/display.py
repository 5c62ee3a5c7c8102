"""How the admin shows a stored value: in lists (``listing.PlainColumn``) and on inspect pages (the display
classes registered here for Wagtail's ``InspectView``), one rule for both.

Wagtail's inspect pages showed moments in UTC (13:08 where the list said 20:08), ``True``/``False`` and a
missing creator as ``None``; points as "37,0"."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

from wagtail.admin.active_filters import BaseFilterAdapter, register_filter_adapter_class
from wagtail.admin.ui.fields import BaseFieldDisplay, register_display_class

import django_filters

from ..points import points_text

#: What an inspect page shows for a value that is not there.
MISSING = "–"


def shown_value(value, missing: str = "") -> str:
    """``value`` as the admin shows it: a moment in the site's time zone, a date day first, points and other
    decimals without trailing zeros ("8,5"), yes/no in words, ``missing`` for none."""
    if value is None or value == "":
        return missing
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Decimal):
        return points_text(value)
    return str(localize(template_localtime(value)))


class ValueDisplay(BaseFieldDisplay):
    """An inspect page's value, by ``shown_value`` (Wagtail renders it with the template's defaults)."""

    def render_html(self, parent_context=None):
        return conditional_escape(shown_value(self.value, MISSING))


class RelatedDisplay(BaseFieldDisplay):
    """A related object by its name, ``MISSING`` when there is none (Wagtail wrote "None"); a unit with the
    unit it belongs to ("Thôn Tú Bình, Xã Phước Hải": villages of one name are in several communes)."""

    def render_html(self, parent_context=None):
        if self.value is None:
            return MISSING
        return conditional_escape(getattr(self.value, "label_with_parent", None) or str(self.value))


class BooleanFilterAdapter(BaseFilterAdapter):
    """A yes/no filter in force above a listing, in words ("Trả lại để sửa: Có"; Wagtail wrote "True")."""

    def get_active_filters(self):
        for active in super().get_active_filters():
            yield active._replace(value=shown_value(self.value))


def register_display_classes() -> None:
    """Every field of every inspect page (a choice field is shown by its label before these are asked)."""
    register_display_class(models.Field, display_class=ValueDisplay)
    # Every foreign key (images and documents keep Wagtail's own, registered for their models).
    register_display_class(models.ForeignKey, to=models.Model, display_class=RelatedDisplay)
    register_filter_adapter_class(django_filters.BooleanFilter, BooleanFilterAdapter)
