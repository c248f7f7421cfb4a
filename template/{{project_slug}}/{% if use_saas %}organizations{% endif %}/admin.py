"""Organizations in the admin, with their members and invitations inline."""

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from .models import Invitation, Membership, Organization


class MembershipInline(admin.TabularInline[Membership, Organization]):
    model = Membership
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)
    raw_id_fields = ("user",)
    extra = 0


class InvitationInline(admin.TabularInline[Invitation, Organization]):
    model = Invitation
    fields = ("email", "role", "invited_by", "created_at", "accepted_at")
    readonly_fields = ("invited_by", "created_at", "accepted_at")
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin[Organization]):
    """Organizations, with how many members each has."""

    list_display = ("name", "slug", "member_count", "created_at")
    search_fields = ("name", "slug", "memberships__user__username")
    list_filter = ("created_at",)
    prepopulated_fields = {"slug": ("name",)}  # noqa: RUF012 (Django's admin API)
    inlines = (MembershipInline, InvitationInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organization]:
        return super().get_queryset(request).annotate(member_count=Count("memberships"))

    @admin.display(description="members", ordering="member_count")
    def member_count(self, organization: Organization) -> int:
        return int(getattr(organization, "member_count", 0))


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    """Who belongs where, with which role."""

    list_display = ("user", "organization", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email", "organization__name")
    list_select_related = ("user", "organization")
    raw_id_fields = ("user", "organization")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    """Invitations, pending and accepted."""

    list_display = ("email", "organization", "role", "created_at", "accepted_at")
    list_filter = ("role", ("accepted_at", admin.EmptyFieldListFilter))
    search_fields = ("email", "organization__name")
    list_select_related = ("organization",)
    raw_id_fields = ("organization", "invited_by")
