from django.urls import include, path

from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from evaluations.admin_access import AreaPermissionPolicy

from .models import BudgetLine, Denominator, ReportSubmission, Target

# Policies first: Wagtail creates a fallback policy for a model as soon as a viewset asks for one.
for model in (Target, Denominator, BudgetLine, ReportSubmission):
    register_permission_policy(model, AreaPermissionPolicy(model))

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
