"""Admin URLs of the reports (mounted under /admin/reports/ by ``wagtail_hooks.py``)."""

from django.urls import path

from .views import admin as views

app_name = "reports"
urlpatterns = [
    path("", views.ReportView.as_view(), name="report"),
    path("workbook/", views.WorkbookView.as_view(), name="workbook"),
    path("submit/", views.SubmitView.as_view(), name="submit"),
    path("completeness/", views.CompletenessView.as_view(), name="completeness"),
    path("export/<str:listing>/", views.listing_export_view, name="export"),
    path("exports/", views.ExportJobsView.as_view(), name="export_jobs"),
    path("exports/<int:pk>/", views.export_job_view, name="export_job"),
    path("exports/<int:pk>/download/", views.export_job_download, name="export_job_download"),
    path("exports/<int:pk>/restart/", views.export_job_restart, name="export_job_restart"),
]
