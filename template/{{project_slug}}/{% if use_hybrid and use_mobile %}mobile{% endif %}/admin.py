"""Sign-ins and devices of the API's clients in the admin: read-only, the API writes them."""

from django.contrib import admin
from django.http import HttpRequest

from .models import Device, RefreshToken


@admin.register(RefreshToken)
class RefreshTokenAdmin(admin.ModelAdmin[RefreshToken]):
    """Who signed in when, and which tokens were rotated or revoked; the hash is never shown.

    Deleting a user's rows signs them out of the apps: their refresh tokens stop working.
    """

    list_display = ("user", "family", "created_at", "expires_at", "used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "created_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email", "=family")
    fields = ("user", "family", "created_at", "expires_at", "used_at", "revoked_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: RefreshToken | None = None) -> bool:
        return False


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin[Device]):
    """Registered devices; deleting one stops pushes to it (the app registers it again)."""

    list_display = ("__str__", "user", "platform", "created_at")
    list_filter = ("platform",)
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email", "name")
    readonly_fields = ("user", "push_token", "platform", "name", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Device | None = None) -> bool:
        return False
