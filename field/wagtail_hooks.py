from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from evaluations.access import user_may_read_evaluations

from .bulk_actions import SelfAssessmentSlipsBulkAction

# The subject listings' "In phiếu tự đánh giá": the selected subjects' self-assessment slips as one PDF.
hooks.register("register_bulk_action", SelfAssessmentSlipsBulkAction)


class FieldAppMenuItem(MenuItem):
    """The phone app for scoring in the villages, offered to those it serves (it refuses the others)."""

    def is_shown(self, request):
        return user_may_read_evaluations(request.user) and request.user.has_perm("evaluations.change_evaluation")


@hooks.register("register_admin_menu_item")
def register_field_app_menu_item():
    return FieldAppMenuItem(_("Field scoring (phone)"), reverse("field_app:app"), icon_name="mobile-alt", order=240)
