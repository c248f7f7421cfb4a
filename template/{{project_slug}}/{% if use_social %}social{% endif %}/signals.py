"""Every user gets a profile when their account is created (sign-up, admin or shell)."""

from typing import Any

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Profile


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="social_create_profile")
def create_profile(sender: type[Any], instance: Any, created: bool, **kwargs: Any) -> None:
    """Create the new user's profile."""
    if created and not kwargs.get("raw"):
        Profile.objects.get_or_create(user=instance)
