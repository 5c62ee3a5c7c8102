from django import template

from evaluations.points import points_text

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` in a template, or None."""
    return mapping.get(key) if mapping else None


@register.filter
def points(value):
    """Points as the officer reads them ("10", "8,5"); "–" for none (``points.points_text``)."""
    return points_text(value) if value is not None else "–"
