"""Organizations are the tenants: users see an organization's data only through a membership."""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from ..accounts.models import User


class Role(models.TextChoices):
    """What a member may do: owners and admins manage members; members use the product."""

    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"


MANAGERS = (Role.OWNER, Role.ADMIN)


class OrganizationQuerySet(models.QuerySet["Organization"]):
    """Organization queries; every page starts from `for_user`."""

    def for_user(self, user: User) -> "OrganizationQuerySet":
        """The organizations `user` belongs to: the only ones they may see."""
        return self.filter(memberships__user=user)


def new_slug(name: str) -> str:
    """An address for a new organization: its name, and a random suffix.

    The suffix is always there, so starting an organization reveals nothing about the names
    other tenants chose.
    """
    return f"{slugify(name)[:90]}-{secrets.token_hex(3)}"


class Organization(models.Model):
    """A customer of the SaaS: a team with its members and its own data."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organizations:detail", kwargs={"slug": self.slug})


def role_is_valid(field: str = "role") -> models.Q:
    return models.Q(**{f"{field}__in": Role.values})


class Membership(models.Model):
    """A user's place in an organization, with their role."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("organization", "user")
        constraints = (
            models.UniqueConstraint(
                fields=("organization", "user"), name="organizations_membership_once"
            ),
            models.CheckConstraint(
                condition=role_is_valid(), name="organizations_membership_role_valid"
            ),
        )

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) in {self.organization}"

    @property
    def can_manage(self) -> bool:
        """Owners and admins invite people."""
        return self.role in MANAGERS


def new_token() -> str:
    return secrets.token_urlsafe(32)


def invitation_lifetime() -> timedelta:
    return timedelta(days=settings.INVITATION_EXPIRY_DAYS)


class InvitationQuerySet(models.QuerySet["Invitation"]):
    """Invitations; only pending ones can be accepted."""

    def pending(self) -> "InvitationQuerySet":
        """Not accepted yet, and not expired."""
        cutoff = timezone.now() - invitation_lifetime()
        return self.filter(accepted_at__isnull=True, created_at__gt=cutoff)

    def expired(self) -> "InvitationQuerySet":
        """Never accepted, and too old to be."""
        cutoff = timezone.now() - invitation_lifetime()
        return self.filter(accepted_at__isnull=True, created_at__lte=cutoff)


class Invitation(models.Model):
    """An email address asked to join an organization; accepting it makes a membership."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role, default=Role.MEMBER)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at",)
        constraints = (
            models.UniqueConstraint(
                fields=("organization", "email"),
                condition=models.Q(accepted_at__isnull=True),
                name="organizations_invitation_one_pending_per_email",
            ),
            models.CheckConstraint(
                condition=role_is_valid(), name="organizations_invitation_role_valid"
            ),
        )

    def __str__(self) -> str:
        return f"{self.email} to {self.organization}"

    def get_absolute_url(self) -> str:
        return reverse("organizations:invitation", kwargs={"token": self.token})

    @property
    def expires_at(self) -> datetime:
        return self.created_at + invitation_lifetime()
