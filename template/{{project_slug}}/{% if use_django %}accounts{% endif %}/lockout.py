"""Password guessing, counted by django-axes: which client a log-in comes from, and when to lock.

An account is locked out per client address (LOGIN_FAILURE_LIMIT), so a guesser elsewhere cannot
lock its owner out. Two wider limits stop guessing spread out: one address trying many accounts
(LOGIN_ADDRESS_FAILURE_LIMIT) and one account guessed from many addresses
(LOGIN_ACCOUNT_FAILURE_LIMIT, which takes that many failures from several addresses to reach).
"""

from ipaddress import ip_address, ip_network
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q, Sum
from django.http import HttpRequest


def is_trusted_proxy(address: str) -> bool:
    """Whether `address` is in FORWARDED_ALLOW_IPS (addresses and networks, as uvicorn reads it)."""
    try:
        client = ip_address(address)
    except ValueError:
        return address in settings.FORWARDED_ALLOW_IPS
    for allowed in settings.FORWARDED_ALLOW_IPS:
        try:
            if client in ip_network(allowed, strict=False):
                return True
        except ValueError:  # "*" (refused in production) or a socket path
            if allowed == "*":
                return True
    return False


def client_address(request: HttpRequest) -> str | None:
    """The client's address: the peer's, unless the peer is a trusted proxy; then the nearest
    untrusted address in X-Forwarded-For, as uvicorn picks it (gunicorn does not)."""
    peer: str | None = request.META.get("REMOTE_ADDR")
    if not peer or not is_trusted_proxy(peer):
        return peer
    header = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    forwarded = [hop.strip() for hop in header.split(",") if hop.strip()]
    for hop in reversed(forwarded):
        if not is_trusted_proxy(hop):
            return hop
    return forwarded[0] if forwarded else peer


def over_wider_limit(request: Any, credentials: dict[str, Any] | None) -> bool:
    """Whether the client address, or the account, has failed too often, whoever tried."""
    username = get_client_username(request, credentials)
    recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
    failures = recent.aggregate(
        address=Sum("failures_since_start", filter=Q(ip_address=request.axes_ip_address)),
        account=Sum("failures_since_start", filter=Q(username=username)),
    )
    return (failures["address"] or 0) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT or (
        username is not None and (failures["account"] or 0) >= settings.LOGIN_ACCOUNT_FAILURE_LIMIT
    )


class LockoutHandler(AxesDatabaseHandler):  # type: ignore[misc]  # django-axes has no types
    """django-axes' database handler (per account and address), with the two wider limits."""

    def is_locked(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        """Locked for this account from this address, or by a wider limit."""
        return bool(super().is_locked(request, credentials)) or over_wider_limit(
            request, credentials
        )

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
    ) -> None:
        """Count the failure; lock out at once if it reached a wider limit."""
        super().user_login_failed(sender, credentials, request, **kwargs)
        locked = request is None or getattr(request, "axes_locked_out", False)
        if not locked and over_wider_limit(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials
