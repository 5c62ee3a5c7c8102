"""Wagtail admin views replaced at their own addresses (included before Wagtail's admin URLs, so these
answer first; they keep Wagtail's names, so every link to them stays the same).

- Site history: narrowed by area (``views.history``).
- The rich-text external-link chooser: a form without its URL is a form error, not a server error.
- Bulk actions (of every model, Wagtail's and ours): ids that cannot be the model's keys are dropped
  before the action reads them, so no database ever sees them.
"""

from django.apps import apps
from django.http import Http404
from django.urls import path

from wagtail.admin.auth import require_admin_access
from wagtail.admin.urls import display_custom_404
from wagtail.admin.views.bulk_action import index as wagtail_bulk_action
from wagtail.utils.urlpatterns import decorate_urlpatterns

from .models.area import parse_pk
from .views.history import AreaLogEntriesView
from .views.links import SafeExternalLinkView


def bulk_action(request, app_label: str, model_name: str, action: str):
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError as error:
        raise Http404 from error
    query = request.GET.copy()
    query.setlist("id", [raw for raw in query.getlist("id") if raw == "all" or parse_pk(model, raw) is not None])
    request.GET = query
    return wagtail_bulk_action(request, app_label, model_name, action)


urlpatterns = decorate_urlpatterns(
    [
        path("reports/site-history/", AreaLogEntriesView.as_view(), name="site_history"),
        path(
            "reports/site-history/results/",
            AreaLogEntriesView.as_view(results_only=True),
            name="site_history_results",
        ),
        path("choose-external-link/", SafeExternalLinkView.as_view(), name="choose_external_link"),
        path("bulk/<str:app_label>/<str:model_name>/<str:action>/", bulk_action, name="bulk_action"),
    ],
    lambda view: display_custom_404(require_admin_access(view)),
)
