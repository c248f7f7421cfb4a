"""Values the shop's templates use."""

from django.conf import settings
from django.http import HttpRequest


def currency(request: HttpRequest) -> dict[str, str]:
    """The currency every price is in (settings.CURRENCY), shown next to each amount."""
    return {"currency": settings.CURRENCY}
