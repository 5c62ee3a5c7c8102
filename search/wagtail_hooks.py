from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .admin_views import EvidenceSearchView, may_search_evidence


@hooks.register("register_admin_urls")
def register_search_urls():
    return [path("search/evidence/", EvidenceSearchView.as_view(), name="search_evidence")]


class EvidenceSearchMenuItem(MenuItem):
    def is_shown(self, request):
        return may_search_evidence(request.user)


@hooks.register("register_admin_menu_item")
def register_evidence_search_menu_item():
    return EvidenceSearchMenuItem(_("Evidence search"), reverse("search_evidence"), icon_name="search", order=250)
