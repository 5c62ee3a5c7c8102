"""HTML written in Python where Django's per-element templates cost more than the page around them."""

from __future__ import annotations

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


def attributes_html(attrs: dict) -> SafeString:
    """HTML attributes as Django's and Wagtail's ``attrs.html`` write them: ``False`` leaves one out, ``True``
    writes its bare name, every value escaped."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


class PlainSelect(forms.Select):
    """Django's ``Select`` with its options written without a template (``select.html`` includes
    ``select_option.html`` for each option): the area filter of a province lists up to 150 units, and their
    templates cost 15 ms on every listing page. Same markup, same escaping."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], attributes_html(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            parts.extend(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    str(option["value"]),
                    attributes_html(option["attrs"]),
                    option["label"],
                )
                for option in options
            )
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every part escaped by format_html)
