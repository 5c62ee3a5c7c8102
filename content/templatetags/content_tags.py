from django import template

from wagtail.models import Page, Site

register = template.Library()


@register.simple_tag(takes_context=True)
def site_menu(context) -> list[Page]:
    """The home page and its live children marked "show in menus", for the main navigation."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    if site is None:
        return []
    root = site.root_page
    return [root, *root.get_children().live().public().in_menu().specific()]


@register.filter
def is_ancestor_of(menu_page: Page, page) -> bool:
    """Whether ``page`` is ``menu_page`` or below it (the home page counts only for itself)."""
    if page is None or not hasattr(page, "path"):
        return False
    if menu_page.depth <= 2:
        return page.pk == menu_page.pk
    return page.path.startswith(menu_page.path)


@register.simple_tag(takes_context=True)
def querystring_with(context, **changes) -> str:
    """The current GET query with ``changes`` applied (``None`` removes a key), for pagination links."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"
