"""The admin's addresses of printed documents (under /admin/documents/, names ``documents:…``)."""

from django.urls import path  # noqa: F401 (each kind of document adds its addresses below)

app_name = "documents"

urlpatterns = [
    # evaluation sheets
    # draft decisions
    # certificates
]
