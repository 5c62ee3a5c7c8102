"""The admin's addresses of printed documents (under /admin/documents/, names ``documents:…``)."""

from django.urls import path

from .views import certificates, sheets
from .views.decisions import DecisionDocumentView

app_name = "documents"

urlpatterns = [
    # evaluation sheets
    path("sheets/<str:pk>/", sheets.EvaluationSheetView.as_view(), name="evaluation_sheet"),
    # draft decisions
    path(
        "decisions/<int:pk>/docx/",
        DecisionDocumentView.as_view(file_format="docx"),
        name="decision_docx",
    ),
    path("decisions/<int:pk>/pdf/", DecisionDocumentView.as_view(file_format="pdf"), name="decision_pdf"),
    # certificates
    path("certificates/decision/<int:pk>/", certificates.decision_certificates, name="decision_certificates"),
    path("certificates/evaluation/<int:pk>/", certificates.evaluation_certificate, name="evaluation_certificate"),
]
