"""The admin's addresses of printed documents (under /admin/documents/, names ``documents:…``)."""

from django.urls import path

from .views import sheets

app_name = "documents"

urlpatterns = [
    # evaluation sheets
    path("sheets/<str:pk>/", sheets.EvaluationSheetView.as_view(), name="evaluation_sheet"),
    # draft decisions
    # certificates
]
