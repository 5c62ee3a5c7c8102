from django.urls import path

from .views.evidence import evidence_download

app_name = "evaluations"
urlpatterns = [
    path("<int:pk>/download/", evidence_download, name="evidence_download"),
]
