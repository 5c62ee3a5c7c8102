from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail_modeladmin.options import modeladmin_register

from .admin_access import (
    AreaPermissionPolicy,
    DecisionPermissionPolicy,
    EvaluationPermissionPolicy,
    ScopedDeleteBulkAction,
)
from .models import SUBJECT_MODELS, CommendationProposal, Evaluation, RecognitionDecision, Subject

# Policies first: Wagtail creates a fallback policy for a model as soon as a viewset asks for one.
register_permission_policy(Evaluation, EvaluationPermissionPolicy(Evaluation))
register_permission_policy(RecognitionDecision, DecisionPermissionPolicy(RecognitionDecision))
register_permission_policy(CommendationProposal, AreaPermissionPolicy(CommendationProposal))
register_permission_policy(Subject, AreaPermissionPolicy(Subject))
for subject_model in SUBJECT_MODELS.values():
    register_permission_policy(subject_model, AreaPermissionPolicy(subject_model))

from . import log_actions  # noqa: E402
from .admin import (  # noqa: E402
    criteria_set_viewset,
    evaluation_viewset_group,
    public_model_chooser_viewset,
    subject_chooser_viewset,
    subject_viewset_group,
    unit_chooser_viewset,
)
from .bulk_actions import BULK_ACTIONS  # noqa: E402
from .reference_admin import ReferenceDataGroup  # noqa: E402

register_snippet(subject_viewset_group)
register_snippet(criteria_set_viewset)
register_snippet(evaluation_viewset_group)
modeladmin_register(ReferenceDataGroup)

for bulk_action in BULK_ACTIONS:
    hooks.register("register_bulk_action", bulk_action)
# Replaces Wagtail's snippet bulk delete (registered later wins): its selection comes from ``for_user``.
hooks.register("register_bulk_action", ScopedDeleteBulkAction, order=100)


@hooks.register("register_log_actions")
def register_workflow_log_actions(actions):
    log_actions.register(actions)


@hooks.register("register_admin_viewset")
def register_choosers():
    return [subject_chooser_viewset, unit_chooser_viewset, public_model_chooser_viewset]


@hooks.register("register_admin_urls")
def register_import_urls():
    from django.urls import include, path

    from .views import imports

    urls = [
        path("", imports.ImportStartView.as_view(), name="start"),
        path("jobs/", imports.ImportJobListView.as_view(), name="list"),
        path("jobs/<int:pk>/", imports.ImportJobDetailView.as_view(), name="detail"),
        path("jobs/<int:pk>/errors.xlsx", imports.ImportErrorsView.as_view(), name="errors"),
        path("template.xlsx", imports.ImportTemplateView.as_view(), name="template"),
    ]
    return [path("imports/", include((urls, "evaluations_imports"), namespace="evaluations_imports"))]


@hooks.register("register_admin_urls")
def register_bulk_job_urls():
    from django.urls import include, path

    from .views.bulk_jobs import BulkDecisionJobView

    urls = [path("<int:pk>/", BulkDecisionJobView.as_view(), name="detail")]
    return [path("bulk-decisions/", include((urls, "evaluations_bulk_jobs"), namespace="evaluations_bulk_jobs"))]


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    from django.urls import reverse
    from django.utils.translation import gettext_lazy

    from wagtail.admin.menu import MenuItem

    from .views.imports import can_import

    class ImportMenuItem(MenuItem):
        def is_shown(self, request):
            return can_import(request.user)

    return ImportMenuItem(
        gettext_lazy("Import from Excel"), reverse("evaluations_imports:start"), icon_name="upload", order=260
    )


@hooks.register("insert_global_admin_css")
def admin_css():
    from django.templatetags.static import static
    from django.utils.html import format_html

    return format_html('<link rel="stylesheet" href="{}">', static("css/admin.css"))


from .admin.display import register_display_classes  # noqa: E402 (after the viewsets, as the imports above)

register_display_classes()
