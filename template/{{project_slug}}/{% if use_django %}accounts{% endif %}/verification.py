"""Email verification: a signed, expiring link proves that a user receives mail at their address."""

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.http import HttpRequest
from django.urls import reverse

from .models import User

SALT = "accounts.verify-email"


def verification_token(user: User) -> str:
    """A token naming the user and the address; it stops working when the address changes."""
    return signing.dumps({"user": user.pk, "email": user.email.lower()}, salt=SALT)


def send_verification_email(request: HttpRequest, user: User) -> None:
    """Email `user` a link that verifies their address."""
    path = reverse("verify_email", kwargs={"token": verification_token(user)})
    days = settings.EMAIL_VERIFICATION_DAYS
    send_mail(
        f"Confirm your email address for {settings.SITE_NAME}",
        f"Open this link within {days} days to confirm your address:\n"
        f"{request.build_absolute_uri(path)}\n",
        None,  # DEFAULT_FROM_EMAIL
        [user.email],
    )


def verify(token: str) -> User | None:
    """Mark the token's address verified; the user, or None for a bad or expired token."""
    max_age = settings.EMAIL_VERIFICATION_DAYS * 24 * 60 * 60
    try:
        claims = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    user = User.objects.filter(pk=claims["user"]).first()
    if user is None or user.email.lower() != claims["email"]:
        return None
    user.verified_email = user.email
    user.save(update_fields=["verified_email"])
    return user
