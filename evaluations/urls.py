from django.urls import path

from .views.evidence import decision_file_download, evidence_download

app_name = "evaluations"
urlpatterns = [
    path("<int:pk>/download/", evidence_download, name="evidence_download"),
    path("decisions/<int:pk>/download/", decision_file_download, name="decision_file_download"),
]
