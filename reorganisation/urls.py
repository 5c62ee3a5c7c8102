from django.urls import path

from . import views

app_name = "reorganisation"
urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("official/", views.OfficialView.as_view(), name="official"),
    path("manual/", views.ManualView.as_view(), name="manual"),
    path("<int:pk>/", views.PreviewView.as_view(), name="preview"),
    path("<int:pk>/runs/<int:run_pk>/", views.RunView.as_view(), name="run"),
    path("review/", views.ReviewListView.as_view(), name="review"),
]
