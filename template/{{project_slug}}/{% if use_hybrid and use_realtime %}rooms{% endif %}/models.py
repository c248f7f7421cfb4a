"""Chat rooms and their members."""

from django.conf import settings
from django.db import models


class Room(models.Model):
    """A chat room. Its creator owns it and is its first member; the owner adds the others.

    A public room is listed to, and may be joined by, every signed-in user; a private one only
    by its members.
    """

    name = models.CharField(max_length=64, unique=True)
    private = models.BooleanField(default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="owned_rooms"
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="rooms")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name
