"""Orders and order items; an item keeps the price the customer paid."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.urls import reverse

from ..catalog.models import Product


class OrderStatus(models.TextChoices):
    """Where an order is in its life; staff move it along in the admin."""

    PLACED = "placed", "Placed"
    PAID = "paid", "Paid"
    SHIPPED = "shipped", "Shipped"
    CANCELLED = "cancelled", "Cancelled"


class Order(models.Model):
    """A customer's purchase, placed at checkout."""

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders"
    )
    status = models.CharField(max_length=16, choices=OrderStatus, default=OrderStatus.PLACED)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the confirmation email went out; set once, so a retried send never mails twice.
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = (
            models.CheckConstraint(
                condition=models.Q(status__in=OrderStatus.values),
                name="orders_order_status_valid",
            ),
        )

    def __str__(self) -> str:
        return f"Order #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("orders:detail", kwargs={"pk": self.pk})

    def total(self) -> Decimal:
        """The sum of the items at the prices they were bought for."""
        line = ExpressionWrapper(F("price") * F("quantity"), output_field=DecimalField())
        result = self.items.aggregate(total=Sum(line))["total"]
        return Decimal(result or 0).quantize(Decimal("0.01"))


class OrderItem(models.Model):
    """One product in an order, at the price it had when the order was placed."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_items")
    price = models.DecimalField(max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ("pk",)
        constraints = (
            models.UniqueConstraint(
                fields=("order", "product"), name="orders_orderitem_one_line_per_product"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="orders_orderitem_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="orders_orderitem_price_not_negative"
            ),
        )

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product}"

    @property
    def total(self) -> Decimal:
        return self.price * self.quantity
