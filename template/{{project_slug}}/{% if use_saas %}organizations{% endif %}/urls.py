"""Organization URLs."""

from django.urls import path

from . import views

app_name = "organizations"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/invite/", views.invite, name="invite"),
]
