from django.urls import include, path

from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from evaluations.admin_access import AreaPermissionPolicy

from .models import BudgetLine, Denominator, ReportSubmission, Target


class ReadOnlyAreaPermissionPolicy(AreaPermissionPolicy):
    """Submissions: seen by area, never added here, changed or deleted by anyone (a superuser included)."""

    FROZEN = {"add", "change", "delete"}  # created only by "Submit the report"

    def user_has_permission(self, user, action):
        return action not in self.FROZEN and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return super().user_has_any_permission(user, [a for a in actions if a not in self.FROZEN])


# Policies first: Wagtail creates a fallback policy for a model as soon as a viewset asks for one.
for model in (Target, Denominator, BudgetLine):
    register_permission_policy(model, AreaPermissionPolicy(model))
register_permission_policy(ReportSubmission, ReadOnlyAreaPermissionPolicy(ReportSubmission))

from . import urls  # noqa: E402
from .admin import reports_group  # noqa: E402
from .panels import dashboard_panels  # noqa: E402

register_snippet(reports_group)


@hooks.register("register_admin_urls")
def register_report_urls():
    return [path("reports/", include(urls, namespace="reports"))]


@hooks.register("construct_homepage_panels")
def add_report_panels(request, panels):
    panels.extend(dashboard_panels(request))
