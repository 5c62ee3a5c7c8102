"""Admin screens, one module per thing they show: choosers, subjects, criteria sets, evaluations (with score
entry and the workflow views), decisions and commendations. Registered in ``wagtail_hooks.py``; area-based
access plugs into each viewset's ``get_queryset`` and the instance checks of its views (``admin_access``)."""

from .choosers import public_model_chooser_viewset, subject_chooser_viewset, unit_chooser_viewset
from .criteria_sets import criteria_set_viewset
from .decisions import commendation_viewset, decision_viewset
from .evaluations import evaluation_viewset, evaluation_viewset_group
from .subjects import subject_viewset_group

__all__ = [
    "commendation_viewset",
    "criteria_set_viewset",
    "decision_viewset",
    "evaluation_viewset",
    "evaluation_viewset_group",
    "public_model_chooser_viewset",
    "subject_chooser_viewset",
    "subject_viewset_group",
    "unit_chooser_viewset",
]
