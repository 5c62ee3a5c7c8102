from django import template
from django.urls import reverse

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


@register.inclusion_tag("evaluations/admin/includes/unconfirmed_set.html", takes_context=True)
def unconfirmed_set_warning(context, criteria_set, link=True):
    """The warning every screen that offers or scores an unconfirmed criteria set shows (which texts still
    read the placeholder), with the way to complete it for those who may."""
    from evaluations.admin.criteria_sets import criteria_set_viewset
    from evaluations.models.criteria import MISSING_TEXT_MARK

    if criteria_set is None or criteria_set.is_confirmed:
        return {}
    request = context.get("request")
    may_complete = link and request is not None and request.user.has_perm("evaluations.change_criteriaset")
    return {
        "criteria_set": criteria_set,
        "missing": criteria_set.texts_missing(),
        "mark": MISSING_TEXT_MARK,
        "complete_url": reverse(criteria_set_viewset.get_url_name("confirm"), args=[criteria_set.pk])
        if may_complete
        else "",
    }
