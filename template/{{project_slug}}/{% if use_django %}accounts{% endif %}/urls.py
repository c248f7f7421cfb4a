"""Account URLs: sign-up, plus Django's log-in, log-out, password change and reset."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("signup/", views.sign_up, name="signup"),
    path("", include("django.contrib.auth.urls")),
]
