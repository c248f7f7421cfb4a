"""The order confirmation email, sent once the order is committed."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Order


def send_confirmation(order_id: int) -> bool:
    """Email the customer their order; False if it was sent already (safe to run twice)."""
    with transaction.atomic():
        # The row lock makes concurrent runs of this (a redelivered task) send one email.
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("customer")
            .get(pk=order_id)
        )
        if order.confirmation_sent_at is not None:
            return False
        lines = [
            f"{item.quantity} x {item.product.name} at {item.price}"
            for item in order.items.select_related("product")
        ]
        send_mail(
            f"{order} is confirmed - {settings.SITE_NAME}",
            "Thank you for your order.\n\n" + "\n".join(lines) + f"\n\nTotal: {order.total()}\n",
            None,  # DEFAULT_FROM_EMAIL
            [order.customer.email],
        )
        # If sending fails, nothing is recorded and the next try sends it.
        order.confirmation_sent_at = timezone.now()
        order.save(update_fields=["confirmation_sent_at"])
    return True
