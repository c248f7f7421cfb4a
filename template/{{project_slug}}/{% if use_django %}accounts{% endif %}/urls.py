"""Account URLs: sign-up and email verification, plus Django's log-in, log-out and passwords."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("signup/", views.sign_up, name="signup"),
    path("verify/<str:token>/", views.verify_email, name="verify_email"),
    path("verify/", views.resend_verification, name="resend_verification"),
    path("", include("django.contrib.auth.urls")),
]
