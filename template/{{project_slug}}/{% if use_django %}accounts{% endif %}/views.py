"""Sign-up, email verification and the lock-out page; Django's own views do log-in and passwords."""

import math

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from .forms import SignUpForm
from .models import User
from .verification import send_verification_email, verify


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    """Create an account, log straight in, and send a link that verifies the email address."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        send_verification_email(request, user)
        messages.info(request, f"We sent a link to {user.email}: open it to confirm the address.")
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "registration/signup.html", {"form": form})


@require_safe
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the verification email."""
    if verify(token) is None:
        messages.error(request, "That link is invalid or has expired; ask for a new one.")
    else:
        messages.success(request, "Your email address is confirmed.")
    return redirect(settings.LOGIN_REDIRECT_URL)


@login_required
@require_POST
def resend_verification(request: HttpRequest) -> HttpResponse:
    """Send the signed-in user a new verification link."""
    user = request.user
    if isinstance(user, User) and user.email and not user.email_verified:
        send_verification_email(request, user)
        messages.info(request, f"We sent a new link to {user.email}.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = settings.LOGIN_REDIRECT_URL  # never off-site
    return redirect(back)


def locked_out(request: HttpRequest, *_: object) -> HttpResponse:
    """django-axes' answer once log-ins are locked out: 429, and when to try again."""
    cool_off = get_cool_off(request)
    seconds = math.ceil(cool_off.total_seconds()) if cool_off else 3600
    response = render(
        request,
        "registration/locked_out.html",
        {"minutes": math.ceil(seconds / 60)},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
