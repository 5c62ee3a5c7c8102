from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import urls
from .views import can_reorganise, can_review


@hooks.register("register_admin_urls")
def register_reorganisation_urls():
    return [path("reorganisation/", include(urls, namespace="reorganisation"))]


class ReorganiseMenuItem(MenuItem):
    def is_shown(self, request):
        return can_reorganise(request.user)


class ReviewMenuItem(MenuItem):
    def is_shown(self, request):
        return can_review(request.user)


@hooks.register("register_admin_menu_item")
def register_reorganisation_menu_item():
    return ReorganiseMenuItem(
        gettext_lazy("Administrative reorganisation"), reverse("reorganisation:index"), icon_name="site", order=270
    )


@hooks.register("register_admin_menu_item")
def register_review_menu_item():
    return ReviewMenuItem(
        gettext_lazy("Subjects to review"), reverse("reorganisation:review"), icon_name="tasks", order=271
    )
