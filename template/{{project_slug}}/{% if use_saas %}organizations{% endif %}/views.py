"""The dashboard and organization pages; each query goes through the user's memberships."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ..accounts.http import AuthenticatedHttpRequest
from ..accounts.mail import send_email
from ..accounts.models import User
from .forms import InvitationForm, OrganizationForm
from .models import Invitation, Membership, Role


def membership_or_404(user: User, slug: str) -> Membership:
    """The user's membership of an organization; other tenants' organizations do not exist."""
    return get_object_or_404(
        Membership.objects.select_related("organization"), user=user, organization__slug=slug
    )


@login_required
@require_http_methods(["GET", "POST"])
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's organizations, and a form to start one (its creator becomes its owner)."""
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            organization = form.save()
            Membership.objects.create(organization=organization, user=request.user, role=Role.OWNER)
        return redirect(organization)
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("organization")
        .order_by("organization__name")
    )
    return render(
        request, "organizations/dashboard.html", {"memberships": memberships, "form": form}
    )


@login_required
@require_safe
def detail(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """One of the user's organizations: its members and pending invitations."""
    membership = membership_or_404(request.user, slug)
    organization = membership.organization
    context = {
        "organization": organization,
        "membership": membership,
        "members": organization.memberships.select_related("user").order_by("user__username"),
        "invitations": organization.invitations.filter(accepted_at__isnull=True),
        "form": InvitationForm(),
    }
    return render(request, "organizations/detail.html", context)


@login_required
@require_POST
def invite(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Owners and admins invite people by email."""
    membership = membership_or_404(request.user, slug)
    if not membership.can_manage:
        raise PermissionDenied("Only owners and admins invite people.")
    form = InvitationForm(request.POST)
    if form.is_valid():
        form.instance.organization = membership.organization
        form.instance.invited_by = request.user
        try:
            with transaction.atomic():
                invitation = form.save()
        except IntegrityError:
            messages.error(request, "That address has an invitation waiting already.")
        else:
            link = request.build_absolute_uri(invitation.get_absolute_url())
            send_email(
                f"Join {membership.organization} on {settings.SITE_NAME}",
                f"{request.user.get_username()} invites you to {membership.organization}.\n"
                f"Log in or sign up with this address, then accept here:\n{link}\n",
                [invitation.email],
            )
            messages.success(request, f"Invitation sent to {invitation.email}.")
    else:
        messages.error(request, "Give a valid email address and role.")
    return redirect(membership.organization)


@login_required
@require_http_methods(["GET", "POST"])
def invitation(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    """GET: see an invitation; POST: accept it, as the user it was sent to."""
    pending = get_object_or_404(
        Invitation.objects.select_related("organization"), token=token, accepted_at__isnull=True
    )
    if pending.email.lower() != request.user.email.lower():
        raise PermissionDenied("This invitation was sent to another email address.")
    if request.method == "POST":
        with transaction.atomic():
            Membership.objects.get_or_create(
                organization=pending.organization,
                user=request.user,
                defaults={"role": pending.role},
            )
            pending.accepted_at = timezone.now()
            pending.save(update_fields=["accepted_at"])
        messages.success(request, f"Welcome to {pending.organization}.")
        return redirect(pending.organization)
    return render(request, "organizations/invitation.html", {"invitation": pending})
