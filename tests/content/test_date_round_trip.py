"""Dates and date-times typed in the admin's forms read back as typed, in every language, save after save.

The admin's pickers write day first (``WAGTAIL_DATE_FORMAT``, ``WAGTAIL_DATETIME_FORMAT``); a form that read
them month first stored 05/12/2026 as 12 May and flipped it again at the next save (a page's "go live" date).
"""

import datetime
import re
import zoneinfo

from django import forms
from django.apps import apps
from django.utils import translation

from wagtail.admin.panels import get_edit_handler
from wagtail.models import Page
from wagtail.snippets.models import get_snippet_models

import pytest

#: A day that reads as another date month first (5 December / 12 May).
DAY = datetime.date(2026, 12, 5)
MOMENT = datetime.datetime(2026, 12, 5, 10, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"))


def admin_forms():
    """Every page type's and snippet's admin form class, by name."""
    page_models = [m for m in apps.get_models() if issubclass(m, Page) and m is not Page]
    for model in [*page_models, *get_snippet_models()]:
        yield model.__name__, get_edit_handler(model).get_form_class()


def date_fields(form_class):
    return {
        name: field
        for name, field in form_class.base_fields.items()
        if isinstance(field, forms.DateField | forms.DateTimeField)
    }


def shown_value(field, name: str, value) -> str:
    """The value the field's widget puts in its input, as the browser would send it back."""
    html = field.widget.render(name, value)
    return re.search(r'value="([^"]*)"', html).group(1)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_admin_date_reads_back_as_shown(language):
    checked = []
    with translation.override(language):
        for form_name, form_class in admin_forms():
            for name, field in date_fields(form_class).items():
                value = MOMENT if isinstance(field, forms.DateTimeField) else DAY
                typed = shown_value(field, name, value)
                assert typed.startswith("05/12/2026"), f"{form_name}.{name} shows {typed!r}"
                stored = field.clean(typed)
                for save in range(1, 4):  # saved, shown and saved again: the same day every time
                    assert stored == value, f"{form_name}.{name}: {typed!r} read back as {stored!r} (save {save})"
                    stored = field.clean(shown_value(field, name, stored))
                checked.append(f"{form_name}.{name}")
    # The article's date, a page's go-live and expiry, a decision's date at least.
    assert {"ArticlePage.date", "ArticlePage.go_live_at", "ArticlePage.expire_at", "ModelStoryPage.date"} <= set(
        checked
    )


@pytest.mark.parametrize("language", ["vi", "en"])
def test_iso_dates_are_still_read(language):
    """Dates pasted or sent in ISO form (year first) are read too."""
    with translation.override(language):
        assert forms.DateField().clean("2026-12-05") == DAY
        assert forms.DateTimeField().clean("2026-12-05 10:30").replace(tzinfo=None) == MOMENT.replace(tzinfo=None)
