"""Orders in the admin, with their items inline."""

from decimal import Decimal

from django.contrib import admin
from django.db.models import DecimalField, ExpressionWrapper, F, QuerySet, Sum
from django.http import HttpRequest

from .models import Order, OrderItem


class OrderItemInline(admin.TabularInline[OrderItem, Order]):
    """An order's items; the price is the one paid, so it is read-only."""

    model = OrderItem
    fields = ("product", "quantity", "price")
    readonly_fields = ("price",)
    raw_id_fields = ("product",)
    extra = 0


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin[Order]):
    """Orders, newest first, filtered by status and date."""

    list_display = ("__str__", "customer", "status", "created_at", "total")
    readonly_fields = ("confirmation_sent_at",)
    list_filter = ("status", "created_at")
    list_select_related = ("customer",)
    search_fields = ("=id", "customer__username", "customer__email")
    date_hierarchy = "created_at"
    raw_id_fields = ("customer",)
    inlines = (OrderItemInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Order]:
        line = ExpressionWrapper(
            F("items__price") * F("items__quantity"), output_field=DecimalField()
        )
        return super().get_queryset(request).annotate(total_paid=Sum(line))

    @admin.display(description="total", ordering="total_paid")
    def total(self, order: Order) -> Decimal:
        return Decimal(getattr(order, "total_paid", None) or 0).quantize(Decimal("0.01"))
