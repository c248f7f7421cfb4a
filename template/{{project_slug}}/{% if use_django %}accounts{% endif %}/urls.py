"""Account URLs: sign-up, plus Django's log-in, log-out, password change and reset."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("signup/", views.sign_up, name="signup"),
    # Reset emails name the project, not the request's host (Django's default `site_name`).
    path(
        "password_reset/",
        auth_views.PasswordResetView.as_view(extra_email_context={"site_name": settings.SITE_NAME}),
        name="password_reset",
    ),
    path("", include("django.contrib.auth.urls")),
]
