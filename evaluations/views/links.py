"""Wagtail's external-link chooser (rich text), answering a form without its URL field with a form error.

Wagtail's form field calls ``startswith`` on the missing value and answers 500; here the field reads a
missing value as empty, which the form reports as "This field is required".
"""

from __future__ import annotations

from wagtail.admin.forms.choosers import ExternalLinkChooserForm, URLOrAbsolutePathField
from wagtail.admin.views.chooser import ExternalLinkView


class _URLOrAbsolutePathField(URLOrAbsolutePathField):
    def to_python(self, value):
        return super().to_python(value or "")


class _ExternalLinkChooserForm(ExternalLinkChooserForm):
    url = _URLOrAbsolutePathField(required=True, label=ExternalLinkChooserForm.base_fields["url"].label)


class SafeExternalLinkView(ExternalLinkView):
    form_class = _ExternalLinkChooserForm
