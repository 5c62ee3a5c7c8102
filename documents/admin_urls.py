"""The admin's addresses of printed documents (under /admin/documents/, names ``documents:…``)."""

from django.urls import path

from .views import certificates

app_name = "documents"

urlpatterns = [
    # evaluation sheets
    # draft decisions
    # certificates
    path("certificates/decision/<int:pk>/", certificates.decision_certificates, name="decision_certificates"),
    path("certificates/evaluation/<int:pk>/", certificates.evaluation_certificate, name="evaluation_certificate"),
]
