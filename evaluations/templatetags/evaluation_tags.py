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


def permitted_bulk_actions(user, app_label: str, model_name: str) -> list:
    """The bulk actions of a listing that ``user`` may take, by priority: ours name their permission
    (``EvaluationBulkAction.permission``), a snippet's delete needs the model's delete permission; Wagtail
    offered every action to everyone (an auditor saw "Công nhận" and "Xoá")."""
    from wagtail.admin.views.bulk_action.registry import bulk_action_registry
    from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction

    def needs(action) -> str:
        if getattr(action, "permission", ""):
            return action.permission
        if action.action_type == "delete" and issubclass(action, SnippetBulkAction):
            return f"{app_label}.delete_{model_name}"
        return ""

    def may(action) -> bool:
        needed = needs(action)
        if isinstance(needed, tuple):  # any one of them (printing: those who hand out or decide)
            return any(user.has_perm(permission) for permission in needed)
        return not needed or user.has_perm(needed)

    actions = bulk_action_registry.get_bulk_actions_for_model(app_label, model_name)
    permitted = [action for action in actions if may(action)]
    return sorted(permitted, key=lambda action: action.action_priority)


@register.inclusion_tag("wagtailadmin/shared/buttons.html", takes_context=True)
def permitted_bulk_action_choices(context, app_label, model_name):
    """Wagtail's ``bulk_action_choices`` with only the actions the user may take (``permitted_bulk_actions``):
    the first four as buttons, the rest under "Thêm"."""
    from django.utils.translation import gettext as _

    from wagtail.admin.widgets.button import Button, ButtonWithDropdown, ListingButton

    actions = permitted_bulk_actions(context["request"].user, app_label, model_name)

    def url(action):
        return reverse("wagtail_bulk_action", args=[app_label, model_name, action.action_type])

    buttons = [
        ListingButton(
            action.display_name,
            url(action),
            attrs={"aria-label": action.aria_label, "data-bulk-action-button": ""},
            priority=action.action_priority,
            classname=" ".join(action.classes | {"bulk-action-btn"}),
        )
        for action in actions[:4]
    ]
    if actions[4:]:
        buttons.append(
            ButtonWithDropdown(
                label=_("More"),
                attrs={"title": _("More bulk actions")},
                classname="button button-secondary button-small",
                buttons=[
                    Button(
                        label=action.display_name,
                        url=url(action),
                        attrs={"aria-label": action.aria_label, "data-bulk-action-button": ""},
                        priority=action.action_priority,
                    )
                    for action in actions[4:]
                ],
            )
        )
    return {"buttons": buttons}
