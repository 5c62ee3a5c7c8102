from wagtail import hooks

from .bulk_actions import SelfAssessmentSlipsBulkAction

# The subject listings' "In phiếu tự đánh giá": the selected subjects' self-assessment slips as one PDF.
hooks.register("register_bulk_action", SelfAssessmentSlipsBulkAction)
