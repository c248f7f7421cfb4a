"""Refresh-token families (one per sign-in) and the devices that receive push notifications."""

from django.conf import settings
from django.db import models


class RefreshToken(models.Model):
    """One issued refresh token. A sign-in starts a family; each rotation adds a member.

    A token is used once: refreshing marks it `used_at` and issues its successor. Presenting a
    used token again means it was stolen (or replayed), so the whole family is revoked. Only the
    token's SHA-256 is stored: these rows cannot be replayed, even by someone who reads them.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="refresh_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    family = models.UUIDField(db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)  # past it the token is refused; prune the row
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = "refresh token"

    def __str__(self) -> str:
        return f"sign-in {self.family} (token {self.pk})"


class Device(models.Model):
    """A user's device that can receive push notifications. A push token names one device, so
    it is unique: registering it again (a handed-down phone) moves it to the new user."""

    class Platform(models.TextChoices):
        IOS = "ios", "iOS (APNs)"
        ANDROID = "android", "Android (FCM)"
        WEB = "web", "Web Push"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices"
    )
    push_token = models.CharField(max_length=512, unique=True)
    platform = models.CharField(max_length=16, choices=Platform.choices)
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-id",)  # newest first, as the API pages them

    def __str__(self) -> str:
        return self.name or f"{self.get_platform_display()} device {self.pk}"
