from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail_modeladmin.options import modeladmin_register

from . import log_actions
from .admin import (
    criteria_set_viewset,
    evaluation_viewset,
    subject_chooser_viewset,
    subject_viewset_group,
    unit_chooser_viewset,
)
from .reference_admin import ReferenceDataGroup

register_snippet(subject_viewset_group)
register_snippet(criteria_set_viewset)
register_snippet(evaluation_viewset)
modeladmin_register(ReferenceDataGroup)


@hooks.register("register_log_actions")
def register_workflow_log_actions(actions):
    log_actions.register(actions)


@hooks.register("register_admin_viewset")
def register_choosers():
    return [subject_chooser_viewset, unit_chooser_viewset]
