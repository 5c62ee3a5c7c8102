from django.urls import path

from . import views

app_name = "field"

urlpatterns = [
    path("session/", views.session, name="session"),
    path("villages/", views.villages, name="villages"),
    path("work/", views.work, name="work"),
    path("sync/", views.sync_view, name="sync"),
    path("evidence/", views.evidence, name="evidence"),
]
