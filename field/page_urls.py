"""The field app's own pages, at ``/field/`` (the JSON API is under ``/field/api/``, ``field.urls``)."""

from django.urls import path

from . import pages

app_name = "field_app"

urlpatterns = [
    path("", pages.app, name="app"),
    path("manifest.webmanifest", pages.manifest, name="manifest"),
    path("sw.js", pages.service_worker, name="service_worker"),
]
