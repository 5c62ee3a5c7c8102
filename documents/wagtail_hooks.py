from django.urls import include, path

from wagtail import hooks

from . import admin_urls
from .bulk_actions import PrintCertificatesBulkAction
from .views.decisions import DraftDecisionBulkAction
from .views.sheets import SheetsBulkAction


@hooks.register("register_admin_urls")
def register_document_urls():
    return [path("documents/", include(admin_urls, namespace="documents"))]


hooks.register("register_bulk_action", PrintCertificatesBulkAction)
hooks.register("register_bulk_action", DraftDecisionBulkAction)
# The evaluations listing's "In phiếu đánh giá": the selected evaluations' sheets as one PDF.
hooks.register("register_bulk_action", SheetsBulkAction)
